"""The sync protocol on the wire: operations (a tagged union), results, pulls and audit packages.

Three entities travel: findings, the audit's meetings (opening and closing) and its conclusion. Sync
payloads tolerate fields from newer clients (no ``forbid_unknown_fields`` here): new fields need
defaults, and an old server ignores what it does not know.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from server.lib.standards import Standard
from server.lib.structs import ApiOut, ShortText, Uuid

__all__ = [
    "Attendee",
    "ConclusionData",
    "ConclusionOut",
    "ConclusionVersionOut",
    "Degree",
    "DeleteFinding",
    "DeleteMeeting",
    "FindingData",
    "FindingOut",
    "FindingVersionOut",
    "MeetingData",
    "MeetingKind",
    "MeetingOut",
    "MeetingVersionOut",
    "Op",
    "OpResult",
    "PackageOut",
    "PullOut",
    "PushIn",
    "PushOut",
    "Signature",
    "SignatureRole",
    "StandardDegree",
    "UpsertConclusion",
    "UpsertFinding",
    "UpsertMeeting",
    "Verdict",
]

Verdict = Literal["conform", "nc_major", "nc_minor", "observation", "improvement", "not_applicable"]
ClauseRef = Annotated[
    str, msgspec.Meta(pattern=r"^(iso9001|iso14001|iso45001):[0-9]+(\.[0-9]+)*$", max_length=24)
]
Sha256 = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$")]
Rev = Annotated[int, msgspec.Meta(ge=0, le=2_000_000_000)]
ClientTime = Annotated[datetime, msgspec.Meta(tz=True)]
"""A time from the device: with a time zone (a naive time is ambiguous, so refused)."""
# At least one character that is not white space, by Python's and JavaScript's rules alike (their \s
# differ on \x1c-\x1f, \x85 and \ufeff), so a blank name is refused the same way by a client.
NonBlankName = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"[^\s\x1c-\x1f\x85\ufeff]")]
Text8000 = Annotated[str, msgspec.Meta(max_length=8000)]
MeetingKind = Literal["opening", "closing"]
Degree = Literal["fully", "largely", "partially", "not_met"]
"""How far an audited standard's criteria are met, as the lead auditor concludes."""
SignatureRole = Literal["lead_auditor", "auditee_representative"]


class FindingData(msgspec.Struct, rename="camel", kw_only=True, frozen=True):
    verdict: Verdict
    question_id: Annotated[str, msgspec.Meta(pattern=r"^[a-z]{2,8}-[0-9]{3}$")] | None = None
    statement: Annotated[str, msgspec.Meta(max_length=4000)] = ""
    evidence: Annotated[str, msgspec.Meta(max_length=8000)] = ""
    clause_refs: Annotated[list[ClauseRef], msgspec.Meta(max_length=20)] = []
    process_id: Uuid | None = None
    unit_id: Uuid | None = None
    site_id: Uuid | None = None
    auditee_response: Annotated[str, msgspec.Meta(max_length=4000)] = ""
    attachments: Annotated[list[Sha256], msgspec.Meta(max_length=50)] = []
    photos_taken_at: Annotated[dict[Sha256, ClientTime], msgspec.Meta(max_length=50)] = {}
    """When each attached photo was taken (the tablet strips EXIF, so the time travels as data);
    keys are among ``attachments``."""
    client_updated_at: ClientTime | None = None
    """The device's clock at the change: with a time zone (a naive time is ambiguous, so refused)."""


class UpsertFinding(
    msgspec.Struct, tag_field="op", tag="upsertFinding", rename="camel", kw_only=True, frozen=True
):
    id: Uuid
    audit_id: Uuid
    data: FindingData
    base_rev: Rev | None = None


class DeleteFinding(
    msgspec.Struct, tag_field="op", tag="deleteFinding", rename="camel", kw_only=True, frozen=True
):
    id: Uuid
    base_rev: Rev


class Attendee(msgspec.Struct, rename="camel", kw_only=True, frozen=True):
    """Someone invited to a meeting: a person of the organisation or from outside it."""

    name: NonBlankName
    role: ShortText = ""
    """Their position, as the attendance sheet gives it (head of division, site supervisor)."""
    person_id: Uuid | None = None
    """The person of the organisation, when the attendee is one (an auditee, an auditor)."""
    unit_id: Uuid | None = None
    """The council's unit they belong to; for someone from outside, ``organisation`` instead."""
    organisation: ShortText = ""
    """The outside organisation they come from (a contractor, a consultant): never with ``unitId``."""
    present: bool = True
    """False for someone invited who did not attend (the sheet keeps the absent too)."""


class MeetingData(msgspec.Struct, rename="camel", kw_only=True, frozen=True):
    kind: MeetingKind
    """An audit has at most one live meeting of each kind."""
    held_at: ClientTime
    place: ShortText = ""
    attendees: Annotated[list[Attendee], msgspec.Meta(max_length=200)] = []
    notes: Text8000 = ""
    client_updated_at: ClientTime | None = None
    """The device's clock at the change (not part of the content: the same meeting sent again later
    is unchanged)."""


class StandardDegree(msgspec.Struct, rename="camel", kw_only=True, frozen=True):
    standard: Standard
    """One of the audit's standards, at most once per conclusion."""
    degree: Degree
    comment: Annotated[str, msgspec.Meta(max_length=4000)] = ""


class Signature(msgspec.Struct, rename="camel", kw_only=True, frozen=True):
    """A signature drawn on the tablet, uploaded as a PNG attachment and named here by its hash."""

    role: SignatureRole
    """At most one signature per role."""
    signer_name: NonBlankName
    signer_role: ShortText = ""
    """The signer's position (head of the audited division)."""
    signed_at: ClientTime
    attachment: Sha256


class ConclusionData(msgspec.Struct, rename="camel", kw_only=True, frozen=True):
    """The audit's conclusion, presented at the closing meeting (ISO 19011 6.4.9 and 6.4.10)."""

    summary: Text8000 = ""
    """The findings summary."""
    conclusions: Text8000 = ""
    """The lead auditor's conclusions."""
    degrees: Annotated[list[StandardDegree], msgspec.Meta(max_length=10)] = []
    """For each of the audit's standards, the degree to which its criteria are met."""
    diverging_opinions: Text8000 = ""
    """Opinions of the auditee and the audit team that remain apart."""
    signatures: Annotated[list[Signature], msgspec.Meta(max_length=10)] = []
    auditee_unsigned_reason: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    """Why the auditee's representative did not sign at the closing meeting (refused, absent): without
    their signature a report is issued only with this reason written down."""
    client_updated_at: ClientTime | None = None


class UpsertMeeting(
    msgspec.Struct, tag_field="op", tag="upsertMeeting", rename="camel", kw_only=True, frozen=True
):
    id: Uuid
    audit_id: Uuid
    data: MeetingData
    base_rev: Rev | None = None


class DeleteMeeting(
    msgspec.Struct, tag_field="op", tag="deleteMeeting", rename="camel", kw_only=True, frozen=True
):
    id: Uuid
    base_rev: Rev


class UpsertConclusion(
    msgspec.Struct, tag_field="op", tag="upsertConclusion", rename="camel", kw_only=True, frozen=True
):
    """The audit's one conclusion: a second one under another id is a conflict with the first."""

    id: Uuid
    audit_id: Uuid
    data: ConclusionData
    base_rev: Rev | None = None


Op = UpsertFinding | DeleteFinding | UpsertMeeting | DeleteMeeting | UpsertConclusion


class PushIn(msgspec.Struct, rename="camel", kw_only=True):
    device_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    ops: Annotated[list[msgspec.Raw], msgspec.Meta(max_length=5000)]


class FindingOut(
    msgspec.Struct, tag_field="entity", tag="finding", rename="camel", kw_only=True, omit_defaults=False
):
    id: str
    audit_id: str
    rev: int
    seq: int
    deleted: bool
    data: FindingData | None
    author: str
    updated_at: datetime


class MeetingOut(
    msgspec.Struct, tag_field="entity", tag="meeting", rename="camel", kw_only=True, omit_defaults=False
):
    id: str
    audit_id: str
    rev: int
    seq: int
    deleted: bool
    data: MeetingData | None
    """None for a deleted meeting (a tombstone)."""
    author: str
    updated_at: datetime


class ConclusionOut(
    msgspec.Struct, tag_field="entity", tag="conclusion", rename="camel", kw_only=True, omit_defaults=False
):
    id: str
    audit_id: str
    rev: int
    seq: int
    deleted: bool
    """Always false: a conclusion is edited, never deleted."""
    data: ConclusionData | None
    author: str
    updated_at: datetime


class FindingVersionOut(ApiOut):
    """One applied version of a finding: what it said, who wrote it, from which device, and when."""

    finding_id: str
    audit_id: str
    rev: int
    seq: int
    deleted: bool
    data: FindingData
    """The content of this version; for a deletion, the content that was deleted."""
    author_user_id: str | None
    author: str
    device_id: str
    client_updated_at: datetime | None
    """The device's clock (none for a deletion, which carries no content of its own)."""
    recorded_at: datetime
    """The server's clock when the version was applied."""


class MeetingVersionOut(ApiOut):
    """One applied version of a meeting: what it said, who wrote it, from which device, and when."""

    meeting_id: str
    audit_id: str
    rev: int
    seq: int
    deleted: bool
    data: MeetingData
    """The content of this version; for a deletion, the content that was deleted."""
    author_user_id: str | None
    author: str
    device_id: str
    client_updated_at: datetime | None
    recorded_at: datetime


class ConclusionVersionOut(ApiOut):
    """One applied version of an audit's conclusion."""

    conclusion_id: str
    audit_id: str
    rev: int
    seq: int
    data: ConclusionData
    author_user_id: str | None
    author: str
    device_id: str
    client_updated_at: datetime | None
    recorded_at: datetime


class OpResult(msgspec.Struct, rename="camel", kw_only=True, omit_defaults=True):
    index: int
    id: str | None
    status: Literal["applied", "unchanged", "conflict", "rejected", "locked"]
    rev: int | None = None
    code: str | None = None
    message: str | None = None
    http_status: int | None = None
    server: FindingOut | MeetingOut | ConclusionOut | None = None
    """The server's copy that won a conflict (its ``entity`` says what it is)."""


class PushOut(ApiOut):
    results: list[OpResult]
    cursor: str


class PullOut(ApiOut):
    """One page of changes: the findings, meetings and conclusions changed after the cursor, at most
    ``limit`` in all, each with its ``seq``; every change up to ``cursor`` is in this page or an
    earlier one."""

    changes: list[FindingOut]
    """The findings."""
    meetings: list[MeetingOut]
    conclusions: list[ConclusionOut]
    cursor: str
    has_more: bool


class PackageOut(ApiOut):
    audit: Any
    team: list[Any]
    auditees: list[Any]
    process: Any
    units: list[Any]
    sites: list[Any]
    checklist_version: str | None
    checklist: list[Any]
    findings: list[FindingOut]
    meetings: list[MeetingOut]
    """The opening and closing meetings (deleted ones as tombstones)."""
    conclusion: ConclusionOut | None
    cursor: str
    change_count: int | msgspec.UnsetType = msgspec.UNSET
    """With ``parts=plan`` only (findings, meetings and conclusion then left out): how many findings,
    meetings and conclusions the audit holds, tombstones included. A pull from 0 brings each at least once,
    so a tablet that received fewer has lost a page."""

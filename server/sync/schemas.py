"""The sync protocol on the wire: operations (a tagged union), results, pulls and audit packages.

Sync payloads tolerate fields from newer clients (no ``forbid_unknown_fields`` here): new fields
need defaults, and an old server ignores what it does not know.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from server.lib.structs import ApiOut, Uuid

__all__ = [
    "DeleteFinding",
    "FindingData",
    "FindingOut",
    "FindingVersionOut",
    "Op",
    "OpResult",
    "PackageOut",
    "PullOut",
    "PushIn",
    "PushOut",
    "UpsertFinding",
    "Verdict",
]

Verdict = Literal["conform", "nc_major", "nc_minor", "observation", "improvement", "not_applicable"]
ClauseRef = Annotated[
    str, msgspec.Meta(pattern=r"^(iso9001|iso14001|iso45001):[0-9]+(\.[0-9]+)*$", max_length=24)
]
Sha256 = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$")]
Rev = Annotated[int, msgspec.Meta(ge=0, le=2_000_000_000)]


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
    client_updated_at: Annotated[datetime, msgspec.Meta(tz=True)] | None = None
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


Op = UpsertFinding | DeleteFinding


class PushIn(msgspec.Struct, rename="camel", kw_only=True):
    device_id: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    ops: Annotated[list[msgspec.Raw], msgspec.Meta(max_length=5000)]


class FindingOut(msgspec.Struct, rename="camel", kw_only=True, omit_defaults=False):
    id: str
    audit_id: str
    rev: int
    seq: int
    deleted: bool
    data: FindingData | None
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


class OpResult(msgspec.Struct, rename="camel", kw_only=True, omit_defaults=True):
    index: int
    id: str | None
    status: Literal["applied", "unchanged", "conflict", "rejected", "locked"]
    rev: int | None = None
    code: str | None = None
    message: str | None = None
    http_status: int | None = None
    server: FindingOut | None = None


class PushOut(ApiOut):
    results: list[OpResult]
    cursor: str


class PullOut(ApiOut):
    changes: list[FindingOut]
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
    cursor: str

"""Audits on the wire."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from server.lib.standards import Standard
from server.lib.structs import ApiIn, ApiOut, LocalizedName, LongText, ShortText, Uuid

__all__ = [
    "AuditIn",
    "AuditOut",
    "AuditStatus",
    "AuditUpdateIn",
    "TeamIn",
    "TeamMemberIn",
    "TeamMemberOut",
    "TransitionIn",
]

AuditStatus = Literal["planned", "prepared", "in_progress", "reported", "signed", "closed", "cancelled"]
AuditCode = Annotated[str, msgspec.Meta(min_length=1, max_length=24, pattern=r"^[A-Z0-9][A-Z0-9-]*$")]
ScopeClause = Annotated[str, msgspec.Meta(pattern=r"^(iso9001|iso14001|iso45001):[0-9]+(\.[0-9]+)*$")]
Ids = Annotated[list[Uuid], msgspec.Meta(max_length=50)]
Rev = Annotated[
    int,
    msgspec.Meta(
        ge=1,
        le=2_147_483_647,
        description="The audit's rev you read (or send it as If-Match); refused with 412 if it moved on.",
    ),
]


class AuditIn(ApiIn):
    code: AuditCode
    title: LocalizedName
    standards: Annotated[list[Standard], msgspec.Meta(min_length=1, max_length=3)]
    process_id: Uuid | None = None
    programme_entry_id: Uuid | None = None
    unit_ids: Ids = []
    site_ids: Ids = []
    clauses: Annotated[list[ScopeClause], msgspec.Meta(max_length=200)] = []
    criteria: Annotated[list[ShortText], msgspec.Meta(max_length=50)] = []
    objectives: LongText = ""
    auditee_ids: Ids = []
    planned_start: date | None = None
    planned_end: date | None = None
    agenda: LongText = ""


class AuditUpdateIn(AuditIn):
    """A changed plan, with the ``rev`` it was made on (unless sent as ``If-Match``)."""

    rev: Rev | None = None


class TeamMemberIn(msgspec.Struct, rename="camel", forbid_unknown_fields=True, frozen=True):
    person_id: Uuid
    role: Literal["lead", "auditor"]
    override_reason: LongText = ""


class TeamIn(ApiIn):
    members: Annotated[list[TeamMemberIn], msgspec.Meta(min_length=1, max_length=12)]
    rev: Rev | None = None


class TeamMemberOut(ApiOut):
    person_id: str
    role: Literal["lead", "auditor"]
    override_reason: str
    override_by: str
    override_scope: list[str]
    """The audited units the override reason was written for; it does not count for another scope."""


class TransitionIn(ApiIn):
    to: AuditStatus
    reason: LongText = ""
    rev: Rev | None = None


class AuditOut(ApiOut):
    id: str
    code: str
    title: LocalizedName
    status: AuditStatus
    standards: list[Standard]
    process_id: str | None
    programme_entry_id: str | None
    unit_ids: list[str]
    site_ids: list[str]
    clauses: list[str]
    criteria: list[str]
    objectives: str
    auditee_ids: list[str]
    planned_start: date | None
    planned_end: date | None
    agenda: str
    checklist_version: str | None
    cancel_reason: str
    team: list[TeamMemberOut]
    rev: int
    updated_at: datetime

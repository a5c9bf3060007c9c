"""The nonconformity follow-up's API bodies (camelCase on the wire).

Every write names the record's ``rev`` it was decided on: 412 when the record has moved on since, so
that two people answering the same record at once never overwrite each other."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

import msgspec

from server.lib.structs import ApiIn, ApiOut, LocalizedName, LongText, Uuid

__all__ = [
    "ActionIn",
    "ActionOut",
    "ActionUpdateIn",
    "AnalysisIn",
    "DaysIO",
    "DuePolicyIO",
    "LateOut",
    "MayOut",
    "NcOut",
    "OverdueOut",
    "PlanIn",
    "RejectIn",
    "RevIn",
    "RootCauseIO",
    "VerificationOut",
    "VerifyIn",
]

Rev = Annotated[int, msgspec.Meta(ge=1, le=2_147_483_647)]
Days = Annotated[int, msgspec.Meta(ge=1, le=730)]
Sha256 = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$")]
Evidence = Annotated[list[Sha256], msgspec.Meta(max_length=20)]
Category = Literal["people", "method", "material", "machine", "environment", "measurement"]
Why = Annotated[str, msgspec.Meta(max_length=1000)]


class RevIn(ApiIn):
    rev: Rev


class RootCauseIO(ApiIn):
    method: Literal["five_whys", "categories"]
    cause: LongText
    """The root cause found, in a sentence."""
    whys: Annotated[list[Why], msgspec.Meta(max_length=5)] = []
    categories: Annotated[list[Category], msgspec.Meta(max_length=6)] = []


class AnalysisIn(ApiIn):
    rev: Rev
    correction: LongText = ""
    """What was done at once about the nonconformity itself."""
    root_cause: RootCauseIO | None = None


class ActionIn(ApiIn):
    type: Literal["correction", "corrective", "preventive"]
    description: LongText
    owner_id: Uuid
    due: date
    id: Uuid | None = None
    """Omitted for a new action; an existing action's id keeps its progress."""


class PlanIn(ApiIn):
    rev: Rev
    actions: Annotated[list[ActionIn], msgspec.Meta(max_length=30)]


class ActionUpdateIn(ApiIn):
    rev: Rev
    status: Literal["planned", "in_progress", "done", "cancelled"]
    evidence: Evidence = []
    note: LongText = ""


class VerifyIn(ApiIn):
    rev: Rev
    verdict: Literal["effective", "ineffective"]
    comment: LongText = ""
    evidence: Evidence = []


class RejectIn(ApiIn):
    rev: Rev
    reason: LongText


class DaysIO(msgspec.Struct, rename="camel", forbid_unknown_fields=True, frozen=True):
    major: Days
    minor: Days
    observation: Days


class DuePolicyIO(msgspec.Struct, rename="camel", forbid_unknown_fields=True, frozen=True, kw_only=True):
    """Days from a record's opening to its action plan and to its closure, by severity."""

    rev: Annotated[int, msgspec.Meta(ge=0, le=2_147_483_647)] = 0
    """0 while the policy was never changed (the settings' defaults hold)."""
    plan_days: DaysIO
    close_days: DaysIO


# ------------------------------------------------------------------ out


class ActionOut(ApiOut):
    id: str
    type: str
    description: str
    owner_id: str
    owner_name: LocalizedName | None
    due: date
    status: str
    evidence: list[str]
    note: str


class VerificationOut(ApiOut):
    verdict: str
    verifier_id: str
    verifier_name: LocalizedName | None
    on: date
    comment: str
    evidence: list[str]


class LateOut(ApiOut):
    kind: Literal["plan", "action", "closure"]
    action_id: str | None
    due: date
    days_late: int


class MayOut(ApiOut):
    """What the caller may do with the record now (the server checks again at each step)."""

    answer: bool
    verify: bool
    reject: bool


class NcOut(ApiOut):
    id: str
    rev: int
    audit_id: str
    audit_code: str
    finding_id: str
    severity: str
    status: str
    unit_id: str
    unit_name: LocalizedName | None
    process_id: str | None
    process_name: LocalizedName | None
    clauses: list[str]
    statement: str
    evidence: str
    opened_on: date
    plan_due: date
    close_due: date
    age_days: int
    correction: str
    root_cause: RootCauseIO | None
    actions: list[ActionOut]
    verifications: list[VerificationOut]
    rejected_reason: str
    late: list[LateOut]
    may: MayOut


class OverdueOut(ApiOut):
    kind: Literal["plan", "action", "closure"]
    nc_id: str
    audit_code: str
    unit_id: str
    unit_name: LocalizedName | None
    owner_id: str | None
    owner_name: LocalizedName | None
    due: date
    days_late: int

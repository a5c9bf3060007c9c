"""The annual programme's API bodies (camelCase on the wire).

A programme is one year's plan of internal audits. Its life: ``draft`` (the audit lead edits risks,
pins and solves) → ``submitted`` (waiting for a manager) → ``approved`` (its entries became planned
audits) → a revision (``revise`` with a reason) makes it a ``draft`` again under the next version
number, and so on. A manager may ``return`` a submitted programme to ``draft`` with a comment. Every
submission is kept as a version snapshot, so the history stays readable and two versions can be
compared.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from server.lib.standards import Standard
from server.lib.structs import ApiIn, ApiOut, LocalizedName, LongText, ShortText, Uuid

__all__ = [
    "BlockedMonthIO",
    "CalendarLinkOut",
    "ChangeOut",
    "CoverageRowOut",
    "DecisionIn",
    "EntryOut",
    "ExplanationOut",
    "FrequencyIO",
    "MyEntryOut",
    "PinIn",
    "PolicyIO",
    "ProgrammeIn",
    "ProgrammeOut",
    "ProgrammeStatus",
    "ProgrammeSummaryOut",
    "ReasonIn",
    "RiskIn",
    "RiskLevel",
    "RiskRowOut",
    "SolveOut",
    "VersionOut",
    "WeightsIO",
]

ProgrammeStatus = Literal["draft", "submitted", "approved"]
RiskLevel = Literal["low", "medium", "high"]
Month = Annotated[int, msgspec.Meta(ge=1, le=12)]
Year = Annotated[int, msgspec.Meta(ge=2000, le=2100)]
Rev = Annotated[int, msgspec.Meta(ge=1, le=2_147_483_647)]
Weight = Annotated[int, msgspec.Meta(ge=0, le=100)]
Count = Annotated[int, msgspec.Meta(ge=0, le=1000)]


# ------------------------------------------------------------------ the policy (scoring, frequency, calendar)


class WeightsIO(msgspec.Struct, rename="camel", forbid_unknown_fields=True, frozen=True):
    """Points per unit of each risk input (``server/programme/scoring.py`` documents the formula)."""

    criticality: Weight = 10
    nc_major: Weight = 8
    nc_minor: Weight = 3
    open_action: Weight = 2
    change: Weight = 6
    complaint: Weight = 2
    age: Weight = 5
    """Per full year since the process was last audited (never audited counts as three years)."""


class FrequencyIO(msgspec.Struct, rename="camel", forbid_unknown_fields=True, frozen=True):
    """Audits per year for each risk level: 2, 1, or 0.5 (every other year within the cycle)."""

    high: float = 2
    medium: float = 1
    low: float = 0.5


class BlockedMonthIO(msgspec.Struct, rename="camel", forbid_unknown_fields=True, frozen=True):
    month: Month
    label: LocalizedName
    """Why nobody audits then, e.g. the summer holidays or the council's budget session."""


class PolicyIO(ApiIn):
    """How the programme is built. ``rev`` is the policy's revision: send back the one you read."""

    weights: WeightsIO = WeightsIO()
    high_from: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 60
    """A score at or above this is high risk."""
    medium_from: Annotated[int, msgspec.Meta(ge=0, le=1000)] = 35
    frequency: FrequencyIO = FrequencyIO()
    blocked_months: Annotated[list[BlockedMonthIO], msgspec.Meta(max_length=11)] = []
    capacity_per_month: Annotated[int, msgspec.Meta(ge=1, le=500)] = 6
    """Most audits the whole programme holds in one month."""
    max_audits_per_auditor_month: Annotated[int, msgspec.Meta(ge=1, le=20)] = 2
    days_per_audit: Annotated[int, msgspec.Meta(ge=1, le=20)] = 2
    """Working days on site for one audit of one standard."""
    extra_days_per_standard: Annotated[int, msgspec.Meta(ge=0, le=10)] = 1
    """Added for each further standard of an integrated audit."""
    max_team_size: Annotated[int, msgspec.Meta(ge=1, le=8)] = 3
    min_gap_months: Annotated[int, msgspec.Meta(ge=1, le=11)] = 4
    """Two audits of one process in a year should be at least this many months apart."""
    cycle_start_year: Year = 2026
    """First year of the current three-year certification cycle."""
    lookback_years: Annotated[int, msgspec.Meta(ge=1, le=5)] = 2
    """How far back findings and audits count as recent in the risk inputs."""
    rev: int = 0


# ------------------------------------------------------------------ requests


class ProgrammeIn(ApiIn):
    year: Year


class RiskIn(ApiIn):
    """The audit lead's own risk inputs for one process (the others come from past audits)."""

    criticality: Annotated[int, msgspec.Meta(ge=1, le=5)]
    changes: Count = 0
    """Significant changes since the last audit (reorganisation, new site, new law...)."""
    complaints: Count = 0
    open_actions: Count = 0
    """Open corrective actions (entered by hand until the follow-up of nonconformities exists)."""
    note: ShortText = ""
    rev: Rev | None = None


class PinIn(ApiIn):
    """Fix an entry by hand; a part left out (null) stays the solver's to choose."""

    month: Month | None = None
    lead_id: Uuid | None = None
    auditor_ids: Annotated[list[Uuid], msgspec.Meta(max_length=7)] | None = None
    override_reason: LongText = ""
    """Required when a member belongs to the audited unit or a unit above it; flagged in every output."""
    rev: Rev | None = None


class ReasonIn(ApiIn):
    reason: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    rev: Rev | None = None


class DecisionIn(ApiIn):
    comment: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    rev: Rev | None = None


# ------------------------------------------------------------------ responses


class EntryOut(ApiOut):
    """One planned audit of the programme."""

    id: str
    """Stable across solves and revisions for the same process and occurrence (the calendar UID)."""
    process_id: str
    occurrence: int
    """0 for the first audit of the process this year, 1 for the second."""
    standards: list[Standard]
    month: int
    start: date
    end: date
    lead_id: str
    auditor_ids: list[str]
    pinned_month: bool
    pinned_team: bool
    override_reason: str
    """Non-empty: a member belongs to the audited unit or above it, and this is why."""
    sequence: int
    """Bumped each time the entry's dates or team change (the calendar SEQUENCE)."""
    audit_id: str | None
    """The planned audit created when the programme was approved."""
    audit_status: str | None


class RiskRowOut(ApiOut):
    process_id: str
    code: str
    name: LocalizedName
    owner_unit_id: str
    standards: list[Standard]
    criticality: int
    nc_major: int
    nc_minor: int
    open_actions: int
    changes: int
    complaints: int
    months_since_last_audit: int | None
    score: int
    level: RiskLevel
    audits_min: int
    audits_max: int
    note: str


class CoverageRowOut(ApiOut):
    clause: str
    standard: Standard
    title: LocalizedName
    covered_before: bool
    """Already audited earlier in the certification cycle."""
    months: list[int]
    gap: bool
    """Not covered in the cycle so far, and no planned audit covers it."""
    uncoverable: bool
    """No process of the universe has a question on it: add one, or a process."""


class ExplanationOut(ApiOut):
    kind: str
    message: str
    """In the caller's language, naming the resource and the period."""
    process_id: str | None = None
    standard: str | None = None
    unit_id: str | None = None
    months: list[int] = []
    person_ids: list[str] = []
    clause: str | None = None


class SolveOut(ApiOut):
    status: Literal["optimal", "feasible", "infeasible", "unknown"]
    objective: int | None
    greedy_objective: int | None
    seconds: float
    solved_at: datetime
    explanations: list[ExplanationOut]


class VersionOut(ApiOut):
    number: int
    status: Literal["submitted", "approved", "returned"]
    reason: str
    """Why this version was made (required from the second version on)."""
    comment: str
    """The manager's comment when approving or returning it."""
    submitted_by: str
    submitted_at: datetime
    decided_by: str
    decided_at: datetime | None


class ChangeOut(ApiOut):
    process_id: str
    occurrence: int
    kind: Literal["added", "removed", "moved", "team", "override"]
    before: str
    after: str


class ProgrammeSummaryOut(ApiOut):
    id: str
    year: int
    status: ProgrammeStatus
    version: int
    entries: int
    updated_at: datetime


class ProgrammeOut(ApiOut):
    id: str
    year: int
    status: ProgrammeStatus
    version: int
    """The version being worked on (draft) or the last submitted/approved one."""
    rev: int
    cycle: list[int]
    """First and last year of the certification cycle the year belongs to."""
    entries: list[EntryOut]
    risks: list[RiskRowOut]
    coverage: list[CoverageRowOut]
    last_solve: SolveOut | None
    history: list[VersionOut]
    blocked_months: list[BlockedMonthIO]
    updated_at: datetime
    updated_by: str


class MyEntryOut(ApiOut):
    """An auditor's own audit in an approved programme."""

    programme_id: str
    year: int
    entry_id: str
    process_id: str
    process_code: str
    process_name: LocalizedName
    standards: list[Standard]
    start: date
    end: date
    role: Literal["lead", "auditor"]
    team_ids: list[str]
    audit_id: str | None


class CalendarLinkOut(ApiOut):
    url: str
    """Secret address to subscribe to in a calendar app; shown once, revoke it to cut access."""
    created_at: datetime

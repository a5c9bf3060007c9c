"""The audit universe of a programme year, from plain facts: each process's risk row, the solver's
``Problem`` (demands, auditors, required clauses, pins) and the coverage matrix. Pure: the facts are
gathered by ``gather.py``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from server.programme.calendar import months_with_leave
from server.programme.coverage import (
    CoverageRow,
    clauses_of_process,
    coverage_matrix,
    cycle_bounds,
    required_clauses,
    scope_clauses,
)
from server.programme.model import Auditor, Demand, Pin, Problem
from server.programme.schemas import PolicyIO
from server.programme.scoring import (
    RiskInputs,
    RiskLevel,
    ScoringPolicy,
    audits_required,
    risk_level,
    risk_score,
)

__all__ = [
    "PastAudit",
    "PersonFacts",
    "PinFacts",
    "ProcessFacts",
    "RiskFacts",
    "RiskRow",
    "Universe",
    "audit_days",
    "build_universe",
    "scoring_policy",
]

_DONE = frozenset({"reported", "signed", "closed"})


@dataclass(frozen=True)
class ProcessFacts:
    id: str
    owner_unit_id: str
    standards: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True)
class PersonFacts:
    id: str
    unit_id: str
    standards: frozenset[str]
    lead: bool
    leave: tuple[tuple[date, date], ...] = ()


@dataclass(frozen=True)
class PastAudit:
    """An audit held or planned outside this programme."""

    id: str
    status: str
    process_id: str | None
    standards: tuple[str, ...]
    scope: tuple[str, ...]
    """Clause refs or prefixes in scope; empty for the whole standards."""
    start: date | None
    nc_major: int = 0
    nc_minor: int = 0


@dataclass(frozen=True)
class RiskFacts:
    """The audit lead's inputs for one process."""

    criticality: int
    changes: int = 0
    complaints: int = 0
    open_actions: int = 0


@dataclass(frozen=True)
class PinFacts:
    process_id: str
    occurrence: int
    month: int | None
    lead_id: str | None
    auditor_ids: tuple[str, ...] | None
    override_reason: str


@dataclass(frozen=True)
class RiskRow:
    process_id: str
    inputs: RiskInputs
    score: int
    level: RiskLevel
    audits_min: int
    audits_max: int


@dataclass(frozen=True)
class Universe:
    problem: Problem
    risks: dict[str, RiskRow]
    all_clauses: frozenset[str]
    covered_before: frozenset[str]
    uncoverable: frozenset[str]
    process_clauses: dict[str, frozenset[str]] = field(default_factory=dict)

    def coverage(self, planned: Sequence[tuple[str, int]]) -> list[CoverageRow]:
        """The matrix for planned (process id, month) audits."""
        return coverage_matrix(
            self.all_clauses,
            self.covered_before,
            self.uncoverable,
            [(month, self.process_clauses.get(pid, frozenset())) for pid, month in planned],
        )


def scoring_policy(policy: PolicyIO) -> ScoringPolicy:
    w = policy.weights
    return ScoringPolicy(
        w_criticality=w.criticality,
        w_nc_major=w.nc_major,
        w_nc_minor=w.nc_minor,
        w_open_action=w.open_action,
        w_change=w.change,
        w_complaint=w.complaint,
        w_age=w.age,
        high_from=policy.high_from,
        medium_from=policy.medium_from,
    )


def audit_days(policy: PolicyIO, standards: int) -> int:
    return policy.days_per_audit + policy.extra_days_per_standard * max(0, standards - 1)


def _months_between(earlier: date, year: int) -> int:
    return max(0, (year - earlier.year) * 12 - (earlier.month - 1))


def _risk(
    process: ProcessFacts, facts: RiskFacts, past: Sequence[PastAudit], year: int, policy: PolicyIO
) -> RiskRow:
    recent = [
        a
        for a in past
        if a.process_id == process.id
        and a.start is not None
        and year - policy.lookback_years <= a.start.year < year
    ]
    held = [
        a.start
        for a in past
        if a.process_id == process.id and a.status in _DONE and a.start is not None and a.start.year < year
    ]
    inputs = RiskInputs(
        criticality=facts.criticality,
        nc_major=sum(a.nc_major for a in recent),
        nc_minor=sum(a.nc_minor for a in recent),
        open_actions=facts.open_actions,
        changes=facts.changes,
        complaints=facts.complaints,
        months_since_last_audit=_months_between(max(held), year) if held else None,
    )
    scoring = scoring_policy(policy)
    score = risk_score(inputs, scoring)
    level = risk_level(score, scoring)
    audited_last_year = any(
        a.process_id == process.id
        and a.start is not None
        and a.start.year == year - 1
        and a.status != "cancelled"
        for a in past
    )
    low, high = audits_required(level, _frequency(policy), audited_last_year=audited_last_year)
    return RiskRow(process.id, inputs, score, level, low, high)


def _frequency(policy: PolicyIO) -> dict[str, float]:
    return {"high": policy.frequency.high, "medium": policy.frequency.medium, "low": policy.frequency.low}


def _covered_before(
    past: Sequence[PastAudit],
    cycle: tuple[int, int],
    tags_of: Mapping[str, tuple[str, ...]],
    questions: Sequence[tuple[Sequence[str], Sequence[str]]],
) -> frozenset[str]:
    covered: set[str] = set()
    for audit in past:
        if audit.status not in _DONE or audit.start is None or not cycle[0] <= audit.start.year <= cycle[1]:
            continue
        tags = tags_of.get(audit.process_id or "", ())
        covered |= scope_clauses(clauses_of_process(tags, audit.standards, questions), audit.scope)
    return frozenset(covered)


def build_universe(
    *,
    year: int,
    policy: PolicyIO,
    processes: Sequence[ProcessFacts],
    risk_inputs: Mapping[str, RiskFacts],
    people: Sequence[PersonFacts],
    parent_of: Mapping[str, str | None],
    past: Sequence[PastAudit],
    all_clauses: frozenset[str],
    questions: Sequence[tuple[Sequence[str], Sequence[str]]],
    pins: Sequence[PinFacts] = (),
) -> Universe:
    """Everything the solver and the screens need for ``year``. ``all_clauses`` are the auditable
    clauses of the standards in scope; ``questions`` the library's (clause refs, tags)."""
    in_scope = {s for p in processes for s in p.standards}
    clauses = frozenset(c for c in all_clauses if c.split(":", 1)[0] in in_scope)
    process_clauses = {p.id: clauses_of_process(p.tags, p.standards, questions) for p in processes}
    covered = _covered_before(
        past, cycle_bounds(year, policy.cycle_start_year), {p.id: p.tags for p in processes}, questions
    )
    coverable = frozenset().union(*process_clauses.values()) if process_clauses else frozenset()
    required, uncoverable = required_clauses(clauses, covered, coverable)
    risks = {
        p.id: _risk(p, risk_inputs.get(p.id, RiskFacts(criticality=3)), past, year, policy) for p in processes
    }
    demands = tuple(
        Demand(
            process_id=p.id,
            owner_unit_id=p.owner_unit_id,
            standards=p.standards,
            min_audits=risks[p.id].audits_min,
            max_audits=max(risks[p.id].audits_max, 1),
            clauses=process_clauses[p.id],
            risk=risks[p.id].score,
            days=audit_days(policy, len(p.standards)),
        )
        for p in processes
    )
    auditors = tuple(
        Auditor(
            id=person.id,
            unit_id=person.unit_id,
            standards=person.standards,
            lead=person.lead,
            unavailable_months=months_with_leave(year, person.leave),
            max_per_month=policy.max_audits_per_auditor_month,
        )
        for person in people
        if person.standards
    )
    problem = Problem(
        year=year,
        demands=demands,
        auditors=auditors,
        parent_of=dict(parent_of),
        required_clauses=required,
        blocked_months=frozenset(b.month for b in policy.blocked_months),
        capacity_per_month=policy.capacity_per_month,
        max_team_size=policy.max_team_size,
        min_gap_months=policy.min_gap_months,
        pins=tuple(
            Pin(p.process_id, p.occurrence, p.month, p.lead_id, p.auditor_ids, p.override_reason)
            for p in pins
        ),
    )
    return Universe(problem, risks, clauses, covered, uncoverable, process_clauses)

"""The one objective of an annual programme, shared by the solver and the greedy baseline (lower is
better)::

    cost = 10 × (max load − min load)                         workload balance
         + 20 × Σ max(0, min_gap_months − |month₂ − month₁|)   spreading a process's audits apart
         +  5 × Σ max(0, audits − min_audits)                  optional audits (for coverage only)
         +  3 × max audits in one month                        monthly peak

- A person's load is the sum of ``Demand.days`` of the audits they are on, as lead or auditor. The
  balance runs over every auditor of ``Problem.auditors`` qualified for at least one standard some
  demand has in scope (a person qualified only for a standard nobody audits this year is not a
  workload to balance), whether or not they are on any audit: an idle qualified person counts as 0.
- Spreading pays for each pair of consecutive occurrences of one process (the two audits of a
  high-risk process) and each month they fall short of ``Problem.min_gap_months``.
- Optional audits are those beyond the demand's ``min_audits``; the solver only adds them when coverage
  needs them, and this term is why.

The solver models exactly these terms as CP-SAT expressions; ``schedule_programme`` reports this
function's value for the audits it returns, never the solver's own number.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from server.programme.model import PlannedAudit, Problem

__all__ = [
    "BALANCE_WEIGHT",
    "OPTIONAL_WEIGHT",
    "PEAK_WEIGHT",
    "SPREAD_WEIGHT",
    "CostBreakdown",
    "auditor_loads",
    "balanced_auditor_ids",
    "cost_breakdown",
    "gap_shortfall",
    "programme_cost",
]

BALANCE_WEIGHT = 10
SPREAD_WEIGHT = 20
OPTIONAL_WEIGHT = 5
PEAK_WEIGHT = 3


@dataclass(frozen=True)
class CostBreakdown:
    """The four weighted terms of ``programme_cost``; ``total`` is their sum."""

    balance: int
    spreading: int
    optional: int
    peak: int

    @property
    def total(self) -> int:
        return self.balance + self.spreading + self.optional + self.peak


def balanced_auditor_ids(problem: Problem) -> tuple[str, ...]:
    """The people whose loads are balanced: qualified for a standard some demand has in scope."""
    in_scope = {standard for demand in problem.demands for standard in demand.standards}
    return tuple(person.id for person in problem.auditors if not person.standards.isdisjoint(in_scope))


def auditor_loads(problem: Problem, audits: Sequence[PlannedAudit]) -> dict[str, int]:
    """Days on audits of each balanced person (0 for the idle ones); a member listed twice on one audit
    counts once, an audit of an unknown process counts for nothing."""
    days = {demand.process_id: demand.days for demand in problem.demands}
    loads = dict.fromkeys(balanced_auditor_ids(problem), 0)
    for audit in audits:
        for person_id in {audit.lead_id, *audit.auditor_ids}:
            if person_id in loads:
                loads[person_id] += days.get(audit.process_id, 0)
    return loads


def gap_shortfall(min_gap_months: int, first_month: int, second_month: int) -> int:
    """Months two audits of one process fall short of the wanted gap (0 when far enough apart)."""
    return max(0, min_gap_months - abs(second_month - first_month))


def cost_breakdown(problem: Problem, audits: Sequence[PlannedAudit]) -> CostBreakdown:
    """The weighted terms of the objective for ``audits`` (see the module docstring)."""
    loads = auditor_loads(problem, audits).values()
    balance = max(loads) - min(loads) if loads else 0
    by_process: dict[str, list[PlannedAudit]] = {}
    for audit in audits:
        by_process.setdefault(audit.process_id, []).append(audit)
    shortfall = 0
    for own in by_process.values():
        ordered = sorted(own, key=lambda audit: audit.occurrence)
        for earlier, later in pairwise(ordered):
            shortfall += gap_shortfall(problem.min_gap_months, earlier.month, later.month)
    minimum = {demand.process_id: demand.min_audits for demand in problem.demands}
    optional = sum(max(0, len(own) - minimum.get(pid, 0)) for pid, own in by_process.items())
    per_month = Counter(audit.month for audit in audits)
    peak = max(per_month.values(), default=0)
    return CostBreakdown(
        balance=BALANCE_WEIGHT * balance,
        spreading=SPREAD_WEIGHT * shortfall,
        optional=OPTIONAL_WEIGHT * optional,
        peak=PEAK_WEIGHT * peak,
    )


def programme_cost(problem: Problem, audits: Sequence[PlannedAudit]) -> int:
    """The objective both the solver and the greedy baseline are judged by (lower is better)."""
    return cost_breakdown(problem, audits).total

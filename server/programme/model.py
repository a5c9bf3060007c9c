"""The scheduling problem of an annual audit programme and its answers, as plain frozen data.

The solver (``solver.py``), the greedy baseline (``greedy.py``), the independent checker
(``checker.py``) and the explanation of an infeasible problem (``explain.py``) all read these types and
nothing else: no database, no Litestar, no settings. ``service.py`` builds a ``Problem`` from the
organisation, the policy and the past audits.

Periods are the twelve months of the programme year (1 = January). A month is either open, or
blocked for everyone (``Problem.blocked_months``: summer holidays, the council's budget session).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "MONTHS",
    "Auditor",
    "Blocker",
    "BlockerKind",
    "Demand",
    "Pin",
    "PlannedAudit",
    "Problem",
    "Solution",
    "SolveStatus",
    "Violation",
    "quarter_of",
]

MONTHS: tuple[int, ...] = tuple(range(1, 13))


def quarter_of(month: int) -> int:
    """1 for January–March … 4 for October–December."""
    return (month - 1) // 3 + 1


@dataclass(frozen=True)
class Auditor:
    """Someone who may be put on an audit team this year."""

    id: str
    unit_id: str
    standards: frozenset[str]
    """Standards the person is qualified to audit."""
    lead: bool
    """Qualified to lead an audit team."""
    unavailable_months: frozenset[int] = frozenset()
    """Months in which leave or missions leave too few working days for an audit."""
    max_per_month: int = 2
    """Most audits the person may take part in within one month."""


@dataclass(frozen=True)
class Demand:
    """One process of the audit universe with what this year asks of it."""

    process_id: str
    owner_unit_id: str
    """The audited unit: nobody from it, or from a unit above it, may audit the process."""
    standards: tuple[str, ...]
    """Standards in scope; the team together must be qualified for every one of them."""
    min_audits: int
    """Audits the frequency policy requires this year (0, 1 or 2)."""
    max_audits: int
    """At least ``min_audits``; more only to cover clauses no required audit covers (a low-risk process
    in its off year may be audited for coverage)."""
    clauses: frozenset[str]
    """Clause references (``iso9001:8.2.1``) an audit of this process covers."""
    risk: int = 0
    """Risk score; higher-risk processes come first in the greedy baseline and in tie-breaks."""
    days: int = 1
    """Working days one audit of it takes on site."""


@dataclass(frozen=True)
class Pin:
    """What the audit lead fixed by hand for one audit (``occurrence`` 0 or 1 of a process); ``None``
    leaves that part to the solver."""

    process_id: str
    occurrence: int
    month: int | None = None
    lead_id: str | None = None
    auditor_ids: tuple[str, ...] | None = None
    """The whole team besides the lead, when pinned."""
    override_reason: str = ""
    """Written reason for putting a member from the audited unit (or above it) on the team. Without
    it such a pin is refused; with it the entry is flagged in every output."""


@dataclass(frozen=True)
class Problem:
    year: int
    demands: tuple[Demand, ...]
    auditors: tuple[Auditor, ...]
    parent_of: Mapping[str, str | None]
    """Unit tree: each unit's parent (None at the top)."""
    required_clauses: frozenset[str]
    """Clauses not yet covered in the current certification cycle: this year's audits must cover each
    one at least once. Clauses no demand can cover are reported as gaps, not required."""
    blocked_months: frozenset[int] = frozenset()
    capacity_per_month: int = 6
    """Most audits the whole programme may hold in one month."""
    max_team_size: int = 3
    min_gap_months: int = 4
    """Two audits of the same process this year should be at least this far apart (soft: the
    objective pays for each month short)."""
    pins: tuple[Pin, ...] = ()


@dataclass(frozen=True)
class PlannedAudit:
    process_id: str
    occurrence: int
    month: int
    lead_id: str
    auditor_ids: tuple[str, ...] = ()
    pinned: bool = False
    override_reason: str = ""


SolveStatus = Literal["optimal", "feasible", "infeasible", "unknown"]


@dataclass(frozen=True)
class Solution:
    status: SolveStatus
    audits: tuple[PlannedAudit, ...] = ()
    objective: int | None = None
    """Value of ``objective.programme_cost`` for ``audits`` (lower is better), the same function for the
    solver and the greedy baseline."""
    seconds: float = 0.0
    blockers: tuple[Blocker, ...] = ()
    """When infeasible: why, in the audit lead's terms (``explain.py``)."""


BlockerKind = Literal[
    "nobody_qualified",
    "no_lead_qualified",
    "all_conflicted",
    "no_lead_available",
    "team_not_available",
    "capacity",
    "coverage",
    "pin",
    "blocked_month",
]


@dataclass(frozen=True)
class Blocker:
    """One reason no programme exists. The service turns it into a sentence with names:

    - ``nobody_qualified``: nobody is qualified for ``standard`` at all;
    - ``no_lead_qualified``: no lead auditor is qualified for ``standard`` (to lead ``process_id``);
    - ``all_conflicted``: every qualified person for ``standard`` belongs to ``unit_id`` (the audited
      unit) or a unit above it;
    - ``no_lead_available``: no qualified ``standard`` lead auditor outside ``unit_id`` is available in
      ``months`` (a quarter when they are one);
    - ``team_not_available``: no team covering the standards of ``process_id`` is free in ``months``;
    - ``capacity``: ``months`` cannot hold the audits that must fall in them (``count`` needed,
      ``limit`` allowed);
    - ``coverage``: ``clause`` can only be covered by audits that cannot be scheduled;
    - ``pin``: the pin of ``process_id`` (occurrence ``occurrence``) cannot hold;
    - ``blocked_month``: the pin puts an audit in a blocked month.
    """

    kind: BlockerKind
    process_id: str | None = None
    occurrence: int | None = None
    standard: str | None = None
    unit_id: str | None = None
    months: tuple[int, ...] = ()
    person_ids: tuple[str, ...] = ()
    clause: str | None = None
    count: int | None = None
    limit: int | None = None


@dataclass(frozen=True)
class Violation:
    """A hard constraint a programme breaks (``checker.check_programme``)."""

    rule: Literal[
        "frequency",
        "month",
        "blocked_month",
        "competence",
        "lead",
        "team",
        "impartiality",
        "availability",
        "auditor_capacity",
        "month_capacity",
        "coverage",
        "pin",
    ]
    process_id: str | None = None
    occurrence: int | None = None
    person_id: str | None = None
    month: int | None = None
    clause: str | None = None
    detail: str = ""
    extra: Mapping[str, object] = field(default_factory=dict)

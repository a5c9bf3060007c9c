"""The greedy baseline: the audit lead's obvious hand method, and the eligibility rules it shares with
the solver and the explanation.

The hand method, with no search and no going back:

1. processes with a pin first, then the others, each group by risk, highest first (ties in the
   problem's order); for each, its required audits (``min_audits``, and any pinned occurrence) one
   after the other;
2. each audit goes to the earliest open month that still has room, after the process's previous audit
   (first trying months at least ``min_gap_months`` after it, as a planner spreading audits would);
   a pinned month is taken as is;
3. its team is the first lead auditor (in the problem's order) who may audit the process and is free
   that month, plus, for each standard still uncovered, the first free person qualified for it;
4. then, while a required clause is uncovered, the highest-risk process that covers one and may still
   have an optional audit gets it, the same way (each process tried once).

What it cannot place it leaves out: the answer is ``feasible`` when every demand got its required
audits and every required clause is covered, else ``unknown``. Every audit it places respects every
hard constraint by construction, so a ``feasible`` answer passes the checker.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from server.programme.model import Auditor, Demand, Pin, PlannedAudit, Problem, Solution
from server.programme.objective import balanced_auditor_ids, programme_cost

__all__ = [
    "Slot",
    "balanced_start",
    "conflicted_units",
    "greedy_programme",
    "has_override",
    "may_join",
    "open_months",
    "pins_by_slot",
    "slots_needed",
]

Slot = tuple[str, int]
"""One audit of a process: (process id, occurrence)."""


def conflicted_units(problem: Problem, demand: Demand) -> frozenset[str]:
    """The audited unit and every unit above it: nobody from them may audit ``demand``."""
    units: list[str] = []
    unit: str | None = demand.owner_unit_id
    while unit is not None and unit not in units:  # a cycle in the data stops the walk
        units.append(unit)
        unit = problem.parent_of.get(unit)
    return frozenset(units)


def open_months(problem: Problem) -> tuple[int, ...]:
    return tuple(month for month in range(1, 13) if month not in problem.blocked_months)


def pins_by_slot(problem: Problem) -> dict[Slot, Pin]:
    """The pins by audit; a later pin of the same audit replaces an earlier one (as in the checker)."""
    return {(pin.process_id, pin.occurrence): pin for pin in problem.pins}


def has_override(pin: Pin | None, person_id: str) -> bool:
    """True when ``pin`` names the person and gives a written reason for overriding impartiality."""
    if pin is None or not pin.override_reason.strip():
        return False
    return person_id == pin.lead_id or person_id in (pin.auditor_ids or ())


def may_join(person: Auditor, demand: Demand, conflicted: frozenset[str], pin: Pin | None) -> bool:
    """Qualified for a standard of ``demand`` and impartial (or named in the audit's override pin)."""
    if person.standards.isdisjoint(demand.standards):
        return False
    return person.unit_id not in conflicted or has_override(pin, person.id)


def slots_needed(demand: Demand, pins: Mapping[Slot, Pin]) -> int:
    """Audits the demand must get: its minimum, or more when a later occurrence is pinned."""
    pinned = [k + 1 for (pid, k) in pins if pid == demand.process_id]
    return max([demand.min_audits, *pinned])


@dataclass
class _Plan:
    """What the greedy has placed so far."""

    problem: Problem
    pins: dict[Slot, Pin]
    per_month: Counter[int] = field(default_factory=Counter)
    per_person: Counter[tuple[str, int]] = field(default_factory=Counter)
    audits: list[PlannedAudit] = field(default_factory=list)
    count: Counter[str] = field(default_factory=Counter)
    last_month: dict[str, int] = field(default_factory=dict)
    balanced: bool = False
    """The warm start's choices instead of the hand method's: emptiest month, least-loaded people."""
    load: Counter[str] = field(default_factory=Counter)

    def free(self, person: Auditor, month: int) -> bool:
        busy = self.per_person[(person.id, month)]
        return month not in person.unavailable_months and busy < person.max_per_month

    def team(self, demand: Demand, month: int, pin: Pin | None) -> tuple[str, tuple[str, ...]] | None:
        """The first lead and helpers free in ``month`` who together cover the demand, or None."""
        conflicted = conflicted_units(self.problem, demand)
        people = [
            p for p in self.problem.auditors if may_join(p, demand, conflicted, pin) and self.free(p, month)
        ]
        if self.balanced:
            people.sort(key=lambda p: self.load[p.id])
        pinned_helpers = pin.auditor_ids if pin is not None else None
        for lead in people:
            if not lead.lead or (pin is not None and pin.lead_id not in (None, lead.id)):
                continue
            if pinned_helpers is not None and lead.id in pinned_helpers:
                continue
            helpers = self._helpers(demand, lead, people, pinned_helpers)
            if helpers is not None:
                return lead.id, helpers
        return None

    def _helpers(
        self, demand: Demand, lead: Auditor, people: list[Auditor], pinned: tuple[str, ...] | None
    ) -> tuple[str, ...] | None:
        if pinned is not None:
            chosen = [p for p in people if p.id in pinned]
            if len(chosen) != len(set(pinned)):
                return None  # a pinned member is not free or may not join
        else:
            chosen = []
            for standard in demand.standards:
                if any(standard in p.standards for p in [lead, *chosen]):
                    continue
                extra = next((p for p in people if p is not lead and standard in p.standards), None)
                if extra is not None:
                    chosen.append(extra)
        covered = set(lead.standards).union(*(p.standards for p in chosen))
        if not covered.issuperset(demand.standards) or 1 + len(chosen) > self.problem.max_team_size:
            return None
        return tuple(p.id for p in chosen)

    def months_for(self, demand: Demand, occurrence: int, later: int) -> list[int]:
        """Candidate months in the order the hand method tries them."""
        pin = self.pins.get((demand.process_id, occurrence))
        if pin is not None and pin.month is not None:
            return [pin.month] if pin.month in open_months(self.problem) else []
        previous = self.last_month.get(demand.process_id, 0)
        later_pins = [
            p.month for (pid, k), p in self.pins.items() if pid == demand.process_id and k > occurrence
        ]
        before = min([m for m in later_pins if m is not None], default=13)
        allowed = [m for m in open_months(self.problem) if previous < m < before]
        gap = self.problem.min_gap_months
        spread = [m for m in allowed if occurrence == 0 or m >= previous + gap]
        if self.balanced:  # leave room for the later audits of the process, ``gap`` apart
            spread = [m for m in spread if m + later * gap <= max(allowed)]
        rest = [m for m in allowed if m not in spread]
        if self.balanced:
            spread.sort(key=lambda m: self.per_month[m])
            rest.sort(key=lambda m: self.per_month[m])
        return spread + rest

    def place(self, demand: Demand, later: int = 0) -> bool:
        """Adds the demand's next audit (``later`` more to come) if a month and a team are found."""
        occurrence = self.count[demand.process_id]
        pin = self.pins.get((demand.process_id, occurrence))
        for month in self.months_for(demand, occurrence, later):
            if self.per_month[month] >= self.problem.capacity_per_month:
                continue
            team = self.team(demand, month, pin)
            if team is None:
                continue
            lead_id, helpers = team
            self.audits.append(
                PlannedAudit(
                    process_id=demand.process_id,
                    occurrence=occurrence,
                    month=month,
                    lead_id=lead_id,
                    auditor_ids=helpers,
                    pinned=pin is not None,
                    override_reason=pin.override_reason if pin is not None else "",
                )
            )
            self.per_month[month] += 1
            for person_id in (lead_id, *helpers):
                self.per_person[(person_id, month)] += 1
                self.load[person_id] += demand.days
            self.count[demand.process_id] += 1
            self.last_month[demand.process_id] = month
            return True
        return False

    def fill_teams(self) -> None:
        """Adds helpers to audits with room, always to the least-loaded person who can still take one
        without passing today's highest load: lifts the lowest loads toward the highest."""
        demand_of = {demand.process_id: demand for demand in self.problem.demands}
        conflicted = {pid: conflicted_units(self.problem, d) for pid, d in demand_of.items()}
        ids = set(balanced_auditor_ids(self.problem))
        waiting = [person for person in self.problem.auditors if person.id in ids]
        top = max((self.load[person.id] for person in waiting), default=0)
        while waiting:
            person = min(waiting, key=lambda p: self.load[p.id])
            fits = [
                i
                for i, audit in enumerate(self.audits)
                if self._has_room(audit, person, demand_of[audit.process_id], conflicted[audit.process_id])
                and self.load[person.id] + demand_of[audit.process_id].days <= top
            ]
            if not fits:
                waiting.remove(person)
                continue
            index = max(fits, key=lambda i: demand_of[self.audits[i].process_id].days)
            audit = self.audits[index]
            self.audits[index] = replace(audit, auditor_ids=(*audit.auditor_ids, person.id))
            self.per_person[(person.id, audit.month)] += 1
            self.load[person.id] += demand_of[audit.process_id].days

    def _has_room(
        self, audit: PlannedAudit, person: Auditor, demand: Demand, conflicted: frozenset[str]
    ) -> bool:
        pin = self.pins.get((audit.process_id, audit.occurrence))
        if pin is not None and pin.auditor_ids is not None:
            return False  # the lead fixed this team
        team = (audit.lead_id, *audit.auditor_ids)
        return (
            person.id not in team
            and len(team) < self.problem.max_team_size
            and may_join(person, demand, conflicted, pin)
            and self.free(person, audit.month)
        )


def _by_risk(demands: Iterable[Demand]) -> list[Demand]:
    return sorted(demands, key=lambda demand: -demand.risk)  # stable: ties keep the problem's order


def greedy_programme(problem: Problem) -> Solution:
    """The hand method's programme (see the module docstring), judged by ``programme_cost``."""
    return _build(_Plan(problem=problem, pins=pins_by_slot(problem)))


def balanced_start(problem: Problem) -> Solution:
    """The solver's warm start, not a baseline: the same pass with the emptiest month and the
    least-loaded people chosen, optional audits for the process covering the most uncovered clauses,
    then helpers added to the least-loaded people (``_Plan.fill_teams``)."""
    return _build(_Plan(problem=problem, pins=pins_by_slot(problem), balanced=True))


def _build(plan: _Plan) -> Solution:
    started, problem = time.perf_counter(), plan.problem
    pinned = {process_id for process_id, _ in plan.pins}
    # Pinned audits first, as the lead wrote them into the grid before filling it.
    order = sorted(_by_risk(problem.demands), key=lambda demand: demand.process_id not in pinned)
    complete = True
    for demand in order:
        needed = slots_needed(demand, plan.pins)
        if needed > max(demand.min_audits, demand.max_audits):
            complete, needed = False, demand.max_audits  # a pin beyond the frequency cannot hold
        for k in range(needed):
            if not plan.place(demand, needed - 1 - k):
                complete = False
                break
    clauses_of = {demand.process_id: demand.clauses for demand in problem.demands}
    covered = {clause for audit in plan.audits for clause in clauses_of[audit.process_id]}
    tried: set[str] = set()
    while True:
        uncovered = problem.required_clauses - covered
        candidates = [
            d
            for d in order
            if d.clauses & uncovered and d.process_id not in tried and plan.count[d.process_id] < d.max_audits
        ]
        if not candidates:
            break
        # The hand method takes them by risk; the warm start covers the most clauses at a time.
        demand = max(candidates, key=lambda d: len(d.clauses & uncovered)) if plan.balanced else candidates[0]
        tried.add(demand.process_id)
        if plan.place(demand):
            covered |= demand.clauses
    complete = complete and problem.required_clauses <= covered
    if plan.balanced:
        plan.fill_teams()
    audits = tuple(sorted(plan.audits, key=lambda audit: (audit.process_id, audit.occurrence)))
    return Solution(
        status="feasible" if complete else "unknown",
        audits=audits,
        objective=programme_cost(problem, audits),
        seconds=time.perf_counter() - started,
    )

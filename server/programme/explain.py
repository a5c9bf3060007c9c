"""``explain_infeasible``: why no programme exists, in the audit lead's terms (``model.Blocker``).

Two passes:

1. A cheap structural diagnosis, demand by demand (only demands that must get an audit: ``min_audits``
   or a pin), each stopping at its first failing level so one cause gives one answer:
   its pins (blocked month, an unknown, unqualified, conflicted or absent person, a team that cannot
   cover the process, occurrences out of order) → its standards (nobody qualified; every qualified
   person from the audited unit or above; no lead auditor qualified) → its months (no impartial
   qualified lead free in the months it can use: the pinned month, else the open months; then no full
   team free in them). Clauses no demand covers, months pinned beyond capacity and a year needing
   more audits than its months, or its lead auditors, can hold come first.
2. When that finds nothing, the solver's own model with one assumption literal per group of constraints
   (each demand's frequency, each pin, each month's capacity, each required clause); CP-SAT's
   ``sufficient_assumptions_for_infeasibility`` gives a core, shrunk further by dropping one group at
   a time while the rest stays infeasible; each group left is mapped back to a blocker naming the
   process, months, people or clause.

Every blocker returned is by itself enough to make the problem infeasible (a structural one proves it,
a core is a proof), so an empty answer means no cause was found in time, not that none exists.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Mapping
from itertools import combinations

from ortools.sat.python import cp_model

from server.programme.greedy import (
    Slot,
    conflicted_units,
    has_override,
    may_join,
    open_months,
    pins_by_slot,
    slots_needed,
)
from server.programme.model import Auditor, Blocker, Demand, Pin, Problem
from server.programme.solver_model import Group, ProgrammeModel

__all__ = ["explain_infeasible", "structural_blockers"]

_SHRINK_ROUNDS = 24
"""Most re-solves spent shrinking a core (each drops one group)."""


def explain_infeasible(problem: Problem, *, time_limit_s: float) -> tuple[Blocker, ...]:
    """The blockers of an infeasible ``problem``, without duplicates: the structural ones when there
    are any, else those of a solver core found within ``time_limit_s``."""
    started = time.perf_counter()
    found = structural_blockers(problem)
    if not found:
        found = tuple(dict.fromkeys(_core_blockers(problem, time_limit_s - (time.perf_counter() - started))))
    return found


def structural_blockers(problem: Problem) -> tuple[Blocker, ...]:
    """The first pass alone (no solver, milliseconds): each blocker proves the problem infeasible."""
    pins = pins_by_slot(problem)
    found = [*_clause_blockers(problem), *_capacity_blockers(problem, pins)]
    for demand in problem.demands:
        found.extend(_demand_blockers(problem, demand, pins))
    return tuple(dict.fromkeys(found))


def _clause_blockers(problem: Problem) -> list[Blocker]:
    coverable = {clause for demand in problem.demands for clause in demand.clauses}
    return [Blocker("coverage", clause=c) for c in sorted(problem.required_clauses - coverable)]


def _capacity_blockers(problem: Problem, pins: Mapping[Slot, Pin]) -> list[Blocker]:
    limit, months = problem.capacity_per_month, open_months(problem)
    pinned = Counter(pin.month for pin in pins.values() if pin.month in months)
    found = [
        Blocker("capacity", months=(m,), count=n, limit=limit) for m, n in sorted(pinned.items()) if n > limit
    ]
    needed = sum(slots_needed(demand, pins) for demand in problem.demands)
    if needed > limit * len(months):
        found.append(Blocker("capacity", months=months, count=needed, limit=limit * len(months)))
    leads = [p for p in problem.auditors if p.lead]
    # Every audit needs a lead: the leads' free months times their monthly limits bound the year.
    led = sum(p.max_per_month * sum(m not in p.unavailable_months for m in months) for p in leads)
    if needed > led:
        ids = tuple(p.id for p in leads)
        found.append(Blocker("capacity", months=months, count=needed, limit=led, person_ids=ids))
    return found


def _demand_blockers(problem: Problem, demand: Demand, pins: Mapping[Slot, Pin]) -> list[Blocker]:
    needed = slots_needed(demand, pins)
    own = {k: pin for (pid, k), pin in pins.items() if pid == demand.process_id}
    if needed == 0:
        return []
    conflicted = conflicted_units(problem, demand)
    return (
        _pin_blockers(problem, demand, own, conflicted)
        or _competence_blockers(problem, demand, own, conflicted)
        or _month_blockers(problem, demand, own, conflicted, needed)
    )


def _pin_blockers(
    problem: Problem, demand: Demand, own: Mapping[int, Pin], conflicted: frozenset[str]
) -> list[Blocker]:
    found: list[Blocker] = []
    for k, pin in sorted(own.items()):
        months = (pin.month,) if pin.month is not None else ()
        if pin.month in problem.blocked_months:
            found.append(Blocker("blocked_month", demand.process_id, k, months=months))
            continue
        reason = _pin_fault(problem, demand, pin, conflicted)
        earlier = [p.month for j, p in own.items() if j < k and p.month is not None]
        if reason is None and pin.month is not None and earlier and max(earlier) >= pin.month:
            reason = ()  # an earlier occurrence is pinned to the same or a later month
        if reason is not None or k >= max(demand.min_audits, demand.max_audits):
            unit = demand.owner_unit_id if reason and _any_conflicted(problem, reason, conflicted) else None
            found.append(
                Blocker("pin", demand.process_id, k, unit_id=unit, months=months, person_ids=reason or ())
            )
    return found


def _pin_fault(
    problem: Problem, demand: Demand, pin: Pin, conflicted: frozenset[str]
) -> tuple[str, ...] | None:
    """The people who make a pin impossible (``()`` when it is the team as a whole), None if it holds."""
    person_of = {person.id: person for person in problem.auditors}
    helpers = tuple(pin.auditor_ids or ())
    named = ((pin.lead_id,) if pin.lead_id is not None else ()) + helpers
    for person_id in named:
        person = person_of.get(person_id)
        if (
            person is None
            or person.standards.isdisjoint(demand.standards)
            or (person.unit_id in conflicted and not has_override(pin, person_id))
            or pin.month in person.unavailable_months
            or (person_id == pin.lead_id and (not person.lead or person_id in helpers))
        ):
            return (person_id,)
    size = 1 + len(set(helpers))
    if pin.month is not None and pin.month not in open_months(problem):
        return ()
    if size > problem.max_team_size:
        return named
    if pin.lead_id is not None and pin.auditor_ids is not None:
        covered = set().union(*(person_of[p].standards for p in named))
        if not covered.issuperset(demand.standards):
            return named
    return None


def _any_conflicted(problem: Problem, person_ids: Iterable[str], conflicted: frozenset[str]) -> bool:
    return any(p.unit_id in conflicted for p in problem.auditors if p.id in set(person_ids))


def _competence_blockers(
    problem: Problem, demand: Demand, own: Mapping[int, Pin], conflicted: frozenset[str]
) -> list[Blocker]:
    found: list[Blocker] = []
    pid, owner = demand.process_id, demand.owner_unit_id
    for standard in demand.standards:
        qualified = [p for p in problem.auditors if standard in p.standards]
        impartial = [p for p in qualified if _impartial(p, conflicted, own)]
        if not qualified:
            found.append(Blocker("nobody_qualified", pid, standard=standard))
        elif not impartial:
            ids = tuple(p.id for p in qualified)
            found.append(Blocker("all_conflicted", pid, standard=standard, unit_id=owner, person_ids=ids))
    if found:
        return found
    if not any(p.lead and not p.standards.isdisjoint(demand.standards) for p in problem.auditors):
        return [Blocker("no_lead_qualified", pid, standard=standard) for standard in demand.standards]
    return []


def _impartial(person: Auditor, conflicted: frozenset[str], own: Mapping[int, Pin]) -> bool:
    return person.unit_id not in conflicted or any(has_override(pin, person.id) for pin in own.values())


def _month_blockers(
    problem: Problem,
    demand: Demand,
    own: Mapping[int, Pin],
    conflicted: frozenset[str],
    needed: int,
) -> list[Blocker]:
    """No impartial qualified lead, then no full team, free in the months the audits can use."""
    for pin, months, count in _month_groups(problem, own, needed):
        leads = _lead_candidates(problem, demand, conflicted, pin)
        with_lead = [m for m in months if any(m not in p.unavailable_months for p in leads)]
        if len(with_lead) < count:
            lacking = tuple(m for m in months if m not in with_lead) or months
            ids = tuple(p.id for p in leads)
            return [
                Blocker(
                    "no_lead_available",
                    demand.process_id,
                    pin.occurrence if pin is not None else None,
                    standard=standard,
                    unit_id=demand.owner_unit_id,
                    months=lacking,
                    person_ids=ids,
                    count=count,
                    limit=len(with_lead),
                )
                for standard in demand.standards
            ]
        with_team = [m for m in with_lead if _team_exists(problem, demand, conflicted, pin, m)]
        if len(with_team) < count:
            lacking = tuple(m for m in months if m not in with_team) or months
            return [
                Blocker(
                    "team_not_available",
                    demand.process_id,
                    months=lacking,
                    count=count,
                    limit=len(with_team),
                )
            ]
    return []


def _month_groups(
    problem: Problem, own: Mapping[int, Pin], needed: int
) -> list[tuple[Pin | None, tuple[int, ...], int]]:
    """(pin, months, audits) to check: each audit pinned to a month in it; each audit with another
    pin in the other open months; the audits without a pin together in those months."""
    pinned = [own[k] for k in range(needed) if k in own]
    groups: list[tuple[Pin | None, tuple[int, ...], int]] = [
        (pin, (pin.month,), 1) for pin in pinned if pin.month is not None
    ]
    others = tuple(m for m in open_months(problem) if m not in {pin.month for pin in pinned})
    groups += [(pin, others, 1) for pin in pinned if pin.month is None]
    if needed > len(pinned):
        groups.append((None, others, needed - len(pinned)))
    return groups


def _lead_candidates(
    problem: Problem, demand: Demand, conflicted: frozenset[str], pin: Pin | None
) -> list[Auditor]:
    helpers = set(pin.auditor_ids or ()) if pin is not None else set()
    return [
        p
        for p in problem.auditors
        if p.lead
        and may_join(p, demand, conflicted, pin)
        and (pin is None or pin.lead_id in (None, p.id))
        and p.id not in helpers
    ]


def _team_exists(
    problem: Problem, demand: Demand, conflicted: frozenset[str], pin: Pin | None, month: int
) -> bool:
    """A lead and at most ``max_team_size`` − 1 helpers, all free in ``month``, cover the standards."""
    free = [p for p in problem.auditors if month not in p.unavailable_months]
    people = [p for p in free if may_join(p, demand, conflicted, pin)]
    wanted = frozenset(demand.standards)
    for lead in _lead_candidates(problem, demand, conflicted, pin):
        if month in lead.unavailable_months:
            continue
        if pin is not None and pin.auditor_ids is not None:
            team = [p for p in people if p.id in pin.auditor_ids]
            if len(team) == len(set(pin.auditor_ids)) and wanted <= lead.standards.union(
                *(p.standards for p in team)
            ):
                return True
            continue
        masks = {frozenset(p.standards & wanted) for p in people if p is not lead}
        for size in range(problem.max_team_size):
            for chosen in combinations(masks, size):
                if wanted <= lead.standards.union(*chosen):
                    return True
    return False


def _core_blockers(problem: Problem, time_limit_s: float) -> list[Blocker]:
    """The blockers of a (shrunk) core of the guarded model, or none when it is feasible or time ran
    out."""
    if time_limit_s <= 0:
        return []
    built = ProgrammeModel(problem, guarded=True)
    groups = list(built.guards)
    deadline = time.perf_counter() + time_limit_s
    core = _core(built, groups, deadline)
    if core is None:
        return []
    for group in list(core)[:_SHRINK_ROUNDS]:
        if time.perf_counter() >= deadline:
            break
        if group not in core:
            continue  # already dropped with an earlier one
        smaller = _core(built, [g for g in core if g != group], deadline)
        if smaller is not None:
            core = smaller
    return _blockers_of(problem, core)


def _core(built: ProgrammeModel, groups: list[Group], deadline: float) -> list[Group] | None:
    """The groups of a core when ``groups`` together are infeasible, None otherwise (or in doubt)."""
    model = built.model
    model.clear_assumptions()
    model.add_assumptions([built.guards[g] for g in groups])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # the core comes from the single-thread search
    solver.parameters.cp_model_probing_level = 0  # probing the cumulatives costs seconds, finds little
    solver.parameters.max_time_in_seconds = max(0.05, deadline - time.perf_counter())
    if solver.solve(model) != cp_model.INFEASIBLE:
        return None
    by_index = {built.guards[g].index: g for g in groups}
    return [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index]


def _blockers_of(problem: Problem, core: list[Group]) -> list[Blocker]:
    demand_of = {d.process_id: d for d in problem.demands}
    pins = pins_by_slot(problem)
    months = tuple(sorted(key for kind, _, key in core if kind == "capacity"))
    found: list[Blocker] = []
    for kind, name, key in core:
        if kind == "clause":
            coverers = [d.process_id for d in problem.demands if name in d.clauses]
            found.append(Blocker("coverage", coverers[0] if len(coverers) == 1 else None, clause=name))
        elif kind == "pin":
            pin = pins[(name, key)]
            named = ((pin.lead_id,) if pin.lead_id else ()) + tuple(pin.auditor_ids or ())
            pinned = (pin.month,) if pin.month is not None else ()
            found.append(Blocker("pin", name, key, months=pinned, person_ids=named))
        elif kind == "frequency" and not months:
            demand = demand_of[name]
            needed = slots_needed(demand, pins)
            found.append(Blocker("team_not_available", name, months=open_months(problem), count=needed))
    if months:
        count = sum(
            _forced_into(problem, demand_of[name], pins, months)
            for kind, name, _ in core
            if kind == "frequency"
        )
        count += sum(1 for kind, name, key in core if kind == "pin" and pins[(name, key)].month in months)
        limit = problem.capacity_per_month * len(months)
        found.append(Blocker("capacity", months=months, count=count, limit=limit))
    return found


def _forced_into(problem: Problem, demand: Demand, pins: Mapping[Slot, Pin], months: tuple[int, ...]) -> int:
    """How many of the demand's required audits must fall in ``months``: those the months outside
    them, where a team is free, cannot take (one audit a month)."""
    conflicted = conflicted_units(problem, demand)
    pin = pins.get((demand.process_id, 0))
    outside = [
        m
        for m in open_months(problem)
        if m not in months and _team_exists(problem, demand, conflicted, pin, m)
    ]
    return max(0, slots_needed(demand, pins) - len(outside))

"""``ProgrammeModel``: the year's programme as an OR-Tools CP-SAT model (``solver`` solves it).

Each demand has one *slot* per possible audit (occurrence 0 … ``max_audits`` − 1): a Boolean "exists",
a Boolean per open month (and the month as a number), and Booleans "member" / "lead" only for the
people who may join (qualified for a standard of the process, impartial or named in the audit's
override pin, free in some open month): impossible pairs have no variable at all. Hard constraints
(``ProgrammeModel``):

- frequency: occurrences below ``min_audits`` exist; occurrence k only if k − 1 does, in a strictly
  later month (so distinct months); an existing audit has exactly one month, never a blocked one;
- team: exactly one lead, a lead auditor who is a member; members qualified for a standard of the
  process; for each standard of the process a qualified member; at most ``max_team_size`` members;
- impartiality: nobody from the owner unit or above it, except a person named in the audit's pin
  when the pin gives a written ``override_reason`` (their variables exist only then);
- availability: no member in one of their unavailable months;
- capacity: a cumulative per person over one-month intervals (present when they are on the audit)
  keeps them within ``max_per_month``; at most ``capacity_per_month`` audits in a month;
- coverage: every required clause covered by an existing audit of a demand covering it;
- pins: a pinned audit exists, in its month, with its lead, and with exactly its auditors.

The objective is exactly ``objective.programme_cost`` with exact auxiliary variables (max and min
load, each gap shortfall, the monthly peak), so the objective evaluated on any assignment the solver
returns is the Python cost. ``ProgrammeModel(fixed=...)`` freezes slots to known answers (the
neighbourhood search); ``ProgrammeModel(guarded=True)`` puts each group the explanation tests under
its own literal (``guards``): a demand's frequency, a pin, a month's capacity, a required clause.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from ortools.sat.python import cp_model

from server.programme.greedy import (
    Slot,
    conflicted_units,
    may_join,
    open_months,
    pins_by_slot,
)
from server.programme.model import Auditor, Demand, Pin, PlannedAudit, Problem
from server.programme.objective import (
    BALANCE_WEIGHT,
    OPTIONAL_WEIGHT,
    PEAK_WEIGHT,
    SPREAD_WEIGHT,
    auditor_loads,
    balanced_auditor_ids,
    gap_shortfall,
)

__all__ = ["Group", "ProgrammeModel"]

Group = tuple[Literal["frequency", "pin", "capacity", "clause"], str, int]
"""A group of constraints the explanation can switch off: ("frequency", process, 0), ("pin", process,
occurrence), ("capacity", "", month), ("clause", clause, 0)."""


@dataclass
class _SlotVars:
    demand: Demand
    occurrence: int
    pin: Pin | None
    exists: cp_model.IntVar
    start: cp_model.IntVar
    """The audit's month as a number (0 when it does not exist), for ordering and the intervals."""
    month: dict[int, cp_model.IntVar] = field(default_factory=dict)
    member: dict[str, cp_model.IntVar] = field(default_factory=dict)
    lead: dict[str, cp_model.IntVar] = field(default_factory=dict)


class ProgrammeModel:
    """The CP-SAT model of a problem's hard constraints (see the module docstring)."""

    def __init__(
        self,
        problem: Problem,
        *,
        guarded: bool = False,
        fixed: Mapping[Slot, PlannedAudit | None] | None = None,
    ) -> None:
        self.problem = problem
        self.fixed = fixed or {}
        """Slots frozen to a known answer (an audit, or None: no audit): they get no choice at all."""
        self.model = cp_model.CpModel()
        self.guarded = guarded
        self.guards: dict[Group, cp_model.IntVar] = {}
        self.slots: dict[Slot, _SlotVars] = {}
        self.pins = pins_by_slot(problem)
        self.months = open_months(problem)
        self._objective_vars: dict[str, cp_model.IntVar] = {}
        self.objective: cp_model.LinearExprT = 0
        """The minimised expression, once ``add_objective`` ran."""
        self._spread_vars: dict[Slot, tuple[cp_model.IntVar, cp_model.IntVar]] = {}
        for demand in problem.demands:
            self._add_demand(demand)
        self._add_pins()
        self._add_month_capacity()
        self._add_person_capacity()
        self._add_coverage()

    def guard(self, group: Group) -> list[cp_model.IntVar]:
        """The enforcement literals of ``group``: none in the plain model, its own guard when guarded."""
        if not self.guarded:
            return []
        if group not in self.guards:
            self.guards[group] = self.model.new_bool_var(f"guard{group}")
        return [self.guards[group]]

    def _forbid(self, group: Group) -> None:
        """The group cannot hold at all (a pin in a blocked month, a clause nobody covers)."""
        self.model.add_bool_or([]).only_enforce_if(self.guard(group))

    def _add_demand(self, demand: Demand) -> None:
        conflicted = conflicted_units(self.problem, demand)
        previous: _SlotVars | None = None
        for k in range(max(demand.min_audits, demand.max_audits)):
            pin = self.pins.get((demand.process_id, k))
            tag, key = f"{demand.process_id},{k}", (demand.process_id, k)
            frozen = self.fixed.get(key)
            months = self.months if key not in self.fixed else (frozen.month,) if frozen else ()
            exists = self.model.new_bool_var(f"e[{tag}]")
            start = self.model.new_int_var_from_domain(
                cp_model.Domain.from_values([0, *months]), f"month[{tag}]"
            )
            slot = _SlotVars(demand, k, pin, exists, start)
            self.slots[key] = slot
            if key in self.fixed:
                self.model.add(exists == int(frozen is not None))
                team = {frozen.lead_id, *frozen.auditor_ids} if frozen else set()
                self._add_slot(slot, months, [p for p in self.problem.auditors if p.id in team], frozen)
            else:
                people = [p for p in self.problem.auditors if may_join(p, demand, conflicted, pin)]
                self._add_slot(slot, months, people, None)
            if k < demand.min_audits:
                self.model.add(slot.exists == 1).only_enforce_if(
                    self.guard(("frequency", demand.process_id, 0))
                )
            if previous is not None:
                self.model.add_implication(slot.exists, previous.exists)
                self.model.add(slot.start >= previous.start + 1).only_enforce_if(slot.exists)
            previous = slot

    def _add_slot(
        self, slot: _SlotVars, months: Sequence[int], people: Sequence[Auditor], frozen: PlannedAudit | None
    ) -> None:
        """Month, team, competence, impartiality and availability of one possible audit, among the
        ``months`` and ``people`` (those who may join: qualified and impartial) it may have."""
        model, tag = self.model, f"{slot.demand.process_id},{slot.occurrence}"
        slot.month = {m: model.new_bool_var(f"y[{tag},{m}]") for m in months}
        model.add(cp_model.LinearExpr.sum(list(slot.month.values())) == slot.exists)
        model.add(slot.start == cp_model.LinearExpr.weighted_sum(list(slot.month.values()), list(slot.month)))
        for person in people:
            if all(m in person.unavailable_months for m in months):
                continue
            member = slot.member[person.id] = model.new_bool_var(f"x[{tag},{person.id}]")
            model.add_implication(member, slot.exists)
            for m in months:
                if m in person.unavailable_months:
                    model.add_bool_or([~member, ~slot.month[m]])
            if person.lead and (frozen is None or frozen.lead_id == person.id):
                slot.lead[person.id] = model.new_bool_var(f"l[{tag},{person.id}]")
                model.add_implication(slot.lead[person.id], member)
        model.add(cp_model.LinearExpr.sum(list(slot.lead.values())) == slot.exists)
        model.add(cp_model.LinearExpr.sum(list(slot.member.values())) <= self.problem.max_team_size)
        qualified = {p.id: p.standards for p in self.problem.auditors if p.id in slot.member}
        for standard in slot.demand.standards:
            cover = [slot.member[pid] for pid, standards in qualified.items() if standard in standards]
            model.add(cp_model.LinearExpr.sum(cover) >= slot.exists)

    def _add_pins(self) -> None:
        for (process_id, k), pin in self.pins.items():
            group: Group = ("pin", process_id, k)
            slot = self.slots.get((process_id, k))
            if slot is None or (pin.month is not None and pin.month not in slot.month):
                self._forbid(group)
                continue
            enforce = self.guard(group)
            fixed = [slot.exists]
            if pin.month is not None:
                fixed.append(slot.month[pin.month])
            named: set[str] = set()
            if pin.lead_id is not None:
                named.add(pin.lead_id)
                fixed.append(self._pinned(group, slot.lead, pin.lead_id))
            if pin.auditor_ids is not None:
                named.update(pin.auditor_ids)
                for person_id in pin.auditor_ids:
                    fixed.append(self._pinned(group, slot.member, person_id))
                    if person_id in slot.lead:
                        self.model.add(slot.lead[person_id] == 0).only_enforce_if(enforce)
                for person_id, member in slot.member.items():
                    if person_id not in named:  # only the lead may join the pinned auditors
                        self.model.add(member <= slot.lead.get(person_id, 0)).only_enforce_if(enforce)
            for literal in fixed:
                self.model.add(literal == 1).only_enforce_if(enforce)

    def _pinned(self, group: Group, people: dict[str, cp_model.IntVar], person_id: str) -> cp_model.IntVar:
        """The pinned person's variable; none means they may not join that audit (unqualified, not a
        lead, conflicted without a reason, never free), so the pin cannot hold."""
        var = people.get(person_id)
        if var is None:
            self._forbid(group)
            return self.model.new_constant(1)
        return var

    def _add_month_capacity(self) -> None:
        for m in self.months:
            held = [slot.month[m] for slot in self.slots.values() if m in slot.month]
            if len(held) > self.problem.capacity_per_month:
                enforce = self.guard(("capacity", "", m))
                limit = self.problem.capacity_per_month
                self.model.add(cp_model.LinearExpr.sum(held) <= limit).only_enforce_if(enforce)

    def _add_person_capacity(self) -> None:
        """Each person's audits as optional one-month intervals at the audit's month, present when they
        are on the team: a cumulative per person keeps them within ``max_per_month`` without a
        variable per person, audit and month."""
        for person in self.problem.auditors:
            slots = [slot for slot in self.slots.values() if person.id in slot.member]
            if len(slots) <= person.max_per_month:
                continue
            intervals = [
                self.model.new_optional_fixed_size_interval_var(
                    slot.start, 1, slot.member[person.id], f"on[{slot.demand.process_id},{person.id}]"
                )
                for slot in slots
            ]
            self.model.add_cumulative(intervals, [1] * len(intervals), person.max_per_month)

    def _add_coverage(self) -> None:
        for clause in sorted(self.problem.required_clauses):
            covering = [s.exists for s in self.slots.values() if clause in s.demand.clauses]
            if not covering:
                self._forbid(("clause", clause, 0))
            else:
                self.model.add_bool_or(covering).only_enforce_if(self.guard(("clause", clause, 0)))

    def add_objective(self) -> None:
        """Minimise exactly ``programme_cost`` (weights and terms in ``objective.py``)."""
        model, slots = self.model, list(self.slots.values())
        total_days = sum(s.demand.days for s in slots) or 1
        loads: list[cp_model.LinearExprT] = []
        for pid in balanced_auditor_ids(self.problem):
            on = [s for s in slots if pid in s.member]
            loads.append(
                cp_model.LinearExpr.weighted_sum([s.member[pid] for s in on], [s.demand.days for s in on])
            )
        high = model.new_int_var(0, total_days, "max_load")
        low = model.new_int_var(0, total_days, "min_load")
        model.add_max_equality(high, loads or [0])
        model.add_min_equality(low, loads or [0])
        gap = self.problem.min_gap_months
        shortfalls = []
        for (pid, k), slot in self.slots.items():
            if k == 0 or gap <= 0:
                continue
            before = self.slots[(pid, k - 1)]
            spread = model.new_int_var(-12, 12, f"spread[{pid},{k}]")
            model.add(spread == slot.start - before.start).only_enforce_if(slot.exists)
            model.add(spread == gap).only_enforce_if(~slot.exists)
            short = model.new_int_var(0, gap, f"short[{pid},{k}]")
            model.add_max_equality(short, [0, gap - spread])
            shortfalls.append(short)
            self._spread_vars[(pid, k)] = (spread, short)
        optional = [s.exists for (_, k), s in self.slots.items() if k >= s.demand.min_audits]
        peak = model.new_int_var(0, len(slots), "peak")
        per_month: list[cp_model.LinearExprT] = [
            cp_model.LinearExpr.sum([s.month[m] for s in slots if m in s.month]) for m in self.months
        ]
        model.add_max_equality(peak, per_month or [0])
        self._objective_vars = {"max_load": high, "min_load": low, "peak": peak}
        self.objective = (
            BALANCE_WEIGHT * (high - low)
            + SPREAD_WEIGHT * cp_model.LinearExpr.sum(shortfalls)
            + OPTIONAL_WEIGHT * cp_model.LinearExpr.sum(optional)
            + PEAK_WEIGHT * peak
        )
        model.minimize(self.objective)

    def add_hint(self, audits: Sequence[PlannedAudit]) -> None:
        """Hints every decision variable (and the objective's) from ``audits``, e.g. the greedy's."""
        chosen = {(a.process_id, a.occurrence): a for a in audits}
        model = self.model
        for key, slot in self.slots.items():
            audit = chosen.get(key)
            team = {audit.lead_id, *audit.auditor_ids} if audit is not None else set()
            model.add_hint(slot.exists, audit is not None)
            model.add_hint(slot.start, audit.month if audit is not None else 0)
            for m, var in slot.month.items():
                model.add_hint(var, audit is not None and audit.month == m)
            for pid, var in slot.member.items():
                model.add_hint(var, pid in team)
            for pid, var in slot.lead.items():
                model.add_hint(var, audit is not None and audit.lead_id == pid)
        gap = self.problem.min_gap_months
        for (pid, k), (spread, short) in self._spread_vars.items():
            audit, before = chosen.get((pid, k)), chosen.get((pid, k - 1))
            apart = audit.month - before.month if audit is not None and before is not None else gap
            model.add_hint(spread, apart)
            model.add_hint(short, gap_shortfall(gap, 0, apart))
        if self._objective_vars:
            loads = auditor_loads(self.problem, audits).values()
            per_month = [sum(a.month == m for a in audits) for m in self.months]
            model.add_hint(self._objective_vars["max_load"], max(loads, default=0))
            model.add_hint(self._objective_vars["min_load"], min(loads, default=0))
            model.add_hint(self._objective_vars["peak"], max(per_month, default=0))

    def audits(self, solver: cp_model.CpSolver) -> tuple[PlannedAudit, ...]:
        """The audits of the solver's current solution, sorted by process then occurrence."""
        found: list[PlannedAudit] = []
        for (pid, k), slot in self.slots.items():
            if not solver.boolean_value(slot.exists):
                continue
            month = next(m for m, var in slot.month.items() if solver.boolean_value(var))
            lead = next(p for p, var in slot.lead.items() if solver.boolean_value(var))
            helpers = tuple(
                p.id
                for p in self.problem.auditors
                if p.id != lead and p.id in slot.member and solver.boolean_value(slot.member[p.id])
            )
            if slot.pin is not None and slot.pin.auditor_ids is not None:
                helpers = tuple(dict.fromkeys(slot.pin.auditor_ids))  # as the lead pinned them
            found.append(
                PlannedAudit(
                    process_id=pid,
                    occurrence=k,
                    month=month,
                    lead_id=lead,
                    auditor_ids=helpers,
                    pinned=slot.pin is not None,
                    override_reason=slot.pin.override_reason if slot.pin is not None else "",
                )
            )
        return tuple(sorted(found, key=lambda a: (a.process_id, a.occurrence)))

"""The CP-SAT scheduler: each hard constraint shown by a small problem whose answer it forces, pins and
overrides, the objective it minimises, and every programme it returns passing the independent checker.

The builders at the top are shared with ``test_greedy.py`` and ``test_explain.py``.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from ortools.sat.python import cp_model

from server.programme.checker import check_programme
from server.programme.greedy import greedy_programme
from server.programme.model import Auditor, Demand, Pin, PlannedAudit, Problem, Solution
from server.programme.objective import programme_cost
from server.programme.solver import schedule_programme
from server.programme.solver_model import ProgrammeModel

# U-TOP ─┬─ U-A ── U-A1
#        ├─ U-B ── U-B1
#        └─ U-C
UNITS: dict[str, str | None] = {
    "U-TOP": None,
    "U-A": "U-TOP",
    "U-A1": "U-A",
    "U-B": "U-TOP",
    "U-B1": "U-B",
    "U-C": "U-TOP",
}
ALL_BUT = frozenset(range(1, 13))
"""``ALL_BUT - {m}``: every month but ``m`` (for blocked or unavailable months)."""


def person(
    pid: str,
    unit: str = "U-C",
    standards: Iterable[str] = ("iso9001",),
    *,
    lead: bool = True,
    away: Iterable[int] = (),
    cap: int = 2,
) -> Auditor:
    return Auditor(
        id=pid,
        unit_id=unit,
        standards=frozenset(standards),
        lead=lead,
        unavailable_months=frozenset(away),
        max_per_month=cap,
    )


def demand(
    pid: str,
    owner: str = "U-A1",
    standards: Iterable[str] = ("iso9001",),
    *,
    least: int = 1,
    most: int | None = None,
    clauses: Iterable[str] = (),
    risk: int = 0,
    days: int = 1,
) -> Demand:
    return Demand(
        process_id=pid,
        owner_unit_id=owner,
        standards=tuple(standards),
        min_audits=least,
        max_audits=least if most is None else most,
        clauses=frozenset(clauses),
        risk=risk,
        days=days,
    )


def problem(
    demands: Iterable[Demand],
    auditors: Iterable[Auditor],
    *,
    required: Iterable[str] = (),
    blocked: Iterable[int] = (),
    pins: Iterable[Pin] = (),
    capacity: int = 6,
    team: int = 3,
    gap: int = 4,
) -> Problem:
    return Problem(
        year=2026,
        demands=tuple(demands),
        auditors=tuple(auditors),
        parent_of=UNITS,
        required_clauses=frozenset(required),
        blocked_months=frozenset(blocked),
        capacity_per_month=capacity,
        max_team_size=team,
        min_gap_months=gap,
        pins=tuple(pins),
    )


def medium_problem(seed: int, processes: int = 40, people: int = 12) -> Problem:
    """A small council: 40 processes, 12 auditors (4 leads qualified for every standard, in units
    apart) over the unit tree, August blocked."""
    rng = random.Random(seed)
    units = list(UNITS)[1:]
    standards = ("iso9001", "iso14001", "iso45001")
    lead_units = ("U-A1", "U-B1", "U-C", "U-B")
    auditors = [
        person(
            f"A{i:02}",
            lead_units[i // 3 % 4] if i % 3 == 0 else rng.choice(units),
            standards if i % 3 == 0 else {"iso9001", *rng.sample(standards, rng.randint(1, 2))},
            lead=i % 3 == 0,
            away={rng.randint(1, 12)} if rng.random() < 0.4 else (),
            cap=3 if i % 3 == 0 else 2,
        )
        for i in range(people)
    ]
    demands = []
    for i in range(processes):
        chosen = rng.sample(standards, rng.randint(1, 2))
        scope = tuple(s for s in standards if s in chosen)
        least = rng.choice((0, 1, 1, 2))
        clauses = {f"{s}:{n}" for s in scope for n in range(4, 11) if rng.random() < 0.3}
        demands.append(
            demand(
                f"P{i:02}",
                rng.choice(units),
                scope,
                least=least,
                most=max(least, 1),
                clauses=clauses,
                risk=rng.randint(0, 99),
                days=rng.randint(1, 3),
            )
        )
    coverable = sorted({c for d in demands for c in d.clauses})
    return problem(
        demands, auditors, required=rng.sample(coverable, len(coverable) // 2), blocked={8}, capacity=8
    )


def solve(p: Problem, limit: float = 1.5) -> Solution:
    """``schedule_programme`` whose programme, when it has one, the independent checker accepts."""
    solution = schedule_programme(p, time_limit_s=limit)
    if solution.status in ("optimal", "feasible"):
        assert check_programme(p, solution.audits) == []
        assert solution.objective == programme_cost(p, solution.audits)
    return solution


def only(solution: Solution, process_id: str) -> list[PlannedAudit]:
    return [a for a in solution.audits if a.process_id == process_id]


def test_required_audits_are_ordered_in_distinct_months() -> None:
    solution = solve(problem([demand("P", least=2)], [person("L")]))
    assert solution.status == "optimal"
    first, second = only(solution, "P")
    assert (first.occurrence, second.occurrence) == (0, 1)
    assert first.month < second.month
    assert second.month - first.month >= 4  # the spreading term, met when it can be


def test_pinning_an_occurrence_beyond_the_maximum_is_infeasible() -> None:
    p = problem([demand("P", least=1)], [person("L")], pins=[Pin("P", 1, month=9)])
    solution = solve(p)
    assert solution.status == "infeasible"
    assert [(b.kind, b.process_id, b.occurrence) for b in solution.blockers] == [("pin", "P", 1)]


def test_audits_fall_in_open_months_only() -> None:
    solution = solve(problem([demand("P")], [person("L")], blocked=ALL_BUT - {7}))
    assert [a.month for a in solution.audits] == [7]


def test_the_lead_is_a_lead_auditor_qualified_for_the_process() -> None:
    people = [
        person("N", lead=False),
        person("L14", standards=("iso14001",)),
        person("L9"),
    ]
    solution = solve(problem([demand("P"), demand("Q", standards=("iso14001",))], people))
    (audit,) = only(solution, "P")
    assert audit.lead_id == "L9"
    assert "L14" not in audit.auditor_ids  # not qualified for any standard of P


def test_the_team_covers_every_standard_within_the_size_limit() -> None:
    people = [
        person("L"),
        person("A", standards=("iso14001",), lead=False),
        person("B", standards=("iso45001",), lead=False),
        person("C", standards=("iso14001", "iso45001"), lead=False),
    ]
    scope = ("iso9001", "iso14001", "iso45001")
    # Balancing the load alone would put all four on the audit; two members must be L and C.
    solution = solve(problem([demand("P", standards=scope)], people, team=2))
    (audit,) = solution.audits
    assert (audit.lead_id, audit.auditor_ids) == ("L", ("C",))


def test_nobody_from_the_audited_unit_or_above_is_on_the_team() -> None:
    people = [
        person("OWN", "U-A1"),  # the audited unit
        person("ABOVE", "U-A"),  # its parent
        person("Y", "U-C"),
    ]
    # Y already leads two pinned audits, so the balance alone would hand P to OWN or ABOVE.
    demands = [demand("P"), demand("Q", owner="U-B1"), demand("R", owner="U-B1")]
    pins = [Pin("Q", 0, month=2, lead_id="Y"), Pin("R", 0, month=6, lead_id="Y")]
    solution = solve(problem(demands, people, pins=pins))
    (audit,) = only(solution, "P")
    assert audit.lead_id == "Y"
    assert {"OWN", "ABOVE"}.isdisjoint(audit.auditor_ids)


def test_an_impartiality_override_needs_a_written_reason() -> None:
    people = [person("ABOVE", "U-A"), person("Y", "U-C")]
    refused = solve(problem([demand("P")], people, pins=[Pin("P", 0, lead_id="ABOVE", override_reason=" ")]))
    assert refused.status == "infeasible"
    assert refused.blockers[0].kind == "pin"
    assert refused.blockers[0].person_ids == ("ABOVE",)

    reason = "the only lead who knows the site"
    allowed = solve(
        problem([demand("P")], people, pins=[Pin("P", 0, lead_id="ABOVE", override_reason=reason)])
    )
    (audit,) = allowed.audits
    assert (audit.lead_id, audit.pinned, audit.override_reason) == ("ABOVE", True, reason)


def test_nobody_is_on_a_team_in_an_unavailable_month() -> None:
    solution = solve(problem([demand("P")], [person("L", away=ALL_BUT - {10})]))
    assert [a.month for a in solution.audits] == [10]


def test_an_auditor_takes_at_most_their_monthly_number_of_audits() -> None:
    people = [person("X", cap=1), person("Y")]
    demands = [demand(n) for n in ("D1", "D2", "D3", "D4")]
    # D1 and D2 pinned to March; Y leads D3 and D4, so the balance alone would give both to X.
    pins = [
        Pin("D1", 0, month=3),
        Pin("D2", 0, month=3),
        Pin("D3", 0, month=6, lead_id="Y"),
        Pin("D4", 0, month=9, lead_id="Y"),
    ]
    solution = solve(problem(demands, people, pins=pins))
    march = [a for a in solution.audits if a.month == 3]
    assert sorted(a.lead_id for a in march) == ["X", "Y"]


def test_more_audits_than_one_auditor_may_take_in_the_only_month_is_infeasible() -> None:
    p = problem([demand("D1"), demand("D2")], [person("X", cap=1)], blocked=ALL_BUT - {5})
    assert solve(p).status == "infeasible"


def test_a_month_holds_at_most_its_capacity() -> None:
    p = problem(
        [demand(n) for n in ("D1", "D2", "D3")], [person("X", cap=3)], blocked=ALL_BUT - {5}, capacity=2
    )
    solution = solve(p)
    assert solution.status == "infeasible"
    assert solution.blockers[0].kind == "capacity"


def test_optional_audits_are_added_only_to_cover_a_required_clause() -> None:
    demands = [
        demand("REQ", clauses={"iso9001:8.1"}),
        demand("OPT1", least=0, most=1, clauses={"iso9001:8.1"}),
        demand("OPT2", least=0, most=1, clauses={"iso9001:9.2"}),
    ]
    solution = solve(problem(demands, [person("L")], required={"iso9001:8.1", "iso9001:9.2"}))
    assert sorted(a.process_id for a in solution.audits) == ["OPT2", "REQ"]


def test_pins_hold_month_lead_and_auditors_exactly() -> None:
    people = [person("L1"), person("L2"), person("H", lead=False), person("K", lead=False)]
    pins = [Pin("P", 0, month=4, lead_id="L2", auditor_ids=("H",)), Pin("Q", 0, month=11)]
    solution = solve(problem([demand("P", least=0, most=1), demand("Q")], people, pins=pins))
    (p_audit,) = only(solution, "P")  # a pin makes the occurrence exist though min_audits is 0
    assert (p_audit.month, p_audit.lead_id, p_audit.auditor_ids, p_audit.pinned) == (4, "L2", ("H",), True)
    (q_audit,) = only(solution, "Q")
    assert (q_audit.month, q_audit.pinned) == (11, True)


def test_the_solver_objective_is_programme_cost() -> None:
    # Solved to optimality, the solver's own objective value is programme_cost.
    people = [person("L1"), person("L2", "U-B"), person("H", standards=("iso14001",), lead=False)]
    demands = [demand("P", least=2), demand("Q", standards=("iso9001", "iso14001"), days=2), demand("R")]
    small = problem(demands, people, blocked={1, 2, 3, 4, 5, 6})
    assert_objective_is_programme_cost(small, expect_optimal=True)
    # Stopped early, the objective evaluated on the returned assignment still is.
    assert_objective_is_programme_cost(medium_problem(3), expect_optimal=False)


def assert_objective_is_programme_cost(p: Problem, *, expect_optimal: bool) -> None:
    built = ProgrammeModel(p)
    built.add_objective()
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 1.0
    solver.parameters.num_workers = 2
    status = solver.solve(built.model)
    assert status == cp_model.OPTIMAL if expect_optimal else status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    audits = built.audits(solver)
    assert check_programme(p, audits) == []
    assert solver.value(built.objective) == programme_cost(p, audits)
    if expect_optimal:
        assert round(solver.objective_value) == programme_cost(p, audits)


def test_the_solver_beats_or_equals_the_greedy_baseline() -> None:
    for seed in (1, 2):
        p = medium_problem(seed)
        greedy = greedy_programme(p)
        solution = solve(p, limit=0.8)
        assert solution.status in ("optimal", "feasible")
        assert greedy.objective is not None and solution.objective is not None
        assert solution.objective <= greedy.objective


def test_audits_come_sorted_by_process_then_occurrence() -> None:
    solution = solve(medium_problem(4), limit=0.5)
    keys = [(a.process_id, a.occurrence) for a in solution.audits]
    assert keys == sorted(keys)


def test_frozen_slots_keep_their_audits_and_the_free_ones_are_replanned() -> None:
    p = medium_problem(5)
    start = greedy_programme(p)
    keys = [(d.process_id, k) for d in p.demands for k in range(max(d.min_audits, d.max_audits))]
    planned = {(a.process_id, a.occurrence): a for a in start.audits}
    free = set(keys[:8])
    built = ProgrammeModel(p, fixed={key: planned.get(key) for key in keys if key not in free})
    built.add_objective()
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 1.0
    assert solver.solve(built.model) == cp_model.OPTIMAL
    audits = built.audits(solver)
    assert check_programme(p, audits) == []
    assert programme_cost(p, audits) <= programme_cost(p, start.audits)

    def shape(a: PlannedAudit) -> tuple[str, int, int, str, frozenset[str]]:
        return (a.process_id, a.occurrence, a.month, a.lead_id, frozenset(a.auditor_ids))

    kept = {shape(a) for a in audits if (a.process_id, a.occurrence) not in free}
    assert kept == {shape(a) for key, a in planned.items() if key not in free}

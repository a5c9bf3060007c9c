"""The greedy baseline (the audit lead's hand method) and the balanced warm start built on it."""

from __future__ import annotations

from server.programme.checker import check_programme
from server.programme.greedy import balanced_start, greedy_programme
from server.programme.model import Pin
from server.programme.objective import cost_breakdown, programme_cost
from tests.unit.programme.test_solver import ALL_BUT, demand, medium_problem, person, problem


def test_higher_risk_processes_get_the_earliest_months() -> None:
    demands = [demand("LOW", risk=10), demand("HIGH", risk=90), demand("MID", risk=50)]
    solution = greedy_programme(problem(demands, [person("L")], capacity=1))
    months = {a.process_id: a.month for a in solution.audits}
    assert months == {"HIGH": 1, "MID": 2, "LOW": 3}


def test_the_first_free_lead_then_the_first_helper_for_each_missing_standard() -> None:
    people = [
        person("N", lead=False, standards=("iso14001",)),
        person("L1", away={1}),
        person("L2"),
        person("H", lead=False, standards=("iso14001",)),
    ]
    solution = greedy_programme(problem([demand("P", standards=("iso9001", "iso14001"))], people))
    (audit,) = solution.audits
    assert (audit.month, audit.lead_id, audit.auditor_ids) == (1, "L2", ("N",))


def test_the_second_audit_is_spread_when_it_can_be() -> None:
    solution = greedy_programme(problem([demand("P", least=2)], [person("L")], gap=4))
    assert [a.month for a in solution.audits] == [1, 5]


def test_pinned_audits_are_placed_first_and_as_pinned() -> None:
    demands = [demand("HIGH", risk=90), demand("PINNED", risk=0)]
    pins = [Pin("PINNED", 0, month=1, lead_id="L2")]
    solution = greedy_programme(problem(demands, [person("L1"), person("L2")], pins=pins, capacity=1))
    months = {a.process_id: (a.month, a.lead_id, a.pinned) for a in solution.audits}
    assert months == {"PINNED": (1, "L2", True), "HIGH": (2, "L1", False)}


def test_an_audit_the_hand_method_cannot_place_leaves_the_answer_unknown() -> None:
    people = [person("ABOVE", "U-A")]  # conflicted with the process's unit
    solution = greedy_programme(problem([demand("P")], people))
    assert (solution.status, solution.audits) == ("unknown", ())


def test_an_optional_audit_is_added_only_for_an_uncovered_clause() -> None:
    demands = [
        demand("REQ", clauses={"iso9001:8.1"}),
        demand("OPT1", least=0, most=1, clauses={"iso9001:8.1"}),
        demand("OPT2", least=0, most=1, clauses={"iso9001:9.2"}),
    ]
    p = problem(demands, [person("L")], required={"iso9001:8.1", "iso9001:9.2"})
    solution = greedy_programme(p)
    assert solution.status == "feasible"
    assert sorted(a.process_id for a in solution.audits) == ["OPT2", "REQ"]


def test_a_required_clause_left_uncovered_leaves_the_answer_unknown() -> None:
    p = problem([demand("P", clauses={"iso9001:8.1"})], [person("L")], required={"iso9001:9.9"})
    assert greedy_programme(p).status == "unknown"


def test_greedy_programmes_pass_the_checker_and_report_programme_cost() -> None:
    for seed in (1, 2, 3):
        p = medium_problem(seed)
        for solution in (greedy_programme(p), balanced_start(p)):
            assert solution.status == "feasible"
            assert check_programme(p, solution.audits) == []
            assert solution.objective == programme_cost(p, solution.audits)


def test_the_balanced_start_spreads_the_load_better_than_the_hand_method() -> None:
    p = medium_problem(2)
    hand, balanced = (
        cost_breakdown(p, greedy_programme(p).audits),
        cost_breakdown(p, balanced_start(p).audits),
    )
    assert balanced.balance < hand.balance
    assert balanced.peak <= hand.peak


def test_the_greedy_respects_availability_and_monthly_limits() -> None:
    people = [person("X", away=ALL_BUT - {2, 3}, cap=1)]
    solution = greedy_programme(problem([demand("A"), demand("B"), demand("C")], people))
    assert sorted(a.month for a in solution.audits) == [2, 3]
    assert solution.status == "unknown"
    assert check_programme(problem([demand("A"), demand("B")], people), solution.audits) == []

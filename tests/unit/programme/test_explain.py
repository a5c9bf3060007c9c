"""Why no programme exists: every kind of blocker the explanation produces, from the structural pass
and from the solver's core, and the solver handing it back with an infeasible answer."""

from __future__ import annotations

from dataclasses import replace

from server.programme.explain import explain_infeasible
from server.programme.model import Blocker, Pin, Problem
from server.programme.solver import schedule_programme
from tests.unit.programme.test_solver import ALL_BUT, demand, person, problem

LIMIT = 1.0


def explain(p: Problem) -> tuple[Blocker, ...]:
    return explain_infeasible(p, time_limit_s=LIMIT)


def kinds(blockers: tuple[Blocker, ...]) -> list[str]:
    return [b.kind for b in blockers]


def heritage_problem(pins: tuple[Pin, ...]) -> Problem:
    """The only ISO 45001 lead auditors outside the heritage unit (U-PAT) are away in April–June; the
    ones inside it, or in its directorate above, may not audit its process."""
    people = [
        person("IN", "U-PAT", ("iso45001",)),
        person("ABOVE", "U-DIR", ("iso45001",)),
        person("OUT1", "U-OTHER", ("iso45001",), away={4, 5, 6}),
        person("OUT2", "U-OTHER", ("iso45001", "iso9001"), away={4, 5, 6}),
        person("HELPER", "U-OTHER", ("iso45001",), lead=False),
    ]
    p = problem([demand("PAT-OPS", "U-PAT", ("iso45001",))], people, pins=pins)
    return replace(p, parent_of={"U-DIR": None, "U-PAT": "U-DIR", "U-OTHER": None})


def test_no_impartial_lead_free_in_the_pinned_month_names_standard_unit_and_month() -> None:
    blockers = explain(heritage_problem((Pin("PAT-OPS", 0, month=5),)))
    assert blockers == (
        Blocker(
            "no_lead_available",
            "PAT-OPS",
            0,
            standard="iso45001",
            unit_id="U-PAT",
            months=(5,),
            person_ids=("OUT1", "OUT2"),
            count=1,
            limit=0,
        ),
    )


def test_the_solver_answers_infeasible_with_the_explanation() -> None:
    solution = schedule_programme(heritage_problem((Pin("PAT-OPS", 0, month=5),)), time_limit_s=LIMIT)
    assert solution.status == "infeasible"
    assert solution.audits == ()
    (blocker,) = solution.blockers
    assert (blocker.kind, blocker.standard, blocker.unit_id, blocker.months) == (
        "no_lead_available",
        "iso45001",
        "U-PAT",
        (5,),
    )


def test_the_same_process_unpinned_is_feasible() -> None:
    p = heritage_problem(())
    solution = schedule_programme(p, time_limit_s=LIMIT)
    assert solution.status == "optimal"
    assert solution.audits[0].month not in {4, 5, 6}


def test_no_impartial_lead_free_in_any_open_month() -> None:
    p = problem([demand("P")], [person("IN", "U-A1"), person("OUT", "U-C", away=ALL_BUT - {8})], blocked={8})
    (blocker,) = explain(p)
    assert (blocker.kind, blocker.unit_id, blocker.person_ids) == ("no_lead_available", "U-A1", ("OUT",))
    assert blocker.months == (1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12)


def test_nobody_qualified_for_a_standard() -> None:
    p = problem([demand("P", standards=("iso9001", "iso45001"))], [person("L")])
    assert explain(p) == (Blocker("nobody_qualified", "P", standard="iso45001"),)


def test_no_lead_qualified_for_the_process() -> None:
    people = [person("L"), person("H", standards=("iso14001",), lead=False)]
    p = problem([demand("P", standards=("iso14001",))], people)
    assert explain(p) == (Blocker("no_lead_qualified", "P", standard="iso14001"),)


def test_every_qualified_person_from_the_audited_unit_or_above() -> None:
    people = [person("L"), person("OWN", "U-A1", ("iso14001",)), person("ABOVE", "U-TOP", ("iso14001",))]
    p = problem([demand("P", standards=("iso9001", "iso14001"))], people)
    assert explain(p) == (
        Blocker("all_conflicted", "P", standard="iso14001", unit_id="U-A1", person_ids=("OWN", "ABOVE")),
    )


def test_no_full_team_free_in_the_same_month() -> None:
    people = [
        person("L", away=range(1, 7)),
        person("H", standards=("iso14001",), lead=False, away=range(7, 13)),
    ]
    p = problem([demand("P", standards=("iso9001", "iso14001"))], people)
    assert explain(p) == (Blocker("team_not_available", "P", months=tuple(range(1, 13)), count=1, limit=0),)


def test_two_processes_competing_for_one_lead_in_one_month() -> None:
    # Each process alone has a team; together they need L twice in June (M may not audit U-A1), which
    # only the solver's core finds.
    people = [person("L", away=ALL_BUT - {6}, cap=1), person("M", "U-A")]
    blockers = explain(problem([demand("P"), demand("Q")], people))
    assert set(kinds(blockers)) == {"team_not_available"}
    assert {b.process_id for b in blockers} == {"P", "Q"}


def test_more_audits_than_the_lead_auditors_can_lead() -> None:
    people = [person("L", away=ALL_BUT - {6}, cap=1), person("H", lead=False)]
    assert explain(problem([demand("P"), demand("Q")], people)) == (
        Blocker("capacity", months=tuple(range(1, 13)), count=2, limit=1, person_ids=("L",)),
    )


def test_months_pinned_beyond_capacity() -> None:
    pins = [Pin("P", 0, month=3), Pin("Q", 0, month=3)]
    p = problem([demand("P"), demand("Q")], [person("L1"), person("L2")], pins=pins, capacity=1)
    assert explain(p) == (Blocker("capacity", months=(3,), count=2, limit=1),)


def test_the_only_usable_month_over_capacity_comes_from_the_core() -> None:
    people = [person("L1", away=ALL_BUT - {6}), person("L2", away=ALL_BUT - {6})]
    p = problem([demand("P"), demand("Q"), demand("R")], people, capacity=2)
    assert explain(p) == (Blocker("capacity", months=(6,), count=3, limit=2),)


def test_more_audits_than_the_year_can_hold() -> None:
    p = problem([demand(f"P{i}") for i in range(3)], [person("L", cap=3)], blocked=ALL_BUT - {1}, capacity=2)
    assert explain(p) == (Blocker("capacity", months=(1,), count=3, limit=2),)


def test_a_clause_no_process_covers() -> None:
    p = problem([demand("P", clauses={"iso9001:8.1"})], [person("L")], required={"iso9001:9.9"})
    assert explain(p) == (Blocker("coverage", clause="iso9001:9.9"),)


def test_a_clause_only_an_unschedulable_optional_audit_covers() -> None:
    demands = [demand("P"), demand("OPT", "U-C", least=0, most=1, clauses={"iso9001:9.9"})]
    p = problem(demands, [person("L", "U-C")], required={"iso9001:9.9"})  # L may not audit its own unit
    assert explain(p) == (Blocker("coverage", "OPT", clause="iso9001:9.9"),)


def test_a_pinned_lead_who_is_not_qualified() -> None:
    people = [person("L"), person("L14", standards=("iso14001",))]
    p = problem([demand("P")], people, pins=[Pin("P", 0, lead_id="L14")])
    assert explain(p) == (Blocker("pin", "P", 0, person_ids=("L14",)),)


def test_a_pinned_conflicted_member_without_a_reason() -> None:
    people = [person("L"), person("OWN", "U-A1", lead=False)]
    p = problem([demand("P")], people, pins=[Pin("P", 0, auditor_ids=("OWN",))])
    assert explain(p) == (Blocker("pin", "P", 0, unit_id="U-A1", person_ids=("OWN",)),)


def test_two_pins_needing_one_lead_twice_in_a_month() -> None:
    pins = [Pin("P", 0, month=4, lead_id="L"), Pin("Q", 0, month=4, lead_id="L")]
    p = problem([demand("P"), demand("Q")], [person("L", cap=1), person("M")], pins=pins)
    assert explain(p) == (
        Blocker("pin", "P", 0, months=(4,), person_ids=("L",)),
        Blocker("pin", "Q", 0, months=(4,), person_ids=("L",)),
    )


def test_a_pin_in_a_blocked_month() -> None:
    p = problem([demand("P")], [person("L")], pins=[Pin("P", 0, month=8)], blocked={8})
    assert explain(p) == (Blocker("blocked_month", "P", 0, months=(8,)),)


def test_a_feasible_problem_has_no_blocker() -> None:
    assert explain(problem([demand("P", least=2)], [person("L")])) == ()


def test_a_lead_pinned_on_one_audit_leaves_the_other_audit_free() -> None:
    people = [person("X", away=ALL_BUT - {3}), person("Y")]
    p = problem([demand("P", least=2)], people, pins=[Pin("P", 0, lead_id="X")])
    assert explain(p) == ()
    solution = schedule_programme(p, time_limit_s=LIMIT)
    assert (solution.audits[0].month, solution.audits[0].lead_id) == (3, "X")

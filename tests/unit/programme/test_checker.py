"""Each hard constraint of the checker, against a valid programme and a minimally broken one."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace

from server.programme.checker import check_programme
from server.programme.model import Auditor, Demand, Pin, PlannedAudit, Problem, Violation

# dgs ─┬─ daf ── daf-bud ── daf-bud-compta
#      ├─ dsi
#      └─ dt ── dt-works
PARENT_OF: dict[str, str | None] = {
    "dgs": None,
    "daf": "dgs",
    "daf-bud": "daf",
    "daf-bud-compta": "daf-bud",
    "dsi": "dgs",
    "dt": "dgs",
    "dt-works": "dt",
}

ANA = Auditor("ana", "dsi", frozenset({"iso9001", "iso14001"}), lead=True)
BADR = Auditor("badr", "dt", frozenset({"iso45001"}), lead=False)
CHAMA = Auditor("chama", "daf", frozenset({"iso9001"}), lead=True)
DRISS = Auditor("driss", "dgs", frozenset({"iso9001", "iso45001"}), lead=True)
FARID = Auditor("farid", "dsi", frozenset({"iso45001"}), lead=False)
GITA = Auditor("gita", "dsi", frozenset({"iso9001"}), lead=False, unavailable_months=frozenset({9}))
HIND = Auditor("hind", "dt", frozenset({"iso14001"}), lead=True)
INES = Auditor("ines", "daf-bud", frozenset({"iso9001"}), lead=False)
JALAL = Auditor("jalal", "daf-bud-compta", frozenset({"iso9001"}), lead=False)

BUDGET = Demand("budget", "daf-bud", ("iso9001",), 2, 2, frozenset({"iso9001:8.2.1", "iso9001:9.1"}))
WORKS = Demand(
    "works", "dt-works", ("iso9001", "iso45001"), 1, 1, frozenset({"iso45001:8.1.4", "iso9001:8.5.1"})
)
IT = Demand("it", "dsi", ("iso14001",), 0, 1, frozenset({"iso14001:7.5.3"}))

WORKS_PIN = Pin("works", 0, month=3, lead_id="ana", auditor_ids=("farid",))

PROBLEM = Problem(
    year=2026,
    demands=(BUDGET, WORKS, IT),
    auditors=(ANA, BADR, CHAMA, DRISS, FARID, GITA, HIND, INES, JALAL),
    parent_of=PARENT_OF,
    required_clauses=frozenset({"iso9001:8.2.1", "iso45001:8.1.4"}),
    blocked_months=frozenset({8}),
    pins=(WORKS_PIN,),
)

BUDGET_0 = PlannedAudit("budget", 0, 3, "ana")
BUDGET_1 = PlannedAudit("budget", 1, 9, "ana")
WORKS_0 = PlannedAudit("works", 0, 3, "ana", ("farid",), pinned=True)
VALID = (BUDGET_0, BUDGET_1, WORKS_0)

REASON = "The only ISO 9001 auditor free in March"


def rules(audits: Sequence[PlannedAudit], problem: Problem = PROBLEM) -> set[str]:
    return {violation.rule for violation in check_programme(problem, audits)}


def with_auditor(problem: Problem, auditor: Auditor) -> Problem:
    return replace(problem, auditors=tuple(auditor if a.id == auditor.id else a for a in problem.auditors))


def test_the_valid_programme_breaks_nothing() -> None:
    assert check_programme(PROBLEM, VALID) == []


# frequency


def test_too_few_audits_of_a_demand() -> None:
    violations = check_programme(PROBLEM, (BUDGET_0, WORKS_0))
    assert violations == [
        Violation(
            rule="frequency",
            process_id="budget",
            detail="1 audits planned, 2 to 2 required",
            extra={"count": 1, "min": 2, "max": 2},
        )
    ]


def test_too_many_audits_of_a_demand() -> None:
    audits = (*VALID, PlannedAudit("works", 1, 10, "ana", ("farid",)))
    assert rules(audits) == {"frequency"}


def test_an_audit_of_an_unknown_process() -> None:
    audits = (*VALID, PlannedAudit("ghost", 0, 5, "ana"))
    assert rules(audits) == {"frequency"}


def test_an_optional_audit_is_allowed() -> None:
    assert rules((*VALID, PlannedAudit("it", 0, 5, "hind"))) == set()


# month


def test_a_month_outside_the_year() -> None:
    assert rules((BUDGET_0, replace(BUDGET_1, month=13), WORKS_0)) == {"month"}


def test_two_audits_of_a_process_in_one_month() -> None:
    assert rules((replace(BUDGET_0, month=9), BUDGET_1, WORKS_0)) == {"month"}


def test_occurrence_one_before_occurrence_zero() -> None:
    assert rules((replace(BUDGET_0, month=10), BUDGET_1, WORKS_0)) == {"month"}


def test_occurrences_numbered_zero_to_n_minus_one() -> None:
    assert rules((BUDGET_0, replace(BUDGET_1, occurrence=2), WORKS_0)) == {"month"}
    assert rules((BUDGET_0, replace(BUDGET_1, occurrence=0), WORKS_0)) == {"month"}


# blocked_month


def test_an_audit_in_a_blocked_month() -> None:
    violations = check_programme(PROBLEM, (BUDGET_0, replace(BUDGET_1, month=8), WORKS_0))
    assert [(v.rule, v.process_id, v.occurrence, v.month) for v in violations] == [
        ("blocked_month", "budget", 1, 8)
    ]


# lead


def test_an_audit_without_a_lead() -> None:
    assert "lead" in rules((replace(BUDGET_0, lead_id="", auditor_ids=("gita",)), BUDGET_1, WORKS_0))


def test_a_lead_without_the_lead_auditor_flag() -> None:
    assert rules((replace(BUDGET_0, lead_id="gita"), BUDGET_1, WORKS_0)) == {"lead"}


def test_a_lead_qualified_for_no_standard_in_scope() -> None:
    violations = check_programme(
        PROBLEM, (replace(BUDGET_0, lead_id="hind", auditor_ids=("gita",)), BUDGET_1, WORKS_0)
    )
    assert {(v.rule, v.person_id) for v in violations} == {("lead", "hind"), ("competence", "hind")}


def test_a_lead_qualified_for_one_standard_of_several_is_enough() -> None:
    problem = replace(PROBLEM, pins=())
    assert rules((BUDGET_0, BUDGET_1, replace(WORKS_0, lead_id="chama")), problem) == set()


# competence


def test_a_member_qualified_for_no_standard_in_scope() -> None:
    violations = check_programme(PROBLEM, (replace(BUDGET_0, auditor_ids=("farid",)), BUDGET_1, WORKS_0))
    assert [(v.rule, v.person_id) for v in violations] == [("competence", "farid")]


def test_a_team_missing_a_standard_of_the_demand() -> None:
    problem = replace(PROBLEM, pins=())
    violations = check_programme(problem, (BUDGET_0, BUDGET_1, replace(WORKS_0, auditor_ids=())))
    assert [(v.rule, v.extra.get("standard")) for v in violations] == [("competence", "iso45001")]


# team


def test_a_team_larger_than_allowed() -> None:
    assert rules(VALID, replace(PROBLEM, max_team_size=1)) == {"team"}


def test_a_person_twice_on_a_team() -> None:
    assert rules((replace(BUDGET_0, auditor_ids=("ana",)), BUDGET_1, WORKS_0)) == {"team"}
    assert rules((replace(BUDGET_0, auditor_ids=("gita", "gita")), BUDGET_1, WORKS_0)) == {"team"}


def test_an_unknown_person_on_a_team() -> None:
    violations = check_programme(PROBLEM, (replace(BUDGET_0, auditor_ids=("zoe",)), BUDGET_1, WORKS_0))
    assert [(v.rule, v.person_id) for v in violations] == [("team", "zoe")]
    assert rules((replace(BUDGET_0, lead_id="zoe"), BUDGET_1, WORKS_0)) == {"team", "competence"}


# impartiality


def test_a_member_of_the_audited_unit() -> None:
    violations = check_programme(PROBLEM, (replace(BUDGET_0, auditor_ids=("ines",)), BUDGET_1, WORKS_0))
    assert [(v.rule, v.person_id, v.extra) for v in violations] == [
        ("impartiality", "ines", {"unit_id": "daf-bud"})
    ]


def test_a_member_of_the_unit_above_and_of_the_top_unit() -> None:
    assert rules((replace(BUDGET_0, auditor_ids=("chama",)), BUDGET_1, WORKS_0)) == {"impartiality"}
    assert rules((replace(BUDGET_0, lead_id="driss"), BUDGET_1, WORKS_0)) == {"impartiality"}


def test_a_lead_of_the_audited_unit() -> None:
    problem = replace(PROBLEM, pins=())
    assert rules((BUDGET_0, BUDGET_1, replace(WORKS_0, lead_id="driss", auditor_ids=())), problem) == {
        "impartiality"
    }


def test_a_member_of_a_unit_below_the_audited_one_is_impartial() -> None:
    assert rules((replace(BUDGET_0, auditor_ids=("jalal",)), BUDGET_1, WORKS_0)) == set()


def test_an_override_pinned_with_its_reason_allows_the_member() -> None:
    pin = Pin("budget", 0, auditor_ids=("chama",), override_reason=REASON)
    problem = replace(PROBLEM, pins=(WORKS_PIN, pin))
    audit = replace(BUDGET_0, auditor_ids=("chama",), override_reason=REASON)
    assert rules((audit, BUDGET_1, WORKS_0), problem) == set()
    lead_pin = Pin("budget", 0, lead_id="driss", override_reason=REASON)
    problem = replace(PROBLEM, pins=(WORKS_PIN, lead_pin))
    assert (
        rules((replace(BUDGET_0, lead_id="driss", override_reason=REASON), BUDGET_1, WORKS_0), problem)
        == set()
    )


def test_an_override_without_the_audit_reason_or_the_pin_does_not_allow() -> None:
    pin = Pin("budget", 0, auditor_ids=("chama",), override_reason=REASON)
    with_pin = replace(PROBLEM, pins=(WORKS_PIN, pin))
    audit = replace(BUDGET_0, auditor_ids=("chama",), override_reason=REASON)
    assert rules((audit, BUDGET_1, WORKS_0)) == {"impartiality"}  # no pin
    assert rules((replace(audit, override_reason="  "), BUDGET_1, WORKS_0), with_pin) == {"impartiality"}
    assert rules((replace(audit, override_reason="another reason"), BUDGET_1, WORKS_0), with_pin) == {
        "impartiality"
    }
    reasonless_pin = replace(PROBLEM, pins=(WORKS_PIN, replace(pin, override_reason="")))
    assert rules((audit, BUDGET_1, WORKS_0), reasonless_pin) == {"impartiality"}


def test_an_override_covers_only_the_people_its_pin_names() -> None:
    pin = Pin("budget", 0, auditor_ids=("chama", "ines"), override_reason=REASON)
    problem = replace(PROBLEM, pins=(WORKS_PIN, pin))
    audit = replace(BUDGET_0, auditor_ids=("chama", "ines"), override_reason=REASON)
    assert rules((audit, BUDGET_1, WORKS_0), problem) == set()
    narrow = replace(PROBLEM, pins=(WORKS_PIN, replace(pin, auditor_ids=("chama",))))
    violations = check_programme(narrow, (audit, BUDGET_1, WORKS_0))
    assert {(v.rule, v.person_id) for v in violations} == {("impartiality", "ines"), ("pin", None)}


# availability


def test_a_member_in_an_unavailable_month() -> None:
    violations = check_programme(PROBLEM, (BUDGET_0, replace(BUDGET_1, auditor_ids=("gita",)), WORKS_0))
    assert [(v.rule, v.person_id, v.month) for v in violations] == [("availability", "gita", 9)]
    assert rules((replace(BUDGET_0, auditor_ids=("gita",)), BUDGET_1, WORKS_0)) == set()


# auditor_capacity


def test_a_person_on_more_audits_in_a_month_than_allowed() -> None:
    problem = with_auditor(PROBLEM, replace(ANA, max_per_month=1))
    violations = check_programme(problem, VALID)
    assert [(v.rule, v.person_id, v.month, v.extra) for v in violations] == [
        ("auditor_capacity", "ana", 3, {"count": 2, "limit": 1})
    ]


# month_capacity


def test_a_month_holding_more_audits_than_allowed() -> None:
    violations = check_programme(replace(PROBLEM, capacity_per_month=1), VALID)
    assert [(v.rule, v.month) for v in violations] == [("month_capacity", 3)]
    assert check_programme(replace(PROBLEM, capacity_per_month=2), VALID) == []


# coverage


def test_a_required_clause_no_audit_covers() -> None:
    problem = replace(PROBLEM, required_clauses=PROBLEM.required_clauses | {"iso14001:7.5.3"})
    violations = check_programme(problem, VALID)
    assert [(v.rule, v.clause) for v in violations] == [("coverage", "iso14001:7.5.3")]
    assert rules((*VALID, PlannedAudit("it", 0, 5, "hind")), problem) == set()


def test_a_required_clause_covered_only_by_a_dropped_audit() -> None:
    problem = replace(PROBLEM, demands=(BUDGET, replace(WORKS, min_audits=0)), pins=())
    assert rules((BUDGET_0, BUDGET_1), problem) == {"coverage"}


# pin


def test_a_pinned_month_lead_or_team_that_does_not_hold() -> None:
    assert rules((BUDGET_0, BUDGET_1, replace(WORKS_0, month=4))) == {"pin"}
    assert rules((BUDGET_0, BUDGET_1, replace(WORKS_0, lead_id="chama"))) == {"pin"}
    assert rules((BUDGET_0, BUDGET_1, replace(WORKS_0, auditor_ids=("farid", "gita")))) == {"pin"}


def test_a_pinned_occurrence_that_does_not_exist() -> None:
    problem = replace(PROBLEM, pins=(WORKS_PIN, Pin("it", 0, month=5)))
    violations = check_programme(problem, VALID)
    assert [(v.rule, v.process_id, v.occurrence) for v in violations] == [("pin", "it", 0)]


def test_pinned_auditors_in_another_order_hold() -> None:
    problem = replace(PROBLEM, pins=(replace(WORKS_PIN, auditor_ids=("farid", "badr")),))
    works = replace(WORKS_0, auditor_ids=("badr", "farid"))
    # badr belongs to dt, above dt-works: the pin holds, impartiality does not.
    assert rules((BUDGET_0, BUDGET_1, works), problem) == {"impartiality"}


# scale


def test_six_hundred_audits_and_forty_auditors_check_well_under_a_second() -> None:
    units = {f"u{i}": None for i in range(40)} | {"owner": None}
    auditors = tuple(
        Auditor(f"a{i}", f"u{i}", frozenset({"iso9001", "iso14001", "iso45001"}), lead=True, max_per_month=40)
        for i in range(40)
    )
    demands = tuple(
        Demand(f"p{i}", "owner", ("iso9001", "iso14001", "iso45001"), 2, 2, frozenset({f"iso9001:{i}"}))
        for i in range(300)
    )
    audits = [
        PlannedAudit(f"p{i}", occurrence, 1 + i % 6 + 6 * occurrence, f"a{i % 40}", (f"a{(i + 1) % 40}",))
        for i in range(300)
        for occurrence in (0, 1)
    ]
    problem = Problem(
        2026, demands, auditors, units, frozenset(f"iso9001:{i}" for i in range(300)), capacity_per_month=60
    )
    started = time.perf_counter()
    violations = check_programme(problem, audits)
    elapsed = time.perf_counter() - started
    assert violations == []
    assert elapsed < 1.0

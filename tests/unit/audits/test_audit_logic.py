"""The audit rules as pure functions: lifecycle, team checks, revisions. No database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from itertools import product

import pytest

from server.audits.logic import (
    AuditFacts,
    Member,
    PersonFacts,
    check_editable,
    check_plan,
    check_revision,
    check_team,
    check_transition,
    is_conflicted,
    override_scope,
)
from server.lib.errors import AppError, ErrorCode
from server.lib.principal import Principal, Role

STATUSES = ("planned", "prepared", "in_progress", "reported", "signed", "closed", "cancelled")
ALLOWED = {
    ("planned", "prepared"),
    ("planned", "cancelled"),
    ("prepared", "planned"),
    ("prepared", "in_progress"),
    ("prepared", "cancelled"),
    ("in_progress", "reported"),
    ("in_progress", "cancelled"),
    ("reported", "in_progress"),
    ("signed", "closed"),
}
TEAM = (Member("p-lead", "lead"), Member("p-aud", "auditor"))


def who(*roles: Role, person: str | None = "p-x") -> Principal:
    return Principal(user_id="u", username="u", roles=frozenset(roles), person_id=person)


LEAD = who(Role.AUDIT_LEAD)


def ready(status: str = "planned", **changes: object) -> AuditFacts:
    """An audit that meets every condition for being prepared."""
    facts = AuditFacts(
        status=status,
        standards=("iso9001",),
        process_id="proc",
        unit_ids=("unit-a",),
        criteria=("Manuel QSE",),
        planned_start=date(2030, 3, 2),
        planned_end=date(2030, 3, 3),
        team=TEAM,
    )
    return replace(facts, **changes)  # type: ignore[arg-type]


def condition(error: pytest.ExceptionInfo[AppError]) -> str:
    assert error.value.code is ErrorCode.AUDIT_ILLEGAL_TRANSITION
    return str(error.value.details["condition"])


# ---------------------------------------------------------------- check_transition


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_each_allowed_transition_is_accepted_for_the_audit_lead(current: str, target: str) -> None:
    check_transition(ready(current), target, LEAD, cancel_reason="Reporté")


@pytest.mark.parametrize(
    ("current", "target"),
    [pair for pair in product(STATUSES, STATUSES) if pair not in ALLOWED and pair != ("reported", "signed")],
)
def test_every_other_transition_is_refused(current: str, target: str) -> None:
    with pytest.raises(AppError) as refused:
        check_transition(ready(current), target, LEAD, cancel_reason="Reporté")
    assert condition(refused) == "this change of status is not allowed"
    assert refused.value.details["current"] == current and refused.value.details["target"] == target


def test_an_audit_is_signed_only_by_signing_its_report() -> None:
    with pytest.raises(AppError) as refused:
        check_transition(ready("reported"), "signed", LEAD)
    assert condition(refused) == "an audit is signed by signing its report"


def test_an_admin_moves_audits_like_the_audit_lead() -> None:
    check_transition(ready(), "prepared", who(Role.ADMIN, person=None))


@pytest.mark.parametrize(("current", "target"), [("prepared", "in_progress"), ("in_progress", "reported")])
def test_the_audits_team_lead_starts_and_reports_it(current: str, target: str) -> None:
    check_transition(ready(current), target, who(Role.AUDITOR, person="p-lead"))


@pytest.mark.parametrize(
    ("current", "target"),
    [("planned", "prepared"), ("prepared", "planned"), ("prepared", "cancelled"), ("signed", "closed")],
)
def test_the_team_lead_may_not_prepare_replan_cancel_or_close(current: str, target: str) -> None:
    with pytest.raises(AppError) as refused:
        check_transition(ready(current), target, who(Role.AUDITOR, person="p-lead"), cancel_reason="x")
    assert refused.value.code is ErrorCode.FORBIDDEN


@pytest.mark.parametrize(
    "principal",
    [
        who(Role.AUDITOR, person="p-aud"),
        who(Role.AUDITOR, person="p-other"),
        who(Role.MANAGER),
        who(Role.AUDITEE),
    ],
)
def test_nobody_else_moves_an_audit(principal: Principal) -> None:
    for current, target in (
        ("prepared", "in_progress"),
        ("in_progress", "reported"),
        ("planned", "prepared"),
    ):
        with pytest.raises(AppError) as refused:
            check_transition(ready(current), target, principal)
        assert refused.value.code is ErrorCode.FORBIDDEN


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"process_id": None, "unit_ids": ()}, "the scope is missing: choose a process or audited units"),
        ({"criteria": ()}, "no audit criteria are named"),
        ({"team": ()}, "the team needs exactly one lead auditor"),
        ({"team": (Member("p-aud", "auditor"),)}, "the team needs exactly one lead auditor"),
        ({"team": (*TEAM, Member("p-2", "lead"))}, "the team needs exactly one lead auditor"),
        ({"planned_start": None}, "the planned dates are missing"),
        ({"planned_end": None}, "the planned dates are missing"),
        ({"planned_end": date(2030, 3, 1)}, "the audit ends before it starts"),
    ],
)
def test_each_condition_for_preparing_is_named_when_it_fails(
    changes: dict[str, object], expected: str
) -> None:
    with pytest.raises(AppError) as refused:
        check_transition(ready("planned", **changes), "prepared", LEAD)
    assert condition(refused) == expected


def test_a_process_alone_or_units_alone_are_scope_enough() -> None:
    check_transition(ready(unit_ids=()), "prepared", LEAD)
    check_transition(ready(process_id=None), "prepared", LEAD)


@pytest.mark.parametrize("reason", ["", "   "])
def test_cancelling_needs_a_written_reason(reason: str) -> None:
    with pytest.raises(AppError) as refused:
        check_transition(ready("in_progress"), "cancelled", LEAD, cancel_reason=reason)
    assert condition(refused) == "a reason is required to cancel an audit"


# ---------------------------------------------------------------- is_conflicted

PARENTS: dict[str, str | None] = {
    "dgs": None,
    "daf": "dgs",
    "daf-dbc": "daf",
    "dp": "dgs",
    "dp-dgp": "dp",
    "dei": "dgs",
}


def test_a_person_of_an_audited_unit_or_of_a_unit_above_it_is_conflicted() -> None:
    assert is_conflicted("daf-dbc", ["daf-dbc"], PARENTS)
    assert is_conflicted("daf", ["daf-dbc"], PARENTS)
    assert is_conflicted("dgs", ["daf-dbc"], PARENTS)
    assert is_conflicted("dp-dgp", ["daf-dbc", "dp-dgp"], PARENTS)


def test_a_person_below_or_beside_the_audited_units_is_not_conflicted() -> None:
    assert not is_conflicted("daf-dbc", ["daf"], PARENTS)
    assert not is_conflicted("dp-dgp", ["daf-dbc"], PARENTS)
    assert not is_conflicted("dp", [], PARENTS)


# ---------------------------------------------------------------- check_team

PEOPLE = {
    "p-lead": PersonFacts(unit_id="dp", standards=frozenset({"iso9001"}), lead_auditor=True),
    "p-aud": PersonFacts(unit_id="dp-dgp", standards=frozenset({"iso9001", "iso45001"}), lead_auditor=False),
    "p-env": PersonFacts(unit_id="dp-dgp", standards=frozenset({"iso14001"}), lead_auditor=True),
    "p-insider": PersonFacts(unit_id="daf-dbc", standards=frozenset({"iso9001"}), lead_auditor=False),
}
AUDITED = ["daf-dbc"]


def team_check(
    members: list[Member], audited: list[str] = AUDITED, standards: tuple[str, ...] = ("iso9001",)
) -> None:
    check_team(members, PEOPLE, audited_units=audited, parent_of=PARENTS, standards=standards)


def test_a_qualified_impartial_team_with_one_lead_auditor_passes() -> None:
    team_check([Member("p-lead", "lead"), Member("p-aud", "auditor")])


@pytest.mark.parametrize(
    "members",
    [
        [Member("p-aud", "auditor")],
        [Member("p-lead", "lead"), Member("p-env", "lead")],
    ],
)
def test_a_team_needs_exactly_one_lead(members: list[Member]) -> None:
    with pytest.raises(AppError) as refused:
        team_check(members, standards=("iso9001", "iso14001"))
    assert refused.value.code is ErrorCode.VALIDATION_FAILED
    assert refused.value.details == [{"field": "members", "message": "exactly one lead"}]


def test_a_person_appears_once_in_a_team() -> None:
    with pytest.raises(AppError) as refused:
        team_check([Member("p-lead", "lead"), Member("p-aud", "auditor"), Member("p-aud", "auditor")])
    assert refused.value.details == [{"field": "members", "message": "a person appears twice"}]


def test_an_unknown_person_is_refused_naming_the_member() -> None:
    with pytest.raises(AppError) as refused:
        team_check([Member("p-lead", "lead"), Member("p-ghost", "auditor")])
    assert refused.value.code is ErrorCode.UNKNOWN_REFERENCE
    assert refused.value.details == {"field": "members[1].personId"}


def test_a_member_not_qualified_for_any_standard_in_scope_is_refused() -> None:
    with pytest.raises(AppError) as refused:
        team_check([Member("p-lead", "lead"), Member("p-env", "auditor")])
    assert refused.value.code is ErrorCode.AUDIT_AUDITOR_NOT_QUALIFIED
    assert refused.value.details["personId"] == "p-env"
    team_check([Member("p-lead", "lead"), Member("p-env", "auditor")], standards=("iso9001", "iso14001"))


def test_the_lead_must_be_a_lead_auditor() -> None:
    with pytest.raises(AppError) as refused:
        team_check([Member("p-aud", "lead")])
    assert refused.value.code is ErrorCode.AUDIT_AUDITOR_NOT_QUALIFIED
    assert refused.value.details == {"personId": "p-aud", "field": "members[0].personId", "role": "lead"}


@pytest.mark.parametrize("reason", ["", "  \n "])
def test_a_conflicted_member_without_a_written_reason_is_refused(reason: str) -> None:
    insider = Member("p-insider", "auditor", reason, override_scope(AUDITED))
    with pytest.raises(AppError) as refused:
        team_check([Member("p-lead", "lead"), insider])
    assert refused.value.code is ErrorCode.AUDIT_NOT_IMPARTIAL
    assert refused.value.details == {"personId": "p-insider", "field": "members[1]"}


def test_a_conflicted_member_with_a_reason_for_this_scope_is_accepted() -> None:
    insider = Member("p-insider", "auditor", "Seul auditeur disponible", override_scope(["dei", *AUDITED]))
    team_check([Member("p-lead", "lead"), insider], audited=[*AUDITED, "dei", "daf-dbc"])


def test_an_override_written_for_another_scope_no_longer_counts() -> None:
    insider = Member("p-insider", "auditor", "Seul auditeur disponible", override_scope(AUDITED))
    with pytest.raises(AppError) as refused:
        team_check([Member("p-lead", "lead"), insider], audited=[*AUDITED, "dei"])
    assert refused.value.code is ErrorCode.AUDIT_NOT_IMPARTIAL
    assert refused.value.details["personId"] == "p-insider"
    assert refused.value.details["overrideScope"] == ["daf-dbc"]
    assert refused.value.details["scope"] == ["daf-dbc", "dei"]


def test_an_override_without_a_recorded_scope_does_not_count() -> None:
    legacy = Member("p-insider", "auditor", "Écrit avant que la portée soit enregistrée")
    with pytest.raises(AppError) as refused:
        team_check([Member("p-lead", "lead"), legacy])
    assert refused.value.code is ErrorCode.AUDIT_NOT_IMPARTIAL


def test_the_override_scope_is_the_audited_units_sorted_once_each() -> None:
    assert override_scope(["u2", "u1", "u2"]) == ("u1", "u2")


# ---------------------------------------------------------------- plan and revisions


def test_only_planned_and_prepared_audits_are_editable() -> None:
    for status in STATUSES:
        if status in ("planned", "prepared"):
            check_editable(status)
            continue
        with pytest.raises(AppError) as refused:
            check_editable(status)
        assert refused.value.code is ErrorCode.AUDIT_NOT_EDITABLE


def test_a_plan_ending_before_it_starts_is_refused() -> None:
    check_plan(date(2030, 1, 2), date(2030, 1, 2))
    with pytest.raises(AppError) as refused:
        check_plan(date(2030, 1, 2), date(2030, 1, 1))
    assert refused.value.code is ErrorCode.INVALID_PERIOD


def test_a_write_without_a_revision_is_428_and_on_an_old_one_412() -> None:
    check_revision((3,), 3, "planned")
    check_revision((3, 3), 3, "planned")
    with pytest.raises(AppError) as missing:
        check_revision((), 3, "planned")
    assert missing.value.code is ErrorCode.PRECONDITION_REQUIRED and missing.value.status == 428
    for stated in ((2,), (3, 2), (2, 3)):
        with pytest.raises(AppError) as stale:
            check_revision(stated, 3, "prepared")
        assert stale.value.code is ErrorCode.PRECONDITION_FAILED and stale.value.status == 412
        assert stale.value.details == {"currentRev": 3, "status": "prepared"}

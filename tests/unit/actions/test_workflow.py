"""Every step of a nonconformity's follow-up and every rule that can refuse it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from server.actions.model import (
    Action,
    ActionStatus,
    ActionType,
    Actor,
    CauseMethod,
    DuePolicy,
    NcStatus,
    Nonconformity,
    RootCause,
    Severity,
    Verdict,
)
from server.actions.workflow import (
    TRANSITIONS,
    RefusalError,
    ask_verification,
    due_dates,
    overdue,
    plan_actions,
    record_analysis,
    reject,
    start_actions,
    start_analysis,
    submit_analysis,
    update_action,
    verify,
)

OPENED = date(2026, 3, 2)
TODAY = date(2026, 4, 1)
UNIT, OTHER_UNIT = "unit-roads", "unit-culture"
AUDITEE = Actor("p-auditee", frozenset({"auditee"}), frozenset({UNIT, "unit-roads-maintenance"}))
OWNER = Actor("p-owner", frozenset({"auditee"}), frozenset({"unit-roads-maintenance"}))
STRANGER = Actor("p-stranger", frozenset({"auditee"}), frozenset({OTHER_UNIT}))
AUDITOR = Actor("p-auditor", frozenset({"auditor"}), frozenset({OTHER_UNIT}))
AUDITOR_OF_UNIT = Actor("p-insider", frozenset({"auditor"}), frozenset({UNIT}))
LEAD = Actor("p-lead", frozenset({"audit_lead"}), frozenset({"unit-audit"}))
MANAGER = Actor("p-manager", frozenset({"manager"}), frozenset({"unit-dg"}))
CAUSE = RootCause(
    CauseMethod.FIVE_WHYS,
    "No check of the supplier's certificates at reception",
    whys=("Expired certificate accepted", "Nobody checked it", "Reception has no checklist"),
)


def record(severity: Severity = Severity.MAJOR, **changes: object) -> Nonconformity:
    plan_due, close_due = due_dates(DuePolicy(), severity, OPENED)
    nc = Nonconformity("nc-1", "a-1", "f-1", severity, UNIT, ("iso9001:8.4.2",), OPENED, plan_due, close_due)
    return replace(nc, **changes)  # type: ignore[arg-type]


def action(id: str = "act-1", type: ActionType = ActionType.CORRECTIVE, **changes: object) -> Action:
    base = Action(
        id,
        type,
        "Add a certificate check to the reception checklist",
        OWNER.person_id or "",
        date(2026, 4, 30),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def refused(code: str) -> Any:
    return pytest.raises(RefusalError, match=f"^{code}$")


def planned(severity: Severity = Severity.MAJOR) -> Nonconformity:
    nc = record_analysis(start_analysis(record(severity), AUDITEE), AUDITEE, "Certificate replaced", CAUSE)
    return plan_actions(
        submit_analysis(nc, AUDITEE), AUDITEE, (action(), action("act-2", ActionType.CORRECTION))
    )


def in_verification() -> Nonconformity:
    nc = start_actions(planned(), AUDITEE)
    nc = update_action(nc, OWNER, "act-1", ActionStatus.DONE, ("sha-checklist",))
    nc = update_action(nc, AUDITEE, "act-2", ActionStatus.DONE, ("sha-certificate",))
    return ask_verification(nc, AUDITEE)


# ---------------------------------------------------------------- due dates


def test_due_dates_follow_the_severity_policy() -> None:
    assert due_dates(DuePolicy(), Severity.MAJOR, OPENED) == (date(2026, 3, 17), date(2026, 5, 31))
    assert due_dates(DuePolicy(), Severity.MINOR, OPENED) == (date(2026, 4, 1), date(2026, 8, 29))
    policy = DuePolicy(plan_days={**DuePolicy().plan_days, Severity.MAJOR: 7})
    assert due_dates(policy, Severity.MAJOR, OPENED)[0] == date(2026, 3, 9)


# ---------------------------------------------------------------- the whole way, every transition


def test_the_whole_way_from_open_to_closed() -> None:
    nc = record()
    steps = [nc.status]
    nc = start_analysis(nc, AUDITEE)
    steps.append(nc.status)
    nc = record_analysis(nc, AUDITEE, "  Certificate replaced  ", CAUSE)
    assert (nc.status, nc.correction, nc.root_cause) == (NcStatus.ANALYSIS, "Certificate replaced", CAUSE)
    nc = submit_analysis(nc, AUDITEE)
    steps.append(nc.status)
    nc = plan_actions(nc, AUDITEE, (action(), action("act-2", ActionType.CORRECTION)))
    nc = start_actions(nc, AUDITEE)
    steps.append(nc.status)
    nc = update_action(nc, OWNER, "act-1", ActionStatus.IN_PROGRESS)
    nc = update_action(nc, OWNER, "act-1", ActionStatus.DONE, ("sha-checklist",), "Checklist in use")
    nc = update_action(nc, AUDITEE, "act-2", ActionStatus.CANCELLED, note="Replaced by act-1")
    nc = ask_verification(nc, AUDITEE)
    steps.append(nc.status)
    nc = verify(nc, AUDITOR, Verdict.EFFECTIVE, TODAY, "Three receptions checked", ("sha-sample",))
    steps.append(nc.status)
    assert steps == ["open", "analysis", "action_plan", "in_progress", "verification", "closed"]
    assert [(v.verdict, v.verifier_id, v.evidence) for v in nc.verifications] == [
        (Verdict.EFFECTIVE, "p-auditor", ("sha-sample",))
    ]
    assert {a.id: (a.status, a.evidence) for a in nc.actions} == {
        "act-1": (ActionStatus.DONE, ("sha-checklist",)),
        "act-2": (ActionStatus.CANCELLED, ()),
    }


def test_an_ineffective_verdict_sends_the_record_back_to_the_action_plan() -> None:
    nc = verify(in_verification(), AUDITOR, Verdict.INEFFECTIVE, TODAY, "The old form is still used")
    assert nc.status is NcStatus.ACTION_PLAN
    assert nc.verifications[-1].comment == "The old form is still used"
    # a new action, then the way again; the finished ones stay on record
    nc = plan_actions(nc, AUDITEE, (*nc.actions, action("act-3", ActionType.PREVENTIVE)))
    assert [a.status for a in nc.actions] == [ActionStatus.DONE, ActionStatus.DONE, ActionStatus.PLANNED]
    nc = start_actions(nc, AUDITEE)
    nc = ask_verification(update_action(nc, OWNER, "act-3", ActionStatus.DONE, ("sha-training",)), AUDITEE)
    nc = verify(nc, LEAD, Verdict.EFFECTIVE, TODAY, "", ("sha-visit",))
    assert nc.status is NcStatus.CLOSED
    assert [v.verdict for v in nc.verifications] == [Verdict.INEFFECTIVE, Verdict.EFFECTIVE]


@pytest.mark.parametrize("status", [s for s, nexts in TRANSITIONS.items() if NcStatus.REJECTED in nexts])
def test_the_lead_rejects_a_record_at_any_open_step_with_a_reason(status: NcStatus) -> None:
    nc = reject(record(status=status), LEAD, "  Raised twice: see NC-2026-004 ")
    assert (nc.status, nc.rejected_reason) == (NcStatus.REJECTED, "Raised twice: see NC-2026-004")


def test_every_transition_of_the_table_is_taken_by_a_step() -> None:
    taken = {
        (NcStatus.OPEN, NcStatus.ANALYSIS),
        (NcStatus.ANALYSIS, NcStatus.ACTION_PLAN),
        (NcStatus.ACTION_PLAN, NcStatus.IN_PROGRESS),
        (NcStatus.IN_PROGRESS, NcStatus.VERIFICATION),
        (NcStatus.VERIFICATION, NcStatus.CLOSED),
        (NcStatus.VERIFICATION, NcStatus.ACTION_PLAN),
        *((s, NcStatus.REJECTED) for s in TRANSITIONS if s not in (NcStatus.CLOSED, NcStatus.REJECTED)),
    }
    assert {(a, b) for a, nexts in TRANSITIONS.items() for b in nexts} == taken


# ---------------------------------------------------------------- refusals: who


def test_an_auditee_of_another_unit_cannot_act_on_the_record() -> None:
    with refused("actions.other_unit") as caught:
        start_analysis(record(), STRANGER)
    assert caught.value.forbidden
    nc = start_analysis(record(), AUDITEE)
    steps: list[Callable[[], object]] = [
        lambda: record_analysis(nc, STRANGER, "x", CAUSE),
        lambda: submit_analysis(record_analysis(nc, AUDITEE, "x", CAUSE), STRANGER),
        lambda: plan_actions(
            submit_analysis(record_analysis(nc, AUDITEE, "x", CAUSE), AUDITEE), STRANGER, ()
        ),
        lambda: start_actions(planned(), STRANGER),
        lambda: update_action(
            start_actions(planned(), AUDITEE), STRANGER, "act-1", ActionStatus.DONE, ("s",)
        ),
        lambda: ask_verification(start_actions(planned(), AUDITEE), STRANGER),
    ]
    for step in steps:
        with refused("actions.other_unit"):
            step()


def test_a_manager_neither_answers_nor_verifies_nor_rejects() -> None:
    with refused("actions.other_unit"):
        start_analysis(record(), MANAGER)
    with refused("actions.not_verifier"):
        verify(in_verification(), MANAGER, Verdict.EFFECTIVE, TODAY, "", ("s",))
    with refused("actions.not_lead"):
        reject(record(), MANAGER, "no")


def test_the_audit_lead_may_answer_for_any_unit() -> None:
    assert start_analysis(record(), LEAD).status is NcStatus.ANALYSIS


def test_an_action_owner_updates_their_own_action_only() -> None:
    nc = start_actions(planned(), AUDITEE)
    other = replace(nc, actions=(action(owner_id="p-someone-else"),))
    with refused("actions.other_unit"):
        update_action(other, OWNER, "act-1", ActionStatus.IN_PROGRESS)  # neither its owner nor of its unit
    assert (
        update_action(nc, OWNER, "act-1", ActionStatus.IN_PROGRESS).actions[0].status
        is ActionStatus.IN_PROGRESS
    )


def test_the_auditee_cannot_verify_and_no_auditor_verifies_their_own_unit() -> None:
    with refused("actions.not_verifier"):
        verify(in_verification(), AUDITEE, Verdict.EFFECTIVE, TODAY, "", ("s",))
    with refused("actions.not_impartial") as caught:
        verify(in_verification(), AUDITOR_OF_UNIT, Verdict.EFFECTIVE, TODAY, "", ("s",))
    assert caught.value.forbidden


def test_only_the_lead_rejects() -> None:
    with refused("actions.not_lead"):
        reject(record(), AUDITOR, "duplicate")
    with refused("actions.not_lead"):
        reject(record(), AUDITEE, "not ours")


# ---------------------------------------------------------------- refusals: what the record needs


def test_a_step_out_of_order_is_refused_with_the_status_it_needs() -> None:
    with refused("actions.wrong_status") as caught:
        submit_analysis(record(), AUDITEE)
    assert caught.value.params == {"status": "open", "expected": ["analysis"]}
    with refused("actions.wrong_status"):
        start_analysis(start_analysis(record(), AUDITEE), AUDITEE)
    with refused("actions.wrong_status"):
        verify(start_actions(planned(), AUDITEE), AUDITOR, Verdict.EFFECTIVE, TODAY, "", ("s",))
    with refused("actions.wrong_status"):
        update_action(planned(), AUDITEE, "act-1", ActionStatus.DONE, ("s",))
    closed = verify(in_verification(), AUDITOR, Verdict.EFFECTIVE, TODAY, "", ("s",))
    after_closing: list[Callable[[], object]] = [
        lambda: reject(closed, LEAD, "x"),
        lambda: start_analysis(closed, LEAD),
    ]
    for step in after_closing:
        with refused("actions.wrong_status"):
            step()
    with refused("actions.wrong_status"):
        reject(reject(record(), LEAD, "once"), LEAD, "twice")


def test_the_analysis_needs_a_correction_and_a_root_cause() -> None:
    nc = start_analysis(record(), AUDITEE)
    with refused("actions.correction_required"):
        submit_analysis(record_analysis(nc, AUDITEE, "   ", CAUSE), AUDITEE)
    with refused("actions.root_cause_required"):
        submit_analysis(record_analysis(nc, AUDITEE, "Replaced", None), AUDITEE)
    with refused("actions.root_cause_required"):
        record_analysis(nc, AUDITEE, "Replaced", replace(CAUSE, cause=" "))


@pytest.mark.parametrize(
    "whys", [(), ("why",) * 6, ("First", "  ", "Third")], ids=["none", "six", "an empty one"]
)
def test_five_whys_need_one_to_five_answers_none_empty(whys: tuple[str, ...]) -> None:
    with refused("actions.whys_invalid") as caught:
        record_analysis(start_analysis(record(), AUDITEE), AUDITEE, "x", replace(CAUSE, whys=whys))
    assert caught.value.params == {"most": 5}


def test_cause_categories_need_one_at_least() -> None:
    nc = start_analysis(record(), AUDITEE)
    cause = RootCause(CauseMethod.CATEGORIES, "Reception method not written", categories=("  ",))
    with refused("actions.categories_required"):
        record_analysis(nc, AUDITEE, "x", cause)
    ok = replace(cause, categories=("method", "people"))
    assert record_analysis(nc, AUDITEE, "x", ok).root_cause == ok


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"description": " "}, "description"), ({"owner_id": ""}, "owner"), ({"due": date(2026, 3, 1)}, "due")],
)
def test_each_action_needs_a_description_an_owner_and_a_due_date(changes: dict[str, Any], field: str) -> None:
    nc = submit_analysis(record_analysis(start_analysis(record(), AUDITEE), AUDITEE, "x", CAUSE), AUDITEE)
    with refused("actions.action_invalid") as caught:
        plan_actions(nc, AUDITEE, (action(**changes),))
    assert caught.value.params == {"action": "act-1", "field": field}
    with refused("actions.action_invalid"):
        plan_actions(nc, AUDITEE, (action(), action()))  # one id twice


def test_the_plan_needs_an_action_and_a_major_nonconformity_a_corrective_one() -> None:
    nc = submit_analysis(record_analysis(start_analysis(record(), AUDITEE), AUDITEE, "x", CAUSE), AUDITEE)
    with refused("actions.no_action"):
        start_actions(nc, AUDITEE)
    corrections_only = plan_actions(nc, AUDITEE, (action(type=ActionType.CORRECTION),))
    with refused("actions.corrective_required"):
        start_actions(corrections_only, AUDITEE)
    minor = replace(corrections_only, severity=Severity.MINOR)
    assert start_actions(minor, AUDITEE).status is NcStatus.IN_PROGRESS


def test_a_started_action_stays_on_record_when_the_plan_is_redrawn() -> None:
    nc = update_action(start_actions(planned(), AUDITEE), OWNER, "act-1", ActionStatus.IN_PROGRESS)
    with refused("actions.action_kept") as caught:
        plan_actions(nc, AUDITEE, (action("act-2", ActionType.CORRECTION),))
    assert caught.value.params == {"action": "act-1"}
    redrawn = plan_actions(
        nc, AUDITEE, (action(description="Reworded"), action("act-2", ActionType.CORRECTION))
    )
    assert (redrawn.actions[0].description, redrawn.actions[0].status) == (
        "Reworded",
        ActionStatus.IN_PROGRESS,
    )


def test_done_needs_evidence_and_cancelled_a_reason() -> None:
    nc = start_actions(planned(), AUDITEE)
    with refused("actions.evidence_required"):
        update_action(nc, OWNER, "act-1", ActionStatus.DONE)
    with refused("actions.reason_required"):
        update_action(nc, OWNER, "act-1", ActionStatus.CANCELLED, note="  ")
    with refused("actions.unknown_action"):
        update_action(nc, AUDITEE, "act-9", ActionStatus.DONE, ("s",))
    with refused("actions.other_unit"):  # an owner outside the unit reaches only their own actions
        update_action(nc, OWNER, "act-9", ActionStatus.DONE, ("s",))


def test_verification_is_refused_while_an_action_is_open() -> None:
    nc = update_action(start_actions(planned(), AUDITEE), OWNER, "act-1", ActionStatus.DONE, ("s",))
    with refused("actions.open_actions") as caught:
        ask_verification(nc, AUDITEE)
    assert caught.value.params == {"count": 1, "actions": ["act-2"]}
    all_cancelled = update_action(
        update_action(start_actions(planned(), AUDITEE), AUDITEE, "act-1", ActionStatus.CANCELLED, note="n"),
        AUDITEE,
        "act-2",
        ActionStatus.CANCELLED,
        note="n",
    )
    with refused("actions.no_action"):  # nothing was done at all
        ask_verification(all_cancelled, AUDITEE)


def test_closing_needs_evidence_and_an_ineffective_verdict_a_reason() -> None:
    with refused("actions.evidence_required"):
        verify(in_verification(), AUDITOR, Verdict.EFFECTIVE, TODAY, "Looks fine")
    with refused("actions.reason_required"):
        verify(in_verification(), AUDITOR, Verdict.INEFFECTIVE, TODAY, " ")


def test_rejecting_needs_a_reason() -> None:
    with refused("actions.reason_required"):
        reject(record(), LEAD, "   ")


# ---------------------------------------------------------------- what is late


def test_overdue_lists_late_plans_actions_and_closures_latest_first() -> None:
    late_plan = record(Severity.MAJOR)  # plan due 17 March
    running = replace(start_actions(planned(), AUDITEE), id="nc-2")  # act-1 and act-2 due 30 April
    running = update_action(running, AUDITEE, "act-2", ActionStatus.DONE, ("s",))
    closed = replace(verify(in_verification(), AUDITOR, Verdict.EFFECTIVE, TODAY, "", ("s",)), id="nc-3")
    rejected = replace(reject(record(), LEAD, "duplicate"), id="nc-4")
    on = date(2026, 6, 5)
    found = overdue([late_plan, running, closed, rejected], on)
    assert [(o.kind, o.nc_id, o.owner_id, o.days_late) for o in found] == [
        ("plan", "nc-1", None, 80),
        ("action", "nc-2", "p-owner", 36),
        ("closure", "nc-1", None, 5),
        ("closure", "nc-2", None, 5),
    ]
    assert overdue([late_plan], date(2026, 3, 17)) == []  # due today is not late

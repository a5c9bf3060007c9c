"""The rules of a nonconformity's follow-up: each step a pure function from a record to the next record,
or a ``RefusalError`` that names the rule (a stable code and its parameters; the service words it).

``open → analysis → action_plan → in_progress → verification → closed``, and ``rejected`` with a reason.

Who acts (the object half of the authorization policy, for these records):
- the auditee's unit answers: a person whose units include the record's unit (or the audit lead)
  starts the analysis, records the correction and root cause, plans and updates the actions and asks
  for verification; an action's owner may also update their own action;
- an auditor verifies, never one who answers for the audited unit (impartiality), or the audit lead;
- only the audit lead rejects a record (raised in error, a duplicate), with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

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
    Verification,
)

__all__ = [
    "LEAD",
    "TRANSITIONS",
    "Overdue",
    "RefusalError",
    "ask_verification",
    "due_dates",
    "overdue",
    "plan_actions",
    "record_analysis",
    "reject",
    "start_actions",
    "start_analysis",
    "submit_analysis",
    "update_action",
    "verify",
]

LEAD, AUDITOR = "audit_lead", "auditor"
MAX_WHYS = 5
TRANSITIONS: dict[NcStatus, frozenset[NcStatus]] = {
    NcStatus.OPEN: frozenset({NcStatus.ANALYSIS, NcStatus.REJECTED}),
    NcStatus.ANALYSIS: frozenset({NcStatus.ACTION_PLAN, NcStatus.REJECTED}),
    NcStatus.ACTION_PLAN: frozenset({NcStatus.IN_PROGRESS, NcStatus.REJECTED}),
    NcStatus.IN_PROGRESS: frozenset({NcStatus.VERIFICATION, NcStatus.REJECTED}),
    NcStatus.VERIFICATION: frozenset({NcStatus.CLOSED, NcStatus.ACTION_PLAN, NcStatus.REJECTED}),
    NcStatus.CLOSED: frozenset(),
    NcStatus.REJECTED: frozenset(),
}
_FINISHED = frozenset({ActionStatus.DONE, ActionStatus.CANCELLED})


class RefusalError(Exception):
    """A step the rules refuse. ``forbidden``: the actor may not take it at all (403), else the record
    is not ready for it (409/422 by the service)."""

    def __init__(self, code: str, forbidden: bool = False, **params: Any) -> None:
        super().__init__(code)
        self.code, self.forbidden, self.params = code, forbidden, params


def due_dates(policy: DuePolicy, severity: Severity, opened_on: date) -> tuple[date, date]:
    """(plan due, closure due) of a record opened on ``opened_on``."""
    return (
        opened_on + timedelta(days=policy.plan_days[severity]),
        opened_on + timedelta(days=policy.close_days[severity]),
    )


# ---------------------------------------------------------------- who and when


def _is_lead(actor: Actor) -> bool:
    return LEAD in actor.roles


def _answers(nc: Nonconformity, actor: Actor) -> None:
    if not (_is_lead(actor) or nc.unit_id in actor.units):
        raise RefusalError("actions.other_unit", forbidden=True)


def _status(nc: Nonconformity, *allowed: NcStatus) -> None:
    if nc.status not in allowed:
        raise RefusalError(
            "actions.wrong_status", status=nc.status.value, expected=[s.value for s in allowed]
        )


def _moved(nc: Nonconformity, to: NcStatus, **changes: Any) -> Nonconformity:
    if to not in TRANSITIONS[nc.status]:  # the table and the steps below must agree
        raise RefusalError("actions.wrong_status", status=nc.status.value, expected=[to.value])
    return replace(nc, status=to, **changes)


# ---------------------------------------------------------------- the auditee's unit answers


def start_analysis(nc: Nonconformity, actor: Actor) -> Nonconformity:
    _answers(nc, actor)
    _status(nc, NcStatus.OPEN)
    return _moved(nc, NcStatus.ANALYSIS)


def _check_cause(cause: RootCause) -> None:
    if not cause.cause.strip():
        raise RefusalError("actions.root_cause_required")
    if cause.method is CauseMethod.FIVE_WHYS:
        whys = [w for w in cause.whys if w.strip()]
        if not whys or len(cause.whys) > MAX_WHYS or len(whys) != len(cause.whys):
            raise RefusalError("actions.whys_invalid", most=MAX_WHYS)
    elif not [c for c in cause.categories if c.strip()]:
        raise RefusalError("actions.categories_required")


def record_analysis(
    nc: Nonconformity, actor: Actor, correction: str, root_cause: RootCause | None
) -> Nonconformity:
    """The correction and the root cause, as far as known: saved while the analysis goes on."""
    _answers(nc, actor)
    _status(nc, NcStatus.ANALYSIS)
    if root_cause is not None:
        _check_cause(root_cause)
    return replace(nc, correction=correction.strip(), root_cause=root_cause)


def submit_analysis(nc: Nonconformity, actor: Actor) -> Nonconformity:
    """On to the action plan, once the correction and the root cause are both written."""
    _answers(nc, actor)
    _status(nc, NcStatus.ANALYSIS)
    if not nc.correction:
        raise RefusalError("actions.correction_required")
    if nc.root_cause is None:
        raise RefusalError("actions.root_cause_required")
    _check_cause(nc.root_cause)
    return _moved(nc, NcStatus.ACTION_PLAN)


def _check_action(nc: Nonconformity, action: Action) -> None:
    if not action.description.strip():
        raise RefusalError("actions.action_invalid", action=action.id, field="description")
    if not action.owner_id:
        raise RefusalError("actions.action_invalid", action=action.id, field="owner")
    if action.due < nc.opened_on:
        raise RefusalError("actions.action_invalid", action=action.id, field="due")


def plan_actions(nc: Nonconformity, actor: Actor, actions: tuple[Action, ...]) -> Nonconformity:
    """The action plan as a whole: while it is drawn up, and again (added actions) while it runs.
    An action already under way or finished keeps its status and evidence."""
    _answers(nc, actor)
    _status(nc, NcStatus.ACTION_PLAN, NcStatus.IN_PROGRESS)
    ids = [a.id for a in actions]
    if len(set(ids)) != len(ids):
        raise RefusalError("actions.action_invalid", action=ids[0], field="id")
    before = {a.id: a for a in nc.actions}
    dropped = [a.id for a in nc.actions if a.id not in set(ids) and a.status is not ActionStatus.PLANNED]
    if dropped:  # what was started or done stays on record: cancel it instead
        raise RefusalError("actions.action_kept", action=dropped[0])
    kept = []
    for action in actions:
        _check_action(nc, action)
        old = before.get(action.id)
        kept.append(
            action
            if old is None
            else replace(action, status=old.status, evidence=old.evidence, note=old.note)
        )
    return replace(nc, actions=tuple(kept))


def start_actions(nc: Nonconformity, actor: Actor) -> Nonconformity:
    """The plan is set: at least one action, and a corrective one for a major nonconformity."""
    _answers(nc, actor)
    _status(nc, NcStatus.ACTION_PLAN)
    live = [a for a in nc.actions if a.status is not ActionStatus.CANCELLED]
    if not live:
        raise RefusalError("actions.no_action")
    if nc.severity is Severity.MAJOR and not any(a.type is ActionType.CORRECTIVE for a in live):
        raise RefusalError("actions.corrective_required")
    return _moved(nc, NcStatus.IN_PROGRESS)


def update_action(
    nc: Nonconformity,
    actor: Actor,
    action_id: str,
    status: ActionStatus,
    evidence: tuple[str, ...] = (),
    note: str = "",
) -> Nonconformity:
    """An action's progress, by its owner or the unit: done needs evidence, cancelled a reason."""
    action = next((a for a in nc.actions if a.id == action_id), None)
    if action is None or action.owner_id != actor.person_id:
        _answers(nc, actor)
    if action is None:
        raise RefusalError("actions.unknown_action", action=action_id)
    _status(nc, NcStatus.IN_PROGRESS)
    if status is ActionStatus.DONE and not evidence:
        raise RefusalError("actions.evidence_required", action=action_id)
    if status is ActionStatus.CANCELLED and not note.strip():
        raise RefusalError("actions.reason_required")
    changed = replace(
        action, status=status, evidence=evidence or action.evidence, note=note.strip() or action.note
    )
    return replace(nc, actions=tuple(changed if a.id == action_id else a for a in nc.actions))


def ask_verification(nc: Nonconformity, actor: Actor) -> Nonconformity:
    """Ready for an auditor once every action is done (or cancelled with a reason), one at least done."""
    _answers(nc, actor)
    _status(nc, NcStatus.IN_PROGRESS)
    unfinished = [a.id for a in nc.actions if a.status not in _FINISHED]
    if unfinished:
        raise RefusalError("actions.open_actions", count=len(unfinished), actions=unfinished)
    if not any(a.status is ActionStatus.DONE for a in nc.actions):
        raise RefusalError("actions.no_action")
    return _moved(nc, NcStatus.VERIFICATION)


# ---------------------------------------------------------------- auditors verify, the lead rejects


def verify(
    nc: Nonconformity,
    actor: Actor,
    verdict: Verdict,
    on: date,
    comment: str,
    evidence: tuple[str, ...] = (),
) -> Nonconformity:
    """Effective (with evidence) closes the record; ineffective (saying why) sends it back to the plan."""
    if not (_is_lead(actor) or AUDITOR in actor.roles) or actor.person_id is None:
        raise RefusalError("actions.not_verifier", forbidden=True)
    if nc.unit_id in actor.units:
        raise RefusalError("actions.not_impartial", forbidden=True)
    _status(nc, NcStatus.VERIFICATION)
    if verdict is Verdict.EFFECTIVE and not evidence:
        raise RefusalError("actions.evidence_required")
    if verdict is Verdict.INEFFECTIVE and not comment.strip():
        raise RefusalError("actions.reason_required")
    check = Verification(verdict, actor.person_id, on, comment.strip(), evidence)
    to = NcStatus.CLOSED if verdict is Verdict.EFFECTIVE else NcStatus.ACTION_PLAN
    return _moved(nc, to, verifications=(*nc.verifications, check))


def reject(nc: Nonconformity, actor: Actor, reason: str) -> Nonconformity:
    if not _is_lead(actor):
        raise RefusalError("actions.not_lead", forbidden=True)
    _status(nc, *(s for s, nexts in TRANSITIONS.items() if NcStatus.REJECTED in nexts))
    if not reason.strip():
        raise RefusalError("actions.reason_required")
    return _moved(nc, NcStatus.REJECTED, rejected_reason=reason.strip())


# ---------------------------------------------------------------- what is late


@dataclass(frozen=True)
class Overdue:
    kind: str
    """``plan`` (no action plan yet), ``action`` (an action not finished) or ``closure``."""
    nc_id: str
    unit_id: str
    owner_id: str | None
    """The action's owner; None for the plan and the closure, which are the unit's."""
    due: date
    days_late: int
    action_id: str | None = None
    """The late action, for ``action``."""


_BEFORE_PLAN = frozenset({NcStatus.OPEN, NcStatus.ANALYSIS, NcStatus.ACTION_PLAN})
_FOLLOWED = frozenset(TRANSITIONS) - {NcStatus.CLOSED, NcStatus.REJECTED}


def overdue(records: list[Nonconformity], today: date) -> list[Overdue]:
    """Everything late on ``today``, latest first: plans, actions and closures past their due date."""
    late: list[Overdue] = []
    for nc in records:
        if nc.status not in _FOLLOWED:
            continue
        if nc.status in _BEFORE_PLAN and today > nc.plan_due:
            late.append(Overdue("plan", nc.id, nc.unit_id, None, nc.plan_due, (today - nc.plan_due).days))
        if nc.status is NcStatus.IN_PROGRESS:
            for a in nc.actions:
                if a.status not in _FINISHED and today > a.due:
                    late.append(
                        Overdue("action", nc.id, nc.unit_id, a.owner_id, a.due, (today - a.due).days, a.id)
                    )
        if today > nc.close_due:
            late.append(
                Overdue("closure", nc.id, nc.unit_id, None, nc.close_due, (today - nc.close_due).days)
            )
    return sorted(late, key=lambda o: (-o.days_late, o.nc_id, o.kind))

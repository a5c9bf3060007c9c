"""Audit lifecycle, team checks and revisions: pure rules over plain facts (who may read an audit is
decided in ``server.auth.policy``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from server.lib.errors import AppError, ErrorCode
from server.lib.i18n import N_
from server.lib.principal import Principal, Role
from server.org.logic import ancestors

__all__ = [
    "EDITABLE",
    "LOCKED",
    "OPEN_FOR_FINDINGS",
    "TRANSITIONS",
    "AuditFacts",
    "Member",
    "PersonFacts",
    "check_editable",
    "check_plan",
    "check_revision",
    "check_team",
    "check_transition",
    "is_conflicted",
    "override_scope",
]

TRANSITIONS: Final[Mapping[str, frozenset[str]]] = {
    "planned": frozenset({"prepared", "cancelled"}),
    "prepared": frozenset({"planned", "in_progress", "cancelled"}),
    "in_progress": frozenset({"reported", "cancelled"}),
    "reported": frozenset({"in_progress", "signed"}),
    "signed": frozenset({"closed"}),
    "closed": frozenset(),
    "cancelled": frozenset(),
}
# Status names appear inside messages; marked here so each language has its own word for them.
STATUS_LABELS: Final = {
    "planned": N_("planned"),
    "prepared": N_("prepared"),
    "in_progress": N_("in_progress"),
    "reported": N_("reported"),
    "signed": N_("signed"),
    "closed": N_("closed"),
    "cancelled": N_("cancelled"),
}
OPEN_FOR_FINDINGS: Final = frozenset({"prepared", "in_progress", "reported"})
"""Statuses in which findings may be recorded (the sync domain applies it to pushed ops)."""
LOCKED: Final = frozenset({"signed", "closed"})
"""Statuses after signing: changes are kept for the lead's review, never applied."""
EDITABLE: Final = frozenset({"planned", "prepared"})
"""Statuses in which the plan and the team may change."""


@dataclass(frozen=True)
class Member:
    person_id: str
    role: str
    override_reason: str = ""
    override_scope: tuple[str, ...] = ()
    """The audited units (``override_scope()`` of them) the reason was written for; it counts for
    no other scope."""


@dataclass(frozen=True)
class PersonFacts:
    unit_id: str
    standards: frozenset[str]
    lead_auditor: bool


@dataclass(frozen=True)
class AuditFacts:
    status: str
    standards: tuple[str, ...]
    process_id: str | None
    unit_ids: tuple[str, ...]
    criteria: tuple[str, ...]
    planned_start: date | None
    planned_end: date | None
    team: tuple[Member, ...]
    auditee_ids: tuple[str, ...] = ()


def _refuse(current: str, target: str, reason: str) -> AppError:
    return AppError(
        ErrorCode.AUDIT_ILLEGAL_TRANSITION,
        params={"current": current, "target": target, "reason": reason},
        details={"current": current, "target": target, "condition": reason},
    )


def check_transition(
    audit: AuditFacts, target: str, principal: Principal, *, cancel_reason: str = ""
) -> None:
    """Raise 409 ``audit.illegal_transition`` naming the condition that fails (403 for the role)."""
    current = audit.status
    is_programme_lead = principal.has_any(Role.AUDIT_LEAD, Role.ADMIN)
    is_team_lead = any(m.role == "lead" and m.person_id == principal.person_id for m in audit.team)
    if target not in TRANSITIONS.get(current, frozenset()):
        raise _refuse(current, target, N_("this change of status is not allowed"))
    if target == "signed":
        raise _refuse(current, target, N_("an audit is signed by signing its report"))
    if target in ("prepared", "planned", "cancelled", "closed") and not is_programme_lead:
        raise AppError(ErrorCode.FORBIDDEN)
    if target in ("in_progress", "reported") and not (is_programme_lead or is_team_lead):
        raise AppError(ErrorCode.FORBIDDEN)
    if target == "prepared":
        if audit.process_id is None and not audit.unit_ids:
            raise _refuse(current, target, N_("the scope is missing: choose a process or audited units"))
        if not audit.criteria:
            raise _refuse(current, target, N_("no audit criteria are named"))
        if sum(1 for m in audit.team if m.role == "lead") != 1:
            raise _refuse(current, target, N_("the team needs exactly one lead auditor"))
        if audit.planned_start is None or audit.planned_end is None:
            raise _refuse(current, target, N_("the planned dates are missing"))
        if audit.planned_end < audit.planned_start:
            raise _refuse(current, target, N_("the audit ends before it starts"))
    if target == "cancelled" and not cancel_reason.strip():
        raise _refuse(current, target, N_("a reason is required to cancel an audit"))


def is_conflicted(
    person_unit: str, audited_units: Sequence[str], parent_of: Mapping[str, str | None]
) -> bool:
    """True when the person's unit is audited or above an audited unit (they would judge their own work)."""
    return any(person_unit == unit or person_unit in ancestors(unit, parent_of) for unit in audited_units)


def override_scope(audited_units: Sequence[str]) -> tuple[str, ...]:
    """The scope an impartiality override is written for: the audited units, sorted, each once."""
    return tuple(sorted(set(audited_units)))


def check_team(
    members: Sequence[Member],
    people: Mapping[str, PersonFacts],
    *,
    audited_units: Sequence[str],
    parent_of: Mapping[str, str | None],
    standards: Sequence[str],
) -> None:
    """Every member exists and is qualified for one of the audit's standards; the lead is a lead auditor;
    nobody audits their own unit unless the lead wrote down why for exactly this scope (the reason is
    kept and shown; a reason written for other audited units no longer counts)."""
    if sum(1 for m in members if m.role == "lead") != 1:
        raise AppError(
            ErrorCode.VALIDATION_FAILED, details=[{"field": "members", "message": "exactly one lead"}]
        )
    if len({m.person_id for m in members}) != len(members):
        raise AppError(
            ErrorCode.VALIDATION_FAILED,
            details=[{"field": "members", "message": "a person appears twice"}],
        )
    scope = override_scope(audited_units)
    for index, member in enumerate(members):
        field = f"members[{index}].personId"
        person = people.get(member.person_id)
        if person is None:
            raise AppError(ErrorCode.UNKNOWN_REFERENCE, params={"field": field}, details={"field": field})
        if not person.standards & set(standards):
            raise AppError(
                ErrorCode.AUDIT_AUDITOR_NOT_QUALIFIED,
                params={"standard": ", ".join(standards)},
                details={"personId": member.person_id, "field": field},
            )
        if member.role == "lead" and not person.lead_auditor:
            raise AppError(
                ErrorCode.AUDIT_AUDITOR_NOT_QUALIFIED,
                params={"standard": N_("leading an audit")},
                details={"personId": member.person_id, "field": field, "role": "lead"},
            )
        if not is_conflicted(person.unit_id, audited_units, parent_of):
            continue
        if not member.override_reason.strip():
            raise AppError(
                ErrorCode.AUDIT_NOT_IMPARTIAL,
                details={"personId": member.person_id, "field": f"members[{index}]"},
            )
        if override_scope(member.override_scope) != scope:
            raise AppError(
                ErrorCode.AUDIT_NOT_IMPARTIAL,
                details={
                    "personId": member.person_id,
                    "field": f"members[{index}]",
                    "overrideScope": list(member.override_scope),
                    "scope": list(scope),
                },
            )


def check_editable(status: str) -> None:
    """409 ``audit.not_editable`` once the audit has started: its plan and team are what was audited."""
    if status not in EDITABLE:
        raise AppError(ErrorCode.AUDIT_NOT_EDITABLE, details={"status": status})


def check_plan(planned_start: date | None, planned_end: date | None) -> None:
    """The rules of a plan that need no database: its period. (Its programme entry, if any, must exist:
    ``server/audits/service.py`` asks the programme domain.)"""
    if planned_start and planned_end and planned_end < planned_start:
        raise AppError(ErrorCode.INVALID_PERIOD, details={"field": "plannedEnd"})


def check_revision(stated: Sequence[int], current: int, status: str) -> None:
    """``stated`` are the revisions the client says it read (its ``If-Match``, its ``rev`` field: none,
    one or both). 428 when it stated none; 412 when the audit has moved on since (or the two differ: one
    of them is old). The details give the current revision and status, so the client knows what to
    reload. Called inside the write transaction; the store's compare-and-set closes the remaining race."""
    if not stated:
        raise AppError(ErrorCode.PRECONDITION_REQUIRED, details={"header": "If-Match", "field": "rev"})
    if any(rev != current for rev in stated):
        raise AppError(ErrorCode.PRECONDITION_FAILED, details={"currentRev": current, "status": status})

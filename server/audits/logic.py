"""Audit lifecycle, impartiality and visibility: pure rules over plain facts."""

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
    "OPEN_FOR_FINDINGS",
    "TRANSITIONS",
    "AuditFacts",
    "Member",
    "PersonFacts",
    "check_team",
    "check_transition",
    "is_conflicted",
    "may_see_audit",
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
LOCKED: Final = frozenset({"signed", "closed"})


@dataclass(frozen=True)
class Member:
    person_id: str
    role: str
    override_reason: str = ""


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


def check_team(
    members: Sequence[Member],
    people: Mapping[str, PersonFacts],
    *,
    audited_units: Sequence[str],
    parent_of: Mapping[str, str | None],
    standards: Sequence[str],
) -> None:
    """Every member exists and is qualified for one of the audit's standards; the lead is a lead auditor;
    nobody audits their own unit unless the lead wrote down why (the reason is kept and shown)."""
    if sum(1 for m in members if m.role == "lead") != 1:
        raise AppError(
            ErrorCode.VALIDATION_FAILED, details=[{"field": "members", "message": "exactly one lead"}]
        )
    if len({m.person_id for m in members}) != len(members):
        raise AppError(
            ErrorCode.VALIDATION_FAILED,
            details=[{"field": "members", "message": "a person appears twice"}],
        )
    for index, member in enumerate(members):
        person = people.get(member.person_id)
        if person is None:
            raise AppError(ErrorCode.UNKNOWN_REFERENCE, params={"field": f"members[{index}].personId"})
        if not person.standards & set(standards):
            raise AppError(
                ErrorCode.AUDIT_AUDITOR_NOT_QUALIFIED,
                params={"standard": ", ".join(standards)},
                details={"personId": member.person_id},
            )
        if member.role == "lead" and not person.lead_auditor:
            raise AppError(
                ErrorCode.AUDIT_AUDITOR_NOT_QUALIFIED,
                params={"standard": N_("leading an audit")},
                details={"personId": member.person_id, "role": "lead"},
            )
        if is_conflicted(person.unit_id, audited_units, parent_of) and not member.override_reason.strip():
            raise AppError(
                ErrorCode.AUDIT_NOT_IMPARTIAL,
                details={"personId": member.person_id, "field": f"members[{index}]"},
            )


def may_see_audit(
    principal: Principal, audit: AuditFacts, *, principal_unit: str | None, audited_units: Sequence[str]
) -> bool:
    if principal.has_any(Role.ADMIN, Role.AUDIT_LEAD, Role.MANAGER):
        return True
    if principal.person_id and any(m.person_id == principal.person_id for m in audit.team):
        return True
    if principal.has_any(Role.AUDITEE) and audit.status in ("reported", "signed", "closed"):
        return principal.person_id in audit.auditee_ids or (
            principal_unit is not None and principal_unit in audited_units
        )
    return False

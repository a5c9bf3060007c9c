"""The named authorization policies: every route declares exactly one, and this module is the only
place that says who may do what.

A policy has two halves. Its route half is a Litestar guard run before the request body is read: who
may call the route at all, by role (403 ``auth.forbidden`` otherwise). Its object half is a pure
predicate that the services call with the facts of the object at hand (an audit's team, its audited
units): an object the caller may not read answers 404 (its existence is not revealed), an object they
may read but not change answers 403.

``tests/integration/auth/test_route_policies.py`` walks every route × every role × an own and a
foreign object and compares the answers with its table; a route without a policy fails it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from server.lib.errors import AppError, ErrorCode
from server.lib.principal import Principal, Role

if TYPE_CHECKING:
    from litestar.connection import ASGIConnection
    from litestar.handlers.base import BaseRouteHandler

__all__ = [
    "ALL_POLICIES",
    "CAN_ADD_NC_EVIDENCE",
    "CAN_ADMIN_ACCOUNTS",
    "CAN_ANSWER_NC",
    "CAN_APPROVE_PROGRAMME",
    "CAN_EDIT_CHECKLISTS",
    "CAN_EDIT_ORG",
    "CAN_ISSUE_REPORT",
    "CAN_MANAGE_NCS",
    "CAN_PLAN",
    "CAN_READ_ATTACHMENT",
    "CAN_READ_AUDIT",
    "CAN_READ_DUE_POLICY",
    "CAN_READ_FINDINGS",
    "CAN_READ_FINDING_HISTORY",
    "CAN_READ_NCS",
    "CAN_READ_PROGRAMME",
    "CAN_READ_REPORTS",
    "CAN_READ_REVIEW",
    "CAN_READ_TRAIL",
    "CAN_REVIEW_LATE",
    "CAN_TRANSITION_AUDIT",
    "CAN_UPLOAD_ATTACHMENTS",
    "CAN_VERIFY_NC",
    "CAN_WRITE_FINDINGS",
    "PUBLIC",
    "SIGNED_IN",
    "AuditView",
    "Policy",
    "may_issue_report",
    "may_read_audit",
    "may_read_finding_history",
    "may_review_late",
    "may_write_findings",
    "policies_of",
    "require",
]

_EVERYONE = frozenset(Role)


@dataclass(frozen=True)
class Policy:
    """A named route guard. ``roles`` may call the route; ``public`` routes need no sign-in at all."""

    name: str
    roles: frozenset[Role]
    public: bool = False
    summary: str = ""

    def __call__(self, connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if self.public:
            return
        user = connection.scope.get("user")
        if not isinstance(user, Principal):
            raise AppError(ErrorCode.UNAUTHENTICATED, headers={"WWW-Authenticate": "Bearer"})
        if not user.has_any(*self.roles):
            raise AppError(ErrorCode.FORBIDDEN, details={"policy": self.name})


PUBLIC = Policy("public", _EVERYONE, public=True, summary="no sign-in (login, health, catalogs)")
SIGNED_IN = Policy("signed_in", _EVERYONE, summary="anyone signed in: own account, organisation, library")
CAN_ADMIN_ACCOUNTS = Policy("can_admin_accounts", frozenset({Role.ADMIN}), summary="accounts")
CAN_EDIT_ORG = Policy("can_edit_org", frozenset({Role.ADMIN, Role.AUDIT_LEAD}), summary="organisation")
CAN_EDIT_CHECKLISTS = Policy(
    "can_edit_checklists", frozenset({Role.ADMIN, Role.AUDIT_LEAD}), summary="checklist library"
)
CAN_READ_TRAIL = Policy("can_read_trail", frozenset({Role.ADMIN, Role.AUDIT_LEAD}), summary="audit trail")
CAN_PLAN = Policy("can_plan", frozenset({Role.ADMIN, Role.AUDIT_LEAD}), summary="plan and staff audits")
CAN_READ_AUDIT = Policy("can_read_audit", _EVERYONE, summary="audits the caller may see (may_read_audit)")
CAN_TRANSITION_AUDIT = Policy(
    "can_transition_audit",
    frozenset({Role.ADMIN, Role.AUDIT_LEAD, Role.AUDITOR}),
    summary="move an audit along its lifecycle (programme lead, or the audit's team lead)",
)
CAN_READ_FINDINGS = Policy(
    "can_read_findings", _EVERYONE, summary="findings, package, history of audits the caller may read"
)
CAN_WRITE_FINDINGS = Policy(
    "can_write_findings",
    frozenset({Role.AUDIT_LEAD, Role.AUDITOR}),
    summary="push findings to audits whose team includes the caller (or as the audit lead)",
)
CAN_UPLOAD_ATTACHMENTS = Policy(
    "can_upload_attachments",
    frozenset({Role.AUDIT_LEAD, Role.AUDITOR}),
    summary="upload or probe attachments: the roles that write findings",
)
CAN_READ_ATTACHMENT = Policy(
    "can_read_attachment", _EVERYONE, summary="an attachment of an audit the caller may read"
)
CAN_READ_FINDING_HISTORY = Policy(
    "can_read_finding_history",
    frozenset({Role.AUDIT_LEAD, Role.AUDITOR}),
    summary="every version of a finding: the audit's team and the audit lead",
)
CAN_REVIEW_LATE = Policy(
    "can_review_late",
    frozenset({Role.ADMIN, Role.AUDIT_LEAD, Role.AUDITOR}),
    summary="changes that arrived after signing (audit lead, admin, the audit's team)",
)
CAN_ISSUE_REPORT = Policy(
    "can_issue_report",
    frozenset({Role.AUDIT_LEAD, Role.AUDITOR}),
    summary="issue and sign an audit's report (the audit's lead auditor, or the audit lead)",
)
CAN_READ_PROGRAMME = Policy(
    "can_read_programme",
    frozenset({Role.ADMIN, Role.AUDIT_LEAD, Role.MANAGER}),
    summary="the annual audit programmes, their versions and exports",
)
CAN_APPROVE_PROGRAMME = Policy(
    "can_approve_programme", frozenset({Role.MANAGER}), summary="approve or return a submitted programme"
)
CAN_READ_REPORTS = Policy(
    "can_read_reports", _EVERYONE, summary="issued reports of audits the caller may see (may_read_audit)"
)
CAN_READ_NCS = Policy(
    "can_read_ncs",
    _EVERYONE,
    summary="nonconformity records the caller may see: their units' (auditee), their audits' and those "
    "to verify (auditor), all (audit lead, manager, admin)",
)
CAN_ANSWER_NC = Policy(
    "can_answer_nc",
    frozenset({Role.AUDIT_LEAD, Role.AUDITEE}),
    summary="answer a nonconformity of one's own unit: correction, root cause, actions, evidence",
)
CAN_VERIFY_NC = Policy(
    "can_verify_nc",
    frozenset({Role.AUDIT_LEAD, Role.AUDITOR}),
    summary="verify a nonconformity's actions (an auditor from another unit, or the audit lead)",
)
CAN_ADD_NC_EVIDENCE = Policy(
    "can_add_nc_evidence",
    frozenset({Role.AUDIT_LEAD, Role.AUDITOR, Role.AUDITEE}),
    summary="upload evidence for a nonconformity one answers, owns an action of, or verifies",
)
CAN_MANAGE_NCS = Policy(
    "can_manage_ncs",
    frozenset({Role.AUDIT_LEAD}),
    summary="promote an observation, reject a record, set the due policy (the audit lead)",
)
CAN_READ_DUE_POLICY = Policy(
    "can_read_due_policy", _EVERYONE, summary="the days allowed for plans and closures, by severity"
)
CAN_READ_REVIEW = Policy(
    "can_read_review",
    frozenset({Role.ADMIN, Role.AUDIT_LEAD, Role.MANAGER}),
    summary="the management-review pack (JSON, PDF, XLSX)",
)

ALL_POLICIES: tuple[Policy, ...] = (
    PUBLIC,
    SIGNED_IN,
    CAN_ADMIN_ACCOUNTS,
    CAN_EDIT_ORG,
    CAN_EDIT_CHECKLISTS,
    CAN_READ_TRAIL,
    CAN_PLAN,
    CAN_READ_AUDIT,
    CAN_TRANSITION_AUDIT,
    CAN_READ_FINDINGS,
    CAN_WRITE_FINDINGS,
    CAN_UPLOAD_ATTACHMENTS,
    CAN_READ_ATTACHMENT,
    CAN_READ_FINDING_HISTORY,
    CAN_REVIEW_LATE,
    CAN_ISSUE_REPORT,
    CAN_READ_REPORTS,
    CAN_READ_PROGRAMME,
    CAN_APPROVE_PROGRAMME,
    CAN_READ_NCS,
    CAN_ANSWER_NC,
    CAN_VERIFY_NC,
    CAN_ADD_NC_EVIDENCE,
    CAN_MANAGE_NCS,
    CAN_READ_DUE_POLICY,
    CAN_READ_REVIEW,
)


def policies_of(handler: BaseRouteHandler) -> list[Policy]:
    """The policies a route declares, on itself or on its controller (a well-formed route has one)."""
    guards: Iterable[Any] = [g for layer in handler.ownership_layers for g in (layer.guards or [])]
    return [guard for guard in guards if isinstance(guard, Policy)]


# ---------------------------------------------------------------- object half (pure)


@dataclass(frozen=True)
class AuditView:
    """What the object rules need to know about one audit."""

    status: str
    team: Sequence[str]
    """Person ids of the team (lead included)."""
    auditee_ids: Sequence[str]
    audited_units: Sequence[str]
    """The audited units and the unit owning the audited process."""


_AUDITEE_VISIBLE = frozenset({"reported", "signed", "closed"})


def may_read_audit(principal: Principal, audit: AuditView, principal_unit: str | None) -> bool:
    """One rule for an audit, its findings, package, history and attachments: the programme's
    managers see every audit; an auditor the audits of their teams; an auditee the audits of their
    unit (or naming them as auditee) once the report is out."""
    if principal.has_any(Role.ADMIN, Role.AUDIT_LEAD, Role.MANAGER):
        return True
    if principal.person_id is not None and principal.person_id in audit.team:
        return True
    if principal.has_any(Role.AUDITEE) and audit.status in _AUDITEE_VISIBLE:
        return principal.person_id in audit.auditee_ids or (
            principal_unit is not None and principal_unit in audit.audited_units
        )
    return False


def may_write_findings(principal: Principal, team: Sequence[str]) -> bool:
    """Findings of an audit are written by its team, or by the audit lead."""
    if principal.has_any(Role.AUDIT_LEAD):
        return True
    return principal.has_any(Role.AUDITOR) and principal.person_id is not None and principal.person_id in team


def may_review_late(principal: Principal, team: Sequence[str]) -> bool:
    """Late submissions are reviewed by the audit lead and admins, and seen by the audit's team."""
    if principal.has_any(Role.AUDIT_LEAD, Role.ADMIN):
        return True
    return principal.person_id is not None and principal.person_id in team


def may_read_finding_history(principal: Principal, team: Sequence[str]) -> bool:
    """Who changed a verdict, and when: the audit lead and the audit's own team."""
    if principal.has_any(Role.AUDIT_LEAD):
        return True
    return principal.person_id is not None and principal.person_id in team


def may_issue_report(principal: Principal, lead_person_id: str | None) -> bool:
    """A report is issued and signed by the audit's lead auditor, or by the audit lead (who runs the
    programme); other members of the team read it."""
    if principal.has_any(Role.AUDIT_LEAD):
        return True
    return (
        principal.has_any(Role.AUDITOR)
        and principal.person_id is not None
        and (principal.person_id == lead_person_id)
    )


def require(allowed: bool, policy: Policy) -> None:
    """403 naming the policy when an object rule says no (use 404 instead where existence is secret)."""
    if not allowed:
        raise AppError(ErrorCode.FORBIDDEN, details={"policy": policy.name})

"""Audit use cases that handlers and other domains call: who may see which audit, what it audits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from server.audits import store
from server.auth.policy import AuditView, may_read_audit
from server.lib.errors import AppError, ErrorCode
from server.org import people_store
from server.org import store as org_store

if TYPE_CHECKING:
    from server.audits.schemas import AuditOut
    from server.lib.principal import Principal

__all__ = ["audit_view", "audited_units", "list_visible_audits", "visible_audit"]


async def audited_units(audit: AuditOut) -> list[str]:
    """The audited units and the unit owning the audited process."""
    units = list(audit.unit_ids)
    if audit.process_id:
        units.append((await org_store.get_process(audit.process_id)).owner_unit_id)
    return units


def audit_view(audit: AuditOut, audited: list[str]) -> AuditView:
    return AuditView(
        status=audit.status,
        team=tuple(m.person_id for m in audit.team),
        auditee_ids=tuple(audit.auditee_ids),
        audited_units=tuple(audited),
    )


async def _principal_unit(principal: Principal) -> str | None:
    if principal.person_id is None:
        return None
    return (await people_store.person_units()).get(principal.person_id)


async def visible_audit(principal: Principal, audit_id: str) -> AuditOut:
    """The audit if the caller may read it (``may_read_audit``); 404 otherwise, so that its existence
    is not revealed."""
    audit = await store.get_audit(audit_id)
    view = audit_view(audit, await audited_units(audit))
    if not may_read_audit(principal, view, await _principal_unit(principal)):
        raise AppError(ErrorCode.NOT_FOUND, details={"entity": "audit", "id": audit_id})
    return audit


async def list_visible_audits(principal: Principal) -> list[AuditOut]:
    """Every audit the caller may read, in planned order."""
    owners = {p.id: p.owner_unit_id for p in await org_store.list_processes()}
    unit = await _principal_unit(principal)
    return [
        audit
        for audit in await store.list_audits()
        if may_read_audit(
            principal,
            audit_view(
                audit,
                [*audit.unit_ids, *([owners[audit.process_id]] if audit.process_id in owners else [])],
            ),
            unit,
        )
    ]

"""Audit planning API: the audit lead creates, plans and staffs audits; others see what their role allows."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post, put
from litestar.params import FromPath, JSONBody

from server.audits import store
from server.audits.logic import Member, PersonFacts, check_team, check_transition
from server.audits.schemas import AuditIn, AuditOut, TeamIn, TransitionIn
from server.audits.service import audited_units, list_visible_audits, visible_audit
from server.auth.guards import principal_of
from server.auth.policy import CAN_PLAN, CAN_READ_AUDIT, CAN_TRANSITION_AUDIT
from server.checklists import store as checklists_store
from server.checklists.library import load_library
from server.checklists.logic import checklist_version, snapshot_content
from server.lib.errors import AppError, ErrorCode
from server.org import people_store
from server.org import store as org_store

__all__ = ["CONTROLLERS", "AuditsController"]

Req = Request[Any, Any, Any]


class AuditsController(Controller):
    path = "/api/v1/audits"
    tags = ["audits"]

    @get("/", operation_id="listAudits", guards=[CAN_READ_AUDIT])
    async def list_audits(self, request: Req) -> list[AuditOut]:
        """Audits the caller may see: all for the audit lead, admins and management; an auditor's own
        audits; an auditee's units' audits once reported."""
        return await list_visible_audits(principal_of(request))

    @get("/{audit_id:uuid}", operation_id="getAudit", guards=[CAN_READ_AUDIT])
    async def get_audit(self, request: Req, audit_id: FromPath[UUID]) -> AuditOut:
        return await visible_audit(principal_of(request), str(audit_id))

    @post("/", operation_id="createAudit", guards=[CAN_PLAN])
    async def create_audit(self, request: Req, data: JSONBody[AuditIn]) -> AuditOut:
        """A new audit, ``planned``; staff it with PUT .../team and prepare it with a transition."""
        await _check_references(data)
        return await store.create_audit(principal_of(request), data)

    @put("/{audit_id:uuid}", operation_id="updateAudit", guards=[CAN_PLAN])
    async def update_audit(self, request: Req, audit_id: FromPath[UUID], data: JSONBody[AuditIn]) -> AuditOut:
        """Change the plan (scope, criteria, dates, agenda) while the audit is planned or prepared."""
        await _check_references(data)
        return await store.update_audit(principal_of(request), str(audit_id), data)

    @put("/{audit_id:uuid}/team", operation_id="setAuditTeam", guards=[CAN_PLAN])
    async def set_team(self, request: Req, audit_id: FromPath[UUID], data: JSONBody[TeamIn]) -> AuditOut:
        """One lead auditor and auditors, each qualified for a standard in scope. Someone from an audited
        unit (or a unit above it) is refused (409 ``audit.not_impartial``) unless ``overrideReason``
        says why."""
        audit = await store.get_audit(str(audit_id))
        members = [Member(m.person_id, m.role, m.override_reason) for m in data.members]
        people = {
            p.id: PersonFacts(
                unit_id=p.unit_id,
                standards=frozenset(q.standard for q in p.qualifications or []),
                lead_auditor=p.lead_auditor,
            )
            for p in await people_store.list_people(None)
        }
        check_team(
            members,
            people,
            audited_units=await audited_units(audit),
            parent_of=await org_store.unit_parents(),
            standards=audit.standards,
        )
        return await store.replace_team(principal_of(request), str(audit_id), members)

    @post(
        "/{audit_id:uuid}/transitions",
        operation_id="transitionAudit",
        status_code=200,
        guards=[CAN_TRANSITION_AUDIT],
    )
    async def transition(
        self, request: Req, audit_id: FromPath[UUID], data: JSONBody[TransitionIn]
    ) -> AuditOut:
        """Move the audit along ``planned → prepared → in_progress → reported → signed → closed`` (or
        ``cancelled``). Preparing pins the checklist version. A failed guard is 409 naming the condition."""
        principal = principal_of(request)
        audit = await visible_audit(principal, str(audit_id))
        check_transition(store.audit_facts(audit), data.to, principal, cancel_reason=data.reason)
        version = None
        if data.to == "prepared":
            library = load_library(request.app.state.settings.checklists_dir)[0]
            org_questions = await checklists_store.list_org_questions()
            version = checklist_version(library, org_questions)
            await checklists_store.pin_snapshot(version, snapshot_content(library, org_questions))
        return await store.set_status(
            principal,
            str(audit_id),
            data.to,
            expected=audit.status,
            checklist_version=version,
            cancel_reason=data.reason if data.to == "cancelled" else "",
        )


async def _check_references(data: AuditIn) -> None:
    if data.process_id:
        await org_store.get_process(data.process_id)
    units = set((await org_store.unit_parents()).keys())
    if any(u not in units for u in data.unit_ids):
        raise AppError(ErrorCode.UNKNOWN_REFERENCE, params={"field": "unitIds"}, details={"field": "unitIds"})
    sites = {s.id for s in await org_store.list_sites()}
    if any(s not in sites for s in data.site_ids):
        raise AppError(ErrorCode.UNKNOWN_REFERENCE, params={"field": "siteIds"}, details={"field": "siteIds"})
    if data.planned_start and data.planned_end and data.planned_end < data.planned_start:
        raise AppError(ErrorCode.INVALID_PERIOD, details={"field": "plannedEnd"})


CONTROLLERS: list[type[Controller]] = [AuditsController]

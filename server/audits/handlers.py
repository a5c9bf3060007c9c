"""Audit planning API: the audit lead creates, plans and staffs audits; others see what their role allows.

Every write to an existing audit names the ``rev`` it was decided on, as ``If-Match: "<rev>"`` or a
``rev`` field: without it the answer is 428, and 412 when the audit has moved on since.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post, put
from litestar.params import FromPath, JSONBody

from server.audits import service
from server.audits.schemas import AuditIn, AuditOut, AuditUpdateIn, TeamIn, TransitionIn
from server.auth.guards import principal_of
from server.auth.policy import CAN_PLAN, CAN_READ_AUDIT, CAN_TRANSITION_AUDIT
from server.lib.etag import REVISION_ETAG, IfMatch, expected_revision, revision_etag

__all__ = ["CONTROLLERS", "AuditsController"]

Req = Request[Any, Any, Any]


def _with_etag(audit: AuditOut, status_code: int = 200) -> Response[AuditOut]:
    return Response(content=audit, status_code=status_code, headers={"ETag": revision_etag(audit.rev)})


def _stated(if_match: str | None, body_rev: int | None) -> tuple[int, ...]:
    """The revisions the client says it read; two that differ are a 412 in the service, not a 400:
    each is well formed on its own."""
    header_rev = expected_revision(if_match, None)
    return tuple(rev for rev in (header_rev, body_rev) if rev is not None)


class AuditsController(Controller):
    path = "/api/v1/audits"
    tags = ["audits"]

    @get("/", operation_id="listAudits", guards=[CAN_READ_AUDIT])
    async def list_audits(self, request: Req) -> list[AuditOut]:
        """Audits the caller may see: all for the audit lead, admins and management; an auditor's own
        audits; an auditee's units' audits once reported."""
        return await service.list_visible_audits(principal_of(request))

    @get("/{audit_id:uuid}", operation_id="getAudit", guards=[CAN_READ_AUDIT], response_headers=REVISION_ETAG)
    async def get_audit(self, request: Req, audit_id: FromPath[UUID]) -> Response[AuditOut]:
        return _with_etag(await service.visible_audit(principal_of(request), str(audit_id)))

    @post("/", operation_id="createAudit", guards=[CAN_PLAN], response_headers=REVISION_ETAG)
    async def create_audit(self, request: Req, data: JSONBody[AuditIn]) -> Response[AuditOut]:
        """A new audit, ``planned``; staff it with PUT .../team and prepare it with a transition.
        Processes, units, sites and auditees must exist and not be archived (422/409 naming the field)."""
        return _with_etag(await service.create_audit(principal_of(request), data), status_code=201)

    @put("/{audit_id:uuid}", operation_id="updateAudit", guards=[CAN_PLAN], response_headers=REVISION_ETAG)
    async def update_audit(
        self, request: Req, audit_id: FromPath[UUID], data: JSONBody[AuditUpdateIn], if_match: IfMatch = None
    ) -> Response[AuditOut]:
        """Change the plan (scope, criteria, dates, agenda) while the audit is planned or prepared. The
        team is checked again against the new scope: an impartiality override written for another scope
        no longer counts (409 ``audit.not_impartial``; take the member off, change the plan, then write
        a reason for the new scope)."""
        rev = _stated(if_match, data.rev)
        return _with_etag(await service.update_plan(principal_of(request), str(audit_id), data, rev))

    @put(
        "/{audit_id:uuid}/team",
        operation_id="setAuditTeam",
        guards=[CAN_PLAN],
        response_headers=REVISION_ETAG,
    )
    async def set_team(
        self, request: Req, audit_id: FromPath[UUID], data: JSONBody[TeamIn], if_match: IfMatch = None
    ) -> Response[AuditOut]:
        """One lead auditor and auditors, each qualified for a standard in scope. Someone from an audited
        unit (or a unit above it) is refused (409 ``audit.not_impartial``) unless ``overrideReason``
        says why; the reason holds for the audit's current scope only."""
        rev = _stated(if_match, data.rev)
        return _with_etag(await service.set_team(principal_of(request), str(audit_id), data, rev))

    @post(
        "/{audit_id:uuid}/transitions",
        operation_id="transitionAudit",
        status_code=200,
        guards=[CAN_TRANSITION_AUDIT],
        response_headers=REVISION_ETAG,
    )
    async def transition(
        self, request: Req, audit_id: FromPath[UUID], data: JSONBody[TransitionIn], if_match: IfMatch = None
    ) -> Response[AuditOut]:
        """Move the audit along ``planned → prepared → in_progress → reported → signed → closed`` (or
        ``cancelled``). Preparing checks the team again and pins the checklist version. A failed guard is
        409 naming the condition."""
        return _with_etag(
            await service.transition_audit(
                principal_of(request),
                str(audit_id),
                data,
                _stated(if_match, data.rev),
                checklists_dir=request.app.state.settings.checklists_dir,
            )
        )


CONTROLLERS: list[type[Controller]] = [AuditsController]

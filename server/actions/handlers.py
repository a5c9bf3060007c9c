"""Nonconformity follow-up API: the auditee's unit answers its records (correction, root cause, action
plan, progress with evidence), an auditor from another unit verifies their effectiveness, the audit lead
promotes observations, rejects records raised in error and sets the due policy; everyone lists what
they may read and what is late.

Every step names the ``rev`` it was decided on (412 when the record moved on since)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, Response, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from server.actions import due_policy, service, steps
from server.actions.schemas import (
    ActionUpdateIn,
    AnalysisIn,
    DuePolicyIO,
    NcOut,
    OverdueOut,
    PlanIn,
    RejectIn,
    RevIn,
    VerifyIn,
)
from server.attachments.handlers import AttachmentOut
from server.auth.guards import principal_of
from server.auth.policy import (
    CAN_ADD_NC_EVIDENCE,
    CAN_ANSWER_NC,
    CAN_MANAGE_NCS,
    CAN_READ_DUE_POLICY,
    CAN_READ_NCS,
    CAN_VERIFY_NC,
)
from server.settings import Settings

__all__ = ["CONTROLLERS", "DuePolicyController", "NonconformitiesController", "PromoteController"]

Req = Request[Any, Any, Any]
Status = Literal["open", "analysis", "action_plan", "in_progress", "verification", "closed", "rejected"]


def _settings(request: Req) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


class DuePolicyController(Controller):
    path = "/api/v1/nonconformities/due-policy"
    tags = ["nonconformities"]

    @get("/", operation_id="getDuePolicy", guards=[CAN_READ_DUE_POLICY])
    async def read(self, request: Req) -> DuePolicyIO:
        """Days from a record's opening to its action plan and to its closure, by severity."""
        return await due_policy.get_due_policy(_settings(request))

    @put("/", operation_id="replaceDuePolicy", guards=[CAN_MANAGE_NCS])
    async def replace(self, request: Req, data: JSONBody[DuePolicyIO]) -> DuePolicyIO:
        """Replace it (send the ``rev`` you read, 0 while never changed); records opened later follow it."""
        return await due_policy.replace_due_policy(principal_of(request), _settings(request), data, data.rev)


class NonconformitiesController(Controller):
    path = "/api/v1/nonconformities"
    tags = ["nonconformities"]

    @get("/", operation_id="listNonconformities", guards=[CAN_READ_NCS])
    async def list_records(
        self,
        request: Req,
        view: FromQuery[Literal["mine", "verify", "all"]] = "all",
        status: FromQuery[list[Status] | None] = None,
        audit_id: Annotated[UUID | None, QueryParameter(name="auditId")] = None,
        unit_id: Annotated[UUID | None, QueryParameter(name="unitId")] = None,
    ) -> list[NcOut]:
        """Records the caller may read, oldest first: ``mine`` (their units' and the actions they own),
        ``verify`` (waiting for a verification they may give), ``all``."""
        return await service.list_ncs(
            principal_of(request),
            steps.today(_settings(request)),
            view=view,
            statuses=list(status) if status else None,
            audit_id=str(audit_id) if audit_id else None,
            unit_id=str(unit_id) if unit_id else None,
        )

    @get("/overdue", operation_id="listOverdue", guards=[CAN_READ_NCS])
    async def overdue(self, request: Req) -> list[OverdueOut]:
        """Plans, actions and closures past their due date, latest first, with their unit and owner."""
        return await service.list_overdue(principal_of(request), steps.today(_settings(request)))

    @get("/{nc_id:uuid}", operation_id="getNonconformity", guards=[CAN_READ_NCS])
    async def read(self, request: Req, nc_id: FromPath[UUID]) -> NcOut:
        return await service.read_nc(principal_of(request), str(nc_id), steps.today(_settings(request)))

    @post(
        "/{nc_id:uuid}/analysis/start", operation_id="startAnalysis", guards=[CAN_ANSWER_NC], status_code=200
    )
    async def start_analysis(self, request: Req, nc_id: FromPath[UUID], data: JSONBody[RevIn]) -> NcOut:
        """The unit takes the record up: open → analysis."""
        return await steps.start_analysis(principal_of(request), _settings(request), str(nc_id), data)

    @put("/{nc_id:uuid}/analysis", operation_id="recordAnalysis", guards=[CAN_ANSWER_NC])
    async def record_analysis(self, request: Req, nc_id: FromPath[UUID], data: JSONBody[AnalysisIn]) -> NcOut:
        """The correction and the root cause (5 whys or cause categories), saved as the analysis goes."""
        return await steps.record_analysis(principal_of(request), _settings(request), str(nc_id), data)

    @post(
        "/{nc_id:uuid}/analysis/submit",
        operation_id="submitAnalysis",
        guards=[CAN_ANSWER_NC],
        status_code=200,
    )
    async def submit_analysis(self, request: Req, nc_id: FromPath[UUID], data: JSONBody[RevIn]) -> NcOut:
        """Correction and root cause written: analysis → action plan."""
        return await steps.submit_analysis(principal_of(request), _settings(request), str(nc_id), data)

    @put("/{nc_id:uuid}/plan", operation_id="planActions", guards=[CAN_ANSWER_NC])
    async def plan(self, request: Req, nc_id: FromPath[UUID], data: JSONBody[PlanIn]) -> NcOut:
        """The action plan as a whole (an action without ``id`` is new); started or finished actions stay."""
        return await steps.plan_actions(principal_of(request), _settings(request), str(nc_id), data)

    @post("/{nc_id:uuid}/plan/start", operation_id="startActions", guards=[CAN_ANSWER_NC], status_code=200)
    async def start_actions(self, request: Req, nc_id: FromPath[UUID], data: JSONBody[RevIn]) -> NcOut:
        """The plan is set: action plan → in progress."""
        return await steps.start_actions(principal_of(request), _settings(request), str(nc_id), data)

    @put("/{nc_id:uuid}/actions/{action_id:uuid}", operation_id="updateAction", guards=[CAN_ADD_NC_EVIDENCE])
    async def update_action(
        self, request: Req, nc_id: FromPath[UUID], action_id: FromPath[UUID], data: JSONBody[ActionUpdateIn]
    ) -> NcOut:
        """An action's progress, by its owner or the unit: done needs evidence, cancelled a reason."""
        return await steps.update_action(
            principal_of(request), _settings(request), str(nc_id), str(action_id), data
        )

    @post(
        "/{nc_id:uuid}/verification/ask",
        operation_id="askVerification",
        guards=[CAN_ANSWER_NC],
        status_code=200,
    )
    async def ask_verification(self, request: Req, nc_id: FromPath[UUID], data: JSONBody[RevIn]) -> NcOut:
        """Every action done or cancelled: in progress → verification."""
        return await steps.ask_verification(principal_of(request), _settings(request), str(nc_id), data)

    @post("/{nc_id:uuid}/verify", operation_id="verifyNonconformity", guards=[CAN_VERIFY_NC], status_code=200)
    async def verify(self, request: Req, nc_id: FromPath[UUID], data: JSONBody[VerifyIn]) -> NcOut:
        """Effective (with evidence) closes the record; ineffective (saying why) returns it to the plan."""
        return await steps.verify(principal_of(request), _settings(request), str(nc_id), data)

    @post(
        "/{nc_id:uuid}/reject", operation_id="rejectNonconformity", guards=[CAN_MANAGE_NCS], status_code=200
    )
    async def reject(self, request: Req, nc_id: FromPath[UUID], data: JSONBody[RejectIn]) -> NcOut:
        """The audit lead closes a record raised in error, with the reason."""
        return await steps.reject(principal_of(request), _settings(request), str(nc_id), data)

    @put(
        "/{nc_id:uuid}/evidence/{sha256:str}",
        operation_id="putNcEvidence",
        request_max_body_size=None,
        status_code=200,
        guards=[CAN_ADD_NC_EVIDENCE],
    )
    async def evidence(
        self, request: Req, nc_id: FromPath[UUID], sha256: FromPath[str]
    ) -> Response[AttachmentOut]:
        """Raw bytes of a photo (JPEG, PNG, WebP) or a PDF, checked exactly like a finding's attachment,
        by someone who answers the record, owns one of its actions or verifies it. 201 when new."""
        out, created = await steps.upload_evidence(
            principal_of(request),
            _settings(request),
            str(nc_id),
            sha256,
            request.headers.get("content-type", ""),
            request.stream(),
            request.content_length,
        )
        return Response(content=out, status_code=201 if created else 200)


class PromoteController(Controller):
    path = "/api/v1/findings"
    tags = ["nonconformities"]

    @post("/{finding_id:uuid}/nonconformity", operation_id="promoteObservation", guards=[CAN_MANAGE_NCS])
    async def promote(self, request: Req, finding_id: FromPath[UUID]) -> Response[NcOut]:
        """The audit lead opens a record for an observation of an issued report (201), or gets the
        finding's existing record (200)."""
        out, created = await steps.promote(principal_of(request), _settings(request), str(finding_id))
        return Response(content=out, status_code=201 if created else 200)


CONTROLLERS: list[type[Controller]] = [DuePolicyController, NonconformitiesController, PromoteController]

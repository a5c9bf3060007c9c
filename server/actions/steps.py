"""Each workflow step as a use case: the request body turned into the rules' terms (new actions get
ids, owners and evidence files are checked to exist), then ``service.apply_step`` reads, checks the
rev, applies the rule and stores the result with its audit-trail row."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from server.actions import due_policy, service, workflow
from server.actions.model import (
    Action,
    ActionStatus,
    ActionType,
    Actor,
    CauseMethod,
    Nonconformity,
    RootCause,
    Verdict,
)
from server.actions.views import may_answer, may_verify
from server.attachments import service as attachments
from server.attachments.handlers import AttachmentOut, attachment_out
from server.lib.clock import utcnow
from server.lib.errors import AppError, ErrorCode
from server.org import people_store

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Sequence

    from server.actions.schemas import (
        ActionUpdateIn,
        AnalysisIn,
        NcOut,
        PlanIn,
        RejectIn,
        RevIn,
        RootCauseIO,
        VerifyIn,
    )
    from server.lib.principal import Principal
    from server.settings import Settings

__all__ = [
    "ask_verification",
    "plan_actions",
    "promote",
    "record_analysis",
    "reject",
    "start_actions",
    "start_analysis",
    "submit_analysis",
    "today",
    "update_action",
    "upload_evidence",
    "verify",
]


def today(settings: Settings, now: datetime | None = None) -> date:
    """The date in the organisation's time zone (due dates and lateness are counted in local days)."""
    return (now or utcnow()).astimezone(ZoneInfo(settings.time_zone)).date()


async def _files_exist(settings: Settings, hashes: Sequence[str]) -> None:
    files = attachments.blob_store(settings)
    for sha in hashes:
        if not await files.exists(sha):
            raise AppError(ErrorCode.ACTIONS_EVIDENCE_UNKNOWN, params={"sha256": sha[:12]})


def _cause(io: RootCauseIO | None) -> RootCause | None:
    if io is None:
        return None
    return RootCause(CauseMethod(io.method), io.cause.strip(), tuple(io.whys), tuple(io.categories))


async def start_analysis(principal: Principal, settings: Settings, nc_id: str, data: RevIn) -> NcOut:
    return await service.apply_step(
        principal, nc_id, data.rev, "start_analysis", workflow.start_analysis, today(settings)
    )


async def record_analysis(principal: Principal, settings: Settings, nc_id: str, data: AnalysisIn) -> NcOut:
    cause = _cause(data.root_cause)

    def step(nc: Nonconformity, actor: Actor) -> Nonconformity:
        return workflow.record_analysis(nc, actor, data.correction, cause)

    return await service.apply_step(principal, nc_id, data.rev, "record_analysis", step, today(settings))


async def submit_analysis(principal: Principal, settings: Settings, nc_id: str, data: RevIn) -> NcOut:
    return await service.apply_step(
        principal, nc_id, data.rev, "submit_analysis", workflow.submit_analysis, today(settings)
    )


async def plan_actions(principal: Principal, settings: Settings, nc_id: str, data: PlanIn) -> NcOut:
    known = await people_store.person_units()
    for number, item in enumerate(data.actions, start=1):
        if item.owner_id.lower() not in known:
            raise AppError(ErrorCode.ACTIONS_UNKNOWN_PERSON, params={"number": number})
    plan = tuple(
        Action(
            id=(item.id or str(uuid.uuid4())).lower(),
            type=ActionType(item.type),
            description=item.description.strip(),
            owner_id=item.owner_id.lower(),
            due=item.due,
        )
        for item in data.actions
    )

    def step(nc: Nonconformity, actor: Actor) -> Nonconformity:
        return workflow.plan_actions(nc, actor, plan)

    return await service.apply_step(
        principal, nc_id, data.rev, "plan_actions", step, today(settings), plan=[a.id for a in plan]
    )


async def start_actions(principal: Principal, settings: Settings, nc_id: str, data: RevIn) -> NcOut:
    return await service.apply_step(
        principal, nc_id, data.rev, "start_actions", workflow.start_actions, today(settings)
    )


async def update_action(
    principal: Principal, settings: Settings, nc_id: str, action_id: str, data: ActionUpdateIn
) -> NcOut:
    await _files_exist(settings, data.evidence)

    def step(nc: Nonconformity, actor: Actor) -> Nonconformity:
        return workflow.update_action(
            nc, actor, action_id.lower(), ActionStatus(data.status), tuple(data.evidence), data.note
        )

    return await service.apply_step(principal, nc_id, data.rev, "update_action", step, today(settings))


async def ask_verification(principal: Principal, settings: Settings, nc_id: str, data: RevIn) -> NcOut:
    return await service.apply_step(
        principal, nc_id, data.rev, "ask_verification", workflow.ask_verification, today(settings)
    )


async def verify(principal: Principal, settings: Settings, nc_id: str, data: VerifyIn) -> NcOut:
    await _files_exist(settings, data.evidence)
    on = today(settings)

    def step(nc: Nonconformity, actor: Actor) -> Nonconformity:
        return workflow.verify(nc, actor, Verdict(data.verdict), on, data.comment, tuple(data.evidence))

    return await service.apply_step(principal, nc_id, data.rev, "verify", step, on)


async def reject(principal: Principal, settings: Settings, nc_id: str, data: RejectIn) -> NcOut:
    def step(nc: Nonconformity, actor: Actor) -> Nonconformity:
        return workflow.reject(nc, actor, data.reason)

    return await service.apply_step(principal, nc_id, data.rev, "reject", step, today(settings))


async def promote(principal: Principal, settings: Settings, finding_id: str) -> tuple[NcOut, bool]:
    policy = due_policy.as_model(await due_policy.get_due_policy(settings))
    return await service.promote_observation(principal, finding_id, policy, today(settings))


async def upload_evidence(
    principal: Principal,
    settings: Settings,
    nc_id: str,
    sha256: str,
    media_type: str,
    chunks: AsyncGenerator[bytes, None],
    announced: int | None,
) -> tuple[AttachmentOut, bool]:
    """Evidence for a record the caller answers, owns an action of, or verifies (403 otherwise; 404
    when they may not even read it). Checked and stored exactly like a finding's attachment."""
    nc, _, actor, _ = await service.readable(principal, nc_id)
    owner = any(a.owner_id == actor.person_id for a in nc.actions)
    if not (may_answer(nc, actor) or may_verify(nc, actor) or owner):
        raise AppError(ErrorCode.FORBIDDEN, details={"policy": "can_add_nc_evidence"})
    result = await attachments.upload_attachment(
        principal, settings, sha256, media_type, chunks, announced=announced
    )
    return attachment_out(result.prepared), result.created

"""Sync API: push batches (idempotent), pull changes, the offline package of an audit, conflicts, the
history of a finding, a meeting or a conclusion, and late submissions. Decode → ``service`` → encode."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Annotated, Any, Final, Literal, cast
from uuid import UUID

import msgspec
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.enums import ParamType
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, Parameter, RequestBody, Schema
from litestar.params import FromPath, QueryParameter

from server.auth.guards import principal_of
from server.auth.policy import (
    CAN_READ_FINDING_HISTORY,
    CAN_READ_FINDINGS,
    CAN_REVIEW_LATE,
    CAN_WRITE_FINDINGS,
)
from server.lib.clock import utcnow
from server.lib.errors import AppError, ErrorCode
from server.lib.etag import conditional_json, strong_etag
from server.lib.http_errors import request_locale
from server.sync import service
from server.sync.logic import CURSOR_PATTERN, parse_cursor
from server.sync.package import Parts
from server.sync.schemas import (
    ConclusionVersionOut,
    FindingVersionOut,
    MeetingVersionOut,
    PackageOut,
    PullOut,
    PushIn,
    PushOut,
)
from server.sync.team_handlers import TeamController

__all__ = ["CONTROLLERS", "SyncController"]

Req = Request[Any, Any, Any]
_push_decoder = msgspec.json.Decoder(PushIn)
KEY_PATTERN: Final = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_KEY = re.compile(KEY_PATTERN.strip("^$"))


@dataclass
class _PushOperation(Operation):
    """The push reads its body and its key itself (the body's hash is the replay check), so both are
    declared here. Any JSON value is accepted as an op: a bad one is rejected alone, in its result."""

    def __post_init__(self) -> None:
        self.parameters = [
            Parameter(
                name="Idempotency-Key",
                param_in=ParamType.HEADER,
                required=True,
                description="A UUID per batch; the same key again replays the stored response.",
                schema=Schema(type=OpenAPIType.STRING, pattern=KEY_PATTERN),
            ),
            *(self.parameters or []),
        ]
        body = Schema(
            type=OpenAPIType.OBJECT,
            required=["deviceId", "ops"],
            properties={
                "deviceId": Schema(type=OpenAPIType.STRING, min_length=1, max_length=64),
                "ops": Schema(
                    type=OpenAPIType.ARRAY,
                    max_items=5000,
                    items=Schema(
                        description=(
                            "An op tagged by its `op` field: upsertFinding, deleteFinding, upsertMeeting, "
                            "deleteMeeting or upsertConclusion (see the sync protocol); an op the server "
                            "cannot read is rejected alone, in its result"
                        )
                    ),
                ),
            },
        )
        self.request_body = RequestBody(
            required=True, content={"application/json": OpenAPIMediaType(schema=body)}
        )


def _idempotency_key(request: Req) -> str:
    raw = request.headers.get("idempotency-key", "")
    if not _KEY.fullmatch(raw):  # uuid.UUID alone would also take braces, no hyphens, non-ASCII digits
        raise AppError(ErrorCode.SYNC_IDEMPOTENCY_KEY_MISSING)
    return str(UUID(raw))


def _decode(body: bytes) -> PushIn:
    try:
        return _push_decoder.decode(body)
    except msgspec.ValidationError as exc:
        raise AppError(ErrorCode.VALIDATION_FAILED, details=[{"field": "$", "message": str(exc)}]) from exc
    except msgspec.DecodeError as exc:
        raise AppError(ErrorCode.MALFORMED_JSON) from exc


class SyncController(Controller):
    path = "/api/v1"
    tags = ["sync"]

    # A day of findings from one tablet is a few MiB at most; the general 1 MiB limit would split it.
    @post(
        "/sync/push",
        operation_id="pushOps",
        status_code=200,
        request_max_body_size=16 * 1024 * 1024,
        guards=[CAN_WRITE_FINDINGS],
        operation_class=_PushOperation,
    )
    async def push(self, request: Req) -> Response[PushOut]:
        """Apply a batch of ops in one transaction, each with its own result. Requires ``Idempotency-Key``:
        the same key again returns the stored response byte for byte; with another body, 422; while the
        first is still running, 409 with ``Retry-After``."""
        principal = principal_of(request)
        key = _idempotency_key(request)
        body = await request.body()
        response = await service.push_ops(
            principal,
            key,
            hashlib.sha256(body).hexdigest(),
            _decode(body),
            locale=request_locale(request),
            settings=request.app.state.settings,
            now=utcnow(),
        )
        return Response(content=cast("PushOut", response), media_type=MediaType.JSON)

    @get("/sync/pull", operation_id="pullChanges", guards=[CAN_READ_FINDINGS])
    async def pull(
        self,
        request: Req,
        # Checked by parse_cursor (400 sync.bad_cursor); the pattern is declared for the schema only.
        since: Annotated[str, QueryParameter(schema_extra={"pattern": CURSOR_PATTERN})] = "0",
        audit_id: Annotated[UUID | None, QueryParameter(name="auditId")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 500,
    ) -> PullOut:
        """Changes after ``since`` (a server sequence, never a client clock), oldest first, deletions as
        tombstones: findings in ``changes``, and ``meetings`` and ``conclusions``, at most ``limit`` in
        all; page with the returned ``cursor`` while ``hasMore``."""
        return await service.pull_changes(
            principal_of(request), parse_cursor(since), str(audit_id) if audit_id else None, limit
        )

    @get("/audits/{audit_id:uuid}/package", operation_id="getAuditPackage", guards=[CAN_READ_FINDINGS])
    async def package(
        self,
        request: Req,
        audit_id: FromPath[UUID],
        lang: Annotated[
            Literal["ar", "fr", "en"] | None,
            QueryParameter(description="Language of the checklist; else the user's, else Accept-Language."),
        ] = None,
        parts: Annotated[
            Parts,
            QueryParameter(
                description="`plan`: without the findings, meetings and conclusion (empty lists, null), "
                "with `changeCount`; page them from `/sync/pull?since=0` (a download that resumes)."
            ),
        ] = "all",
    ) -> Response[PackageOut]:
        """Everything a tablet needs to run the audit offline: the plan, the team, the audited process,
        units and sites, the checklist of the pinned version, the findings, the opening and closing
        meetings and the conclusion with their ``rev``, and the cursor to pull from. Strong ``ETag``;
        ``If-None-Match`` → 304. With ``parts=plan``, the records are left out and ``changeCount``
        says how many a pull from 0 brings at least, so a tablet on a weak link downloads them page by
        page and can tell when it has them all."""
        language = lang or request_locale(request)
        package = await service.audit_package(
            principal_of(request), str(audit_id), language, request.app.state.settings, parts
        )
        body = msgspec.json.encode(package)
        return conditional_json(request, body, strong_etag(body))

    @get(
        "/findings/{finding_id:uuid}/conflicts",
        operation_id="listFindingConflicts",
        guards=[CAN_READ_FINDINGS],
    )
    async def conflicts(self, request: Req, finding_id: FromPath[UUID]) -> list[dict[str, Any]]:
        """The client versions that lost against the server copy of a finding: kept, never dropped."""
        return await service.finding_conflicts(principal_of(request), str(finding_id))

    @get(
        "/findings/{finding_id:uuid}/history",
        operation_id="getFindingHistory",
        guards=[CAN_READ_FINDING_HISTORY],
    )
    async def history(self, request: Req, finding_id: FromPath[UUID]) -> list[FindingVersionOut]:
        """Every applied version of a finding, oldest first: its content, author, device, the device's
        and the server's time, and its ``rev``. For the audit lead and the audit's team."""
        return await service.finding_history(principal_of(request), str(finding_id))

    @get(
        "/meetings/{meeting_id:uuid}/conflicts",
        operation_id="listMeetingConflicts",
        guards=[CAN_READ_FINDINGS],
    )
    async def meeting_conflicts(self, request: Req, meeting_id: FromPath[UUID]) -> list[dict[str, Any]]:
        """The client versions that lost against the server copy of a meeting: kept, never dropped."""
        return await service.record_conflicts(principal_of(request), "meeting", str(meeting_id))

    @get(
        "/meetings/{meeting_id:uuid}/history",
        operation_id="getMeetingHistory",
        guards=[CAN_READ_FINDING_HISTORY],
    )
    async def meeting_history(self, request: Req, meeting_id: FromPath[UUID]) -> list[MeetingVersionOut]:
        """Every applied version of a meeting, oldest first. For the audit lead and the audit's team."""
        return await service.meeting_history(principal_of(request), str(meeting_id))

    @get(
        "/conclusions/{conclusion_id:uuid}/conflicts",
        operation_id="listConclusionConflicts",
        guards=[CAN_READ_FINDINGS],
    )
    async def conclusion_conflicts(self, request: Req, conclusion_id: FromPath[UUID]) -> list[dict[str, Any]]:
        """The client versions that lost against the server copy of an audit's conclusion (a second
        conclusion of the same audit included): kept, never dropped."""
        return await service.record_conflicts(principal_of(request), "conclusion", str(conclusion_id))

    @get(
        "/conclusions/{conclusion_id:uuid}/history",
        operation_id="getConclusionHistory",
        guards=[CAN_READ_FINDING_HISTORY],
    )
    async def conclusion_history(
        self, request: Req, conclusion_id: FromPath[UUID]
    ) -> list[ConclusionVersionOut]:
        """Every applied version of an audit's conclusion, oldest first: who changed a degree or a
        signature, and when. For the audit lead and the audit's team."""
        return await service.conclusion_history(principal_of(request), str(conclusion_id))

    @get(
        "/audits/{audit_id:uuid}/late-submissions",
        operation_id="listLateSubmissions",
        guards=[CAN_REVIEW_LATE],
    )
    async def late(self, request: Req, audit_id: FromPath[UUID]) -> list[dict[str, Any]]:
        """Changes that arrived after the audit was signed (to findings, meetings or the conclusion: see
        each one's ``entity``), kept for the audit lead's review."""
        return await service.late_submissions(principal_of(request), str(audit_id))


# The audit lead's view (progress, outbox import) is served from team_handlers.py, kept apart for size.
CONTROLLERS: list[type[Controller]] = [SyncController, TeamController]

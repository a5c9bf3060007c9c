"""Sync API: push batches (idempotent), pull changes, the offline package of an audit, conflicts."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any, cast
from uuid import UUID

import msgspec
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.params import FromPath, QueryParameter

from server.audits import store as audits_store
from server.audits.service import list_visible_audits, visible_audit
from server.auth.guards import principal_of
from server.auth.policy import (
    CAN_READ_FINDINGS,
    CAN_REVIEW_LATE,
    CAN_WRITE_FINDINGS,
    may_review_late,
    may_write_findings,
    require,
)
from server.lib.clock import utcnow
from server.lib.errors import AppError, ErrorCode
from server.lib.etag import conditional_json, strong_etag
from server.lib.http_errors import request_locale
from server.lib.i18n import as_locale
from server.sync import changes_store, store
from server.sync.logic import AuditState
from server.sync.package import build_package
from server.sync.schemas import PackageOut, PullOut, PushIn, PushOut

__all__ = ["CONTROLLERS", "SyncController"]

Req = Request[Any, Any, Any]
_push_decoder = msgspec.json.Decoder(PushIn)
# Keys being processed by this process: a concurrent duplicate gets 409 instead of waiting.
_in_flight: set[str] = set()


def _idempotency_key(request: Req) -> str:
    raw = request.headers.get("idempotency-key", "").strip()
    try:
        return str(UUID(raw))
    except ValueError:
        raise AppError(ErrorCode.SYNC_IDEMPOTENCY_KEY_MISSING) from None


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
    )
    async def push(self, request: Req) -> Response[PushOut]:
        """Apply a batch of ops in one transaction, each with its own result. Requires ``Idempotency-Key``:
        the same key again returns the stored response byte for byte; with another body, 422; while the
        first is still running, 409."""
        principal = principal_of(request)
        key = _idempotency_key(request)
        body = await request.body()
        batch = _decode(body)
        if key in _in_flight:
            raise AppError(ErrorCode.SYNC_BATCH_IN_PROGRESS, headers={"Retry-After": "1"})
        _in_flight.add(key)
        try:

            async def audit_states(audit_ids: list[str]) -> dict[str, AuditState]:
                states = {}
                for audit_id in audit_ids:
                    try:
                        audit = await audits_store.get_audit(audit_id)
                    except AppError:
                        continue
                    team = [m.person_id for m in audit.team]
                    states[audit_id] = AuditState(
                        status=audit.status, may_write=may_write_findings(principal, team)
                    )
                return states

            ctx = store.BatchContext(
                user_id=principal.user_id,
                username=principal.username,
                device_id=batch.device_id,
                locale=request_locale(request),
            )
            response = await store.push_batch(
                ctx, key, hashlib.sha256(body).hexdigest(), batch.ops, utcnow(), audit_states
            )
        finally:
            _in_flight.discard(key)
        return Response(content=cast("PushOut", response), media_type=MediaType.JSON)

    @get("/sync/pull", operation_id="pullChanges", guards=[CAN_READ_FINDINGS])
    async def pull(
        self,
        request: Req,
        since: Annotated[str, QueryParameter(max_length=20)] = "0",
        audit_id: Annotated[UUID | None, QueryParameter(name="auditId")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 500,
    ) -> PullOut:
        """Changes after ``since`` (a server sequence, never a client clock), oldest first, deletions as
        tombstones; page with the returned ``cursor`` while ``hasMore``."""
        principal = principal_of(request)
        if not since.isdigit() or int(since) > 2**62:  # a cursor is one of our sequences, never beyond int64
            raise AppError(ErrorCode.SYNC_BAD_CURSOR, details={"since": since[:20]})
        if audit_id is not None:
            audit_ids = [(await visible_audit(principal, str(audit_id))).id]
        else:
            audit_ids = [a.id for a in await list_visible_audits(principal)]
        changes, has_more = await changes_store.findings_since(audit_ids, int(since), limit)
        # With nothing new, the cursor moves to the current sequence: every change up to it is committed
        # (sequences are handed out under a row lock held until commit), so nothing can appear behind it.
        cursor = changes[-1].seq if changes else max(int(since), await changes_store.current_sequence())
        return PullOut(changes=changes, cursor=str(cursor), has_more=has_more)

    @get("/audits/{audit_id:uuid}/package", operation_id="getAuditPackage", guards=[CAN_READ_FINDINGS])
    async def package(
        self,
        request: Req,
        audit_id: FromPath[UUID],
        lang: Annotated[str | None, QueryParameter(max_length=2)] = None,
    ) -> Response[PackageOut]:
        """Everything a tablet needs to run the audit offline: the plan, the team, the audited process,
        units and sites, the checklist of the pinned version, the findings with their ``rev``, and the
        cursor to pull from. Strong ``ETag``; ``If-None-Match`` → 304."""
        principal = principal_of(request)
        audit = await visible_audit(principal, str(audit_id))
        language = as_locale(lang) if lang else request_locale(request)
        if language is None:
            raise AppError(ErrorCode.UNKNOWN_LOCALE, details={"field": "lang"})
        body = msgspec.json.encode(await build_package(request, audit, language))
        return conditional_json(request, body, strong_etag(body))

    @get(
        "/findings/{finding_id:uuid}/conflicts",
        operation_id="listFindingConflicts",
        guards=[CAN_READ_FINDINGS],
    )
    async def conflicts(self, request: Req, finding_id: FromPath[UUID]) -> list[dict[str, Any]]:
        """The client versions that lost against the server copy of a finding: kept, never dropped."""
        principal = principal_of(request)
        items = await changes_store.list_conflicts(str(finding_id))
        # A losing new finding never reached the finding table: its conflict rows name the audit.
        audit_ids = {item["auditId"] for item in items} | set(
            (await changes_store.finding_audit_ids([str(finding_id)])).values()
        )
        if not audit_ids:
            raise AppError(ErrorCode.NOT_FOUND, details={"entity": "finding", "id": str(finding_id)})
        for audit_id in audit_ids:
            await visible_audit(principal, audit_id)
        return items

    @get(
        "/audits/{audit_id:uuid}/late-submissions",
        operation_id="listLateSubmissions",
        guards=[CAN_REVIEW_LATE],
    )
    async def late(self, request: Req, audit_id: FromPath[UUID]) -> list[dict[str, Any]]:
        """Changes that arrived after the audit was signed, kept for the audit lead's review."""
        principal = principal_of(request)
        audit = await visible_audit(principal, str(audit_id))
        require(may_review_late(principal, [m.person_id for m in audit.team]), CAN_REVIEW_LATE)
        return await changes_store.late_submissions(str(audit_id))


CONTROLLERS: list[type[Controller]] = [SyncController]

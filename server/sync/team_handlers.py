"""The audit lead's view of the team's work: an audit's progress, and importing the outbox a tablet
exported (the upload screen's twin of ``tadqiq import-outbox``). Decode → ``team_service`` → encode."""

from __future__ import annotations

from contextlib import aclosing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import FromPath

from server.auth.guards import principal_of
from server.auth.policy import CAN_READ_FINDINGS, CAN_WRITE_FINDINGS
from server.lib.errors import AppError, ErrorCode
from server.lib.http_errors import request_locale
from server.sync import team_service
from server.sync.outbox_logic import OUTBOX_FORMAT
from server.sync.team_schemas import AuditProgressOut, OutboxImportOut

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator

    from server.settings import Settings

__all__ = ["CONTROLLERS", "TeamController"]

Req = Request[Any, Any, Any]


@dataclass
class _ImportOperation(Operation):
    """The file is read as a stream (its limit is a setting), so its shape is declared here."""

    def __post_init__(self) -> None:
        text = Schema(type=OpenAPIType.STRING)
        body = Schema(
            type=OpenAPIType.OBJECT,
            required=["format", "batches"],
            properties={
                "format": Schema(type=OpenAPIType.STRING, const=OUTBOX_FORMAT),
                "exportedAt": text,
                "deviceId": text,
                "username": text,
                "batches": Schema(
                    type=OpenAPIType.ARRAY,
                    items=Schema(
                        type=OpenAPIType.OBJECT,
                        required=["idempotencyKey", "deviceId", "ops"],
                        properties={
                            "idempotencyKey": Schema(type=OpenAPIType.STRING, format="uuid"),  # type: ignore[arg-type]
                            "deviceId": Schema(type=OpenAPIType.STRING, min_length=1, max_length=64),
                            "ops": Schema(type=OpenAPIType.ARRAY, max_items=5000, items=Schema()),
                        },
                    ),
                ),
                "attachments": Schema(
                    type=OpenAPIType.ARRAY,
                    items=Schema(
                        type=OpenAPIType.OBJECT,
                        required=["sha256", "data"],
                        properties={
                            "sha256": Schema(type=OpenAPIType.STRING, pattern="^[0-9a-fA-F]{64}$"),
                            "contentType": text,
                            "data": Schema(type=OpenAPIType.STRING, description="The file's bytes, base64"),
                        },
                    ),
                ),
            },
        )
        self.request_body = RequestBody(
            required=True,
            description="The file the tablet exported; the limit is the outbox_import_max_bytes setting.",
            content={"application/json": OpenAPIMediaType(schema=body)},
        )


async def _read_body(chunks: AsyncGenerator[bytes, None], *, announced: int | None, max_bytes: int) -> bytes:
    """The whole body, refused with 413 as soon as it is known to pass ``max_bytes``."""
    too_large = AppError(
        ErrorCode.BODY_TOO_LARGE, params={"limit": max_bytes}, headers={"Connection": "close"}
    )
    if announced is not None and announced > max_bytes:
        raise too_large
    body = bytearray()
    async with aclosing(chunks):
        async for chunk in chunks:
            body += chunk
            if len(body) > max_bytes:
                raise too_large
    return bytes(body)


class TeamController(Controller):
    path = "/api/v1"
    tags = ["sync"]

    @get("/audits/{audit_id:uuid}/progress", operation_id="getAuditProgress", guards=[CAN_READ_FINDINGS])
    async def progress(self, request: Req, audit_id: FromPath[UUID]) -> AuditProgressOut:
        """The team's progress: questions of the pinned checklist answered by a live finding, findings by
        verdict, free findings, and the last push of each device, for whoever may read the audit."""
        settings: Settings = request.app.state.settings
        return await team_service.progress_of_audit(principal_of(request), str(audit_id), settings)

    @post(
        "/sync/import-outbox",
        operation_id="importOutbox",
        status_code=200,
        # No route limit: the body is streamed and refused the moment it passes outbox_import_max_bytes.
        request_max_body_size=None,
        guards=[CAN_WRITE_FINDINGS],
        operation_class=_ImportOperation,
    )
    async def import_outbox(self, request: Req) -> OutboxImportOut:
        """Apply the outbox a tablet exported (``tadqiq-outbox/1``): its photos and signatures stored, then
        each batch pushed with its own ``Idempotency-Key`` and device, authorised as the caller. A batch
        that already reached the server is answered from its stored results (``replayed``): importing a
        file twice applies it once. A damaged file is refused whole (422 ``sync.bad_outbox``)."""
        settings: Settings = request.app.state.settings
        body = await _read_body(
            request.stream(), announced=request.content_length, max_bytes=settings.outbox_import_max_bytes
        )
        return await team_service.import_outbox(
            principal_of(request), body, settings=settings, locale=request_locale(request)
        )


CONTROLLERS: list[type[Controller]] = [TeamController]

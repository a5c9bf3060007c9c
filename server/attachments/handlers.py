"""Attachments: photos and PDFs addressed by the SHA-256 the tablet computed; uploaded by the roles
that write findings, read by anyone who may see an audit referring to them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, head, put
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Operation, RequestBody, Schema
from litestar.params import PathParameter

from server.attachments import service
from server.attachments.logic import SHA256_PATTERN, SUPPORTED_TYPES, PreparedAttachment
from server.attachments.service import blob_store
from server.auth.guards import principal_of
from server.auth.policy import CAN_READ_ATTACHMENT, CAN_UPLOAD_ATTACHMENTS
from server.lib.structs import ApiOut
from server.settings import Settings

__all__ = ["CONTROLLERS", "AttachmentOut", "AttachmentsController", "attachment_out", "blob_store"]

Req = Request[Any, Any, Any]
Sha256 = Annotated[
    str,
    PathParameter(
        description="SHA-256 of the file as the tablet sent it, 64 lowercase hexadecimal characters",
        # Declared for the schema only: the handler answers a malformed hash with attachment.bad_hash.
        schema_extra={"pattern": SHA256_PATTERN, "minLength": 64, "maxLength": 64},
    ),
]
# A year, the longest lifetime RFC 9111 recommends: the bytes under an address never change.
_CACHE = "private, max-age=31536000, immutable"
_BINARY = Schema(type="string", format="binary")  # type: ignore[arg-type]


def _files() -> dict[str, OpenAPIMediaType]:
    return {kind: OpenAPIMediaType(schema=_BINARY) for kind in SUPPORTED_TYPES}


@dataclass
class _UploadOperation(Operation):
    """The PUT body is read as a stream (never a handler argument), so it is declared here, with the
    201 a new file gets beside the 200 of one already there."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True,
            description="The file's raw bytes; the limit is the server's attachment_max_bytes setting.",
            content=_files(),
        )
        if self.responses and "200" in self.responses:
            stored = self.responses["200"]
            if isinstance(stored, OpenAPIResponse):
                self.responses["201"] = OpenAPIResponse(description="Stored", content=stored.content)


@dataclass
class _ReadOperation(Operation):
    """The file leaves with its own media type; 304 when the caller's copy is current."""

    def __post_init__(self) -> None:
        self.responses = {
            **(self.responses or {}),
            "200": OpenAPIResponse(description="The stored file (metadata removed)", content=_files()),
            "304": OpenAPIResponse(description="The caller's copy (If-None-Match) is this file"),
        }


class AttachmentOut(ApiOut):
    sha256: str
    media_type: str
    size: int
    stored_sha256: str
    width: int
    height: int


def attachment_out(prepared: PreparedAttachment) -> AttachmentOut:
    """What the uploader learns of a stored file (also for a nonconformity's evidence)."""
    return AttachmentOut(
        sha256=prepared.sha256,
        media_type=prepared.media_type,
        size=prepared.size,
        stored_sha256=prepared.stored_sha256,
        width=prepared.width,
        height=prepared.height,
    )


def _settings(request: Req) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


class AttachmentsController(Controller):
    path = "/api/v1/attachments"
    tags = ["sync"]

    @head("/{sha256:str}", operation_id="hasAttachment", status_code=200, guards=[CAN_UPLOAD_ATTACHMENTS])
    async def has(self, request: Req, sha256: Sha256) -> Response[None]:
        """200 when the server already holds this file (the tablet can skip the upload), else 404."""
        await service.probe_attachment(_settings(request), sha256)
        return Response(content=None, status_code=200)

    @put(
        "/{sha256:str}",
        operation_id="putAttachment",
        # No route limit: the body is streamed and refused the moment it passes attachment_max_bytes.
        request_max_body_size=None,
        status_code=200,
        guards=[CAN_UPLOAD_ATTACHMENTS],
        operation_class=_UploadOperation,
    )
    async def upload(self, request: Req, sha256: Sha256) -> Response[AttachmentOut]:
        """Raw bytes of a JPEG, PNG, WebP or PDF. The hash, the magic bytes, the size and the image
        itself are checked; photos lose their EXIF (GPS) unless the settings keep it. 201 when new,
        200 when already there; 413 as soon as the body passes the limit; nothing is stored on any error."""
        result = await service.upload_attachment(
            principal_of(request),
            _settings(request),
            sha256,
            request.headers.get("content-type", ""),
            request.stream(),
            announced=request.content_length,
        )
        return Response(content=attachment_out(result.prepared), status_code=201 if result.created else 200)

    @get(
        "/{sha256:str}",
        operation_id="getAttachment",
        guards=[CAN_READ_ATTACHMENT],
        operation_class=_ReadOperation,
    )
    async def read(self, request: Req, sha256: Sha256) -> Response[bytes]:
        """The stored file, for anyone who may read an audit whose findings refer to it (404 otherwise,
        as for an unknown file). Cached for good (``immutable``); ``If-None-Match`` → 304."""
        found = await service.read_attachment(
            principal_of(request),
            _settings(request),
            sha256,
            if_none_match=request.headers.get("if-none-match"),
        )
        headers = {"ETag": found.etag, "Cache-Control": _CACHE, "X-Content-Type-Options": "nosniff"}
        if found.content is None:
            return Response(content=b"", status_code=304, headers=headers)
        return Response(
            content=found.content,
            media_type=found.media_type,
            headers={**headers, "Content-Disposition": "inline"},
        )


CONTROLLERS: list[type[Controller]] = [AttachmentsController]

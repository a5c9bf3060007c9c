"""Attachment upload: photos and PDFs addressed by the SHA-256 the tablet computed."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from litestar import Controller, Request, Response, head, put
from litestar.params import FromPath, RawBody

from server.attachments.blobstore import FilesystemBlobStore
from server.attachments.logic import parse_sha256, prepare_attachment
from server.auth.guards import principal_of
from server.auth.policy import CAN_UPLOAD_ATTACHMENTS
from server.lib.errors import AppError, ErrorCode
from server.lib.structs import ApiOut
from server.settings import Settings
from server.trail.store import record_change

__all__ = ["CONTROLLERS", "AttachmentsController", "blob_store"]

Req = Request[Any, Any, Any]
# The route's own body limit is the attachment limit; Litestar answers 413 above it.
_ROUTE_LIMIT = 64 * 1024 * 1024


class AttachmentOut(ApiOut):
    sha256: str
    media_type: str
    size: int
    stored_sha256: str
    width: int
    height: int


def blob_store(settings: Settings) -> FilesystemBlobStore:
    return FilesystemBlobStore(settings.var_dir / "blobs")


class AttachmentsController(Controller):
    path = "/api/v1/attachments"
    tags = ["sync"]

    @head("/{sha256:str}", operation_id="hasAttachment", status_code=200, guards=[CAN_UPLOAD_ATTACHMENTS])
    async def has(self, request: Req, sha256: FromPath[str]) -> Response[None]:
        """200 when the server already holds this file (the tablet can skip the upload), else 404."""
        principal_of(request)
        store = blob_store(request.app.state.settings)
        if await store.exists(parse_sha256(sha256)):
            return Response(content=None, status_code=200)
        raise AppError(ErrorCode.NOT_FOUND, details={"entity": "attachment", "id": sha256[:64]})

    @put(
        "/{sha256:str}",
        operation_id="putAttachment",
        request_max_body_size=_ROUTE_LIMIT,
        status_code=200,
        guards=[CAN_UPLOAD_ATTACHMENTS],
    )
    async def upload(self, request: Req, sha256: FromPath[str], body: RawBody) -> Response[AttachmentOut]:
        """Raw bytes of a JPEG, PNG, WebP or PDF. The hash, the magic bytes, the size and the image
        itself are checked; photos lose their EXIF (GPS) unless the settings keep it. 201 when new,
        200 when already there; nothing is stored on any error."""
        principal_of(request)
        settings: Settings = request.app.state.settings
        key = parse_sha256(sha256)
        declared = request.headers.get("content-type", "")
        prepared = await anyio.to_thread.run_sync(
            lambda: prepare_attachment(
                key,
                declared,
                bytes(body),
                max_bytes=settings.attachment_max_bytes,
                max_pixels=settings.attachment_max_pixels,
                keep_gps=settings.keep_gps,
            )
        )
        created = await blob_store(settings).put(key, prepared.content)
        if created:
            await record_change(
                principal_of(request),
                "create",
                "attachment",
                key,
                None,
                {
                    "mediaType": prepared.media_type,
                    "size": prepared.size,
                    "storedSha256": prepared.stored_sha256,
                },
            )
        out = AttachmentOut(
            sha256=key,
            media_type=prepared.media_type,
            size=prepared.size,
            stored_sha256=prepared.stored_sha256,
            width=prepared.width,
            height=prepared.height,
        )
        return Response(content=out, status_code=201 if created else 200)


CONTROLLERS: list[type[Controller]] = [AttachmentsController]

"""Attachment use cases: upload, probe, read (for someone who may see an audit using the file), clean-up.

Blobs are addressed by the SHA-256 the tablet computed; which audits use a blob is the sync domain's
knowledge (``server.sync.changes_store.attachment_references``), who may see an audit the audits
domain's (``server.audits.service.visible_audit``).
"""

from __future__ import annotations

from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from anyio import to_thread

from server.attachments.blobstore import BlobInfo
from server.attachments.logic import (
    PreparedAttachment,
    etag_matches,
    parse_sha256,
    prepare_attachment,
    served_type,
)
from server.audits.service import visible_audit
from server.blobs.service import open_blob_store
from server.lib.clock import utcnow
from server.lib.db import write_transaction
from server.lib.errors import AppError, ErrorCode
from server.sync.changes_store import attachment_references
from server.trail.store import record_change

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator
    from datetime import datetime

    from server.attachments.blobstore import BlobStore
    from server.lib.principal import Principal
    from server.settings import Settings

__all__ = [
    "AttachmentRead",
    "CleanUp",
    "Upload",
    "blob_store",
    "etag_of",
    "probe_attachment",
    "read_attachment",
    "receive_body",
    "remove_unreferenced",
    "stored_attachment",
    "upload_attachment",
]


def blob_store(settings: Settings) -> BlobStore:
    """The attachments' store: files under ``var_dir/blobs``, or rows of the database
    (``TADQIQ_BLOB_STORE``)."""
    return open_blob_store(settings, "attachments")


def etag_of(sha256: str) -> str:
    """A blob never changes under its address, so the address is its strong ETag."""
    return f'"{sha256}"'


def _not_found(sha256: str) -> AppError:
    return AppError(ErrorCode.NOT_FOUND, details={"entity": "attachment", "id": sha256})


def _too_large(max_bytes: int) -> AppError:
    # The rest of the body is never read: the connection cannot carry another request after it.
    return AppError(
        ErrorCode.ATTACHMENT_TOO_LARGE, params={"limit": max_bytes}, headers={"Connection": "close"}
    )


# ------------------------------------------------------------------ upload and probe


@dataclass(frozen=True)
class Upload:
    prepared: PreparedAttachment
    created: bool
    """False when the blob was already stored (the upload changed nothing)."""


async def receive_body(
    chunks: AsyncGenerator[bytes, None], *, announced: int | None, max_bytes: int
) -> bytes:
    """The whole body, refused with 413 as soon as it is known to be over ``max_bytes``: from
    ``Content-Length`` before anything is read, else the moment the bytes received pass the limit
    (at most the limit plus one chunk is ever held)."""
    if announced is not None and announced > max_bytes:
        raise _too_large(max_bytes)
    body = bytearray()
    async with aclosing(chunks):
        async for chunk in chunks:
            body += chunk
            if len(body) > max_bytes:
                raise _too_large(max_bytes)
    return bytes(body)


async def upload_attachment(
    actor: Principal,
    settings: Settings,
    sha256: str,
    declared_type: str,
    chunks: AsyncGenerator[bytes, None],
    *,
    announced: int | None,
) -> Upload:
    """Check an upload (hash, size, type, image), store it without its metadata, trail a new blob.

    Nothing is stored on any error. The blob is written before the trail row so that the database's
    write lock is never held while the disk syncs a photo; a crash in between leaves an untrailed blob
    that the next upload of the same file reports as already there.
    """
    key = parse_sha256(sha256)
    data = await receive_body(chunks, announced=announced, max_bytes=settings.attachment_max_bytes)
    prepared = await to_thread.run_sync(
        lambda: prepare_attachment(
            key,
            declared_type,
            data,
            max_bytes=settings.attachment_max_bytes,
            max_pixels=settings.attachment_max_pixels,
            keep_gps=settings.keep_gps,
        )
    )
    created = await blob_store(settings).put(key, prepared.content)
    if created:
        async with write_transaction():
            await record_change(
                actor,
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
    return Upload(prepared=prepared, created=created)


async def probe_attachment(settings: Settings, sha256: str) -> None:
    """Nothing when the blob is stored (the tablet may skip its upload), else 404.

    A probe counts as a use: the tablet is about to push a finding referring to the blob, so its
    clean-up delay starts again.
    """
    key = parse_sha256(sha256)
    if not await blob_store(settings).touch(key):
        raise _not_found(key)


# ------------------------------------------------------------------ reading


@dataclass(frozen=True)
class AttachmentRead:
    sha256: str
    etag: str
    content: bytes | None
    """None when the caller already holds this blob (``If-None-Match``): answer 304."""
    media_type: str = ""


async def _references(sha256: str | None = None) -> set[tuple[str, str]]:
    """(audit id, hash) of every reference: findings and their records, and the evidence of
    nonconformity records (actions and verifications), which belongs to the record's audit."""
    from server.actions.store import evidence_references  # a later domain: imported when used

    return await attachment_references(sha256) | await evidence_references(sha256)


async def _may_read(actor: Principal, key: str) -> bool:
    """True when the caller may read at least one audit that refers to the blob."""
    for audit_id in sorted({audit_id for audit_id, _ in await _references(key)}):
        try:
            await visible_audit(actor, audit_id)
        except AppError as error:
            if error.code is not ErrorCode.NOT_FOUND:
                raise
            continue
        return True
    return False


async def read_attachment(
    actor: Principal, settings: Settings, sha256: str, *, if_none_match: str | None
) -> AttachmentRead:
    """The blob for someone who may read an audit referring to it; 404 otherwise, exactly as for a hash
    the server has never seen, so that a file's existence is not revealed."""
    key = parse_sha256(sha256)
    if not await _may_read(actor, key):
        raise _not_found(key)
    etag = etag_of(key)
    if etag_matches(if_none_match, etag):
        return AttachmentRead(sha256=key, etag=etag, content=None)
    found = await stored_attachment(settings, key)
    if found is None:
        raise _not_found(key)
    return found


async def stored_attachment(settings: Settings, sha256: str) -> AttachmentRead | None:
    """The stored blob and its media type, with no authorization: for a domain that has already
    decided the caller may see it (a report of a readable audit)."""
    key = parse_sha256(sha256)
    content = await blob_store(settings).get(key)
    if content is None:
        return None
    return AttachmentRead(sha256=key, etag=etag_of(key), content=content, media_type=served_type(content))


# ------------------------------------------------------------------ clean-up


@dataclass(frozen=True)
class CleanUp:
    """What ``remove_unreferenced`` removed, or with ``dry_run`` would remove."""

    dry_run: bool
    cutoff: datetime
    blobs: list[BlobInfo] = field(default_factory=list)

    @property
    def freed_bytes(self) -> int:
        return sum(blob.size for blob in self.blobs)


async def remove_unreferenced(settings: Settings, *, days: int, dry_run: bool) -> CleanUp:
    """Remove the blobs that no finding (current, conflicting or late) and no nonconformity record refers
    to, and that nobody has uploaded or probed for ``days`` days (at least 1). A referenced blob is
    never removed.

    The old blobs are listed before the references are read, so a blob referenced in between is seen
    as referenced; a blob uploaded or probed since it was listed is kept too. Each removal is trailed.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    cutoff = utcnow() - timedelta(days=days)
    store = blob_store(settings)
    old = await store.keys_older_than(cutoff)
    referenced = {sha for _, sha in await _references()} if old else set()
    unused = [blob for blob in old if blob.key not in referenced]
    if dry_run:
        return CleanUp(dry_run=True, cutoff=cutoff, blobs=unused)
    removed: list[BlobInfo] = []
    for blob in unused:
        if await store.delete_if_older_than(blob.key, cutoff):
            async with write_transaction():
                await record_change(None, "delete", "attachment", blob.key, {"size": blob.size}, None)
            removed.append(blob)
    return CleanUp(dry_run=False, cutoff=cutoff, blobs=removed)

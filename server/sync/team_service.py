"""Use cases of the audit lead's view of the team's work: an audit's progress, and importing an outbox a
tablet exported before it was wiped.

The import goes through the same doors as the tablet would have: each photo or signature through the
attachments service (hash, type and image checked; a file already stored is not stored twice), then
each batch through the push use case with its own ``Idempotency-Key`` and device, authorised as the
importing account. A batch that already reached the server is answered from its stored response, so
a file imported twice, or imported after the tablet managed to sync, applies each batch once.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import TYPE_CHECKING

import msgspec

from server.attachments.service import upload_attachment
from server.audits.service import visible_audit
from server.auth.policy import CAN_UPLOAD_ATTACHMENTS, CAN_WRITE_FINDINGS
from server.checklists import store as checklists_store
from server.checklists.library import load_library
from server.checklists.logic import ProcessView, compose, library_from_snapshot
from server.lib.clock import utcnow
from server.lib.db import write_transaction
from server.lib.errors import AppError, ErrorCode, message_for
from server.org import store as org_store
from server.sync import service, store, team_store
from server.sync.outbox_logic import OutboxAttachment, OutboxBatch, parse_outbox, push_body
from server.sync.progress_logic import audit_progress
from server.sync.schemas import PushIn
from server.sync.team_schemas import AttachmentImportOut, AuditProgressOut, BatchImportOut, OutboxImportOut
from server.trail.store import record_change

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator
    from pathlib import Path

    from server.audits.schemas import AuditOut
    from server.lib.i18n import Locale
    from server.lib.principal import Principal
    from server.settings import Settings

__all__ = ["import_outbox", "progress_of_audit"]

_BUSY_RETRIES = 20
_BUSY_WAIT_SECONDS = 0.5


async def progress_of_audit(principal: Principal, audit_id: str, settings: Settings) -> AuditProgressOut:
    """Answered and total questions, findings by verdict and each device's last push, for whoever may
    read the audit's findings (404 otherwise); one consistent read."""
    async with store.read_snapshot():
        audit = await visible_audit(principal, audit_id)
        question_ids = await _checklist_question_ids(audit, settings.checklists_dir)
        findings = await team_store.live_findings(audit.id)
        activity = await team_store.device_activity(audit.id)
    return audit_progress(audit, question_ids, findings, activity)


async def _checklist_question_ids(audit: AuditOut, checklists_dir: Path) -> list[str]:
    """The questions of the audit's pinned checklist, as its package lists them (its standards, and the
    kind of its process)."""
    if not audit.checklist_version:
        return []
    pinned, org = library_from_snapshot(
        await checklists_store.get_snapshot(audit.checklist_version), load_library(checklists_dir)[0]
    )
    process = await org_store.get_process(audit.process_id) if audit.process_id else None
    view = (
        ProcessView(process.id, process.code, tuple(process.standards), tuple(process.tags))
        if process
        else None
    )
    return [item.id for item in compose(pinned, org, standards=audit.standards, lang="fr", process=view)]


def _require_writer(principal: Principal) -> None:
    """The route's guard, for a caller that comes through no route (``tadqiq import-outbox``)."""
    for policy in (CAN_WRITE_FINDINGS, CAN_UPLOAD_ATTACHMENTS):
        if not principal.has_any(*policy.roles):
            raise AppError(ErrorCode.FORBIDDEN, details={"policy": policy.name})


async def import_outbox(
    principal: Principal, raw: bytes, *, settings: Settings, locale: Locale
) -> OutboxImportOut:
    """Apply an exported outbox as ``principal``: refused whole (``sync.bad_outbox``) before anything
    is stored when the file is damaged; else every file stored, then every batch pushed, in order."""
    _require_writer(principal)
    outbox = parse_outbox(raw)
    attachments = [await _store_attachment(principal, settings, item, locale) for item in outbox.attachments]
    batches = [await _push_batch(principal, batch, settings, locale) for batch in outbox.batches]
    async with write_transaction():
        await record_change(
            principal,
            "import",
            "outbox",
            hashlib.sha256(raw).hexdigest(),
            None,
            {
                "deviceId": outbox.device_id,
                "exportedBy": outbox.username,
                "exportedAt": outbox.exported_at,
                "batches": {
                    status: sum(b.status == status for b in batches) for status in ("applied", "replayed")
                },
                "attachments": {
                    status: sum(a.status == status for a in attachments)
                    for status in ("stored", "already_stored", "refused")
                },
            },
        )
    return OutboxImportOut(
        exported_at=outbox.exported_at,
        device_id=outbox.device_id,
        exported_by=outbox.username,
        imported_by=principal.username,
        attachments=attachments,
        batches=batches,
    )


async def _once(content: bytes) -> AsyncGenerator[bytes, None]:
    yield content


async def _store_attachment(
    principal: Principal, settings: Settings, item: OutboxAttachment, locale: Locale
) -> AttachmentImportOut:
    """Stored as an upload would be; a file the attachment rules refuse is reported, and the import goes
    on (the ops citing it are then rejected, each in its result)."""
    try:
        upload = await upload_attachment(
            principal,
            settings,
            item.sha256,
            item.content_type,
            _once(item.content),
            announced=len(item.content),
        )
    except AppError as error:
        if not error.code.value.startswith("attachment."):
            raise
        return AttachmentImportOut(
            sha256=item.sha256,
            status="refused",
            code=error.code.value,
            message=message_for(error.code, locale, **error.params),
        )
    return AttachmentImportOut(sha256=item.sha256, status="stored" if upload.created else "already_stored")


async def _push_batch(
    principal: Principal, batch: OutboxBatch, settings: Settings, locale: Locale
) -> BatchImportOut:
    body = push_body(batch)
    body_hash = hashlib.sha256(body).hexdigest()
    replayed = await team_store.stored_push_response(batch.key) is not None
    response = None
    for _ in range(_BUSY_RETRIES):
        try:
            response = await service.push_ops(
                principal,
                batch.key,
                body_hash,
                PushIn(device_id=batch.device_id, ops=batch.ops),
                locale=locale,
                settings=settings,
                now=utcnow(),
            )
        except AppError as error:
            if error.code is ErrorCode.SYNC_IDEMPOTENCY_KEY_REUSED:
                # The tablet pushed this batch itself (its key is the batch's own), its body written
                # differently: what was applied then stands, and is never applied again.
                response = await team_store.stored_push_response(batch.key)
                replayed = True
            elif error.code is ErrorCode.SYNC_BATCH_IN_PROGRESS:  # the tablet is pushing it right now
                await asyncio.sleep(_BUSY_WAIT_SECONDS)
                continue
            else:
                raise
        break
    if response is None:
        raise AppError(ErrorCode.SYNC_BATCH_IN_PROGRESS, headers={"Retry-After": "1"})
    stored = msgspec.json.decode(response)
    return BatchImportOut(
        idempotency_key=batch.key,
        device_id=batch.device_id,
        status="replayed" if replayed else "applied",
        results=stored.get("results", []),
        cursor=str(stored.get("cursor", "")),
    )

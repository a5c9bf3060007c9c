"""The reads behind the audit lead's view of the team's work: live findings of an audit, what each
device sent to it, and a stored push response by its key (for an imported outbox)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from server.sync.tables import (
    Finding,
    FindingConflict,
    FindingVersion,
    LateSubmission,
    RecordConflict,
    RecordVersion,
    SyncBatch,
)

if TYPE_CHECKING:
    from datetime import datetime

__all__ = ["device_activity", "live_findings", "stored_push_response"]


async def stored_push_response(key: str) -> bytes | None:
    """The response stored for the batch pushed under ``key`` (whatever its body was), or None."""
    row = await SyncBatch.select(SyncBatch.response).where(SyncBatch.key == uuid.UUID(key)).first().run()
    return None if row is None else str(row["response"]).encode()


async def live_findings(audit_id: str) -> list[tuple[str | None, str]]:
    """(question id or None for a free finding, verdict) of each finding of the audit not deleted."""
    rows = (
        await Finding.select(Finding.question_id, Finding.verdict)
        .where((Finding.audit_id == uuid.UUID(audit_id)) & Finding.deleted.eq(False))
        .run()
    )
    return [(row["question_id"], str(row["verdict"])) for row in rows]


async def device_activity(audit_id: str) -> list[tuple[str, str, datetime]]:
    """(device id, username, server time) of every change a device sent to the audit: each version of a
    finding, a meeting or the conclusion applied, each one that lost a conflict, each op that arrived
    after signing."""
    audit = uuid.UUID(audit_id)
    queries: list[Any] = [
        FindingVersion.select(
            FindingVersion.device_id,
            FindingVersion.author_username.as_alias("username"),
            FindingVersion.recorded_at.as_alias("at"),
        ).where(FindingVersion.audit_id == audit),
        FindingConflict.select(
            FindingConflict.device_id, FindingConflict.username, FindingConflict.created_at.as_alias("at")
        ).where(FindingConflict.audit_id == audit),
        RecordVersion.select(
            RecordVersion.device_id,
            RecordVersion.author_username.as_alias("username"),
            RecordVersion.recorded_at.as_alias("at"),
        ).where(RecordVersion.audit_id == audit),
        RecordConflict.select(
            RecordConflict.device_id, RecordConflict.username, RecordConflict.created_at.as_alias("at")
        ).where(RecordConflict.audit_id == audit),
        LateSubmission.select(
            LateSubmission.device_id, LateSubmission.username, LateSubmission.created_at.as_alias("at")
        ).where(LateSubmission.audit_id == audit),
    ]
    found: list[tuple[str, str, datetime]] = []
    for query in queries:
        found.extend((str(r["device_id"]), str(r["username"]), r["at"]) for r in await query.run())
    return found

"""What the audit lead sees of the team's work on the wire: an audit's progress, and the report of an
imported outbox (camelCase, as every API Struct)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from server.lib.structs import ApiOut

__all__ = [
    "AttachmentImportOut",
    "AuditProgressOut",
    "BatchImportOut",
    "DeviceActivityOut",
    "OutboxImportOut",
    "VerdictCounts",
]


class VerdictCounts(ApiOut):
    """Live findings of each verdict."""

    conform: int = 0
    nc_major: int = 0
    nc_minor: int = 0
    observation: int = 0
    improvement: int = 0
    not_applicable: int = 0


class DeviceActivityOut(ApiOut):
    device_id: str
    username: str
    """Who pushed from the device last (a tablet may be shared)."""
    last_push_at: datetime
    """The server's time of the last change the device sent to this audit (applied, in conflict or
    arrived after signing)."""


class AuditProgressOut(ApiOut):
    audit_id: str
    checklist_version: str | None
    questions: int
    """Questions of the audit's pinned checklist, for its standards and process (0 when none is pinned)."""
    answered: int
    """Those questions a live finding answers."""
    findings: int
    """Live findings, checklist and free ones."""
    by_verdict: VerdictCounts
    free_findings: int
    """Live findings tied to no checklist question."""
    devices: list[DeviceActivityOut]
    """Each device that sent changes to this audit, the most recent first."""


class AttachmentImportOut(ApiOut):
    sha256: str
    status: Literal["stored", "already_stored", "refused"]
    code: str | None = None
    """For a refused file: why (``attachment.bad_image`` …); the ops citing it are then rejected."""
    message: str | None = None


class BatchImportOut(ApiOut):
    idempotency_key: str
    device_id: str
    status: Literal["applied", "replayed"]
    """``replayed``: the batch had already reached the server (pushed by the tablet, or imported
    before); nothing was applied again and ``results`` are those stored then."""
    results: list[Any]
    """One result per op, as ``POST /sync/push`` answers them."""
    cursor: str


class OutboxImportOut(ApiOut):
    exported_at: str
    device_id: str
    exported_by: str
    """The account signed in on the tablet when the file was made."""
    imported_by: str
    """The account the ops were authorised as."""
    attachments: list[AttachmentImportOut]
    batches: list[BatchImportOut]

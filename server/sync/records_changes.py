"""Reading meetings and conclusions: pulls, the versions of a record and its losing client versions.

The read side of ``records_store.py``, as ``changes_store.py`` is for findings.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from piccolo.table import Table

from server.lib.rows import json_value
from server.sync.records_logic import Entity
from server.sync.rows import record_content, record_from_row, record_out
from server.sync.schemas import (
    ConclusionData,
    ConclusionOut,
    ConclusionVersionOut,
    MeetingData,
    MeetingOut,
    MeetingVersionOut,
)
from server.sync.tables import Conclusion, Meeting, RecordConflict, RecordVersion

__all__ = [
    "conclusion_versions",
    "list_record_conflicts",
    "meeting_versions",
    "record_audit_ids",
    "records_since",
]

_TABLES: dict[Entity, type[Table]] = {"meeting": Meeting, "conclusion": Conclusion}


async def records_since(
    audit_ids: Sequence[str], since: int, limit: int
) -> tuple[list[MeetingOut | ConclusionOut], bool]:
    """Meetings and conclusions changed after ``since`` in the given audits, oldest first, at most
    ``limit`` of them (tombstones included); and whether more follow."""
    if not audit_ids:
        return [], False
    audits = [uuid.UUID(a) for a in audit_ids]
    found: list[MeetingOut | ConclusionOut] = []
    for entity, table in _TABLES.items():
        seq = table._meta.get_column_by_name("seq")
        rows = (
            await table.select()
            .where(table._meta.get_column_by_name("audit_id").is_in(audits) & (seq > since))
            .order_by(seq)
            .limit(limit + 1)
            .run()
        )
        found += [
            record_out(record_from_row(entity, r), int(r["seq"]), str(r["author_username"]), r["updated_at"])
            for r in rows
        ]
    found.sort(key=lambda change: change.seq)
    return found[:limit], len(found) > limit


async def record_audit_ids(entity: Entity, ids: Sequence[str]) -> dict[str, str]:
    """record id → audit id, for the records of ``entity`` among ``ids`` that exist."""
    if not ids:
        return {}
    table = _TABLES[entity]
    keys = [uuid.UUID(i) for i in sorted({i.lower() for i in ids})]
    audit_id = table._meta.get_column_by_name("audit_id")
    rows = (
        await table.select(table._meta.primary_key, audit_id).where(table._meta.primary_key.is_in(keys)).run()
    )
    return {str(r["id"]): str(r["audit_id"]) for r in rows}


async def _version_rows(entity: Entity, record_id: str) -> list[dict[str, Any]]:
    return list(
        await RecordVersion.select()
        .where((RecordVersion.entity == entity) & (RecordVersion.record_id == uuid.UUID(record_id)))
        .order_by(RecordVersion.rev)
        .run()
    )


def _author(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "audit_id": str(row["audit_id"]),
        "rev": int(row["rev"]),
        "seq": int(row["seq"]),
        "author_user_id": str(row["author_user_id"]) if row["author_user_id"] else None,
        "author": str(row["author_username"]),
        "device_id": str(row["device_id"]),
        "client_updated_at": row["client_updated_at"],
        "recorded_at": row["recorded_at"],
    }


async def meeting_versions(meeting_id: str) -> list[MeetingVersionOut]:
    """Every applied version of a meeting, oldest first."""
    versions: list[MeetingVersionOut] = []
    for row in await _version_rows("meeting", meeting_id):
        data = record_content("meeting", row["content"])
        if isinstance(data, MeetingData):
            versions.append(
                MeetingVersionOut(
                    meeting_id=str(row["record_id"]), deleted=bool(row["deleted"]), data=data, **_author(row)
                )
            )
    return versions


async def conclusion_versions(conclusion_id: str) -> list[ConclusionVersionOut]:
    """Every applied version of a conclusion, oldest first."""
    versions: list[ConclusionVersionOut] = []
    for row in await _version_rows("conclusion", conclusion_id):
        data = record_content("conclusion", row["content"])
        if isinstance(data, ConclusionData):
            versions.append(
                ConclusionVersionOut(conclusion_id=str(row["record_id"]), data=data, **_author(row))
            )
    return versions


async def list_record_conflicts(entity: Entity, record_id: str) -> list[dict[str, Any]]:
    """The client versions of a record that lost against the server copy, oldest first."""
    rows = (
        await RecordConflict.select()
        .where((RecordConflict.entity == entity) & (RecordConflict.record_id == uuid.UUID(record_id)))
        .order_by(RecordConflict.id)
        .run()
    )
    return [
        {
            "id": r["id"],
            "auditId": str(r["audit_id"]),
            "deviceId": r["device_id"],
            "username": r["username"],
            "baseRev": r["base_rev"],
            "serverRev": r["server_rev"],
            "op": json_value(r["data"]),
            "createdAt": r["created_at"],
        }
        for r in rows
    ]

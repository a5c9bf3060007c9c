"""Findings, meetings and conclusions as rows: turning what the database holds into the protocol's
Structs (no queries)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from server.lib.rows import json_list, json_value
from server.sync.logic import Stored
from server.sync.records_logic import Entity, Record, RecordData, slot_of
from server.sync.schemas import (
    ConclusionData,
    ConclusionOut,
    FindingData,
    FindingOut,
    MeetingData,
    MeetingOut,
)

__all__ = [
    "data_from_row",
    "finding_out",
    "record_content",
    "record_from_row",
    "record_out",
    "stored_from_row",
]

_RECORD_TYPES: dict[Entity, type[MeetingData] | type[ConclusionData]] = {
    "meeting": MeetingData,
    "conclusion": ConclusionData,
}
_record_decoders = {entity: msgspec.json.Decoder(kind) for entity, kind in _RECORD_TYPES.items()}


def _photo_times(value: Any) -> dict[str, datetime]:
    """The ``photos_taken_at`` column as times (the JSON holds their ISO text; null reads as none)."""
    times = json_value(value)
    return msgspec.convert(times, dict[str, datetime]) if times else {}


def data_from_row(row: dict[str, Any]) -> FindingData:
    return FindingData(
        verdict=row["verdict"],
        question_id=row["question_id"],
        statement=row["statement"],
        evidence=row["evidence"],
        clause_refs=json_list(row["clause_refs"]),
        process_id=str(row["process_id"]) if row["process_id"] else None,
        unit_id=str(row["unit_id"]) if row["unit_id"] else None,
        site_id=str(row["site_id"]) if row["site_id"] else None,
        auditee_response=row["auditee_response"],
        attachments=json_list(row["attachments"]),
        photos_taken_at=_photo_times(row["photos_taken_at"]),
        client_updated_at=row["client_updated_at"],
    )


def stored_from_row(row: dict[str, Any]) -> Stored:
    return Stored(
        id=str(row["id"]),
        audit_id=str(row["audit_id"]),
        question_id=row["question_id"],
        rev=row["rev"],
        deleted=bool(row["deleted"]),
        content_hash=row["content_hash"],
        data=data_from_row(row),
    )


def finding_out(stored: Stored, seq: int, author: str, updated_at: datetime) -> FindingOut:
    return FindingOut(
        id=stored.id,
        audit_id=stored.audit_id,
        rev=stored.rev,
        seq=seq,
        deleted=stored.deleted,
        data=None if stored.deleted else stored.data,
        author=author,
        updated_at=updated_at,
    )


def record_content(entity: Entity, value: Any) -> RecordData:
    """A record's JSON content column as its Struct (SQLite hands back text, PostgreSQL text or values)."""
    if isinstance(value, str | bytes):
        return _record_decoders[entity].decode(value)
    return msgspec.convert(value, _RECORD_TYPES[entity])


def record_from_row(entity: Entity, row: dict[str, Any]) -> Record:
    data = record_content(entity, row["content"])
    return Record(
        entity=entity,
        id=str(row["id"]),
        audit_id=str(row["audit_id"]),
        slot=slot_of(data),
        rev=int(row["rev"]),
        deleted=bool(row["deleted"]),
        content_hash=str(row["content_hash"]),
        data=data,
    )


def record_out(record: Record, seq: int, author: str, updated_at: datetime) -> MeetingOut | ConclusionOut:
    if isinstance(record.data, MeetingData):
        return MeetingOut(
            id=record.id,
            audit_id=record.audit_id,
            rev=record.rev,
            seq=seq,
            deleted=record.deleted,
            data=None if record.deleted else record.data,
            author=author,
            updated_at=updated_at,
        )
    return ConclusionOut(
        id=record.id,
        audit_id=record.audit_id,
        rev=record.rev,
        seq=seq,
        deleted=record.deleted,
        data=None if record.deleted else record.data,
        author=author,
        updated_at=updated_at,
    )

"""Findings as rows: turning what the database holds into the protocol's Structs (no queries)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from server.lib.rows import json_list
from server.sync.logic import Stored
from server.sync.schemas import FindingData, FindingOut

__all__ = ["data_from_row", "finding_out", "stored_from_row"]


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

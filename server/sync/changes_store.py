"""Reading findings and the protocol's records: pulls, conflicts, late submissions, the sequence, and the
attachments that findings and conclusions refer to.

The second half of the sync store (the push path is ``store.py``), kept apart for size.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Literal

import msgspec

from server.lib.rows import chunked, json_value
from server.sync.rows import finding_out, stored_from_row
from server.sync.schemas import FindingData, FindingOut, FindingVersionOut
from server.sync.tables import (
    Conclusion,
    Finding,
    FindingConflict,
    FindingVersion,
    LateSubmission,
    Meeting,
    RecordConflict,
    RecordVersion,
    SyncCounter,
)

__all__ = [
    "attachment_references",
    "audit_changed_since",
    "current_sequence",
    "finding_audit_ids",
    "finding_versions",
    "findings_by_ids",
    "findings_referencing",
    "findings_since",
    "late_submissions",
    "list_conflicts",
    "verdict_counts",
]


async def verdict_counts(audit_ids: Sequence[str]) -> dict[str, dict[str, int]]:
    """audit id → verdict → how many findings (deleted ones left out) carry it, for the given audits."""
    result: dict[str, dict[str, int]] = {}
    for chunk in chunked(sorted({a.lower() for a in audit_ids})):
        rows = (
            await Finding.select(Finding.audit_id, Finding.verdict)
            .where(Finding.audit_id.is_in([uuid.UUID(a) for a in chunk]) & (Finding.deleted == False))  # noqa: E712
            .run()
        )
        for row in rows:
            counts = result.setdefault(str(row["audit_id"]), {})
            counts[row["verdict"]] = counts.get(row["verdict"], 0) + 1
    return result


async def finding_audit_ids(ids: Iterable[str]) -> dict[str, str]:
    """finding id → audit id, for the findings that exist (deletes name only the finding)."""
    keys = sorted({i.lower() for i in ids})
    result: dict[str, str] = {}
    for chunk in chunked(keys):
        uuids = [uuid.UUID(k) for k in chunk]
        for row in await Finding.select(Finding.id, Finding.audit_id).where(Finding.id.is_in(uuids)).run():
            result[str(row["id"])] = str(row["audit_id"])
    return result


async def findings_by_ids(ids: Iterable[str]) -> dict[str, FindingOut]:
    """finding id → its current state (tombstones included), for the findings that exist."""
    keys = sorted({i.lower() for i in ids})
    found: dict[str, FindingOut] = {}
    for chunk in chunked(keys):
        rows = await Finding.select().where(Finding.id.is_in([uuid.UUID(k) for k in chunk])).run()
        for r in rows:
            found[str(r["id"])] = finding_out(
                stored_from_row(r), int(r["seq"]), str(r["author_username"]), r["updated_at"]
            )
    return found


async def findings_since(audit_ids: Sequence[str], since: int, limit: int) -> tuple[list[FindingOut], bool]:
    """Changes after ``since`` in the given audits, oldest first; tombstones included."""
    if not audit_ids:
        return [], False
    rows = (
        await Finding.select()
        .where(Finding.audit_id.is_in([uuid.UUID(a) for a in audit_ids]) & (Finding.seq > since))
        .order_by(Finding.seq)
        .limit(limit + 1)
        .run()
    )
    changes = [
        finding_out(stored_from_row(r), int(r["seq"]), str(r["author_username"]), r["updated_at"])
        for r in rows[:limit]
    ]
    return changes, len(rows) > limit


async def list_conflicts(finding_id: str) -> list[dict[str, Any]]:
    rows = (
        await FindingConflict.select()
        .where(FindingConflict.finding_id == uuid.UUID(finding_id))
        .order_by(FindingConflict.id)
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


async def late_submissions(audit_id: str) -> list[dict[str, Any]]:
    """The ops that arrived after the audit was signed: ``entity`` says whether each changes a finding,
    a meeting or the conclusion, ``entityId`` which one (``findingId`` names findings only)."""
    rows = (
        await LateSubmission.select()
        .where(LateSubmission.audit_id == uuid.UUID(audit_id))
        .order_by(LateSubmission.id)
        .run()
    )
    return [
        {
            "id": r["id"],
            "entity": r["entity"],
            "entityId": str(r["finding_id"]),
            "findingId": str(r["finding_id"]) if r["entity"] == "finding" else None,
            "deviceId": r["device_id"],
            "username": r["username"],
            "op": json_value(r["op"]),
            "createdAt": r["created_at"],
            "reviewedAt": r["reviewed_at"],
        }
        for r in rows
    ]


async def current_sequence() -> int:
    row = await SyncCounter.select(SyncCounter.value).where(SyncCounter.id == 1).first().run()
    return int(row["value"]) if row else 0


async def audit_changed_since(audit_id: str, seq: int) -> bool:
    """Whether a finding, meeting or conclusion of the audit changed after change sequence ``seq``."""
    for table in (Finding, Meeting, Conclusion):
        if await table.exists().where((table.audit_id == audit_id) & (table.seq > seq)):
            return True
    return False


_content_decoder = msgspec.json.Decoder(FindingData)


async def finding_versions(finding_id: str) -> list[FindingVersionOut]:
    """Every applied version of a finding, oldest first."""
    rows = (
        await FindingVersion.select()
        .where(FindingVersion.finding_id == uuid.UUID(finding_id))
        .order_by(FindingVersion.rev)
        .run()
    )
    return [
        FindingVersionOut(
            finding_id=str(r["finding_id"]),
            audit_id=str(r["audit_id"]),
            rev=int(r["rev"]),
            seq=int(r["seq"]),
            deleted=bool(r["deleted"]),
            data=_content_decoder.decode(r["content"])
            if isinstance(r["content"], str)
            else msgspec.convert(r["content"], FindingData),
            author_user_id=str(r["author_user_id"]) if r["author_user_id"] else None,
            author=str(r["author_username"]),
            device_id=str(r["device_id"]),
            client_updated_at=r["client_updated_at"],
            recorded_at=r["recorded_at"],
        )
        for r in rows
    ]


async def findings_referencing(kind: Literal["process", "unit", "site"], entity_id: str) -> int:
    """How many findings (tombstones left out) name the org object as their process, unit or site."""
    column = {"process": Finding.process_id, "unit": Finding.unit_id, "site": Finding.site_id}[kind]
    return int(
        await Finding.count().where((column == uuid.UUID(entity_id)) & Finding.deleted.eq(False)).run()
    )


def _named_hashes(value: Any) -> Iterator[str]:
    """The attachment hashes a stored document names where the protocol puts them: a finding's
    ``attachments`` (or the bare list of the finding table's column), a conclusion's ``signatures``,
    and the ``data`` of an op (a conflict's or a late submission's). Nothing else counts."""
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, str))
    if not isinstance(value, dict):
        return
    yield from _named_hashes(value.get("data"))
    yield from _named_hashes(value.get("attachments"))
    for signature in value.get("signatures") or []:
        if isinstance(signature, dict) and isinstance(signature.get("attachment"), str):
            yield signature["attachment"]


async def attachment_references(sha256: str | None = None) -> set[tuple[str, str]]:
    """(audit id, attachment hash) for every attachment a finding or a conclusion of the audit refers
    to: in its current state (tombstones included), in any version it had, in a losing version kept as
    a conflict, or in a late submission. Only the references to ``sha256`` (a checked hash) when it is
    given.

    The JSON columns are matched as text (cast: PostgreSQL's json has no LIKE), then every match is
    confirmed on the decoded value, so a hash merely quoted in a statement is no reference.
    """
    if sha256 is not None and not (sha256.isascii() and sha256.isalnum()):
        raise ValueError("attachment_references expects a checked SHA-256")
    pattern = f"%{sha256}%" if sha256 else "%"
    sources: list[tuple[type[Any], str]] = [
        (Finding, "SELECT audit_id, attachments AS doc FROM finding WHERE CAST(attachments AS TEXT) LIKE {}"),
        (
            FindingVersion,
            "SELECT audit_id, content AS doc FROM finding_version WHERE CAST(content AS TEXT) LIKE {}",
        ),
        (
            FindingConflict,
            "SELECT audit_id, data AS doc FROM finding_conflict WHERE CAST(data AS TEXT) LIKE {}",
        ),
        (LateSubmission, "SELECT audit_id, op AS doc FROM late_submission WHERE CAST(op AS TEXT) LIKE {}"),
        (Conclusion, "SELECT audit_id, content AS doc FROM conclusion WHERE CAST(content AS TEXT) LIKE {}"),
        (
            RecordVersion,
            "SELECT audit_id, content AS doc FROM record_version WHERE CAST(content AS TEXT) LIKE {}",
        ),
        (
            RecordConflict,
            "SELECT audit_id, data AS doc FROM record_conflict WHERE CAST(data AS TEXT) LIKE {}",
        ),
    ]
    found: set[tuple[str, str]] = set()
    for table, sql in sources:
        for row in await table.raw(sql, pattern).run():
            value: Any = json.loads(row["doc"]) if isinstance(row["doc"], str) else row["doc"]
            for item in _named_hashes(value):
                if sha256 is None or item == sha256:
                    found.add((str(row["audit_id"]), item))
    return found

"""Meetings and conclusions in the push path: load what the ops name, decide each op
(``records_logic.decide_record``), and write the outcome with the rest of the batch.

The batch itself (its key, its sequence, its transaction, its response) is ``store.py``'s: records ride
in the same :class:`~server.sync.store.PendingBatch` as findings, take their sequence numbers from it
and are written by its ``finish_batch``, so a batch mixing findings, meetings and a conclusion is
applied exactly once, all or nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import msgspec
from piccolo.table import Table

from server.lib.db import executemany, timestamp_param
from server.lib.rows import chunked
from server.sync.logic import Decision
from server.sync.records_logic import (
    RECORD_OPS,
    Entity,
    Record,
    RecordOp,
    decide_record,
    entity_of,
    slot_of,
)
from server.sync.rows import record_from_row
from server.sync.schemas import DeleteMeeting, Op, UpsertConclusion, UpsertMeeting
from server.sync.tables import Conclusion, LateSubmission, Meeting, RecordConflict

if TYPE_CHECKING:
    from server.sync.logic import Facts
    from server.sync.store import PendingBatch

__all__ = ["RecordBatch", "RecordKey", "decide_record_op", "open_records", "write_records"]

RecordKey = tuple[Entity, str]
"""(entity, id): a meeting and a conclusion are kept apart even under one id."""
_TABLES: dict[Entity, type[Table]] = {"meeting": Meeting, "conclusion": Conclusion}


@dataclass
class RecordBatch:
    """The records of a batch being applied: what the server holds, updated op by op, and what is to be
    written at the end."""

    known: dict[RecordKey, Record] = field(default_factory=dict)
    meta: dict[RecordKey, tuple[int, str, datetime]] = field(default_factory=dict)
    """seq, author and time of the last change of every record loaded or applied (for server copies)."""
    holders: dict[tuple[Entity, str, str], Record] = field(default_factory=dict)
    """(entity, audit id, slot) → the live record standing there."""
    audit_ids: set[str] = field(default_factory=set)
    existing: set[RecordKey] = field(default_factory=set)
    writes: dict[RecordKey, tuple[Record, int, Any]] = field(default_factory=dict)
    """The last state of every record applied, its sequence and client time as executemany wants it."""
    versions: list[tuple[Any, ...]] = field(default_factory=list)
    conflicts: list[RecordConflict] = field(default_factory=list)


def _ids(ops: Iterable[RecordOp], entity: Entity) -> list[str]:
    return sorted({op.id.lower() for op in ops if entity_of(op) == entity})


async def _select(entity: Entity, where: Any) -> list[dict[str, Any]]:
    return list(await _TABLES[entity].select().where(where).run())


async def _by_id(entity: Entity, ids: Sequence[str]) -> list[dict[str, Any]]:
    table = _TABLES[entity]
    rows: list[dict[str, Any]] = []
    for chunk in chunked(ids):
        rows += await _select(entity, table._meta.primary_key.is_in([uuid.UUID(i) for i in chunk]))
    return rows


async def _holder_rows(ops: Sequence[RecordOp]) -> list[tuple[Entity, dict[str, Any]]]:
    """The live records standing where the batch's upserts want to stand."""
    meetings = [op for op in ops if isinstance(op, UpsertMeeting)]
    conclusions = [op for op in ops if isinstance(op, UpsertConclusion)]
    found: list[tuple[Entity, dict[str, Any]]] = []
    if meetings:
        audits = [uuid.UUID(a) for a in sorted({op.audit_id.lower() for op in meetings})]
        kinds = sorted({op.data.kind for op in meetings})
        where = Meeting.audit_id.is_in(audits) & Meeting.kind.is_in(kinds) & (Meeting.deleted == False)  # noqa: E712
        found += [("meeting", row) for row in await _select("meeting", where)]
    if conclusions:
        audits = [uuid.UUID(a) for a in sorted({op.audit_id.lower() for op in conclusions})]
        where = Conclusion.audit_id.is_in(audits) & (Conclusion.deleted == False)  # noqa: E712
        found += [("conclusion", row) for row in await _select("conclusion", where)]
    return found


def _remember(batch: RecordBatch, entity: Entity, row: dict[str, Any]) -> Record:
    record = record_from_row(entity, row)
    batch.meta.setdefault(
        (entity, record.id), (int(row["seq"]), str(row["author_username"]), row["updated_at"])
    )
    return record


async def open_records(ops: Sequence[Op]) -> RecordBatch:
    """Load the records the ops name and the live records standing where their upserts go. A batch of
    findings alone costs nothing here."""
    record_ops = [op for op in ops if isinstance(op, RECORD_OPS)]
    batch = RecordBatch()
    if not record_ops:
        return batch
    for entity in _TABLES:
        for row in await _by_id(entity, _ids(record_ops, entity)):
            record = _remember(batch, entity, row)
            batch.known[(entity, record.id)] = record
    for entity, row in await _holder_rows(record_ops):
        record = _remember(batch, entity, row)
        batch.holders[(entity, record.audit_id, record.slot)] = record
    batch.existing = set(batch.known)
    batch.audit_ids = {op.audit_id.lower() for op in record_ops if not isinstance(op, DeleteMeeting)}
    batch.audit_ids |= {record.audit_id for record in batch.known.values()}
    return batch


def _lower(value: str | None) -> str | None:
    return value.lower() if value else value


def _normalized(op: RecordOp) -> RecordOp:
    """The op with lowercase ids, its attendees' included, as findings store theirs (copied only when a
    tablet sent uppercase)."""
    if isinstance(op, DeleteMeeting):
        return op if op.id == op.id.lower() else msgspec.structs.replace(op, id=op.id.lower())
    if isinstance(op, UpsertMeeting) and any(
        a.person_id != _lower(a.person_id) or a.unit_id != _lower(a.unit_id) for a in op.data.attendees
    ):
        attendees = [
            msgspec.structs.replace(a, person_id=_lower(a.person_id), unit_id=_lower(a.unit_id))
            for a in op.data.attendees
        ]
        op = msgspec.structs.replace(op, data=msgspec.structs.replace(op.data, attendees=attendees))
    if op.id == op.id.lower() and op.audit_id == op.audit_id.lower():
        return op
    return msgspec.structs.replace(op, id=op.id.lower(), audit_id=op.audit_id.lower())


def decide_record_op(op: RecordOp, batch: PendingBatch, facts: Facts) -> tuple[RecordOp, Decision]:
    """Decide one record op against the batch's state and keep what it leaves to write: the applied
    version, the losing client version of a conflict, or the op of a signed audit for review."""
    op = _normalized(op)
    records = batch.records
    entity = entity_of(op)
    current = records.known.get((entity, op.id))
    holder = None
    if not isinstance(op, DeleteMeeting):
        holder = records.holders.get((entity, op.audit_id, slot_of(op.data)))
    decision = decide_record(op, current, facts, holder)
    if decision.status == "applied" and isinstance(decision.new, Record):
        _apply(batch, decision.new, current)
    elif decision.status == "conflict" and not isinstance(op, DeleteMeeting):
        server = decision.server_copy
        records.conflicts.append(
            RecordConflict(
                entity=entity,
                record_id=uuid.UUID(op.id),
                audit_id=uuid.UUID(op.audit_id),
                device_id=batch.ctx.device_id,
                username=batch.ctx.username,
                base_rev=op.base_rev or 0,
                server_rev=server.rev if server else 0,
                data=msgspec.json.encode(op).decode(),
                created_at=batch.now,
            )
        )
    elif decision.status == "locked" and (audit_id := _audit_of(op, current)) is not None:
        _keep_late(batch, op, audit_id)
    return op, decision


def _audit_of(op: RecordOp, current: Record | None) -> str | None:
    """The audit an op changes: named by an upsert, that of the record a deletion names."""
    if isinstance(op, DeleteMeeting):
        return current.audit_id if current is not None else None
    return op.audit_id


def _keep_late(batch: PendingBatch, op: RecordOp, audit_id: str) -> None:
    """An op on a signed audit, kept for the audit lead's review with the findings' late ops."""
    batch.lates.append(
        LateSubmission(
            audit_id=uuid.UUID(audit_id),
            finding_id=uuid.UUID(op.id),
            entity=entity_of(op),
            device_id=batch.ctx.device_id,
            username=batch.ctx.username,
            op=msgspec.json.encode(op).decode(),
            created_at=batch.now,
        )
    )


def _apply(batch: PendingBatch, new: Record, previous: Record | None) -> None:
    records = batch.records
    seq = batch.take_seq()
    if previous is not None and not previous.deleted:
        place = (previous.entity, previous.audit_id, previous.slot)
        if (standing := records.holders.get(place)) is not None and standing.id == previous.id:
            del records.holders[place]
    if not new.deleted:
        records.holders[(new.entity, new.audit_id, new.slot)] = new
    key = (new.entity, new.id)
    records.known[key] = new
    records.meta[key] = (seq, batch.ctx.username, batch.now)
    client_time = timestamp_param(new.data.client_updated_at)
    records.writes[key] = (new, seq, client_time)
    records.versions.append(
        (
            new.entity,
            new.id,
            new.audit_id,
            new.rev,
            new.deleted,
            msgspec.json.encode(new.data).decode(),
            batch.ctx.user_id,
            batch.ctx.username,
            batch.ctx.device_id,
            None if new.deleted else client_time,
            batch.now_param,
            seq,
        )
    )


_SHARED = (
    "content",
    "author_user_id",
    "author_username",
    "device_id",
    "client_updated_at",
    "rev",
    "deleted",
    "seq",
    "content_hash",
    "updated_at",
)
_COLUMNS: dict[Entity, tuple[str, ...]] = {
    "meeting": ("audit_id", "kind", *_SHARED),
    "conclusion": ("audit_id", *_SHARED),
}
_VERSION_COLUMNS = (
    "entity",
    "record_id",
    "audit_id",
    "rev",
    "deleted",
    "content",
    "author_user_id",
    "author_username",
    "device_id",
    "client_updated_at",
    "recorded_at",
    "seq",
)
# Built from the constant table and column names above, never from input.
_INSERT = {
    entity: f"INSERT INTO {entity} (id, {', '.join(columns)}) VALUES ({', '.join('?' * (len(columns) + 1))})"  # noqa: S608
    for entity, columns in _COLUMNS.items()
}
_UPDATE = {
    entity: f"UPDATE {entity} SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?"  # noqa: S608
    for entity, columns in _COLUMNS.items()
}
_INSERT_VERSION = (
    f"INSERT INTO record_version ({', '.join(_VERSION_COLUMNS)}) "  # noqa: S608
    f"VALUES ({', '.join('?' * len(_VERSION_COLUMNS))})"
)


def _values(record: Record, seq: int, client_time: Any, batch: PendingBatch) -> tuple[Any, ...]:
    """The columns of ``_COLUMNS[record.entity]``, in order, for the record's last state."""
    kind = (slot_of(record.data),) if record.entity == "meeting" else ()
    return (
        record.audit_id,
        *kind,
        msgspec.json.encode(record.data).decode(),
        batch.ctx.user_id,
        batch.ctx.username,
        batch.ctx.device_id,
        client_time,
        record.rev,
        record.deleted,
        seq,
        record.content_hash,
        batch.now_param,
    )


async def write_records(batch: PendingBatch) -> None:
    """Write the batch's records, their versions and their losing client versions (inside the batch's
    transaction; late submissions go with the findings')."""
    records = batch.records
    for entity in _TABLES:
        written = [(key, state) for key, state in records.writes.items() if key[0] == entity]
        await executemany(
            _INSERT[entity],
            [(key[1], *_values(*state, batch)) for key, state in written if key not in records.existing],
        )
        await executemany(
            _UPDATE[entity],
            [(*_values(*state, batch), key[1]) for key, state in written if key in records.existing],
        )
    await executemany(_INSERT_VERSION, records.versions)
    if records.conflicts:
        await RecordConflict.insert(*records.conflicts).run()

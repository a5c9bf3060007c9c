"""Findings and sync bookkeeping in the database: the push path (reads are in ``changes_store.py``;
meetings and conclusions ride in the same batch through ``records_store.py``).

A push is one transaction, opened by the service: claim the batch key (an advisory lock on
PostgreSQL), take the sequence row (which orders concurrent batches on PostgreSQL and is free on
SQLite, where IMMEDIATE already serialises writers), answer a replayed key from the stored response,
load the findings and records the ops name, decide every op in order, write the outcome, every applied
version and the response together. A crash anywhere before COMMIT leaves nothing behind; the client's
retry with the same key then applies the batch once.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec
from piccolo.engine.postgres import PostgresEngine

from server.lib.db import current_engine, executemany, fetch, timestamp_param
from server.lib.errors import AppError, ErrorCode, message_for
from server.lib.i18n import Locale
from server.lib.principal import Principal
from server.lib.rows import chunked
from server.sync.logic import Decision, Facts, Stored, decide, reject
from server.sync.records_logic import RECORD_OPS, Record
from server.sync.records_store import RecordBatch, decide_record_op, open_records, write_records
from server.sync.rows import finding_out, record_out, stored_from_row
from server.sync.schemas import (
    ConclusionOut,
    DeleteFinding,
    FindingOut,
    MeetingOut,
    Op,
    OpResult,
    PushOut,
    UpsertFinding,
)
from server.sync.tables import Finding, FindingConflict, LateSubmission, SyncBatch, SyncCounter
from server.trail.store import record_change

__all__ = [
    "BatchContext",
    "DecodedOp",
    "PendingBatch",
    "apply_ops",
    "finish_batch",
    "open_batch",
    "read_snapshot",
    "replayed_response",
    "take_sequence",
    "try_lock_batch_key",
]

DecodedOp = tuple[Op | None, ErrorCode | None, str | None]
"""An op as decoded from the batch, or why it could not be (code and problem)."""


@dataclass
class BatchContext:
    """Who pushes, from which device, and in which language results are explained."""

    user_id: str
    username: str
    device_id: str
    locale: Locale


def _norm(value: str) -> str:
    """The canonical text of a UUID the schema has already checked (8-4-4-4-12 hex): lowercase."""
    return value.lower()


def _json_text(values: list[str]) -> str:
    return msgspec.json.encode(values).decode()


def _opt(value: str | None) -> str | None:
    return value.lower() if value else None


@asynccontextmanager
async def read_snapshot() -> AsyncIterator[None]:
    """A read-only transaction: every query of a use case that reads several tables sees one state of
    the database (PostgreSQL: REPEATABLE READ; SQLite: a deferred transaction reads one WAL snapshot)."""
    engine = current_engine()
    async with engine.transaction():
        if isinstance(engine, PostgresEngine):
            await fetch("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", [])
        yield


def _advisory_key(key: str) -> int:
    """A signed 64-bit number for ``key``, in a namespace of its own among the advisory locks."""
    digest = hashlib.sha256(b"tadqiq.sync.batch\0" + key.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def try_lock_batch_key(key: str) -> bool:
    """PostgreSQL: take the transaction-scoped advisory lock of ``key`` without waiting; False when
    another transaction (of any process) holds it. Run first in the batch transaction, before the
    sequence row lock. SQLite: True (one process; the service keeps its guard in memory)."""
    if not isinstance(current_engine(), PostgresEngine):
        return True
    rows = await fetch("SELECT pg_try_advisory_xact_lock(?)", [_advisory_key(key)])
    return bool(rows[0][0])


async def _rows(ids: Sequence[str]) -> list[dict[str, Any]]:
    """Full rows of the findings among ``ids`` that exist. A raw existence query first: a batch is
    mostly new findings, and building a 1,000-value IN list through the ORM cost more than the query."""
    found: list[str] = []
    for chunk in chunked(ids):
        sql = f"SELECT id FROM finding WHERE id IN ({', '.join('?' * len(chunk))})"  # noqa: S608 - placeholders only
        found += [str(row[0]) for row in await fetch(sql, list(chunk))]
    rows: list[dict[str, Any]] = []
    for chunk in chunked(found):
        keys = [uuid.UUID(i) for i in chunk]
        rows.extend(await Finding.select().where(Finding.id.is_in(keys)).run())
    return rows


async def _holders(
    audit_ids: Iterable[str], question_ids: Iterable[str]
) -> dict[tuple[str, str], dict[str, Any]]:
    audits = [uuid.UUID(a) for a in set(audit_ids)]
    questions = sorted(set(question_ids))
    if not audits or not questions:
        return {}
    rows = (
        await Finding.select()
        .where(
            Finding.audit_id.is_in(audits) & Finding.question_id.is_in(questions) & (Finding.deleted == False)  # noqa: E712
        )
        .run()
    )
    return {(str(r["audit_id"]), r["question_id"]): r for r in rows}


async def take_sequence() -> int:
    """Lock the sequence row for this transaction and return the last sequence handed out."""
    rows = await _lock_counter()
    if not rows:  # the first batch ever creates the row
        await SyncCounter.insert(SyncCounter(id=1, value=0)).on_conflict(action="DO NOTHING").run()
        rows = await _lock_counter()
    return int(rows[0]["value"])


async def _lock_counter() -> list[dict[str, Any]]:
    rows = (
        await SyncCounter.update({SyncCounter.value: SyncCounter.value})
        .where(SyncCounter.id == 1)
        .returning(SyncCounter.value)
        .run()
    )
    return list(rows)


async def _pause_for_crash_test() -> None:
    """Fault injection for the crash test only: with ``TADQIQ_CRASH_TEST_PAUSE_FILE`` set, say that the
    batch is written but not committed, then wait to be killed. Unset in every real deployment."""
    marker = os.environ.get("TADQIQ_CRASH_TEST_PAUSE_FILE")
    if marker:
        Path(marker).write_text("written, not committed", encoding="utf-8")
        await asyncio.sleep(300)


async def replayed_response(key: str, body_hash: str) -> bytes | None:
    """The stored response of a batch already applied under ``key``; 422 when that batch had another
    body; None for a new key."""
    replay = (
        await SyncBatch.select(SyncBatch.request_hash, SyncBatch.response)
        .where(SyncBatch.key == uuid.UUID(key))
        .first()
        .run()
    )
    if replay is None:
        return None
    if replay["request_hash"] != body_hash:
        raise AppError(ErrorCode.SYNC_IDEMPOTENCY_KEY_REUSED)
    return str(replay["response"]).encode()


@dataclass
class PendingBatch:
    """A batch being applied: what the server holds for its findings, updated op by op, and what is
    to be written at the end."""

    ctx: BatchContext
    now: datetime
    first_seq: int
    seq: int
    known: dict[str, Stored]
    meta: dict[str, tuple[int, str, datetime]]
    holders: dict[tuple[str, str], Stored]
    audit_ids: set[str]
    """The audits the ops name, and those of the existing findings they name."""
    inserts: dict[str, tuple[Stored, int, Any]] = field(default_factory=dict)
    updates: dict[str, tuple[Stored, int, Any]] = field(default_factory=dict)
    """finding id → its last state, sequence and client time as executemany wants it."""
    versions: list[tuple[Any, ...]] = field(default_factory=list)
    existing: set[str] = field(default_factory=set)
    conflicts: list[FindingConflict] = field(default_factory=list)
    lates: list[LateSubmission] = field(default_factory=list)
    """Ops on signed audits, kept for review: of findings, meetings and conclusions."""
    now_param: Any = None  # ``now`` as executemany wants it, converted once per batch
    records: RecordBatch = field(default_factory=RecordBatch)
    """The batch's meetings and conclusions."""

    def take_seq(self) -> int:
        """The next change sequence, for one applied version of a finding or a record."""
        self.seq += 1
        return self.seq

    def apply(self, new: Stored, previous: Stored | None) -> int:
        self.take_seq()
        if previous is not None and previous.question_id and not previous.deleted:
            self.holders.pop((previous.audit_id, previous.question_id), None)
        if new.question_id and not new.deleted:
            self.holders[(new.audit_id, new.question_id)] = new
        self.known[new.id] = new
        self.meta[new.id] = (self.seq, self.ctx.username, self.now)
        # The client's time converted once, for the finding row and its version row.
        client_time = timestamp_param(new.data.client_updated_at) if new.data is not None else None
        (self.updates if new.id in self.existing else self.inserts)[new.id] = (new, self.seq, client_time)
        self.versions.append(_version_row(new, self, None if new.deleted else client_time))
        return self.seq

    def copy_of(self, stored: Stored | Record) -> FindingOut | MeetingOut | ConclusionOut:
        if isinstance(stored, Record):
            return record_out(stored, *self.records.meta[(stored.entity, stored.id)])
        seq, author, at = self.meta[stored.id]
        return finding_out(stored, seq, author, at)


async def open_batch(ctx: BatchContext, seq: int, now: datetime, ops: Sequence[Op]) -> PendingBatch:
    """Load the findings the ops name, the live findings answering the questions they answer, and the
    meetings and conclusions of the record ops."""
    rows = await _rows(sorted({_norm(op.id) for op in ops if isinstance(op, UpsertFinding | DeleteFinding)}))
    known = {str(r["id"]): stored_from_row(r) for r in rows}
    meta = {str(r["id"]): (int(r["seq"]), str(r["author_username"]), r["updated_at"]) for r in rows}
    audit_ids = {_norm(op.audit_id) for op in ops if isinstance(op, UpsertFinding)}
    audit_ids |= {s.audit_id for s in known.values()}
    questions = {op.data.question_id for op in ops if isinstance(op, UpsertFinding) and op.data.question_id}
    holder_rows = await _holders(audit_ids, questions)
    for row in holder_rows.values():
        meta.setdefault(str(row["id"]), (int(row["seq"]), str(row["author_username"]), row["updated_at"]))
    records = await open_records(ops)
    return PendingBatch(
        ctx=ctx,
        now=now,
        first_seq=seq,
        seq=seq,
        known=known,
        meta=meta,
        holders={k: stored_from_row(r) for k, r in holder_rows.items()},
        audit_ids=audit_ids | records.audit_ids,
        existing=set(known),
        now_param=timestamp_param(now),
        records=records,
    )


def _values(stored: Stored, seq: int, client_time: Any, batch: PendingBatch) -> dict[str, Any]:
    data = stored.data
    if data is None:  # a stored finding always has content; tombstones keep their last content
        raise ValueError(f"finding {stored.id} has no content to write")
    return {
        "audit_id": stored.audit_id,
        "question_id": data.question_id,
        "verdict": data.verdict,
        "statement": data.statement,
        "evidence": data.evidence,
        "clause_refs": _json_text(data.clause_refs),
        "process_id": _opt(data.process_id),
        "unit_id": _opt(data.unit_id),
        "site_id": _opt(data.site_id),
        "auditee_response": data.auditee_response,
        "attachments": _json_text(data.attachments),
        "photos_taken_at": msgspec.json.encode(data.photos_taken_at).decode(),
        "author_user_id": batch.ctx.user_id,
        "author_username": batch.ctx.username,
        "device_id": batch.ctx.device_id,
        "client_updated_at": client_time,
        "rev": stored.rev,
        "deleted": stored.deleted,
        "seq": seq,
        "content_hash": stored.content_hash,
        "updated_at": batch.now_param,
    }


def _version_row(stored: Stored, batch: PendingBatch, client_time: Any) -> tuple[Any, ...]:
    """One ``finding_version`` row (the columns of ``_INSERT_VERSION``) for a version just applied."""
    data = stored.data
    if data is None:
        raise ValueError(f"finding {stored.id} has no content to record")
    return (
        stored.id,
        stored.audit_id,
        stored.rev,
        stored.deleted,
        msgspec.json.encode(data).decode(),
        batch.ctx.user_id,
        batch.ctx.username,
        batch.ctx.device_id,
        client_time,
        batch.now_param,
        batch.seq,
    )


def _result(index: int, op_id: str | None, decision: Decision, batch: PendingBatch) -> OpResult:
    message = None
    if decision.code is not None:
        message = message_for(decision.code, batch.ctx.locale, **dict(decision.params))
    return OpResult(
        index=index,
        id=op_id,
        status=decision.status,
        rev=decision.rev,
        code=decision.code.value if decision.code else None,
        message=message,
        http_status=decision.http_status,
        server=batch.copy_of(decision.server_copy) if decision.server_copy else None,
    )


def apply_ops(batch: PendingBatch, decoded: Sequence[DecodedOp], facts: Facts) -> list[OpResult]:
    """Decide every op in order against the batch's state and ``facts``; no I/O (written by
    :func:`finish_batch`)."""
    return [_decide_one(index, item, batch, facts) for index, item in enumerate(decoded)]


def _unreadable(error: ErrorCode | None, problem: str | None) -> Decision:
    code = error or ErrorCode.SYNC_INVALID_OP
    return reject(code, problem=problem or "") if code is ErrorCode.SYNC_INVALID_OP else reject(code)


def _decide_one(index: int, item: DecodedOp, batch: PendingBatch, facts: Facts) -> OpResult:
    op, error, problem = item
    if op is None:
        return _result(index, None, _unreadable(error, problem), batch)
    if isinstance(op, RECORD_OPS):
        record_op, outcome = decide_record_op(op, batch, facts)
        return _result(index, record_op.id, outcome, batch)
    # Most tablets already send lowercase ids; copying the op only when needed keeps 1,000 ops cheap.
    if isinstance(op, UpsertFinding) and (op.id != _norm(op.id) or op.audit_id != _norm(op.audit_id)):
        op = msgspec.structs.replace(op, id=_norm(op.id), audit_id=_norm(op.audit_id))
    elif isinstance(op, DeleteFinding) and op.id != _norm(op.id):
        op = msgspec.structs.replace(op, id=_norm(op.id))
    current = batch.known.get(op.id)
    audit_id = op.audit_id if isinstance(op, UpsertFinding) else (current.audit_id if current else None)
    holder = None
    if isinstance(op, UpsertFinding) and op.data.question_id:
        holder = batch.holders.get((op.audit_id, op.data.question_id))
    decision = decide(op, current, facts, holder)
    if decision.status == "applied" and isinstance(decision.new, Stored):
        batch.apply(decision.new, current)
    elif decision.status == "conflict" and isinstance(op, UpsertFinding):
        server = decision.server_copy
        batch.conflicts.append(
            FindingConflict(
                finding_id=uuid.UUID(op.id),
                audit_id=uuid.UUID(op.audit_id),
                device_id=batch.ctx.device_id,
                username=batch.ctx.username,
                base_rev=op.base_rev or 0,
                server_rev=server.rev if server else 0,
                data=msgspec.json.encode(op).decode(),
                created_at=batch.now,
            )
        )
    elif decision.status == "locked" and audit_id is not None:
        batch.lates.append(
            LateSubmission(
                audit_id=uuid.UUID(audit_id),
                finding_id=uuid.UUID(op.id),
                device_id=batch.ctx.device_id,
                username=batch.ctx.username,
                op=msgspec.json.encode(op).decode(),
                created_at=batch.now,
            )
        )
    return _result(index, op.id, decision, batch)


_COLUMNS = (
    "audit_id",
    "question_id",
    "verdict",
    "statement",
    "evidence",
    "clause_refs",
    "process_id",
    "unit_id",
    "site_id",
    "auditee_response",
    "attachments",
    "photos_taken_at",
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
_VERSION_COLUMNS = (
    "finding_id",
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
# Built from the constant column lists above, never from input.
_INSERT = f"INSERT INTO finding (id, {', '.join(_COLUMNS)}) VALUES ({', '.join('?' * (len(_COLUMNS) + 1))})"  # noqa: S608
_UPDATE = f"UPDATE finding SET {', '.join(f'{c} = ?' for c in _COLUMNS)} WHERE id = ?"  # noqa: S608
_INSERT_VERSION = (
    f"INSERT INTO finding_version ({', '.join(_VERSION_COLUMNS)}) "  # noqa: S608
    f"VALUES ({', '.join('?' * len(_VERSION_COLUMNS))})"
)


async def _write(batch: PendingBatch) -> None:
    # Raw executemany on the batch's transaction: see server.lib.db.executemany for the profile.
    await executemany(
        _INSERT,
        [(fid, *_values(s, seq, client, batch).values()) for fid, (s, seq, client) in batch.inserts.items()],
    )
    await executemany(
        _UPDATE,
        [(*_values(s, seq, client, batch).values(), fid) for fid, (s, seq, client) in batch.updates.items()],
    )
    await executemany(_INSERT_VERSION, batch.versions)
    await write_records(batch)
    if batch.conflicts:
        await FindingConflict.insert(*batch.conflicts).run()
    if batch.lates:
        await LateSubmission.insert(*batch.lates).run()
    if batch.seq != batch.first_seq:
        await SyncCounter.update({SyncCounter.value: batch.seq}).where(SyncCounter.id == 1).run()


async def finish_batch(batch: PendingBatch, key: str, body_hash: str, results: list[OpResult]) -> bytes:
    """Write the outcome, one trail row and the response to replay; return the response."""
    await _write(batch)
    await _pause_for_crash_test()
    counts = {
        status: sum(1 for r in results if r.status == status)
        for status in ("applied", "unchanged", "conflict", "rejected", "locked")
    }
    ctx = batch.ctx
    actor = Principal(user_id=ctx.user_id, username=ctx.username, roles=frozenset())
    # One trail row per batch; every applied version of a finding is kept in finding_version.
    await record_change(actor, "push", "sync_batch", key, None, {"deviceId": ctx.device_id, **counts})
    response = msgspec.json.encode(PushOut(results=results, cursor=str(batch.seq)))
    await SyncBatch.insert(
        SyncBatch(
            key=uuid.UUID(key),
            user_id=uuid.UUID(ctx.user_id),
            request_hash=body_hash,
            response=response.decode(),
            created_at=batch.now,
        )
    ).run()
    return response

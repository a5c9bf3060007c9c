"""Findings and sync bookkeeping in the database (the only module touching sync tables).

A push is one transaction: take the sequence row (which orders concurrent batches on PostgreSQL and
is free on SQLite, where IMMEDIATE already serialises writers), answer a replayed key from the stored
response, decide every op in order, write the outcome and the response together. A crash anywhere
before COMMIT leaves nothing behind; the client's retry with the same key then applies the batch once.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec

from server.lib.db import executemany, fetch, timestamp_param, write_transaction
from server.lib.errors import AppError, ErrorCode, message_for, status_of
from server.lib.i18n import Locale
from server.lib.principal import Principal
from server.sync.logic import AuditState, Decision, Stored, decide, decode_ops
from server.sync.rows import finding_out, stored_from_row
from server.sync.schemas import DeleteFinding, FindingOut, OpResult, PushOut, UpsertFinding
from server.sync.tables import Finding, FindingConflict, LateSubmission, SyncBatch, SyncCounter
from server.trail.store import record_change

__all__ = ["BatchContext", "push_batch"]

_CHUNK = 1000  # ids per IN list: within SQLite's 32,766 and PostgreSQL's 32,767 parameters


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


async def _rows(ids: Sequence[str]) -> list[dict[str, Any]]:
    """Full rows of the findings among ``ids`` that exist. A raw existence query first: a batch is
    mostly new findings, and building a 1,000-value IN list through the ORM cost more than the query."""
    found: list[str] = []
    for start in range(0, len(ids), _CHUNK):
        chunk = list(ids[start : start + _CHUNK])
        sql = f"SELECT id FROM finding WHERE id IN ({', '.join('?' * len(chunk))})"  # noqa: S608 - placeholders only
        found += [str(row[0]) for row in await fetch(sql, chunk)]
    rows: list[dict[str, Any]] = []
    for start in range(0, len(found), _CHUNK):
        keys = [uuid.UUID(i) for i in found[start : start + _CHUNK]]
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


async def _take_sequence() -> int:
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


async def _stored_response(key: str, body_hash: str) -> bytes | None:
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
class _Batch:
    ctx: BatchContext
    now: datetime
    seq: int
    known: dict[str, Stored]
    meta: dict[str, tuple[int, str, datetime]]
    holders: dict[tuple[str, str], Stored]
    inserts: dict[str, tuple[Stored, int]] = field(default_factory=dict)
    updates: dict[str, tuple[Stored, int]] = field(default_factory=dict)
    existing: set[str] = field(default_factory=set)
    conflicts: list[FindingConflict] = field(default_factory=list)
    lates: list[LateSubmission] = field(default_factory=list)
    now_param: Any = None  # ``now`` as executemany wants it, converted once per batch

    def apply(self, new: Stored, previous: Stored | None) -> int:
        self.seq += 1
        if previous is not None and previous.question_id and not previous.deleted:
            self.holders.pop((previous.audit_id, previous.question_id), None)
        if new.question_id and not new.deleted:
            self.holders[(new.audit_id, new.question_id)] = new
        self.known[new.id] = new
        self.meta[new.id] = (self.seq, self.ctx.username, self.now)
        (self.updates if new.id in self.existing else self.inserts)[new.id] = (new, self.seq)
        return self.seq

    def copy_of(self, stored: Stored) -> FindingOut:
        seq, author, at = self.meta[stored.id]
        return finding_out(stored, seq, author, at)


def _values(stored: Stored, seq: int, batch: _Batch) -> dict[str, Any]:
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
        "author_user_id": batch.ctx.user_id,
        "author_username": batch.ctx.username,
        "device_id": batch.ctx.device_id,
        "client_updated_at": timestamp_param(data.client_updated_at),
        "rev": stored.rev,
        "deleted": stored.deleted,
        "seq": seq,
        "content_hash": stored.content_hash,
        "updated_at": batch.now_param,
    }


def _result(index: int, op_id: str | None, decision: Decision, batch: _Batch) -> OpResult:
    message = None
    if decision.code is not None:
        params = {"problem": decision.problem or ""} if decision.code is ErrorCode.SYNC_INVALID_OP else {}
        message = message_for(decision.code, batch.ctx.locale, **params)
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


async def push_batch(
    ctx: BatchContext,
    key: str,
    body_hash: str,
    raw_ops: Sequence[msgspec.Raw],
    now: datetime,
    audit_states: Callable[[list[str]], Awaitable[dict[str, AuditState]]],
) -> bytes:
    """Apply a batch once; a replay of ``key`` returns the stored response byte for byte.

    ``audit_states(audit_ids) -> dict[audit id, AuditState]`` is asked inside the transaction.
    """
    async with write_transaction():
        seq = await _take_sequence()
        replay = (
            await SyncBatch.select(SyncBatch.request_hash, SyncBatch.response)
            .where(SyncBatch.key == uuid.UUID(key))
            .first()
            .run()
        )
        if replay is not None:
            if replay["request_hash"] != body_hash:
                raise AppError(ErrorCode.SYNC_IDEMPOTENCY_KEY_REUSED)
            return str(replay["response"]).encode()
        decoded = decode_ops(list(raw_ops))
        ops = [op for op, _, _ in decoded if op is not None]
        rows = await _rows(sorted({_norm(op.id) for op in ops}))
        known = {str(r["id"]): stored_from_row(r) for r in rows}
        meta = {str(r["id"]): (int(r["seq"]), str(r["author_username"]), r["updated_at"]) for r in rows}
        audit_ids = {_norm(op.audit_id) for op in ops if isinstance(op, UpsertFinding)}
        audit_ids |= {s.audit_id for s in known.values()}
        questions = {
            op.data.question_id for op in ops if isinstance(op, UpsertFinding) and op.data.question_id
        }
        holder_rows = await _holders(audit_ids, questions)
        for row in holder_rows.values():
            meta.setdefault(str(row["id"]), (int(row["seq"]), str(row["author_username"]), row["updated_at"]))
        batch = _Batch(
            ctx=ctx,
            now=now,
            seq=seq,
            known=known,
            meta=meta,
            holders={k: stored_from_row(r) for k, r in holder_rows.items()},
            existing=set(known),
            now_param=timestamp_param(now),
        )
        states: dict[str, AuditState] = await audit_states(sorted(audit_ids))
        results = [_decide_one(index, item, batch, states) for index, item in enumerate(decoded)]
        await _write(batch, seq)
        await _pause_for_crash_test()
        counts = {
            status: sum(1 for r in results if r.status == status)
            for status in ("applied", "unchanged", "conflict", "rejected", "locked")
        }
        actor = Principal(user_id=ctx.user_id, username=ctx.username, roles=frozenset())
        # One trail row per batch (not per finding): who pushed what from which device, and the outcome.
        await record_change(actor, "push", "sync_batch", key, None, {"deviceId": ctx.device_id, **counts})
        response = msgspec.json.encode(PushOut(results=results, cursor=str(batch.seq)))
        await SyncBatch.insert(
            SyncBatch(
                key=uuid.UUID(key),
                user_id=uuid.UUID(ctx.user_id),
                request_hash=body_hash,
                response=response.decode(),
                created_at=now,
            )
        ).run()
    return response


def _decide_one(
    index: int, item: tuple[Any, ErrorCode | None, str | None], batch: _Batch, states: dict[str, AuditState]
) -> OpResult:
    op, error, problem = item
    if op is None:
        code = error or ErrorCode.SYNC_INVALID_OP
        unreadable = Decision(status="rejected", code=code, http_status=status_of(code), problem=problem)
        return _result(index, None, unreadable, batch)
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
    decision = decide(op, current, states.get(audit_id) if audit_id else None, holder)
    if decision.status == "applied" and decision.new is not None:
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
# Built from the constant column list above, never from input.
_INSERT = f"INSERT INTO finding (id, {', '.join(_COLUMNS)}) VALUES ({', '.join('?' * (len(_COLUMNS) + 1))})"  # noqa: S608
_UPDATE = f"UPDATE finding SET {', '.join(f'{c} = ?' for c in _COLUMNS)} WHERE id = ?"  # noqa: S608


async def _write(batch: _Batch, first_seq: int) -> None:
    # Raw executemany on the batch's transaction: see server.lib.db.executemany for the profile.
    await executemany(
        _INSERT, [(fid, *_values(s, seq, batch).values()) for fid, (s, seq) in batch.inserts.items()]
    )
    await executemany(
        _UPDATE, [(*_values(s, seq, batch).values(), fid) for fid, (s, seq) in batch.updates.items()]
    )
    if batch.conflicts:
        await FindingConflict.insert(*batch.conflicts).run()
    if batch.lates:
        await LateSubmission.insert(*batch.lates).run()
    if batch.seq != first_seq:
        await SyncCounter.update({SyncCounter.value: batch.seq}).where(SyncCounter.id == 1).run()

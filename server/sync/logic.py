"""Deciding the fate of each pushed operation: pure functions, no I/O.

The store loads what is on the server, asks :func:`decide` for every op in order, and writes the
outcome. Nothing here knows about HTTP or the database.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Literal

import msgspec

from server.lib.errors import ErrorCode, status_of
from server.sync.schemas import DeleteFinding, FindingData, Op, UpsertFinding

__all__ = [
    "AuditState",
    "Decision",
    "Stored",
    "content_hash",
    "decide",
    "decode_op",
    "decode_ops",
]

Status = Literal["applied", "unchanged", "conflict", "rejected", "locked"]
NEEDS_EVIDENCE = frozenset({"nc_major", "nc_minor", "observation"})
OPEN = frozenset({"prepared", "in_progress", "reported"})
LOCKED = frozenset({"signed", "closed"})
_op_decoder = msgspec.json.Decoder(Op)
_ops_decoder = msgspec.json.Decoder(list[Op])


@dataclass(frozen=True)
class Stored:
    """A finding as the server holds it (after earlier ops of the same batch)."""

    id: str
    audit_id: str
    question_id: str | None
    rev: int
    deleted: bool
    content_hash: str
    data: FindingData | None


@dataclass(frozen=True)
class AuditState:
    status: str
    may_write: bool


@dataclass(frozen=True)
class Decision:
    status: Status
    rev: int | None = None
    code: ErrorCode | None = None
    http_status: int | None = None
    problem: str | None = None
    new: Stored | None = None
    server_copy: Stored | None = None


_HASHED_FIELDS = tuple(f for f in FindingData.__struct_fields__ if f != "client_updated_at")


def content_hash(audit_id: str, data: FindingData) -> str:
    """What counts as 'the same finding': everything but the device's own clock."""
    payload = msgspec.json.encode([getattr(data, name) for name in _HASHED_FIELDS])
    return hashlib.sha256(audit_id.encode() + b"\0" + payload).hexdigest()


def decode_op(raw: bytes) -> tuple[Op | None, ErrorCode | None, str | None]:
    """One op, or why it cannot be read (an unknown op type from a newer client is its own code)."""
    try:
        return _op_decoder.decode(raw), None, None
    except msgspec.ValidationError as exc:
        message = str(exc)
        if "Invalid value" in message and "`$.op`" in message:
            return None, ErrorCode.SYNC_UNKNOWN_OP, message
        return None, ErrorCode.SYNC_INVALID_OP, message
    except msgspec.DecodeError as exc:
        return None, ErrorCode.SYNC_INVALID_OP, str(exc)


def decode_ops(raws: list[msgspec.Raw]) -> list[tuple[Op | None, ErrorCode | None, str | None]]:
    """Every op of a batch: decoded in one call when all are valid (the usual case), else one by one so
    that a bad op is rejected alone."""
    if not raws:
        return []
    try:
        joined = b"[" + b",".join(bytes(raw) for raw in raws) + b"]"
        return [(op, None, None) for op in _ops_decoder.decode(joined)]
    except (msgspec.ValidationError, msgspec.DecodeError):
        return [decode_op(bytes(raw)) for raw in raws]


def _reject(code: ErrorCode, problem: str | None = None) -> Decision:
    return Decision(status="rejected", code=code, http_status=status_of(code), problem=problem)


def _gate(audit: AuditState | None) -> Decision | None:
    if audit is None:
        return _reject(ErrorCode.NOT_FOUND)
    if not audit.may_write:
        return _reject(ErrorCode.FORBIDDEN)
    if audit.status in LOCKED:
        return Decision(
            status="locked", code=ErrorCode.AUDIT_LOCKED, http_status=status_of(ErrorCode.AUDIT_LOCKED)
        )
    if audit.status not in OPEN:
        return _reject(ErrorCode.AUDIT_NOT_OPEN)
    return None


def decide(
    op: Op, current: Stored | None, audit: AuditState | None, holder: Stored | None = None
) -> Decision:
    """The outcome of one op. ``audit`` is the finding's audit (the op's for a new finding); ``holder`` is
    another live finding of the same audit already answering the same checklist question."""
    if isinstance(op, DeleteFinding):
        return _decide_delete(op, current, audit)
    return _decide_upsert(op, current, audit, holder)


def _decide_upsert(
    op: UpsertFinding, current: Stored | None, audit: AuditState | None, holder: Stored | None
) -> Decision:
    if current is not None and current.audit_id != op.audit_id:
        return _reject(ErrorCode.FINDING_AUDIT_MISMATCH)
    gate = _gate(audit)
    if gate is not None:
        return gate
    data = op.data
    if data.verdict in NEEDS_EVIDENCE and not data.evidence.strip():
        return _reject(ErrorCode.FINDING_EVIDENCE_REQUIRED)
    if data.question_id is None and not data.clause_refs:
        return _reject(ErrorCode.FINDING_CLAUSES_REQUIRED)
    if holder is not None and holder.id != op.id:
        return Decision(status="conflict", rev=holder.rev, server_copy=holder)
    digest = content_hash(op.audit_id, data)
    if current is None:
        new = Stored(op.id, op.audit_id, data.question_id, 1, False, digest, data)
        return Decision(status="applied", rev=1, new=new)
    if not current.deleted and current.content_hash == digest:
        return Decision(status="unchanged", rev=current.rev)
    if (op.base_rev or 0) != current.rev:
        return Decision(status="conflict", rev=current.rev, server_copy=current)
    new = Stored(op.id, op.audit_id, data.question_id, current.rev + 1, False, digest, data)
    return Decision(status="applied", rev=new.rev, new=new)


def _decide_delete(op: DeleteFinding, current: Stored | None, audit: AuditState | None) -> Decision:
    if current is None:
        return _reject(ErrorCode.FINDING_NOT_FOUND)
    gate = _gate(audit)
    if gate is not None:
        return gate
    if current.deleted:
        return Decision(status="unchanged", rev=current.rev)
    if op.base_rev != current.rev:
        return Decision(status="conflict", rev=current.rev, server_copy=current)
    new = replace(current, rev=current.rev + 1, deleted=True)
    return Decision(status="applied", rev=new.rev, new=new)

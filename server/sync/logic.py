"""Deciding the fate of each pushed operation: pure functions, no I/O.

The service loads what the rules need once per batch (:class:`Facts`), the store loads what is on the
server, and :func:`decide` gives every op its outcome in order. Nothing here knows about HTTP or the
database.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

import msgspec

from server.audits.logic import LOCKED, OPEN_FOR_FINDINGS
from server.lib.errors import AppError, ErrorCode, status_of
from server.sync.schemas import DeleteFinding, FindingData, Op, UpsertFinding

if TYPE_CHECKING:
    from server.sync.records_logic import Record

__all__ = [
    "CURSOR_PATTERN",
    "AuditState",
    "Decision",
    "Facts",
    "Stored",
    "content_hash",
    "decide",
    "decode_op",
    "decode_ops",
    "gate",
    "parse_cursor",
    "question_standards",
    "reject",
]

Status = Literal["applied", "unchanged", "conflict", "rejected", "locked"]
NEEDS_EVIDENCE = frozenset({"nc_major", "nc_minor", "observation"})
NONCONFORMITIES = frozenset({"nc_major", "nc_minor"})
CURSOR_PATTERN = r"^[0-9]{1,18}$"
"""A pull cursor: ASCII digits only, and at most 18 of them, so every cursor the pattern admits fits
an int64 (the sequence column) and the OpenAPI pattern is the whole rule."""
_CURSOR = re.compile(CURSOR_PATTERN.strip("^$"))
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
    """What the op rules need to know about one audit."""

    status: str
    may_write: bool
    standards: frozenset[str] = frozenset()
    clauses: frozenset[str] = frozenset()
    """Every clause reference of the audit's standards, at every level (``iso9001:7.5.3``)."""
    questions: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Question id → the standards it covers, for every question of the audit's pinned checklist
    (empty when no checklist is pinned)."""
    good_practice: frozenset[str] = frozenset()
    """Ids of the pinned checklist's questions that check good practice beyond a requirement."""


@dataclass(frozen=True)
class Facts:
    """Everything the ops of one batch are checked against, loaded once per batch (never per op)."""

    audits: Mapping[str, AuditState] = field(default_factory=dict)
    processes: frozenset[str] = frozenset()
    """Ids (lowercase) of the processes, units and sites the batch names that exist."""
    units: frozenset[str] = frozenset()
    sites: frozenset[str] = frozenset()
    attachments: frozenset[str] = frozenset()
    """SHA-256 of the attachments the batch names that the blob store holds."""
    people: frozenset[str] = frozenset()
    """Ids (lowercase) of the people the batch's meeting attendees name that exist."""
    png_attachments: frozenset[str] = frozenset()
    """SHA-256 of the stored attachments the batch names as signatures that are PNG images."""


@dataclass(frozen=True)
class Decision:
    status: Status
    rev: int | None = None
    code: ErrorCode | None = None
    http_status: int | None = None
    params: tuple[tuple[str, str], ...] = ()
    """Parameters of the code's message (``problem`` of an invalid op, ``field`` of a reference)."""
    new: Stored | Record | None = None
    """What the server holds once the op is applied: a finding, or a meeting or conclusion."""
    server_copy: Stored | Record | None = None


_HASHED_FIELDS = tuple(
    f for f in FindingData.__struct_fields__ if f not in ("client_updated_at", "photos_taken_at")
)


def content_hash(audit_id: str, data: FindingData) -> str:
    """What counts as 'the same finding': everything but the device's own clock. Photo times count
    only when given, so a finding stored before they existed keeps its hash."""
    values: list[object] = [getattr(data, name) for name in _HASHED_FIELDS]
    if data.photos_taken_at:  # sorted: the same times sent in another key order are the same finding
        values.append(dict(sorted(data.photos_taken_at.items())))
    payload = msgspec.json.encode(values)
    return hashlib.sha256(audit_id.encode() + b"\0" + payload).hexdigest()


def parse_cursor(text: str) -> int:
    """A pull cursor as the sequence it names; 400 ``sync.bad_cursor`` unless it matches
    :data:`CURSOR_PATTERN` (``str.isdigit`` would let '²' and '٣' through)."""
    if not _CURSOR.fullmatch(text):
        raise AppError(ErrorCode.SYNC_BAD_CURSOR, details={"since": text[:20]})
    return int(text)


def question_standards(questions: Iterable[tuple[str, Iterable[str]]]) -> dict[str, frozenset[str]]:
    """Question id → the standards its clause references belong to, from (id, clause refs) pairs."""
    return {qid: frozenset(ref.partition(":")[0] for ref in refs) for qid, refs in questions}


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


def reject(code: ErrorCode, **params: str) -> Decision:
    return Decision(status="rejected", code=code, http_status=status_of(code), params=tuple(params.items()))


def gate(audit: AuditState | None) -> Decision | None:
    """The audit's say on any write to it: unknown, not the caller's to write, signed (the op is kept
    for review), or not open for findings; None when the write may go on to the op's own rules."""
    if audit is None:
        return reject(ErrorCode.NOT_FOUND)
    if not audit.may_write:
        return reject(ErrorCode.FORBIDDEN)
    if audit.status in LOCKED:
        return Decision(
            status="locked", code=ErrorCode.AUDIT_LOCKED, http_status=status_of(ErrorCode.AUDIT_LOCKED)
        )
    if audit.status not in OPEN_FOR_FINDINGS:
        return reject(ErrorCode.AUDIT_NOT_OPEN)
    return None


def _unknown_reference(data: FindingData, facts: Facts) -> Decision | None:
    # Three plain tests, not a loop: this runs for every op of a 1,000-op batch.
    if data.process_id is not None and data.process_id.lower() not in facts.processes:
        return reject(ErrorCode.FINDING_UNKNOWN_REFERENCE, field="processId")
    if data.unit_id is not None and data.unit_id.lower() not in facts.units:
        return reject(ErrorCode.FINDING_UNKNOWN_REFERENCE, field="unitId")
    if data.site_id is not None and data.site_id.lower() not in facts.sites:
        return reject(ErrorCode.FINDING_UNKNOWN_REFERENCE, field="siteId")
    return None


def _out_of_checklist(data: FindingData, audit: AuditState) -> Decision | None:
    """The question must be in the pinned checklist and belong to one of the audit's standards; each
    cited clause must exist in one of them."""
    if data.question_id is not None:
        covered = audit.questions.get(data.question_id)
        if covered is None:
            return reject(ErrorCode.FINDING_UNKNOWN_QUESTION)
        if covered.isdisjoint(audit.standards):
            return reject(ErrorCode.FINDING_CLAUSE_OUT_OF_SCOPE)
    if not audit.clauses.issuperset(data.clause_refs):
        return reject(ErrorCode.FINDING_CLAUSE_OUT_OF_SCOPE)
    if data.question_id in audit.good_practice and data.verdict in NONCONFORMITIES:
        return reject(ErrorCode.FINDING_GOOD_PRACTICE_NOT_NC)
    return None


def _missing_attachment(data: FindingData, facts: Facts) -> Decision | None:
    if data.attachments and not facts.attachments.issuperset(data.attachments):
        return reject(ErrorCode.FINDING_ATTACHMENT_MISSING)
    if not set(data.attachments).issuperset(data.photos_taken_at):
        return reject(ErrorCode.FINDING_PHOTO_TIME_UNATTACHED)
    return None


def decide(
    op: UpsertFinding | DeleteFinding, current: Stored | None, facts: Facts, holder: Stored | None = None
) -> Decision:
    """The outcome of one finding op (a meeting's or a conclusion's: ``records_logic.decide_record``).
    The finding's audit (the op's for a new finding) is looked up in ``facts``; ``holder`` is another
    live finding of the same audit already answering the same checklist question."""
    if isinstance(op, DeleteFinding):
        audit = facts.audits.get(current.audit_id) if current is not None else None
        return _decide_delete(op, current, audit)
    return _decide_upsert(op, current, facts, holder)


def _decide_upsert(
    op: UpsertFinding, current: Stored | None, facts: Facts, holder: Stored | None
) -> Decision:
    if current is not None and current.audit_id != op.audit_id:
        return reject(ErrorCode.FINDING_AUDIT_MISMATCH)
    audit = facts.audits.get(op.audit_id)
    if audit is None:
        return reject(ErrorCode.NOT_FOUND)
    refused = gate(audit)
    if refused is not None:
        return refused
    data = op.data
    if data.verdict in NEEDS_EVIDENCE and not data.evidence.strip():
        return reject(ErrorCode.FINDING_EVIDENCE_REQUIRED)
    if data.question_id is None and not data.clause_refs:
        return reject(ErrorCode.FINDING_CLAUSES_REQUIRED)
    refused = (
        _unknown_reference(data, facts) or _out_of_checklist(data, audit) or _missing_attachment(data, facts)
    )
    if refused is not None:
        return refused
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
        return reject(ErrorCode.FINDING_NOT_FOUND)
    refused = gate(audit)
    if refused is not None:
        return refused
    if current.deleted:
        return Decision(status="unchanged", rev=current.rev)
    if op.base_rev != current.rev:
        return Decision(status="conflict", rev=current.rev, server_copy=current)
    new = replace(current, rev=current.rev + 1, deleted=True)
    return Decision(status="applied", rev=new.rev, new=new)

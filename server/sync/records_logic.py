"""The op rules of an audit's records: its opening and closing meetings and its conclusion. Pure
functions, no I/O, beside the finding rules of ``logic.py`` and under the same audit gate.

A record is applied, unchanged, in conflict, rejected or locked exactly as a finding is: a stale
``baseRev`` answers the server copy; a second live record in the same place (a second opening meeting,
a second conclusion of the audit) under another id is a conflict with the one already there.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Literal

import msgspec

from server.lib.errors import ErrorCode
from server.sync.logic import AuditState, Decision, Facts, gate, reject
from server.sync.schemas import (
    ConclusionData,
    DeleteMeeting,
    MeetingData,
    UpsertConclusion,
    UpsertMeeting,
)

__all__ = [
    "RECORD_OPS",
    "Entity",
    "Record",
    "RecordData",
    "RecordOp",
    "decide_record",
    "entity_of",
    "record_hash",
    "slot_of",
]

Entity = Literal["meeting", "conclusion"]
RecordData = MeetingData | ConclusionData
RecordOp = UpsertMeeting | DeleteMeeting | UpsertConclusion
RECORD_OPS = (UpsertMeeting, DeleteMeeting, UpsertConclusion)
"""The op types of records (for ``isinstance``)."""


@dataclass(frozen=True)
class Record:
    """A meeting or a conclusion as the server holds it (after earlier ops of the same batch)."""

    entity: Entity
    id: str
    audit_id: str
    slot: str
    """Where only one live record of the entity may stand in an audit: a meeting's kind; the
    conclusion has one place (empty)."""
    rev: int
    deleted: bool
    content_hash: str
    data: RecordData


def entity_of(op: RecordOp) -> Entity:
    return "conclusion" if isinstance(op, UpsertConclusion) else "meeting"


def slot_of(data: RecordData) -> str:
    return data.kind if isinstance(data, MeetingData) else ""


def record_hash(entity: Entity, audit_id: str, data: RecordData) -> str:
    """What counts as 'the same record': everything but the device's own clock."""
    payload = msgspec.json.encode(msgspec.structs.replace(data, client_updated_at=None))
    return hashlib.sha256(f"{entity}\0{audit_id}\0".encode() + payload).hexdigest()


def decide_record(
    op: RecordOp, current: Record | None, facts: Facts, holder: Record | None = None
) -> Decision:
    """The outcome of one record op. ``current`` is the record the op names, if the server has it;
    ``holder`` the live record of the same entity already standing in the op's place in its audit."""
    if isinstance(op, DeleteMeeting):
        return _decide_delete(op, current, facts)
    mismatch = (
        ErrorCode.CONCLUSION_AUDIT_MISMATCH
        if isinstance(op, UpsertConclusion)
        else ErrorCode.MEETING_AUDIT_MISMATCH
    )
    if current is not None and current.audit_id != op.audit_id:
        return reject(mismatch)
    audit = facts.audits.get(op.audit_id)
    refused = gate(audit)
    if refused is not None:
        return refused
    if isinstance(op.data, MeetingData):
        refused = _bad_attendee(op.data, facts)
    elif audit is not None:
        refused = _bad_degree(op.data, audit) or _bad_signature(op.data, facts)
    if refused is not None:
        return refused
    if holder is not None and holder.id != op.id:
        return Decision(status="conflict", rev=holder.rev, server_copy=holder)
    entity = entity_of(op)
    digest = record_hash(entity, op.audit_id, op.data)
    if current is None:
        new = Record(entity, op.id, op.audit_id, slot_of(op.data), 1, False, digest, op.data)
        return Decision(status="applied", rev=1, new=new)
    if not current.deleted and current.content_hash == digest:
        return Decision(status="unchanged", rev=current.rev)
    if (op.base_rev or 0) != current.rev:
        return Decision(status="conflict", rev=current.rev, server_copy=current)
    new = Record(entity, op.id, op.audit_id, slot_of(op.data), current.rev + 1, False, digest, op.data)
    return Decision(status="applied", rev=new.rev, new=new)


def _decide_delete(op: DeleteMeeting, current: Record | None, facts: Facts) -> Decision:
    if current is None:
        return reject(ErrorCode.MEETING_NOT_FOUND)
    refused = gate(facts.audits.get(current.audit_id))
    if refused is not None:
        return refused
    if current.deleted:
        return Decision(status="unchanged", rev=current.rev)
    if op.base_rev != current.rev:
        return Decision(status="conflict", rev=current.rev, server_copy=current)
    new = replace(current, rev=current.rev + 1, deleted=True)
    return Decision(status="applied", rev=new.rev, new=new)


def _bad_attendee(data: MeetingData, facts: Facts) -> Decision | None:
    for index, attendee in enumerate(data.attendees):
        where = f"attendees[{index}]"
        if attendee.person_id is not None and attendee.person_id.lower() not in facts.people:
            return reject(ErrorCode.MEETING_UNKNOWN_REFERENCE, field=f"{where}.personId")
        if attendee.unit_id is not None and attendee.unit_id.lower() not in facts.units:
            return reject(ErrorCode.MEETING_UNKNOWN_REFERENCE, field=f"{where}.unitId")
        if attendee.unit_id is not None and attendee.organisation.strip():
            return reject(ErrorCode.MEETING_ATTENDEE_ORGANISATION, field=where)
    return None


def _bad_degree(data: ConclusionData, audit: AuditState) -> Decision | None:
    seen: set[str] = set()
    for item in data.degrees:
        if item.standard not in audit.standards:
            return reject(ErrorCode.CONCLUSION_STANDARD_OUT_OF_SCOPE, standard=item.standard)
        if item.standard in seen:
            return reject(ErrorCode.CONCLUSION_DUPLICATE_STANDARD, standard=item.standard)
        seen.add(item.standard)
    return None


def _bad_signature(data: ConclusionData, facts: Facts) -> Decision | None:
    roles = [signature.role for signature in data.signatures]
    if len(set(roles)) != len(roles):
        return reject(ErrorCode.CONCLUSION_DUPLICATE_SIGNATURE)
    for signature in data.signatures:
        if signature.attachment not in facts.attachments:
            return reject(ErrorCode.CONCLUSION_SIGNATURE_MISSING)
        if signature.attachment not in facts.png_attachments:
            return reject(ErrorCode.CONCLUSION_SIGNATURE_NOT_PNG)
    return None

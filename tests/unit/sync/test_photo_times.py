"""When each photo of a finding was taken (``photosTakenAt``): a time only for an attached photo, and a
content hash that stays what it was for a finding without times. Pure, no database."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import msgspec

from server.lib.errors import ErrorCode
from server.sync.logic import AuditState, Facts, Stored, content_hash, decide, decode_op
from server.sync.schemas import FindingData, UpsertFinding

AUDIT = str(uuid.uuid4())
PHOTO, OTHER = "ab" * 32, "cd" * 32
FACTS = Facts(
    audits={
        AUDIT: AuditState(
            status="in_progress",
            may_write=True,
            standards=frozenset({"iso9001"}),
            clauses=frozenset({"iso9001:7.5.3.2"}),
        )
    },
    attachments=frozenset({PHOTO, OTHER}),
)
TAKEN = datetime(2026, 11, 24, 10, 15, 30, tzinfo=timezone(timedelta(hours=1)))

# The fields a finding's hash covered before photo times existed, in their order then: a finding
# stored by that release must keep its hash.
_FIELDS_BEFORE = (
    "verdict",
    "question_id",
    "statement",
    "evidence",
    "clause_refs",
    "process_id",
    "unit_id",
    "site_id",
    "auditee_response",
    "attachments",
)


def _hash_before(audit_id: str, data: FindingData) -> str:
    payload = msgspec.json.encode([getattr(data, name) for name in _FIELDS_BEFORE])
    return hashlib.sha256(audit_id.encode() + b"\0" + payload).hexdigest()


def data(**fields: Any) -> FindingData:
    return FindingData(**{"verdict": "conform", "clause_refs": ["iso9001:7.5.3.2"], **fields})


def upsert(content: FindingData) -> UpsertFinding:
    return UpsertFinding(id=str(uuid.uuid4()), audit_id=AUDIT, data=content)


def test_a_time_for_each_attached_photo_is_applied() -> None:
    content = data(attachments=[PHOTO, OTHER], photos_taken_at={PHOTO: TAKEN})
    decision = decide(upsert(content), None, FACTS)
    assert decision.status == "applied"
    assert isinstance(decision.new, Stored) and decision.new.data is not None
    assert decision.new.data.photos_taken_at == {PHOTO: TAKEN}


def test_a_time_for_a_photo_not_attached_is_rejected() -> None:
    content = data(attachments=[PHOTO], photos_taken_at={PHOTO: TAKEN, OTHER: TAKEN})
    decision = decide(upsert(content), None, FACTS)
    assert (decision.status, decision.code, decision.http_status) == (
        "rejected",
        ErrorCode.FINDING_PHOTO_TIME_UNATTACHED,
        422,
    )
    no_photo = decide(upsert(data(photos_taken_at={PHOTO: TAKEN})), None, FACTS)
    assert no_photo.code is ErrorCode.FINDING_PHOTO_TIME_UNATTACHED


def test_a_photo_time_without_its_zone_is_not_read() -> None:
    raw = msgspec.json.encode(
        {
            "op": "upsertFinding",
            "id": str(uuid.uuid4()),
            "auditId": AUDIT,
            "data": {
                "verdict": "conform",
                "clauseRefs": ["iso9001:7.5.3.2"],
                "attachments": [PHOTO],
                "photosTakenAt": {PHOTO: "2026-11-24T10:15:30"},
            },
        }
    )
    op, code, _ = decode_op(raw)
    assert op is None and code is ErrorCode.SYNC_INVALID_OP


def test_the_hash_of_a_finding_without_photo_times_is_what_it_was_before_they_existed() -> None:
    for content in (data(), data(attachments=[PHOTO, OTHER], statement="Registre tenu", evidence="vu")):
        assert content_hash(AUDIT, content) == _hash_before(AUDIT, content)


def test_photo_times_change_the_hash_but_not_their_order() -> None:
    bare = data(attachments=[PHOTO, OTHER])
    timed = data(attachments=[PHOTO, OTHER], photos_taken_at={PHOTO: TAKEN, OTHER: TAKEN})
    reordered = data(attachments=[PHOTO, OTHER], photos_taken_at={OTHER: TAKEN, PHOTO: TAKEN})
    later = data(
        attachments=[PHOTO, OTHER], photos_taken_at={PHOTO: TAKEN + timedelta(minutes=1), OTHER: TAKEN}
    )
    assert content_hash(AUDIT, timed) != content_hash(AUDIT, bare)
    assert content_hash(AUDIT, reordered) == content_hash(AUDIT, timed)
    assert content_hash(AUDIT, later) != content_hash(AUDIT, timed)


def test_a_resent_finding_with_the_same_times_is_unchanged_and_new_times_are_an_edit() -> None:
    first = upsert(data(attachments=[PHOTO], photos_taken_at={PHOTO: TAKEN}))
    applied = decide(first, None, FACTS).new
    assert isinstance(applied, Stored)
    assert decide(first, applied, FACTS).status == "unchanged"
    moved = UpsertFinding(
        id=first.id,
        audit_id=AUDIT,
        base_rev=1,
        data=data(attachments=[PHOTO], photos_taken_at={PHOTO: TAKEN.astimezone(UTC) + timedelta(seconds=5)}),
    )
    assert decide(moved, applied, FACTS).status == "applied"

"""The fate of each pushed op (``logic.decide``) and the pull cursor's rule: pure, no database."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest

from server.lib.errors import AppError, ErrorCode
from server.sync.logic import (
    AuditState,
    Decision,
    Facts,
    Stored,
    content_hash,
    decide,
    decode_op,
    decode_ops,
    parse_cursor,
    question_standards,
)
from server.sync.schemas import DeleteFinding, FindingData, UpsertFinding

AUDIT = str(uuid.uuid4())
PROCESS, UNIT, SITE = (str(uuid.uuid4()) for _ in range(3))
PHOTO = "ab" * 32
QUALITY_ONLY = AuditState(
    status="in_progress",
    may_write=True,
    standards=frozenset({"iso9001"}),
    clauses=frozenset({"iso9001:7.5.3.2", "iso9001:8.5"}),
    questions=question_standards(
        [("sup-014", ["iso9001:7.5.3.2", "iso14001:7.5.3"]), ("ope-001", ["iso14001:8.1"])]
    ),
)
FACTS = Facts(
    audits={AUDIT: QUALITY_ONLY},
    processes=frozenset({PROCESS}),
    units=frozenset({UNIT}),
    sites=frozenset({SITE}),
    attachments=frozenset({PHOTO}),
)


def upsert(finding_id: str | None = None, base_rev: int | None = None, **data: Any) -> UpsertFinding:
    content = FindingData(**{"verdict": "conform", "clause_refs": ["iso9001:7.5.3.2"], **data})
    return UpsertFinding(id=finding_id or str(uuid.uuid4()), audit_id=AUDIT, data=content, base_rev=base_rev)


def stored(op: UpsertFinding, rev: int = 1, deleted: bool = False) -> Stored:
    return Stored(
        op.id, op.audit_id, op.data.question_id, rev, deleted, content_hash(op.audit_id, op.data), op.data
    )


def with_audit(state: AuditState) -> Facts:
    return replace(FACTS, audits={AUDIT: state})


def code_of(decision: Decision) -> tuple[str, ErrorCode | None]:
    return decision.status, decision.code


# ------------------------------------------------------------------ upserts


def test_a_new_finding_is_applied_as_rev_1() -> None:
    op = upsert()
    decision = decide(op, None, FACTS)
    assert decision.status == "applied" and decision.rev == 1
    assert decision.new is not None and decision.new.rev == 1 and not decision.new.deleted


def test_a_finding_naming_existing_objects_and_a_stored_photo_is_applied() -> None:
    op = upsert(process_id=PROCESS, unit_id=UNIT.upper(), site_id=SITE, attachments=[PHOTO])
    assert decide(op, None, FACTS).status == "applied"


def test_the_same_content_again_is_unchanged_whatever_the_device_clock() -> None:
    op = upsert()
    later = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    again = upsert(op.id, base_rev=1, client_updated_at=later)
    decision = decide(again, stored(op, rev=3), FACTS)
    assert code_of(decision) == ("unchanged", None) and decision.rev == 3


def test_an_edit_on_the_current_rev_is_applied_as_the_next_rev() -> None:
    op = upsert()
    edit = upsert(op.id, base_rev=2, statement="corrigé")
    decision = decide(edit, stored(op, rev=2), FACTS)
    assert decision.status == "applied" and decision.rev == 3


def test_an_edit_on_a_stale_rev_is_a_conflict_carrying_the_server_copy() -> None:
    op = upsert()
    server = stored(op, rev=2)
    decision = decide(upsert(op.id, base_rev=1, statement="ancienne base"), server, FACTS)
    assert decision.status == "conflict" and decision.rev == 2 and decision.server_copy == server


def test_a_second_finding_for_an_answered_question_is_a_conflict_with_its_holder() -> None:
    holder = stored(upsert(question_id="sup-014", clause_refs=[]))
    decision = decide(upsert(question_id="sup-014", clause_refs=[]), None, FACTS, holder)
    assert decision.status == "conflict" and decision.server_copy == holder


def test_the_holder_itself_may_be_edited() -> None:
    op = upsert(question_id="sup-014", clause_refs=[])
    holder = stored(op)
    edit = upsert(op.id, base_rev=1, question_id="sup-014", clause_refs=[], statement="précisé")
    assert decide(edit, holder, FACTS, holder).status == "applied"


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        (AuditState(status="signed", may_write=True), ("locked", ErrorCode.AUDIT_LOCKED)),
        (AuditState(status="closed", may_write=True), ("locked", ErrorCode.AUDIT_LOCKED)),
        (AuditState(status="planned", may_write=True), ("rejected", ErrorCode.AUDIT_NOT_OPEN)),
        (AuditState(status="cancelled", may_write=True), ("rejected", ErrorCode.AUDIT_NOT_OPEN)),
        (AuditState(status="in_progress", may_write=False), ("rejected", ErrorCode.FORBIDDEN)),
    ],
)
def test_the_audit_gates_every_upsert(state: AuditState, expected: tuple[str, ErrorCode]) -> None:
    assert code_of(decide(upsert(), None, with_audit(state))) == expected


def test_a_locked_audit_stores_the_op_for_review_even_with_bad_references() -> None:
    late = upsert(process_id=str(uuid.uuid4()))
    signed = replace(QUALITY_ONLY, status="signed")
    assert decide(late, None, with_audit(signed)).status == "locked"


def test_an_unknown_audit_is_not_found() -> None:
    op = UpsertFinding(id=str(uuid.uuid4()), audit_id=str(uuid.uuid4()), data=upsert().data)
    decision = decide(op, None, FACTS)
    assert code_of(decision) == ("rejected", ErrorCode.NOT_FOUND) and decision.http_status == 404


def test_moving_a_finding_to_another_audit_is_refused() -> None:
    op = upsert()
    moved = Stored(op.id, str(uuid.uuid4()), None, 1, False, "x", op.data)
    assert code_of(decide(upsert(op.id, base_rev=1), moved, FACTS)) == (
        "rejected",
        ErrorCode.FINDING_AUDIT_MISMATCH,
    )


@pytest.mark.parametrize(
    ("data", "code", "params"),
    [
        ({"verdict": "nc_major", "evidence": "  "}, ErrorCode.FINDING_EVIDENCE_REQUIRED, ()),
        ({"clause_refs": []}, ErrorCode.FINDING_CLAUSES_REQUIRED, ()),
        ({"process_id": str(uuid.uuid4())}, ErrorCode.FINDING_UNKNOWN_REFERENCE, (("field", "processId"),)),
        ({"unit_id": str(uuid.uuid4())}, ErrorCode.FINDING_UNKNOWN_REFERENCE, (("field", "unitId"),)),
        ({"site_id": str(uuid.uuid4())}, ErrorCode.FINDING_UNKNOWN_REFERENCE, (("field", "siteId"),)),
        ({"question_id": "zzz-999"}, ErrorCode.FINDING_UNKNOWN_QUESTION, ()),
        ({"question_id": "ope-001", "clause_refs": []}, ErrorCode.FINDING_CLAUSE_OUT_OF_SCOPE, ()),
        ({"clause_refs": ["iso14001:7.5.3"]}, ErrorCode.FINDING_CLAUSE_OUT_OF_SCOPE, ()),
        ({"clause_refs": ["iso9001:99.9"]}, ErrorCode.FINDING_CLAUSE_OUT_OF_SCOPE, ()),
        ({"attachments": [PHOTO, "cd" * 32]}, ErrorCode.FINDING_ATTACHMENT_MISSING, ()),
    ],
)
def test_each_bad_content_or_reference_is_rejected_with_its_code(
    data: dict[str, Any], code: ErrorCode, params: tuple[tuple[str, str], ...]
) -> None:
    decision = decide(upsert(**data), None, FACTS)
    assert code_of(decision) == ("rejected", code)
    assert decision.params == params and decision.http_status == 422
    assert decision.new is None


def test_an_audit_without_a_pinned_checklist_knows_no_question() -> None:
    bare = replace(QUALITY_ONLY, status="prepared", questions={})
    decision = decide(upsert(question_id="sup-014"), None, with_audit(bare))
    assert code_of(decision) == ("rejected", ErrorCode.FINDING_UNKNOWN_QUESTION)


# ------------------------------------------------------------------ deletions


def test_deleting_the_current_rev_applies_a_tombstone() -> None:
    op = upsert()
    decision = decide(DeleteFinding(id=op.id, base_rev=2), stored(op, rev=2), FACTS)
    assert decision.status == "applied" and decision.rev == 3
    assert decision.new is not None and decision.new.deleted and decision.new.data == op.data


def test_deleting_twice_is_unchanged() -> None:
    op = upsert()
    assert code_of(decide(DeleteFinding(id=op.id, base_rev=2), stored(op, 2, deleted=True), FACTS)) == (
        "unchanged",
        None,
    )


def test_deleting_a_stale_rev_is_a_conflict() -> None:
    op = upsert()
    decision = decide(DeleteFinding(id=op.id, base_rev=1), stored(op, rev=2), FACTS)
    assert decision.status == "conflict" and decision.rev == 2


def test_deleting_an_unknown_finding_is_rejected() -> None:
    decision = decide(DeleteFinding(id=str(uuid.uuid4()), base_rev=1), None, FACTS)
    assert code_of(decision) == ("rejected", ErrorCode.FINDING_NOT_FOUND)


def test_deleting_in_a_signed_audit_is_locked_and_in_a_foreign_one_forbidden() -> None:
    op = upsert()
    signed = with_audit(AuditState(status="signed", may_write=True))
    foreign = with_audit(AuditState(status="in_progress", may_write=False))
    assert decide(DeleteFinding(id=op.id, base_rev=1), stored(op), signed).status == "locked"
    assert code_of(decide(DeleteFinding(id=op.id, base_rev=1), stored(op), foreign)) == (
        "rejected",
        ErrorCode.FORBIDDEN,
    )


# ------------------------------------------------------------------ decoding and cursors


def test_a_naive_client_time_makes_the_op_invalid() -> None:
    raw = msgspec.json.encode(
        {
            "op": "upsertFinding",
            "id": str(uuid.uuid4()),
            "auditId": AUDIT,
            "data": {
                "verdict": "conform",
                "clauseRefs": ["iso9001:8.5"],
                "clientUpdatedAt": "2026-11-23T09:30:00",
            },
        }
    )
    op, code, problem = decode_op(raw)
    assert op is None and code is ErrorCode.SYNC_INVALID_OP and problem and "clientUpdatedAt" in problem
    zoned = raw.replace(b'09:30:00"', b'09:30:00+01:00"')
    assert decode_op(zoned)[0] is not None
    results = decode_ops([msgspec.Raw(zoned), msgspec.Raw(raw)])
    assert results[0][0] is not None and results[1][1] is ErrorCode.SYNC_INVALID_OP


@pytest.mark.parametrize("text", ["0", "7", "000123", "999999999999999999"])
def test_a_cursor_is_ascii_digits(text: str) -> None:
    assert parse_cursor(text) == int(text)


@pytest.mark.parametrize(
    "text",
    ["", "²", "٣", "１２", "-1", "+1", " 1", "1\n", "1.0", "99999999999999999999", "9223372036854775808"],
)
def test_anything_else_is_a_bad_cursor(text: str) -> None:
    with pytest.raises(AppError) as raised:
        parse_cursor(text)
    assert raised.value.code is ErrorCode.SYNC_BAD_CURSOR and raised.value.status == 400

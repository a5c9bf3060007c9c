"""The fate of each meeting and conclusion op (``records_logic.decide_record``): pure, no database."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import msgspec
import pytest

from server.lib.errors import ErrorCode
from server.sync.logic import AuditState, Decision, Facts, decode_op, decode_ops
from server.sync.records_logic import Entity, Record, decide_record, record_hash
from server.sync.schemas import (
    Attendee,
    ConclusionData,
    DeleteMeeting,
    MeetingData,
    Signature,
    StandardDegree,
    UpsertConclusion,
    UpsertMeeting,
)

AUDIT = str(uuid.uuid4())
PERSON, UNIT = str(uuid.uuid4()), str(uuid.uuid4())
LEAD_SIGNATURE, AUDITEE_SIGNATURE, PHOTO = "aa" * 32, "bb" * 32, "cc" * 32
HELD = datetime(2026, 11, 23, 9, 0, tzinfo=timezone(timedelta(hours=1)))
INTEGRATED = AuditState(status="in_progress", may_write=True, standards=frozenset({"iso9001", "iso45001"}))
FACTS = Facts(
    audits={AUDIT: INTEGRATED},
    units=frozenset({UNIT}),
    people=frozenset({PERSON}),
    attachments=frozenset({LEAD_SIGNATURE, AUDITEE_SIGNATURE, PHOTO}),
    png_attachments=frozenset({LEAD_SIGNATURE, AUDITEE_SIGNATURE}),
)


def meeting(
    meeting_id: str | None = None, base_rev: int | None = None, audit_id: str = AUDIT, **data: Any
) -> UpsertMeeting:
    content = MeetingData(**{"kind": "opening", "held_at": HELD, "place": "Salle du conseil", **data})
    return UpsertMeeting(
        id=meeting_id or str(uuid.uuid4()), audit_id=audit_id, data=content, base_rev=base_rev
    )


def signature(role: str = "lead_auditor", attachment: str = LEAD_SIGNATURE) -> Signature:
    return msgspec.convert(
        {
            "role": role,
            "signerName": "Nadia Berrada",
            "signerRole": "Responsable d'audit",
            "signedAt": "2026-11-27T16:30:00+01:00",
            "attachment": attachment,
        },
        Signature,
    )


def conclusion(
    conclusion_id: str | None = None, base_rev: int | None = None, audit_id: str = AUDIT, **data: Any
) -> UpsertConclusion:
    content = ConclusionData(
        **{
            "summary": "2 NC mineures, 3 pistes d'amélioration",
            "degrees": [StandardDegree(standard="iso9001", degree="largely")],
            **data,
        }
    )
    return UpsertConclusion(
        id=conclusion_id or str(uuid.uuid4()), audit_id=audit_id, data=content, base_rev=base_rev
    )


def stored(op: UpsertMeeting | UpsertConclusion, rev: int = 1, deleted: bool = False) -> Record:
    entity: Entity = "conclusion" if isinstance(op, UpsertConclusion) else "meeting"
    slot = op.data.kind if isinstance(op.data, MeetingData) else ""
    return Record(
        entity, op.id, op.audit_id, slot, rev, deleted, record_hash(entity, op.audit_id, op.data), op.data
    )


def with_audit(state: AuditState) -> Facts:
    return replace(FACTS, audits={AUDIT: state})


def code_of(decision: Decision) -> tuple[str, ErrorCode | None]:
    return decision.status, decision.code


# ------------------------------------------------------------------ meetings


def test_a_new_meeting_is_applied_as_rev_1_in_the_place_of_its_kind() -> None:
    op = meeting(kind="closing", attendees=[Attendee(name="Karim Alaoui", person_id=PERSON, unit_id=UNIT)])
    decision = decide_record(op, None, FACTS)
    assert decision.status == "applied" and decision.rev == 1
    assert isinstance(decision.new, Record)
    assert (decision.new.entity, decision.new.slot, decision.new.rev) == ("meeting", "closing", 1)


def test_the_same_meeting_sent_again_later_is_unchanged() -> None:
    op = meeting(client_updated_at=datetime(2026, 11, 23, 9, 5, tzinfo=UTC))
    again = meeting(op.id, base_rev=1, client_updated_at=datetime(2026, 11, 23, 11, 0, tzinfo=UTC))
    assert code_of(decide_record(again, stored(op, rev=2), FACTS)) == ("unchanged", None)


def test_an_edit_on_the_current_rev_is_applied_and_on_a_stale_rev_is_a_conflict() -> None:
    op = meeting()
    server = stored(op, rev=2)
    edit = decide_record(meeting(op.id, base_rev=2, notes="Arrivée du DGS à 9h20"), server, FACTS)
    assert edit.status == "applied" and edit.rev == 3
    stale = decide_record(meeting(op.id, base_rev=1, notes="ancienne base"), server, FACTS)
    assert stale.status == "conflict" and stale.rev == 2 and stale.server_copy == server


def test_a_second_opening_meeting_is_a_conflict_with_the_first() -> None:
    first = stored(meeting())
    decision = decide_record(meeting(), None, FACTS, first)
    assert decision.status == "conflict" and decision.server_copy == first and decision.new is None


def test_the_meeting_standing_in_its_place_may_be_edited() -> None:
    op = meeting()
    holder = stored(op)
    assert decide_record(
        meeting(op.id, base_rev=1, place="Annexe d'Azilal"), holder, FACTS, holder
    ).status == ("applied")


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
def test_the_audit_gates_meetings_and_conclusions_as_it_gates_findings(
    state: AuditState, expected: tuple[str, ErrorCode]
) -> None:
    assert code_of(decide_record(meeting(), None, with_audit(state))) == expected
    assert code_of(decide_record(conclusion(), None, with_audit(state))) == expected


def test_an_unknown_audit_is_not_found() -> None:
    decision = decide_record(meeting(audit_id=str(uuid.uuid4())), None, FACTS)
    assert code_of(decision) == ("rejected", ErrorCode.NOT_FOUND) and decision.http_status == 404


def test_a_signed_audit_keeps_the_op_for_review_even_with_bad_references() -> None:
    signed = with_audit(replace(INTEGRATED, status="signed"))
    ghost = Attendee(name="Inconnu", unit_id=str(uuid.uuid4()))
    assert decide_record(meeting(attendees=[ghost]), None, signed).status == "locked"
    assert (
        decide_record(conclusion(signatures=[signature(attachment="dd" * 32)]), None, signed).status
        == "locked"
    )


@pytest.mark.parametrize(
    ("attendee", "code", "field"),
    [
        (
            Attendee(name="X", person_id=str(uuid.uuid4())),
            ErrorCode.MEETING_UNKNOWN_REFERENCE,
            "attendees[1].personId",
        ),
        (
            Attendee(name="X", unit_id=str(uuid.uuid4())),
            ErrorCode.MEETING_UNKNOWN_REFERENCE,
            "attendees[1].unitId",
        ),
        (
            Attendee(name="X", unit_id=UNIT, organisation="Bureau d'études Atlas"),
            ErrorCode.MEETING_ATTENDEE_ORGANISATION,
            "attendees[1]",
        ),
    ],
)
def test_each_bad_attendee_is_rejected_with_its_place(
    attendee: Attendee, code: ErrorCode, field: str
) -> None:
    fine = Attendee(name="Karim Alaoui", person_id=PERSON.upper(), unit_id=UNIT, role="Chef de division")
    decision = decide_record(meeting(attendees=[fine, attendee]), None, FACTS)
    assert code_of(decision) == ("rejected", code) and decision.params == (("field", field),)
    assert decision.http_status == 422


def test_an_outside_attendee_names_an_organisation_and_an_absent_one_is_kept() -> None:
    outside = Attendee(name="Samir Haddaoui", organisation="Entreprise BTP Tadla", present=False)
    assert decide_record(meeting(attendees=[outside]), None, FACTS).status == "applied"


def test_moving_a_meeting_or_a_conclusion_to_another_audit_is_refused() -> None:
    elsewhere = str(uuid.uuid4())
    op = meeting()
    moved = replace(stored(op), audit_id=elsewhere)
    assert code_of(decide_record(meeting(op.id, base_rev=1), moved, FACTS)) == (
        "rejected",
        ErrorCode.MEETING_AUDIT_MISMATCH,
    )
    done = conclusion()
    assert code_of(
        decide_record(conclusion(done.id, base_rev=1), replace(stored(done), audit_id=elsewhere), FACTS)
    ) == (
        "rejected",
        ErrorCode.CONCLUSION_AUDIT_MISMATCH,
    )


# ------------------------------------------------------------------ deleting a meeting


def test_deleting_a_meeting_follows_the_finding_rules() -> None:
    op = meeting()
    tombstone = decide_record(DeleteMeeting(id=op.id, base_rev=2), stored(op, rev=2), FACTS)
    assert tombstone.status == "applied" and tombstone.rev == 3
    assert isinstance(tombstone.new, Record) and tombstone.new.deleted and tombstone.new.data == op.data
    assert code_of(
        decide_record(DeleteMeeting(id=op.id, base_rev=3), stored(op, 3, deleted=True), FACTS)
    ) == (
        "unchanged",
        None,
    )
    assert decide_record(DeleteMeeting(id=op.id, base_rev=1), stored(op, rev=2), FACTS).status == "conflict"
    assert code_of(decide_record(DeleteMeeting(id=op.id, base_rev=1), None, FACTS)) == (
        "rejected",
        ErrorCode.MEETING_NOT_FOUND,
    )
    signed = with_audit(replace(INTEGRATED, status="signed"))
    assert decide_record(DeleteMeeting(id=op.id, base_rev=1), stored(op), signed).status == "locked"


def test_a_deleted_opening_meeting_may_be_recorded_again() -> None:
    op = meeting()
    revived = decide_record(meeting(op.id, base_rev=2, notes="reprise"), stored(op, 2, deleted=True), FACTS)
    assert revived.status == "applied" and revived.rev == 3


# ------------------------------------------------------------------ the conclusion


def test_a_conclusion_with_both_signatures_and_a_degree_per_standard_is_applied() -> None:
    op = conclusion(
        degrees=[
            StandardDegree(standard="iso9001", degree="largely", comment="Maîtrise documentaire à renforcer"),
            StandardDegree(standard="iso45001", degree="partially"),
        ],
        diverging_opinions="La division conteste la NC sur les EPI.",
        signatures=[signature(), signature("auditee_representative", AUDITEE_SIGNATURE)],
    )
    decision = decide_record(op, None, FACTS)
    assert decision.status == "applied" and isinstance(decision.new, Record)
    assert (decision.new.entity, decision.new.slot) == ("conclusion", "")


def test_a_second_conclusion_of_the_audit_is_a_conflict_with_the_first() -> None:
    first = stored(conclusion())
    decision = decide_record(conclusion(), None, FACTS, first)
    assert decision.status == "conflict" and decision.server_copy == first


@pytest.mark.parametrize(
    ("data", "code", "params"),
    [
        (
            {"degrees": [StandardDegree(standard="iso14001", degree="fully")]},
            ErrorCode.CONCLUSION_STANDARD_OUT_OF_SCOPE,
            (("standard", "iso14001"),),
        ),
        (
            {
                "degrees": [
                    StandardDegree(standard="iso9001", degree="fully"),
                    StandardDegree(standard="iso9001", degree="not_met"),
                ]
            },
            ErrorCode.CONCLUSION_DUPLICATE_STANDARD,
            (("standard", "iso9001"),),
        ),
        ({"signatures": [signature(), signature()]}, ErrorCode.CONCLUSION_DUPLICATE_SIGNATURE, ()),
        ({"signatures": [signature(attachment="dd" * 32)]}, ErrorCode.CONCLUSION_SIGNATURE_MISSING, ()),
        ({"signatures": [signature(attachment=PHOTO)]}, ErrorCode.CONCLUSION_SIGNATURE_NOT_PNG, ()),
    ],
)
def test_each_bad_conclusion_is_rejected_with_its_code(
    data: dict[str, Any], code: ErrorCode, params: tuple[tuple[str, str], ...]
) -> None:
    decision = decide_record(conclusion(**data), None, FACTS)
    assert code_of(decision) == ("rejected", code) and decision.params == params
    assert decision.http_status == 422 and decision.new is None


def test_a_stale_conclusion_is_a_conflict_carrying_the_server_copy() -> None:
    op = conclusion()
    server = stored(op, rev=4)
    decision = decide_record(conclusion(op.id, base_rev=3, conclusions="Système efficace"), server, FACTS)
    assert decision.status == "conflict" and decision.server_copy == server


# ------------------------------------------------------------------ content and decoding


def test_the_content_hash_ignores_the_device_clock_but_not_the_entity_or_the_audit() -> None:
    data = meeting().data
    later = msgspec.structs.replace(data, client_updated_at=datetime(2026, 11, 30, tzinfo=UTC))
    assert record_hash("meeting", AUDIT, data) == record_hash("meeting", AUDIT, later)
    assert record_hash("meeting", AUDIT, data) != record_hash("meeting", str(uuid.uuid4()), data)
    edited = msgspec.structs.replace(data, notes="ajout")
    assert record_hash("meeting", AUDIT, data) != record_hash("meeting", AUDIT, edited)


def _raw(op: dict[str, Any]) -> bytes:
    return msgspec.json.encode(op)


def test_meeting_and_conclusion_ops_decode_from_the_wire() -> None:
    meeting_id = str(uuid.uuid4())
    ops = [
        _raw(
            {
                "op": "upsertMeeting",
                "id": meeting_id,
                "auditId": AUDIT,
                "data": {
                    "kind": "opening",
                    "heldAt": "2026-11-23T09:00:00+01:00",
                    "attendees": [{"name": "Karim Alaoui", "unitId": UNIT, "futureField": 1}],
                    "newerClientField": "tolerated",
                },
            }
        ),
        _raw({"op": "deleteMeeting", "id": meeting_id, "baseRev": 1}),
        _raw(
            {
                "op": "upsertConclusion",
                "id": str(uuid.uuid4()),
                "auditId": AUDIT,
                "data": {
                    "degrees": [{"standard": "iso9001", "degree": "not_met"}],
                    "signatures": [
                        {
                            "role": "auditee_representative",
                            "signerName": "Karim Alaoui",
                            "signedAt": "2026-11-27T16:35:00Z",
                            "attachment": AUDITEE_SIGNATURE,
                        }
                    ],
                },
            }
        ),
    ]
    decoded = decode_ops([msgspec.Raw(raw) for raw in ops])
    assert [type(op) for op, _, _ in decoded] == [UpsertMeeting, DeleteMeeting, UpsertConclusion]
    first = decoded[0][0]
    assert isinstance(first, UpsertMeeting) and first.data.held_at.utcoffset() == timedelta(hours=1)
    assert first.data.attendees[0].present is True


@pytest.mark.parametrize(
    ("op", "where"),
    [
        ({"op": "upsertMeeting", "data": {"kind": "opening", "heldAt": "2026-11-23T09:00:00"}}, "heldAt"),
        ({"op": "upsertMeeting", "data": {"kind": "kickoff", "heldAt": "2026-11-23T09:00:00Z"}}, "kind"),
        (
            {
                "op": "upsertMeeting",
                "data": {"kind": "opening", "heldAt": "2026-11-23T09:00:00Z", "attendees": [{"name": " \t"}]},
            },
            "name",
        ),
        (
            {"op": "upsertConclusion", "data": {"degrees": [{"standard": "iso9001", "degree": "mostly"}]}},
            "degree",
        ),
        (
            {"op": "upsertConclusion", "data": {"degrees": [{"standard": "iso27001", "degree": "fully"}]}},
            "standard",
        ),
        (
            {
                "op": "upsertConclusion",
                "data": {
                    "signatures": [
                        {
                            "role": "witness",
                            "signerName": "X",
                            "signedAt": "2026-11-27T16:35:00Z",
                            "attachment": PHOTO,
                        }
                    ]
                },
            },
            "role",
        ),
        (
            {
                "op": "upsertConclusion",
                "data": {
                    "signatures": [
                        {
                            "role": "lead_auditor",
                            "signerName": "X",
                            "signedAt": "2026-11-27T16:35:00Z",
                            "attachment": "x",
                        }
                    ]
                },
            },
            "attachment",
        ),
    ],
)
def test_an_invalid_meeting_or_conclusion_is_an_invalid_op_naming_the_field(
    op: dict[str, Any], where: str
) -> None:
    decoded, code, problem = decode_op(_raw({"id": str(uuid.uuid4()), "auditId": AUDIT, **op}))
    assert decoded is None and code is ErrorCode.SYNC_INVALID_OP
    assert problem is not None and where in problem

"""Reading an exported outbox: what is accepted, what is refused whole (and how the refusal reads), and
the push body rebuilt exactly as the tablet sends it."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from typing import Any

import pytest

from server.lib.errors import AppError, ErrorCode, error_body
from server.sync.outbox_logic import OUTBOX_FORMAT, parse_outbox, push_body

PNG = bytes.fromhex("89504e470d0a1a0a") + b"\0" * 16


def _op(audit_id: str, statement: str = "Registre tenu à jour") -> dict[str, Any]:
    return {
        "op": "upsertFinding",
        "id": str(uuid.uuid4()),
        "auditId": audit_id,
        "data": {"verdict": "conform", "statement": statement, "clauseRefs": ["iso9001:7.5.3.2"]},
    }


def _file(**changes: Any) -> dict[str, Any]:
    audit = str(uuid.uuid4())
    body: dict[str, Any] = {
        "format": OUTBOX_FORMAT,
        "exportedAt": "2026-11-30T16:05:00+01:00",
        "deviceId": "tablet-7",
        "username": "auditor1",
        "batches": [
            {"idempotencyKey": str(uuid.uuid4()), "deviceId": "tablet-7", "ops": [_op(audit), _op(audit)]},
            {"idempotencyKey": str(uuid.uuid4()), "deviceId": "tablet-7", "ops": [_op(audit)]},
        ],
        "attachments": [
            {
                "sha256": hashlib.sha256(PNG).hexdigest(),
                "contentType": "image/png",
                "data": base64.b64encode(PNG).decode(),
            }
        ],
    }
    body.update(changes)
    return body


def _encode(value: Any, **dumps: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, **dumps).encode()


def _refusal(raw: bytes, locale: str = "en") -> tuple[str, str]:
    with pytest.raises(AppError) as caught:
        parse_outbox(raw)
    assert caught.value.code is ErrorCode.SYNC_BAD_OUTBOX
    assert caught.value.status == 422
    body = error_body(caught.value, locale)  # type: ignore[arg-type]
    return body.message, body.details["problem"]


def test_a_good_file_is_read_in_order_with_its_files_decoded() -> None:
    outbox = parse_outbox(_encode(_file()))
    assert outbox.device_id == "tablet-7" and outbox.username == "auditor1"
    assert [len(b.ops) for b in outbox.batches] == [2, 1]
    assert [a.content for a in outbox.attachments] == [PNG]
    assert outbox.attachments[0].content_type == "image/png"


def test_the_push_body_is_what_json_stringify_sends() -> None:
    """The export writes the ops with JSON.stringify, indented or not; the body rebuilt is
    JSON.stringify({deviceId, ops}): no white space, keys in the file's order, text as it was."""
    file = _file()
    file["batches"][0]["ops"][0]["data"]["statement"] = 'Clé «\u0645\u0644\u0641» "cité"\n\tfin \u2028'
    batch = file["batches"][0]
    expected = json.dumps(
        {"deviceId": batch["deviceId"], "ops": batch["ops"]}, ensure_ascii=False, separators=(",", ":")
    ).encode()
    for written in (_encode(file), _encode(file, indent=2), _encode(file, separators=(",", ":"))):
        assert push_body(parse_outbox(written).batches[0]) == expected


def test_keys_are_canonical_and_a_batch_listed_twice_counts_once() -> None:
    file = _file()
    key = file["batches"][0]["idempotencyKey"]
    file["batches"][0]["idempotencyKey"] = key.upper()
    file["batches"].append(dict(file["batches"][0]))
    file["attachments"].append(dict(file["attachments"][0]))
    outbox = parse_outbox(_encode(file))
    assert [b.key for b in outbox.batches] == [key, file["batches"][1]["idempotencyKey"]]
    assert len(outbox.attachments) == 1


def test_a_data_url_is_read_as_its_base64() -> None:
    file = _file()
    file["attachments"][0]["data"] = "data:image/png;base64," + file["attachments"][0]["data"]
    assert parse_outbox(_encode(file)).attachments[0].content == PNG


def test_only_what_the_import_needs_is_required() -> None:
    file = _file()
    for optional in ("exportedAt", "deviceId", "username", "attachments"):
        del file[optional]
    file["newerField"] = {"from": "a newer app"}
    outbox = parse_outbox(_encode(file))
    assert outbox.exported_at == "" and len(outbox.batches) == 2


def test_not_json_is_refused_in_words() -> None:
    message, problem = _refusal(b'{"format": "tadqiq-outbox/1", "batches": [')
    assert problem == "it is not JSON, or it was cut short"
    assert message.startswith("This file cannot be imported") and "Nothing was imported" in message


def test_another_json_file_is_refused_naming_its_format() -> None:
    assert (
        _refusal(_encode({"name": "Tadqiq"}))[1] == "its format is -, and this server reads tadqiq-outbox/1"
    )
    assert _refusal(_encode([1, 2]))[1] == "it is not an exported outbox (no format is named)"
    problem = _refusal(_encode(_file(format="tadqiq-outbox/2")))[1]
    assert problem == "its format is tadqiq-outbox/2, and this server reads tadqiq-outbox/1"


def test_a_batch_without_a_usable_key_is_refused_naming_where() -> None:
    file = _file()
    file["batches"][1]["idempotencyKey"] = "batch-2"
    problem = _refusal(_encode(file))[1]
    assert problem.startswith("a part of it does not fit the format (")
    assert "$.batches[1].idempotencyKey" in problem


def test_a_damaged_photo_is_refused_naming_it() -> None:
    file = _file()
    sha = file["attachments"][0]["sha256"]
    file["attachments"][0]["data"] = base64.b64encode(PNG[:-1]).decode()
    assert _refusal(_encode(file))[1] == f"the file {sha} does not match its SHA-256 (it was damaged)"
    file["attachments"][0]["data"] = "not base64!"
    assert _refusal(_encode(file))[1] == f"the data of the file {sha} is not base64"


def test_two_different_batches_under_one_key_are_refused() -> None:
    file = _file()
    file["batches"][1]["idempotencyKey"] = file["batches"][0]["idempotencyKey"]
    problem = _refusal(_encode(file))[1]
    assert problem == f"two different batches carry the same key {file['batches'][0]['idempotencyKey']}"

"""Bad input to the sync endpoints: each a clear error, nothing stored."""

from __future__ import annotations

import hashlib
import io
import uuid
from dataclasses import replace
from typing import Any

from litestar.testing import AsyncTestClient
from PIL import Image

from server.app import create_app
from server.settings import Settings
from tests.conftest import login
from tests.contract.support import auditor_on_audit, finding


def _photo_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "TabletMaker"
    exif[0x8825] = {1: "N", 2: (32.0, 20.0, 0.0), 3: "W", 4: (6.0, 21.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


async def _put(
    client: AsyncTestClient[Any], headers: dict[str, str], data: bytes, kind: str, sha: str | None = None
) -> Any:
    key = sha or hashlib.sha256(data).hexdigest()
    return await client.put(
        f"/api/v1/attachments/{key}", content=data, headers={**headers, "Content-Type": kind}
    )


async def test_photo_is_stored_once_without_its_gps(client: AsyncTestClient[Any], settings: Settings) -> None:
    headers = await login(client, "auditor1")
    photo = _photo_with_gps()
    sha = hashlib.sha256(photo).hexdigest()
    assert (await client.head(f"/api/v1/attachments/{sha}", headers=headers)).status_code == 404
    first = await _put(client, headers, photo, "image/jpeg")
    assert first.status_code == 201, first.text
    assert (await _put(client, headers, photo, "image/jpeg")).status_code == 200
    assert (await client.head(f"/api/v1/attachments/{sha}", headers=headers)).status_code == 200
    stored = next((settings.var_dir / "blobs").rglob(sha)).read_bytes()
    assert stored != photo and hashlib.sha256(stored).hexdigest() == first.json()["storedSha256"]
    assert not Image.open(io.BytesIO(stored)).getexif()
    assert Image.open(io.BytesIO(stored)).tobytes() == Image.open(io.BytesIO(photo)).tobytes()


async def test_wrong_hash_wrong_type_and_unsupported_type_store_nothing(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    headers = await login(client, "auditor1")
    demo_files = sorted(p for p in (settings.var_dir / "blobs").rglob("*") if p.is_file())
    photo = _photo_with_gps()
    wrong = await _put(client, headers, photo, "image/jpeg", sha="a" * 64)
    assert wrong.status_code == 422 and wrong.json()["code"] == "attachment.hash_mismatch"
    mismatch = await _put(client, headers, photo, "image/png")
    assert mismatch.status_code == 415 and mismatch.json()["code"] == "attachment.type_mismatch"
    text = await _put(client, headers, b"hello", "text/plain")
    assert text.status_code == 415 and text.json()["code"] == "attachment.unsupported_type"
    bad = await _put(client, headers, photo, "image/jpeg", sha="NOT-A-HASH")
    assert bad.status_code == 400 and bad.json()["code"] == "attachment.bad_hash"
    assert sorted(p for p in (settings.var_dir / "blobs").rglob("*") if p.is_file()) == demo_files


async def test_oversized_attachment_is_413(settings: Settings) -> None:
    async with AsyncTestClient(app=create_app(replace(settings, attachment_max_bytes=1000))) as client:
        headers = await login(client, "auditor1")
        response = await _put(client, headers, _photo_with_gps() + b"\0" * 2000, "image/jpeg")
        assert response.status_code == 413 and response.json()["code"] == "attachment.too_large"


async def test_unknown_op_and_malformed_ids_are_rejected_per_op(client: AsyncTestClient[Any]) -> None:
    device, audit_id = await auditor_on_audit(client)
    good = finding(audit_id)
    ops = [
        {"op": "renameAudit", "id": str(uuid.uuid4())},
        {**finding(audit_id), "id": "not-a-uuid"},
        good,
        finding(audit_id, verdict="nc_major", evidence=""),
        finding(audit_id, clauseRefs=[]),
    ]
    results = (await device.push(ops)).json()["results"]
    assert [(r["status"], r.get("code")) for r in results] == [
        ("rejected", "sync.unknown_op"),
        ("rejected", "sync.invalid_op"),
        ("applied", None),
        ("rejected", "finding.evidence_required"),
        ("rejected", "finding.clauses_required"),
    ]
    changes, _ = await device.pull_all(audit_id)
    assert [c["id"] for c in changes] == [good["id"]]


async def test_batch_level_errors(client: AsyncTestClient[Any]) -> None:
    device, audit_id = await auditor_on_audit(client)
    no_key = await client.post("/api/v1/sync/push", json={"deviceId": "t", "ops": []}, headers=device.headers)
    assert no_key.status_code == 400 and no_key.json()["code"] == "sync.idempotency_key_missing"
    broken = await client.post(
        "/api/v1/sync/push",
        content=b'{"deviceId": "t", "ops": [',
        headers={**device.headers, "Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/json"},
    )
    assert broken.status_code == 400 and broken.json()["code"] == "request.malformed_json"
    for cursor in ("yesterday", "-1", "99999999999999999999"):
        bad_cursor = await client.get("/api/v1/sync/pull", params={"since": cursor}, headers=device.headers)
        assert bad_cursor.status_code == 400 and bad_cursor.json()["code"] == "sync.bad_cursor"
    changes, _ = await device.pull_all(audit_id)
    assert changes == []


async def test_push_body_over_the_limit_is_413_and_stores_nothing(client: AsyncTestClient[Any]) -> None:
    device, audit_id = await auditor_on_audit(client)
    huge = [finding(audit_id, statement="x" * 3900) for _ in range(4500)]  # ~18 MiB
    response = await device.push(huge)
    assert response.status_code == 413 and response.json()["code"] == "request.body_too_large"
    changes, _ = await device.pull_all(audit_id)
    assert changes == []

"""Importing the outbox a tablet exported before it was wiped: through the upload route and through
``tadqiq import-outbox``, each batch applied exactly once whoever brings it first (the file, a second
import, or the tablet itself), its photos stored once, a damaged file refused whole."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient

from server.app import create_app
from server.settings import PROJECT_ROOT, Settings
from tests.conftest import login
from tests.contract.support import Device, auditor_on_audit, finding
from tests.integration.attachments.support import png, sha
from tests.integration.sync.support import conclusion, drawn_signature, meeting, signature

URL = "/api/v1/sync/import-outbox"


def _stringify(value: Any) -> bytes:
    """What JSON.stringify writes."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _batch(audit_id: str, *ops: dict[str, Any], device: str = "tablet-export") -> dict[str, Any]:
    return {"idempotencyKey": str(uuid.uuid4()), "deviceId": device, "ops": list(ops) or [finding(audit_id)]}


def _outbox(batches: list[dict[str, Any]], files: list[bytes], **changes: Any) -> dict[str, Any]:
    return {
        "format": "tadqiq-outbox/1",
        "exportedAt": "2026-11-30T17:45:00+01:00",
        "deviceId": "tablet-export",
        "username": "auditor1",
        "batches": batches,
        "attachments": [
            {"sha256": sha(data), "contentType": "image/png", "data": base64.b64encode(data).decode()}
            for data in files
        ],
        **changes,
    }


async def _import(client: AsyncTestClient[Any], headers: dict[str, str], body: bytes) -> Any:
    return await client.post(URL, content=body, headers={**headers, "Content-Type": "application/json"})


async def _finding_ids(device: Device, audit_id: str) -> list[str]:
    changes, _ = await device.pull_all(audit_id)
    return sorted(c["id"] for c in changes if not c["deleted"])


async def test_an_outbox_imported_twice_is_applied_once(client: AsyncTestClient[Any]) -> None:
    device, audit_id = await auditor_on_audit(client)
    photo, signature = png(11), png(12)
    first = _batch(audit_id, finding(audit_id, attachments=[sha(photo)]), finding(audit_id))
    second = _batch(audit_id, finding(audit_id, attachments=[sha(photo), sha(signature)]))
    file = _stringify(_outbox([first, second], [photo, signature]))
    before = await _finding_ids(device, audit_id)

    answer = await _import(client, device.headers, file)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["importedBy"] == "auditor1" and report["exportedBy"] == "auditor1"
    assert [a["status"] for a in report["attachments"]] == ["stored", "stored"]
    assert [b["status"] for b in report["batches"]] == ["applied", "applied"]
    assert [b["idempotencyKey"] for b in report["batches"]] == [
        first["idempotencyKey"],
        second["idempotencyKey"],
    ]
    assert [[r["status"] for r in b["results"]] for b in report["batches"]] == [
        ["applied", "applied"],
        ["applied"],
    ]
    created = sorted(op["id"] for batch in (first, second) for op in batch["ops"])
    assert await _finding_ids(device, audit_id) == sorted(before + created)
    for data in (photo, signature):
        assert (
            await client.head(f"/api/v1/attachments/{sha(data)}", headers=device.headers)
        ).status_code == 200

    again = (await _import(client, device.headers, file)).json()
    assert [a["status"] for a in again["attachments"]] == ["already_stored", "already_stored"]
    assert [b["status"] for b in again["batches"]] == ["replayed", "replayed"]
    assert [b["results"] for b in again["batches"]] == [b["results"] for b in report["batches"]]
    changes, _ = await device.pull_all(audit_id)
    assert sorted(c["id"] for c in changes if c["id"] in created) == created
    assert {c["rev"] for c in changes if c["id"] in created} == {1}


async def test_a_batch_reaches_the_server_once_whether_the_tablet_or_the_file_brings_it(
    client: AsyncTestClient[Any],
) -> None:
    """The tablet pushed a batch but the answer was lost, then exported it; or the file was imported
    and the tablet, not wiped after all, pushes the batch later. Either way: applied once, and the
    tablet gets the stored answer (never a 422 for its own key)."""
    device, audit_id = await auditor_on_audit(client)
    pushed, later = (
        _batch(audit_id, finding(audit_id), finding(audit_id, verdict="not_applicable"), device="tablet-9")
        for _ in range(2)
    )
    for batch in (pushed, later):
        batch["ops"][0]["data"]["statement"] = "Fiche « réception » signée\nsans date"

    async def tablet_push(batch: dict[str, Any]) -> Any:
        return await client.post(
            "/api/v1/sync/push",
            content=_stringify({"deviceId": batch["deviceId"], "ops": batch["ops"]}),
            headers={
                **device.headers,
                "Idempotency-Key": batch["idempotencyKey"],
                "Content-Type": "application/json",
            },
        )

    by_tablet = await tablet_push(pushed)
    assert by_tablet.status_code == 200
    # The export writes the file indented here: the import still recognises the batch the tablet sent.
    file = json.dumps(_outbox([pushed, later], []), ensure_ascii=False, indent=2).encode()
    report = (await _import(client, device.headers, file)).json()
    assert [b["status"] for b in report["batches"]] == ["replayed", "applied"]
    assert report["batches"][0]["results"] == by_tablet.json()["results"]

    late_push = await tablet_push(later)
    assert late_push.status_code == 200, late_push.text
    assert late_push.json()["results"] == report["batches"][1]["results"]
    ids = sorted(op["id"] for batch in (pushed, later) for op in batch["ops"])
    changes, _ = await device.pull_all(audit_id)
    assert sorted(c["id"] for c in changes if c["id"] in ids) == ids
    assert {c["rev"] for c in changes if c["id"] in ids} == {1}


async def test_a_damaged_file_is_refused_whole(client: AsyncTestClient[Any]) -> None:
    device, audit_id = await auditor_on_audit(client)
    good, damaged = png(21), png(22)
    body = _outbox([_batch(audit_id)], [good, damaged])
    body["attachments"][1]["data"] = base64.b64encode(damaged[:-3]).decode()
    before = await _finding_ids(device, audit_id)

    answer = await _import(client, {**device.headers, "Accept-Language": "fr"}, _stringify(body))
    assert answer.status_code == 422
    error = answer.json()
    assert error["code"] == "sync.bad_outbox"
    assert sha(damaged) in error["details"]["problem"] and sha(damaged) in error["message"]
    assert (await client.head(f"/api/v1/attachments/{sha(good)}", headers=device.headers)).status_code == 404
    assert await _finding_ids(device, audit_id) == before
    for raw in (b"", b"[]", b'{"format": "tadqiq-outbox/1", "batches": [{"ops": []}]}', b"\xff\xfe"):
        refused = await _import(client, device.headers, raw)
        assert (refused.status_code, refused.json()["code"]) == (422, "sync.bad_outbox"), raw


async def test_a_photo_the_server_refuses_is_reported_and_the_rest_applied(
    client: AsyncTestClient[Any],
) -> None:
    device, audit_id = await auditor_on_audit(client)
    not_an_image = b"\x89PNG\r\n\x1a\n" + b"not really a picture" * 4
    citing, plain = finding(audit_id, attachments=[sha(not_an_image)]), finding(audit_id)
    report = (
        await _import(
            client, device.headers, _stringify(_outbox([_batch(audit_id, citing, plain)], [not_an_image]))
        )
    ).json()
    assert report["attachments"][0]["status"] == "refused"
    assert report["attachments"][0]["code"].startswith("attachment.")
    assert report["attachments"][0]["message"]
    results = report["batches"][0]["results"]
    assert [r["status"] for r in results] == ["rejected", "applied"]
    assert results[0]["code"] == "finding.attachment_missing"


async def test_only_who_may_push_findings_may_import(client: AsyncTestClient[Any]) -> None:
    device, audit_id = await auditor_on_audit(client)
    batch = _batch(audit_id)
    file = _stringify(_outbox([batch], [png(31)]))
    for username in ("manager", "admin"):
        answer = await _import(client, await login(client, username), file)
        assert (answer.status_code, answer.json()["code"]) == (403, "auth.forbidden"), username
    assert (await client.post(URL, content=file)).status_code == 401
    # Another auditor may import, but each op is judged as theirs: not on this audit's team, refused.
    lead = await login(client, "lead")
    audit = (await client.get(f"/api/v1/audits/{audit_id}", headers=lead)).json()
    people = {p["id"]: p["username"] for p in (await client.get("/api/v1/people", headers=lead)).json()}
    team = {people.get(m["personId"]) for m in audit["team"]}
    outsider = next(
        u["username"]
        for u in (await client.get("/api/v1/users", headers=await login(client, "admin"))).json()
        if "auditor" in u["roles"] and u["username"] not in team
    )
    report = (await _import(client, await login(client, outsider), file)).json()
    assert report["importedBy"] == outsider
    assert report["batches"][0]["results"][0]["status"] == "rejected"
    assert report["batches"][0]["results"][0]["code"] in ("auth.forbidden", "resource.not_found")
    assert batch["ops"][0]["id"] not in await _finding_ids(device, audit_id)


async def test_a_file_over_the_limit_is_refused_before_it_is_read(settings: Settings) -> None:
    small = replace(settings, outbox_import_max_bytes=2048)
    async with AsyncTestClient(app=create_app(small)) as client:
        device, audit_id = await auditor_on_audit(client)
        file = _stringify(_outbox([_batch(audit_id)], [png(41) * 40]))
        answer = await _import(client, device.headers, file)
        assert answer.status_code == 413
        assert answer.json()["code"] == "request.body_too_large"
        assert (
            await client.head(f"/api/v1/attachments/{sha(png(41) * 40)}", headers=device.headers)
        ).status_code == 404


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TADQIQ_DATABASE_URL": settings.database_url,
        "TADQIQ_VAR_DIR": str(settings.var_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "server.cli", "import-outbox", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_the_command_imports_a_file_once(
    client: AsyncTestClient[Any], settings: Settings, tmp_path: Path
) -> None:
    device, audit_id = await auditor_on_audit(client)
    photo = png(51)
    batch = _batch(
        audit_id, finding(audit_id, attachments=[sha(photo)]), finding(audit_id), device="tablet-cli"
    )
    path = tmp_path / "tadqiq-outbox-tablet-cli-20261130-1745.json"
    path.write_bytes(_stringify(_outbox([batch], [photo], deviceId="tablet-cli")))

    run = _cli(settings, str(path), "--user", "auditor1", "--report", str(tmp_path / "report.json"))
    assert run.returncode == 0, run.stderr
    assert f"file {sha(photo)[:12]}: stored" in run.stdout
    assert f"batch {batch['idempotencyKey']} from tablet-cli: applied; ops: applied 2" in run.stdout
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert [r["status"] for r in report["batches"][0]["results"]] == ["applied", "applied"]
    ids = sorted(op["id"] for op in batch["ops"])
    assert set(ids) <= set(await _finding_ids(device, audit_id))

    again = _cli(settings, str(path), "--user", "auditor1")
    assert again.returncode == 0, again.stderr
    assert f"batch {batch['idempotencyKey']} from tablet-cli: replayed; ops: applied 2" in again.stdout
    assert f"file {sha(photo)[:12]}: already_stored" in again.stdout
    changes, _ = await device.pull_all(audit_id)
    assert sorted(c["id"] for c in changes if c["id"] in ids) == ids and {
        c["rev"] for c in changes if c["id"] in ids
    } == {1}

    forbidden = _cli(settings, str(path), "--user", "manager")
    assert forbidden.returncode == 1 and "auth.forbidden" in forbidden.stderr
    unknown = _cli(settings, str(path), "--user", "nobody")
    assert unknown.returncode == 2 and "no active account named 'nobody'" in unknown.stderr
    damaged = tmp_path / "damaged.json"
    damaged.write_bytes(path.read_bytes()[:-40])
    refused = _cli(settings, str(damaged), "--user", "auditor1")
    assert refused.returncode == 1 and "sync.bad_outbox" in refused.stderr and "cut short" in refused.stderr


async def test_meetings_and_a_signed_conclusion_in_the_file_are_applied_once(
    client: AsyncTestClient[Any],
) -> None:
    device, audit_id = await auditor_on_audit(client)
    drawn = drawn_signature(61)
    opening = meeting(audit_id, attendees=[{"name": "Karim Alaoui", "role": "Chef de division"}])
    closing = conclusion(
        audit_id, signatures=[signature("auditee_representative", sha(drawn), "Karim Alaoui")]
    )
    file = _stringify(_outbox([_batch(audit_id, opening, closing)], [drawn]))

    report = (await _import(client, device.headers, file)).json()
    assert [r["status"] for r in report["batches"][0]["results"]] == ["applied", "applied"], report
    again = (await _import(client, device.headers, file)).json()
    assert again["batches"][0]["status"] == "replayed"
    package = (await client.get(f"/api/v1/audits/{audit_id}/package", headers=device.headers)).json()
    assert [(m["id"], m["rev"]) for m in package["meetings"]] == [(opening["id"], 1)]
    assert (package["conclusion"]["id"], package["conclusion"]["rev"]) == (closing["id"], 1)
    signed = package["conclusion"]["data"]["signatures"][0]
    assert (signed["attachment"], signed["signerName"]) == (sha(drawn), "Karim Alaoui")

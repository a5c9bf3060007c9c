"""When each photo of a finding was taken travels as data (the tablet strips EXIF): stored with the
finding, and given back wherever the finding goes out (package, pull, a conflict's server copy, history,
losing versions, late submissions); a time for a file the finding does not attach is refused; a finding
stored before the times existed is still the same finding (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec
from litestar.testing import AsyncTestClient
from piccolo.apps.migrations.tables import Migration

from server.app import create_app
from server.lib import db
from server.lib.rows import json_value
from server.settings import Settings
from server.sync.schemas import FindingData
from server.sync.tables import Finding
from tests.conftest import login
from tests.contract.support import Device, auditor_on_audit, finding, force_status
from tests.integration.attachments.support import png
from tests.integration.sync.support import statuses, upload

PHOTO_TIMES_MIGRATION = "2026-12-02T06:20:23:546637"
TAKEN = "2026-11-24T10:15:30+01:00"
LATER = "2026-11-24T10:17:02Z"


async def _photos(device: Device, *seeds: int) -> list[str]:
    return [await upload(device.client, device.headers, png(seed), "image/png") for seed in seeds]


async def test_a_photo_and_its_capture_time_go_out_wherever_the_finding_goes(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    device, audit_id = await auditor_on_audit(client)
    first, second = await _photos(device, 31, 32)
    times = {first: TAKEN, second: LATER}
    op = finding(audit_id, attachments=[first, second], photosTakenAt=times)
    assert statuses(await device.push([op])) == [("applied", None)]

    pulled, _ = await device.pull_all(audit_id)
    assert [c["data"]["photosTakenAt"] for c in pulled if c["id"] == op["id"]] == [times]
    package = await client.get(f"/api/v1/audits/{audit_id}/package", headers=device.headers)
    assert package.status_code == 200, package.text
    assert [f["data"]["photosTakenAt"] for f in package.json()["findings"] if f["id"] == op["id"]] == [times]
    history = (await client.get(f"/api/v1/findings/{op['id']}/history", headers=device.headers)).json()
    assert [v["data"]["photosTakenAt"] for v in history] == [times]

    # the same times sent again in another order: the same finding
    reordered = finding(
        audit_id, op["id"], attachments=[first, second], photosTakenAt=dict(reversed(times.items()))
    )
    assert statuses(await device.push([reordered])) == [("unchanged", None)]

    # a stale edit loses: its server copy carries the times, and the losing version keeps its own
    stale = finding(audit_id, op["id"], base_rev=0, attachments=[first], photosTakenAt={first: LATER})
    lost = await device.push([stale])
    assert statuses(lost) == [("conflict", None)]
    assert lost.json()["results"][0]["server"]["data"]["photosTakenAt"] == times
    kept = (await client.get(f"/api/v1/findings/{op['id']}/conflicts", headers=device.headers)).json()
    assert [c["op"]["data"]["photosTakenAt"] for c in kept] == [{first: LATER}]

    # after signing, an edit is kept for review with its times
    await force_status(settings, audit_id, "signed")
    late = finding(audit_id, op["id"], base_rev=1, attachments=[second], photosTakenAt={second: TAKEN})
    assert statuses(await device.push([late])) == [("locked", "audit.locked")]
    reviewed = await client.get(
        f"/api/v1/audits/{audit_id}/late-submissions", headers=await login(client, "lead")
    )
    assert [s["op"]["data"]["photosTakenAt"] for s in reviewed.json()] == [{second: TAKEN}]


async def test_a_capture_time_for_a_file_the_finding_does_not_attach_is_refused(
    client: AsyncTestClient[Any],
) -> None:
    device, audit_id = await auditor_on_audit(client)
    attached, elsewhere = await _photos(device, 41, 42)
    stray = finding(audit_id, attachments=[attached], photosTakenAt={attached: TAKEN, elsewhere: TAKEN})
    response = await device.push([stray])
    assert statuses(response) == [("rejected", "finding.photo_time_unattached")]
    result = response.json()["results"][0]
    assert result["httpStatus"] == 422 and result["message"]
    pulled, _ = await device.pull_all(audit_id)
    assert stray["id"] not in {c["id"] for c in pulled}


_FIELDS_BEFORE_TIMES = (
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


def _hash_before_times(audit_id: str, wire: dict[str, Any]) -> str:
    """A finding's content hash as the release before photo times computed and stored it."""
    data = msgspec.convert(wire, FindingData)
    payload = msgspec.json.encode([getattr(data, name) for name in _FIELDS_BEFORE_TIMES])
    return hashlib.sha256(audit_id.encode() + b"\0" + payload).hexdigest()


async def test_a_finding_stored_before_photo_times_is_unchanged_when_sent_again_without_them(
    settings: Settings,
) -> None:
    async with AsyncTestClient(app=create_app(settings)) as client:
        device, audit_id = await auditor_on_audit(client)
        (photo,) = await _photos(device, 51)
        old = finding(audit_id, attachments=[photo])
        assert statuses(await device.push([old])) == [("applied", None)]
    engine = db.make_engine(settings)
    await db.start_engine(engine)
    try:  # back to the previous release: no column, and the hash that release stored
        await engine.run_ddl("ALTER TABLE finding DROP COLUMN photos_taken_at")
        await Migration.delete().where(Migration.name == PHOTO_TIMES_MIGRATION).run()
        await Finding.raw(
            "UPDATE finding SET content_hash = {} WHERE id = {}",
            _hash_before_times(audit_id, old["data"]),
            old["id"],
        ).run()
        await db.migrate()
        rows = await Finding.raw("SELECT photos_taken_at FROM finding WHERE id = {}", old["id"]).run()
        assert [json_value(r["photos_taken_at"]) for r in rows] == [{}]
    finally:
        await db.stop_engine(engine)
    async with AsyncTestClient(app=create_app(settings)) as client:
        device = Device(client, await login(client, "auditor1"), device.device_id)
        assert statuses(await device.push([old])) == [("unchanged", None)]
        pulled, _ = await device.pull_all(audit_id)
        assert [(c["rev"], c["data"]["photosTakenAt"]) for c in pulled if c["id"] == old["id"]] == [(1, {})]
        timed = finding(audit_id, old["id"], base_rev=1, attachments=[photo], photosTakenAt={photo: TAKEN})
        assert [r["rev"] for r in (await device.push([timed])).json()["results"]] == [2]
        pulled, _ = await device.pull_all(audit_id)
        assert [c["data"]["photosTakenAt"] for c in pulled if c["id"] == old["id"]] == [{photo: TAKEN}]


async def test_the_published_schema_names_photo_times_by_the_hash_of_a_photo(
    client: AsyncTestClient[Any],
) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    times = document["components"]["schemas"]["FindingData"]["properties"]["photosTakenAt"]
    assert times["propertyNames"] == {"pattern": "^[0-9a-f]{64}$"}
    assert times["additionalProperties"] == {"type": "string", "format": "date-time"}
    assert times["maxProperties"] == 50

"""Every applied version of a finding is kept and readable by the audit's team and the audit lead:
who changed a verdict, from which device, and when (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar.testing import AsyncTestClient
from piccolo.apps.migrations.tables import Migration

from server.app import create_app
from server.lib import db
from server.settings import Settings
from server.sync.tables import Finding
from tests.conftest import login
from tests.contract.support import Device, auditor_on_audit, delete, finding, teammates

COPY_MIGRATION = "2026-12-02T02:12:43:000000"


async def _history(client: AsyncTestClient[Any], finding_id: str, headers: dict[str, str]) -> Any:
    return await client.get(f"/api/v1/findings/{finding_id}/history", headers=headers)


async def _username(client: AsyncTestClient[Any], device: Device) -> str:
    return str((await client.get("/api/v1/me", headers=device.headers)).json()["username"])


async def test_three_edits_from_two_devices_and_a_deletion_are_four_versions(
    client: AsyncTestClient[Any],
) -> None:
    first, second, audit_id = await teammates(client)
    fid = str(uuid.uuid4())
    steps = [
        (first, finding(audit_id, fid, verdict="conform", clientUpdatedAt="2026-11-23T09:00:00+01:00")),
        (
            second,
            finding(
                audit_id,
                fid,
                base_rev=1,
                verdict="nc_minor",
                evidence="Registre incomplet en octobre",
                clientUpdatedAt="2026-11-23T10:00:00Z",
            ),
        ),
        (second, finding(audit_id, fid, base_rev=1, verdict="conform")),  # stale: a conflict, no version
        (
            first,
            finding(
                audit_id,
                fid,
                base_rev=2,
                verdict="nc_major",
                evidence="Registre absent",
                clientUpdatedAt="2026-11-23T11:00:00Z",
            ),
        ),
        (
            first,
            finding(audit_id, fid, base_rev=3, verdict="nc_major", evidence="Registre absent"),
        ),  # unchanged
    ]
    for device, op in steps:
        assert (await device.push([op])).status_code == 200
    assert (await second.push([delete(fid, 3)])).json()["results"][0]["status"] == "applied"

    response = await _history(client, fid, first.headers)
    assert response.status_code == 200, response.text
    versions = response.json()
    names = {
        await _username(client, first): first.device_id,
        await _username(client, second): second.device_id,
    }
    assert [(v["rev"], v["deleted"], v["data"]["verdict"]) for v in versions] == [
        (1, False, "conform"),
        (2, False, "nc_minor"),
        (3, False, "nc_major"),
        (4, True, "nc_major"),  # a deletion keeps what it deleted
    ]
    devices = [first.device_id, second.device_id, first.device_id, second.device_id]
    assert [v["deviceId"] for v in versions] == devices
    assert [names[v["author"]] for v in versions] == devices
    assert all(v["findingId"] == fid and v["auditId"] == audit_id and v["authorUserId"] for v in versions)
    assert [v["clientUpdatedAt"] is not None for v in versions] == [True, True, True, False]
    assert versions[0]["clientUpdatedAt"].startswith("2026-11-23T08:00:00")
    seqs = [v["seq"] for v in versions]
    assert seqs == sorted(seqs) and len(set(seqs)) == 4
    assert all(v["recordedAt"].startswith("20") for v in versions)
    assert versions[1]["data"]["evidence"] == "Registre incomplet en octobre"


async def test_two_versions_of_one_finding_in_one_batch_are_both_kept(client: AsyncTestClient[Any]) -> None:
    first, _, audit_id = await teammates(client)
    fid = str(uuid.uuid4())
    ops = [
        finding(audit_id, fid, statement="brouillon"),
        finding(audit_id, fid, base_rev=1, statement="final"),
    ]
    assert [r["rev"] for r in (await first.push(ops)).json()["results"]] == [1, 2]
    versions = (await _history(client, fid, first.headers)).json()
    assert [(v["rev"], v["data"]["statement"]) for v in versions] == [(1, "brouillon"), (2, "final")]


async def test_only_the_team_and_the_audit_lead_read_a_history(client: AsyncTestClient[Any]) -> None:
    first, _, audit_id = await teammates(client)
    fid = str(uuid.uuid4())
    await first.push([finding(audit_id, fid)])
    lead = await login(client, "lead")
    assert [v["rev"] for v in (await _history(client, fid, lead)).json()] == [1]
    team = {
        m["personId"] for m in (await client.get(f"/api/v1/audits/{audit_id}", headers=lead)).json()["team"]
    }
    for number in range(1, 11):
        headers = await login(client, f"auditor{number}")
        if (await client.get("/api/v1/me", headers=headers)).json()["personId"] not in team:
            outsider = await _history(client, fid, headers)
            assert outsider.status_code == 404 and outsider.json()["code"] == "resource.not_found"
            break
    else:
        raise AssertionError("every demo auditor is on this team")
    for role_without_history in ("auditee1", "manager"):
        refused = await _history(client, fid, await login(client, role_without_history))
        assert refused.status_code == 403 and refused.json()["code"] == "auth.forbidden"
    unknown = await _history(client, str(uuid.uuid4()), lead)
    assert unknown.status_code == 404


async def test_findings_made_before_the_upgrade_get_their_current_state_as_their_history(
    settings: Settings,
) -> None:
    async with AsyncTestClient(app=create_app(settings)) as client:
        device, audit_id = await auditor_on_audit(client)
        kept, removed = str(uuid.uuid4()), str(uuid.uuid4())
        await device.push([finding(audit_id, kept, statement="premier"), finding(audit_id, removed)])
        await device.push([finding(audit_id, kept, base_rev=1, statement="dernier"), delete(removed, 1)])
    engine = db.make_engine(settings)
    await db.start_engine(engine)
    try:  # back to the database of the previous release: no versions, the copy not yet run
        await engine.run_ddl("DROP INDEX finding_version_finding_rev")
        await engine.run_ddl("DELETE FROM finding_version")
        await Migration.delete().where(Migration.name == COPY_MIGRATION).run()
        if settings.database_kind == "sqlite":  # a time the previous release stored without its zone
            naive = "UPDATE finding SET client_updated_at = {} WHERE id = {}"
            await Finding.raw(naive, "2026-11-23 08:30:00", kept).run()
        await db.migrate()
    finally:
        await db.stop_engine(engine)
    async with AsyncTestClient(app=create_app(settings)) as client:
        headers = await login(client, "lead")
        current = (await _history(client, kept, headers)).json()
        assert [(v["rev"], v["deleted"], v["data"]["statement"], v["deviceId"]) for v in current] == [
            (2, False, "dernier", device.device_id)
        ]
        assert current[0]["author"] == "auditor1" and current[0]["authorUserId"]
        if settings.database_kind == "sqlite":
            assert current[0]["clientUpdatedAt"] in ("2026-11-23T08:30:00Z", "2026-11-23T08:30:00+00:00")
            assert current[0]["data"]["clientUpdatedAt"] == "2026-11-23T08:30:00Z"
        tombstone = (await _history(client, removed, headers)).json()
        assert [(v["rev"], v["deleted"], v["clientUpdatedAt"]) for v in tombstone] == [(2, True, None)]
        # the next change is recorded after the copied state
        again = await Device(client, await login(client, "auditor1")).push(
            [finding(audit_id, kept, base_rev=2, statement="après la mise à jour")]
        )
        assert again.json()["results"][0]["rev"] == 3
        assert [v["rev"] for v in (await _history(client, kept, headers)).json()] == [2, 3]

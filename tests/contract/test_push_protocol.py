"""The sync protocol's contract (run on SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar.testing import AsyncTestClient

from server.settings import Settings
from tests.conftest import login
from tests.contract.support import Device, auditor_on_audit, delete, finding, force_status, teammates


async def test_replaying_a_batch_100_times_stores_it_once_with_identical_bytes(
    client: AsyncTestClient[Any],
) -> None:
    device, audit_id = await auditor_on_audit(client)
    ops = [finding(audit_id) for _ in range(20)]
    key = str(uuid.uuid4())
    first = await device.push(ops, key=key)
    assert first.status_code == 200, first.text
    assert [r["status"] for r in first.json()["results"]] == ["applied"] * 20
    for _ in range(100):
        again = await device.push(ops, key=key)
        assert again.status_code == 200 and again.content == first.content
    changes, _ = await device.pull_all(audit_id)
    assert sorted(c["id"] for c in changes) == sorted(op["id"] for op in ops)
    assert all(c["rev"] == 1 for c in changes)
    lead = await login(client, "lead")
    trail = (await client.get("/api/v1/audit-trail", params={"entity": "sync_batch"}, headers=lead)).json()[
        "items"
    ]
    mine = [e for e in trail if e["actorUsername"] == "auditor1"]  # the demo's own batches are trailed too
    assert [(e["entityId"], e["changes"]["applied"][1]) for e in mine] == [(key, 20)]  # once, not 101 times


async def test_same_key_with_another_body_is_422(client: AsyncTestClient[Any]) -> None:
    device, audit_id = await auditor_on_audit(client)
    key = str(uuid.uuid4())
    assert (await device.push([finding(audit_id)], key=key)).status_code == 200
    other = await device.push([finding(audit_id)], key=key)
    assert other.status_code == 422 and other.json()["code"] == "sync.idempotency_key_reused"


async def test_one_stale_op_among_1000(client: AsyncTestClient[Any]) -> None:
    device, audit_id = await auditor_on_audit(client)
    stale_id = str(uuid.uuid4())
    assert (await device.push([finding(audit_id, stale_id)])).json()["results"][0]["rev"] == 1
    edited = await device.push([finding(audit_id, stale_id, base_rev=1, statement="Version du serveur")])
    assert edited.json()["results"][0] == {"index": 0, "id": stale_id, "status": "applied", "rev": 2}
    ops = [finding(audit_id) for _ in range(999)]
    ops.insert(500, finding(audit_id, stale_id, base_rev=1, statement="Version hors ligne, ancienne base"))
    response = await device.push(ops)
    results = response.json()["results"]
    assert [r["index"] for r in results] == list(range(1000))
    assert sum(r["status"] == "applied" for r in results) == 999
    conflict = results[500]
    assert conflict["status"] == "conflict" and conflict["server"]["rev"] == 2
    assert conflict["server"]["data"]["statement"] == "Version du serveur"
    kept = (await client.get(f"/api/v1/findings/{stale_id}/conflicts", headers=device.headers)).json()
    assert [k["op"]["data"]["statement"] for k in kept] == ["Version hors ligne, ancienne base"]


async def test_two_auditors_editing_the_same_finding_offline(client: AsyncTestClient[Any]) -> None:
    first, second, audit_id = await teammates(client)
    shared = str(uuid.uuid4())
    assert (await first.push([finding(audit_id, shared, statement="Constat initial")])).status_code == 200
    one = await first.push([finding(audit_id, shared, base_rev=1, statement="Version de l'auditeur A")])
    two = await second.push([finding(audit_id, shared, base_rev=1, statement="Version de l'auditeur B")])
    assert one.json()["results"][0]["status"] == "applied"
    assert two.json()["results"][0]["status"] == "conflict"
    assert two.json()["results"][0]["server"]["data"]["statement"] == "Version de l'auditeur A"
    changes, _ = await second.pull_all(audit_id)
    assert [c["data"]["statement"] for c in changes if c["id"] == shared] == ["Version de l'auditeur A"]
    kept = (await client.get(f"/api/v1/findings/{shared}/conflicts", headers=second.headers)).json()
    assert [k["op"]["data"]["statement"] for k in kept] == ["Version de l'auditeur B"]


async def test_same_question_answered_on_two_tablets_keeps_both(client: AsyncTestClient[Any]) -> None:
    first, second, audit_id = await teammates(client)
    a = await first.push([finding(audit_id, questionId="sup-014", clauseRefs=[], statement="A")])
    b = await second.push([finding(audit_id, questionId="sup-014", clauseRefs=[], statement="B")])
    assert a.json()["results"][0]["status"] == "applied"
    result = b.json()["results"][0]
    assert result["status"] == "conflict" and result["server"]["data"]["statement"] == "A"
    kept = (await client.get(f"/api/v1/findings/{result['id']}/conflicts", headers=second.headers)).json()
    assert kept[0]["op"]["data"]["statement"] == "B"


async def test_delete_then_recreate(client: AsyncTestClient[Any]) -> None:
    device, audit_id = await auditor_on_audit(client)
    fid = str(uuid.uuid4())
    await device.push([finding(audit_id, fid)])
    removed = (await device.push([delete(fid, 1)])).json()["results"][0]
    assert removed["status"] == "applied" and removed["rev"] == 2
    assert (await device.push([delete(fid, 2)])).json()["results"][0]["status"] == "unchanged"
    changes, cursor = await device.pull_all(audit_id)
    tomb = next(c for c in changes if c["id"] == fid)
    assert tomb["deleted"] is True and tomb["data"] is None
    stale = (await device.push([finding(audit_id, fid, base_rev=1, statement="ancienne")])).json()["results"][
        0
    ]
    assert stale["status"] == "conflict"
    revived = (await device.push([finding(audit_id, fid, base_rev=2, statement="recréé")])).json()["results"][
        0
    ]
    assert revived == {"index": 0, "id": fid, "status": "applied", "rev": 3}
    newer, _ = await device.pull_all(audit_id, since=cursor)
    assert [(c["id"], c["deleted"], c["data"]["statement"]) for c in newer] == [(fid, False, "recréé")]


async def test_pull_returns_every_change_exactly_once_across_pages(client: AsyncTestClient[Any]) -> None:
    device, audit_id = await auditor_on_audit(client)
    ids = [op["id"] for op in [finding(audit_id) for _ in range(0)]]
    for _ in range(5):
        ops = [finding(audit_id) for _ in range(23)]
        ids += [op["id"] for op in ops]
        await device.push(ops)
    changes, cursor = await device.pull_all(audit_id, limit=7)
    assert [c["id"] for c in changes] == ids  # oldest first, each once
    seqs = [c["seq"] for c in changes]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    none, same = await device.pull_all(audit_id, since=cursor)
    assert none == [] and int(same) >= int(cursor)


async def test_a_signed_audit_keeps_late_submissions(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    device, audit_id = await auditor_on_audit(client)
    await device.push([finding(audit_id)])
    lead = await login(client, "lead")
    rev = (await client.get(f"/api/v1/audits/{audit_id}", headers=lead)).json()["rev"]
    for target in ("in_progress", "reported"):
        moved = await client.post(
            f"/api/v1/audits/{audit_id}/transitions", json={"to": target, "rev": rev}, headers=lead
        )
        assert moved.status_code == 200, moved.text
        rev = moved.json()["rev"]
    await force_status(settings, audit_id, "signed")
    late = finding(audit_id, statement="Ajout après signature")
    result = (await device.push([late])).json()["results"][0]
    assert result["status"] == "locked" and result["code"] == "audit.locked"
    kept = (await client.get(f"/api/v1/audits/{audit_id}/late-submissions", headers=lead)).json()
    assert [k["op"]["data"]["statement"] for k in kept] == ["Ajout après signature"]
    changes, _ = await device.pull_all(audit_id)
    assert late["id"] not in {c["id"] for c in changes}


async def test_auditor_not_on_the_team_is_refused_per_op(client: AsyncTestClient[Any]) -> None:
    device, audit_id = await auditor_on_audit(client, "auditor1")
    lead = await login(client, "lead")
    audits = (await client.get("/api/v1/audits", headers=lead)).json()
    me = (await client.get("/api/v1/me", headers=device.headers)).json()["personId"]
    foreign = next(
        a["id"] for a in audits if a["status"] == "prepared" and me not in {m["personId"] for m in a["team"]}
    )
    response = await device.push([finding(foreign), finding(audit_id)])
    results = response.json()["results"]
    assert results[0]["status"] == "rejected" and results[0]["httpStatus"] == 403
    assert results[0]["code"] == "auth.forbidden"
    assert results[1]["status"] == "applied"
    visible, _ = await Device(client, lead).pull_all(foreign)
    assert visible == []


async def test_timestamps_survive_the_round_trip_in_utc(client: AsyncTestClient[Any]) -> None:
    device, audit_id = await auditor_on_audit(client)
    op = finding(audit_id, clientUpdatedAt="2026-11-23T09:30:00+01:00")
    assert (await device.push([op])).json()["results"][0]["status"] == "applied"
    changes, _ = await device.pull_all(audit_id)
    pulled = next(c for c in changes if c["id"] == op["id"])
    assert pulled["data"]["clientUpdatedAt"] in ("2026-11-23T08:30:00Z", "2026-11-23T08:30:00+00:00")
    assert pulled["updatedAt"].startswith("20")
    same = (
        await device.push([finding(audit_id, op["id"], base_rev=1, clientUpdatedAt="2026-11-23T10:00:00Z")])
    ).json()
    assert same["results"][0]["status"] == "unchanged"  # the device's clock alone is not a change

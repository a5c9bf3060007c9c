"""Opening and closing meetings and the audit's conclusion travel with the sync protocol: pushed as ops
with the findings' exactly-once, conflict, gate and permission rules, delivered by the package and the
pull (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import contextvars
import uuid
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from server.lib.clock import utcnow
from server.lib.principal import Principal, Role
from server.settings import Settings
from server.sync import records_changes, service
from server.sync.schemas import PushIn
from tests.conftest import login
from tests.contract.support import Device, auditor_on_audit, finding, force_status, teammates
from tests.integration.org.support import in_english
from tests.integration.sync.support import (
    conclusion,
    delete_meeting,
    drawn_signature,
    meeting,
    pull_everything,
    signature,
    statuses,
    upload,
)


async def _audit(client: AsyncTestClient[Any], device: Device, audit_id: str) -> dict[str, Any]:
    return dict((await client.get(f"/api/v1/audits/{audit_id}", headers=device.headers)).json())


async def test_meetings_and_a_signed_conclusion_reach_the_package_and_the_pull(
    client: AsyncTestClient[Any],
) -> None:
    device, audit_id = await auditor_on_audit(client)
    audit = await _audit(client, device, audit_id)
    before = await client.get(f"/api/v1/audits/{audit_id}/package", headers=device.headers)
    member = before.json()["team"][0]
    present = {"name": "Karim Alaoui", "role": "Chef de division", "personId": member["personId"]}
    outside = {"name": "Samir Haddaoui", "organisation": "Entreprise BTP Tadla", "present": False}
    lead_png = await upload(client, device.headers, drawn_signature(1))
    auditee_png = await upload(client, device.headers, drawn_signature(2))
    opening = meeting(audit_id, attendees=[{**present, "unitId": member["unitId"]}, outside])
    noted = finding(audit_id, statement="Registre des formations à jour")
    closing = meeting(audit_id, kind="closing", heldAt="2026-11-27T16:00:00+01:00", attendees=[present])
    degrees = [
        {"standard": s, "degree": "largely", "comment": "Points à renforcer"} for s in audit["standards"]
    ]
    concluded = conclusion(
        audit_id,
        degrees=degrees,
        divergingOpinions="La division conteste le constat sur l'archivage.",
        signatures=[
            signature("lead_auditor", lead_png),
            signature("auditee_representative", auditee_png, "Karim Alaoui"),
        ],
    )

    pushed = await device.push([opening, noted, closing, concluded])

    assert statuses(pushed) == [("applied", None)] * 4
    assert [r["rev"] for r in pushed.json()["results"]] == [1, 1, 1, 1]
    package = await client.get(f"/api/v1/audits/{audit_id}/package", headers=device.headers)
    assert package.status_code == 200 and package.headers["etag"] != before.headers["etag"]
    body = package.json()
    assert body["cursor"] == pushed.json()["cursor"]
    by_kind = {m["data"]["kind"]: m for m in body["meetings"]}
    assert {m["id"] for m in body["meetings"]} == {opening["id"], closing["id"]}
    assert by_kind["opening"]["entity"] == "meeting" and by_kind["opening"]["rev"] == 1
    assert by_kind["opening"]["data"]["attendees"][1] == {**outside, "role": ""} | {
        "personId": None,
        "unitId": None,
    }
    assert by_kind["opening"]["data"]["heldAt"] == "2026-11-23T09:00:00+01:00"
    stored = body["conclusion"]
    assert stored["id"] == concluded["id"] and stored["entity"] == "conclusion" and not stored["deleted"]
    assert [s["attachment"] for s in stored["data"]["signatures"]] == [lead_png, auditee_png]
    assert stored["data"]["degrees"] == degrees
    assert [f["id"] for f in body["findings"]] == [noted["id"]]

    changes, cursor = await pull_everything(device, audit_id, limit=1)
    assert [c["id"] for c in changes] == [opening["id"], noted["id"], closing["id"], concluded["id"]]
    assert [c["entity"] for c in changes] == ["meeting", "finding", "meeting", "conclusion"]
    seqs = [c["seq"] for c in changes]
    assert seqs == sorted(seqs) and len(set(seqs)) == 4 and str(seqs[-1]) == cursor
    nothing, _ = await pull_everything(device, audit_id, since=cursor)
    assert nothing == []


async def test_a_replayed_batch_is_applied_once_and_answered_byte_for_byte(
    client: AsyncTestClient[Any],
) -> None:
    device, audit_id = await auditor_on_audit(client)
    ops = [meeting(audit_id), meeting(audit_id, kind="closing"), conclusion(audit_id)]
    key = str(uuid.uuid4())
    first = await device.push(ops, key=key)
    assert statuses(first) == [("applied", None)] * 3
    for _ in range(10):
        again = await device.push(ops, key=key)
        assert again.status_code == 200 and again.content == first.content
    other = await device.push([meeting(audit_id, kind="closing")], key=key)
    assert other.status_code == 422 and other.json()["code"] == "sync.idempotency_key_reused"
    changes, _ = await pull_everything(device, audit_id)
    assert sorted(c["id"] for c in changes) == sorted(op["id"] for op in ops)
    history = await client.get(f"/api/v1/meetings/{ops[0]['id']}/history", headers=device.headers)
    assert [v["rev"] for v in history.json()] == [1]
    versions = await client.get(f"/api/v1/conclusions/{ops[2]['id']}/history", headers=device.headers)
    assert [v["rev"] for v in versions.json()] == [1]
    lead = await login(client, "lead")
    trail = (await client.get("/api/v1/audit-trail", params={"entity": "sync_batch"}, headers=lead)).json()
    mine = [e["entityId"] for e in trail["items"] if e["actorUsername"] == "auditor1"]  # not the demo's own
    assert mine == [key]


async def test_a_stale_meeting_is_a_conflict_with_the_server_copy_and_every_version_stays(
    client: AsyncTestClient[Any],
) -> None:
    first, second, audit_id = await teammates(client)
    opening = meeting(audit_id, notes="Ouverture à 9h")
    assert statuses(await first.push([opening])) == [("applied", None)]
    edited = await first.push(
        [meeting(audit_id, opening["id"], base_rev=1, notes="Ouverture à 9h20, DGS présent")]
    )
    assert edited.json()["results"][0]["rev"] == 2
    stale = await second.push([meeting(audit_id, opening["id"], base_rev=1, notes="Ouverture retardée")])
    result = stale.json()["results"][0]
    assert result["status"] == "conflict" and result["rev"] == 2
    assert result["server"]["entity"] == "meeting" and result["server"]["rev"] == 2
    assert result["server"]["data"]["notes"] == "Ouverture à 9h20, DGS présent"
    kept = (await client.get(f"/api/v1/meetings/{opening['id']}/conflicts", headers=second.headers)).json()
    assert [(k["op"]["data"]["notes"], k["baseRev"], k["serverRev"]) for k in kept] == [
        ("Ouverture retardée", 1, 2)
    ]
    resolved = await second.push([meeting(audit_id, opening["id"], base_rev=2, notes="Ouverture retardée")])
    assert resolved.json()["results"][0] == {"index": 0, "id": opening["id"], "status": "applied", "rev": 3}
    history = (await client.get(f"/api/v1/meetings/{opening['id']}/history", headers=first.headers)).json()
    assert [(v["rev"], v["data"]["notes"]) for v in history] == [
        (1, "Ouverture à 9h"),
        (2, "Ouverture à 9h20, DGS présent"),
        (3, "Ouverture retardée"),
    ]
    assert [v["deviceId"] for v in history] == [first.device_id, first.device_id, second.device_id]
    assert all(v["meetingId"] == opening["id"] and v["auditId"] == audit_id for v in history)


async def test_a_stale_conclusion_is_a_conflict_and_the_losing_side_is_kept(
    client: AsyncTestClient[Any],
) -> None:
    first, second, audit_id = await teammates(client)
    concluded = conclusion(audit_id, conclusions="Système efficace")
    await first.push([concluded])
    await first.push(
        [conclusion(audit_id, concluded["id"], base_rev=1, conclusions="Système efficace, à consolider")]
    )
    stale = await second.push(
        [conclusion(audit_id, concluded["id"], base_rev=1, conclusions="Système peu efficace")]
    )
    result = stale.json()["results"][0]
    assert result["status"] == "conflict" and result["server"]["entity"] == "conclusion"
    assert result["server"]["data"]["conclusions"] == "Système efficace, à consolider"
    kept = (
        await client.get(f"/api/v1/conclusions/{concluded['id']}/conflicts", headers=second.headers)
    ).json()
    assert [k["op"]["data"]["conclusions"] for k in kept] == ["Système peu efficace"]
    history = (
        await client.get(f"/api/v1/conclusions/{concluded['id']}/history", headers=first.headers)
    ).json()
    assert [(v["rev"], v["data"]["conclusions"]) for v in history] == [
        (1, "Système efficace"),
        (2, "Système efficace, à consolider"),
    ]


async def test_a_second_opening_meeting_or_conclusion_under_another_id_is_a_conflict(
    client: AsyncTestClient[Any],
) -> None:
    first, second, audit_id = await teammates(client)
    opening, concluded = meeting(audit_id, place="Siège"), conclusion(audit_id, summary="Tablette A")
    assert statuses(await first.push([opening, concluded])) == [("applied", None)] * 2
    twin, other = meeting(audit_id, place="Annexe"), conclusion(audit_id, summary="Tablette B")
    closing = meeting(audit_id, kind="closing")
    response = await second.push([twin, other, closing])
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["conflict", "conflict", "applied"]
    assert results[0]["id"] == twin["id"] and results[0]["server"]["id"] == opening["id"]
    assert (
        results[1]["server"]["id"] == concluded["id"]
        and results[1]["server"]["data"]["summary"] == "Tablette A"
    )
    kept = (await client.get(f"/api/v1/meetings/{twin['id']}/conflicts", headers=second.headers)).json()
    assert [(k["auditId"], k["op"]["data"]["place"]) for k in kept] == [(audit_id, "Annexe")]
    lost = (await client.get(f"/api/v1/conclusions/{other['id']}/conflicts", headers=second.headers)).json()
    assert [k["op"]["data"]["summary"] for k in lost] == ["Tablette B"]
    package = (await client.get(f"/api/v1/audits/{audit_id}/package", headers=first.headers)).json()
    assert sorted(m["id"] for m in package["meetings"]) == sorted([opening["id"], closing["id"]])
    assert package["conclusion"]["id"] == concluded["id"]


async def test_a_deleted_meeting_is_a_tombstone_and_frees_its_place(client: AsyncTestClient[Any]) -> None:
    device, audit_id = await auditor_on_audit(client)
    wrong = meeting(audit_id, place="Erreur de saisie")
    await device.push([wrong])
    _, cursor = await pull_everything(device, audit_id)
    removed = await device.push([delete_meeting(wrong["id"], 1)])
    assert removed.json()["results"][0] == {"index": 0, "id": wrong["id"], "status": "applied", "rev": 2}
    assert statuses(await device.push([delete_meeting(wrong["id"], 2)])) == [("unchanged", None)]
    assert statuses(await device.push([delete_meeting(str(uuid.uuid4()), 1)])) == [
        ("rejected", "meeting.not_found")
    ]
    right = meeting(audit_id, place="Salle du conseil")
    assert statuses(await device.push([right])) == [("applied", None)]
    newer, _ = await pull_everything(device, audit_id, since=cursor)
    assert [(c["id"], c["deleted"], c["data"] is None) for c in newer] == [
        (wrong["id"], True, True),
        (right["id"], False, False),
    ]
    history = (await client.get(f"/api/v1/meetings/{wrong['id']}/history", headers=device.headers)).json()
    assert [(v["rev"], v["deleted"], v["data"]["place"], v["clientUpdatedAt"]) for v in history] == [
        (1, False, "Erreur de saisie", None),
        (2, True, "Erreur de saisie", None),
    ]


async def test_bad_attendees_and_standards_are_rejected_alone(client: AsyncTestClient[Any]) -> None:
    device = Device(client, await login(client, "lead"))
    audits = (await client.get("/api/v1/audits", headers=device.headers)).json()
    audit = next(a for a in audits if a["status"] == "prepared" and "iso14001" not in a["standards"])
    audit_id, foreign_standard, mine = audit["id"], "iso14001", audit["standards"][0]
    unit = audit["unitIds"][0]
    ops = [
        meeting(audit_id, attendees=[{"name": "X", "unitId": str(uuid.uuid4())}]),
        meeting(audit_id, attendees=[{"name": "X", "personId": str(uuid.uuid4())}]),
        meeting(audit_id, attendees=[{"name": "X", "unitId": unit, "organisation": "Cabinet externe"}]),
        meeting(audit_id, attendees=[{"name": "   "}]),
        conclusion(audit_id, degrees=[{"standard": foreign_standard, "degree": "fully"}]),
        conclusion(
            audit_id, degrees=[{"standard": mine, "degree": "fully"}, {"standard": mine, "degree": "not_met"}]
        ),
        conclusion(audit_id, degrees=[{"standard": mine, "degree": "somewhat"}]),
        meeting(audit_id, attendees=[{"name": "Karim Alaoui", "unitId": unit.upper()}]),
    ]
    response = await device.push(ops)
    assert statuses(response) == [
        ("rejected", "meeting.unknown_reference"),
        ("rejected", "meeting.unknown_reference"),
        ("rejected", "meeting.attendee_organisation"),
        ("rejected", "sync.invalid_op"),
        ("rejected", "conclusion.standard_out_of_scope"),
        ("rejected", "conclusion.duplicate_standard"),
        ("rejected", "sync.invalid_op"),
        ("applied", None),
    ]
    results = response.json()["results"]
    assert "attendees[0].unitId" in results[0]["message"] and "attendees[0].personId" in results[1]["message"]
    assert foreign_standard in results[4]["message"] and results[4]["httpStatus"] == 422
    changes, _ = await pull_everything(device, audit_id)
    assert [c["id"] for c in changes] == [ops[-1]["id"]]
    assert changes[0]["data"]["attendees"][0]["unitId"] == unit  # stored lowercase, as findings store theirs


async def test_a_signature_must_be_an_uploaded_png(client: AsyncTestClient[Any]) -> None:
    device, audit_id = await auditor_on_audit(client)
    await in_english(client, device.headers)  # the account's language wins over Accept-Language
    drawn = await upload(client, device.headers, drawn_signature(3))
    photo = await upload(client, device.headers, _jpeg(), "image/jpeg")
    missing = "0" * 64
    ops = [
        conclusion(
            audit_id,
            signatures=[signature("lead_auditor", drawn), signature("auditee_representative", missing)],
        ),
        conclusion(audit_id, signatures=[signature("lead_auditor", photo)]),
        conclusion(audit_id, signatures=[signature("lead_auditor", drawn), signature("lead_auditor", drawn)]),
        conclusion(audit_id, signatures=[signature("lead_auditor", drawn)]),
    ]
    response = await device.push(ops)
    assert statuses(response) == [
        ("rejected", "conclusion.signature_missing"),
        ("rejected", "conclusion.signature_not_png"),
        ("rejected", "conclusion.duplicate_signature"),
        ("applied", None),
    ]
    assert "Upload" in response.json()["results"][0]["message"]
    package = (await client.get(f"/api/v1/audits/{audit_id}/package", headers=device.headers)).json()
    assert package["conclusion"]["id"] == ops[3]["id"]


def _jpeg() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (120, 60, 10)).save(buffer, "JPEG")
    return buffer.getvalue()


async def test_a_closed_audit_keeps_meeting_ops_for_review_and_a_cancelled_one_refuses_them(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    device, audit_id = await auditor_on_audit(client)
    opening = meeting(audit_id)
    await device.push([opening])
    await force_status(settings, audit_id, "closed")
    late = [
        meeting(audit_id, opening["id"], base_rev=1, notes="Ajout après clôture"),
        delete_meeting(opening["id"], 1),
        conclusion(audit_id, summary="Conclusion tardive"),
    ]
    results = (await device.push(late)).json()["results"]
    assert [(r["status"], r["code"], r["httpStatus"]) for r in results] == [
        ("locked", "audit.locked", 423)
    ] * 3
    lead = await login(client, "lead")
    kept = (await client.get(f"/api/v1/audits/{audit_id}/late-submissions", headers=lead)).json()
    assert [(k["entity"], k["entityId"], k["findingId"], k["op"]["op"]) for k in kept] == [
        ("meeting", opening["id"], None, "upsertMeeting"),
        ("meeting", opening["id"], None, "deleteMeeting"),
        ("conclusion", late[2]["id"], None, "upsertConclusion"),
    ]
    changes, _ = await pull_everything(device, audit_id)
    assert [(c["id"], c["rev"]) for c in changes] == [(opening["id"], 1)]

    await force_status(settings, audit_id, "cancelled")
    refused = await device.push([meeting(audit_id, kind="closing"), conclusion(audit_id)])
    assert statuses(refused) == [("rejected", "audit.not_open")] * 2


async def test_an_auditor_not_on_the_team_is_refused_per_op(client: AsyncTestClient[Any]) -> None:
    device, audit_id = await auditor_on_audit(client, "auditor1")
    lead = await login(client, "lead")
    me = (await client.get("/api/v1/me", headers=device.headers)).json()["personId"]
    audits = (await client.get("/api/v1/audits", headers=lead)).json()
    foreign = next(
        a["id"] for a in audits if a["status"] == "prepared" and me not in {m["personId"] for m in a["team"]}
    )
    response = await device.push([meeting(foreign), conclusion(foreign), meeting(audit_id)])
    results = response.json()["results"]
    assert [(r["status"], r.get("code"), r.get("httpStatus")) for r in results] == [
        ("rejected", "auth.forbidden", 403),
        ("rejected", "auth.forbidden", 403),
        ("applied", None, None),
    ]
    package = (await client.get(f"/api/v1/audits/{foreign}/package", headers=lead)).json()
    assert package["meetings"] == [] and package["conclusion"] is None


async def test_a_history_is_for_the_team_and_the_audit_lead(client: AsyncTestClient[Any]) -> None:
    first, _, audit_id = await teammates(client)
    opening, concluded = meeting(audit_id), conclusion(audit_id)
    await first.push([opening, concluded])
    paths = [f"/api/v1/meetings/{opening['id']}/history", f"/api/v1/conclusions/{concluded['id']}/history"]
    lead = await login(client, "lead")
    team = {
        m["personId"] for m in (await client.get(f"/api/v1/audits/{audit_id}", headers=lead)).json()["team"]
    }
    outsider = None
    for number in range(1, 11):
        headers = await login(client, f"auditor{number}")
        if (await client.get("/api/v1/me", headers=headers)).json()["personId"] not in team:
            outsider = headers
            break
    assert outsider is not None, "every demo auditor is on this team"
    for path in paths:
        assert [v["rev"] for v in (await client.get(path, headers=lead)).json()] == [1]
        assert (await client.get(path, headers=outsider)).status_code == 404
        refused = await client.get(path, headers=await login(client, "manager"))
        assert refused.status_code == 403 and refused.json()["code"] == "auth.forbidden"
    for unknown in (
        f"/api/v1/meetings/{uuid.uuid4()}/history",
        f"/api/v1/conclusions/{uuid.uuid4()}/conflicts",
    ):
        assert (await client.get(unknown, headers=lead)).status_code == 404
    # a meeting id is not a conclusion id
    assert (await client.get(f"/api/v1/conclusions/{opening['id']}/history", headers=lead)).status_code == 404


async def _principal(client: AsyncTestClient[Any], headers: dict[str, str]) -> Principal:
    me = (await client.get("/api/v1/me", headers=headers)).json()
    roles = frozenset(Role(r) for r in me["roles"])
    return Principal(user_id=me["id"], username=me["username"], roles=roles, person_id=me["personId"])


async def test_a_meeting_committed_while_a_pull_runs_is_delivered_by_the_next_pull(
    client: AsyncTestClient[Any], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader, writer, audit_id = await teammates(client)
    _, cursor = await pull_everything(reader, audit_id)
    author = await _principal(client, writer.headers)
    late = meeting(audit_id, kind="closing", notes="Enregistrée pendant la lecture")
    batch = PushIn(device_id=writer.device_id, ops=[msgspec.Raw(msgspec.json.encode(late))])
    query = records_changes.records_since

    async def query_then_another_device_commits(*args: Any) -> Any:
        found = await query(*args)
        monkeypatch.setattr(records_changes, "records_since", query)
        push = service.push_ops(
            author, str(uuid.uuid4()), "0" * 64, batch, locale="fr", settings=settings, now=utcnow()
        )
        response = await asyncio.create_task(push, context=contextvars.Context())
        assert msgspec.json.decode(response)["results"][0]["status"] == "applied"
        return found

    monkeypatch.setattr(records_changes, "records_since", query_then_another_device_commits)
    empty = await client.get(
        "/api/v1/sync/pull", params={"since": cursor, "auditId": audit_id}, headers=reader.headers
    )
    assert empty.status_code == 200 and empty.json()["meetings"] == []
    assert records_changes.records_since is query  # the commit did happen during the pull
    delivered, _ = await pull_everything(reader, audit_id, since=empty.json()["cursor"])
    assert [c["id"] for c in delivered] == [late["id"]]

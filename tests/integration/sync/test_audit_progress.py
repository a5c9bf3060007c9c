"""The audit lead's view of the team's progress: questions of the pinned checklist answered by a live
finding, findings by verdict, free findings, and the last push of each device."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.conftest import login
from tests.contract.support import Device, delete, finding, teammates
from tests.integration.sync.support import meeting


async def _progress(client: AsyncTestClient[Any], headers: dict[str, str], audit_id: str) -> Any:
    return await client.get(f"/api/v1/audits/{audit_id}/progress", headers=headers)


async def _questions(client: AsyncTestClient[Any], device: Device, audit_id: str) -> list[dict[str, Any]]:
    package = (await client.get(f"/api/v1/audits/{audit_id}/package", headers=device.headers)).json()
    checklist: list[dict[str, Any]] = package["checklist"]
    return checklist


async def test_progress_counts_answered_questions_findings_and_devices(client: AsyncTestClient[Any]) -> None:
    first, second, audit_id = await teammates(client)
    lead = await login(client, "lead")
    start = (await _progress(client, lead, audit_id)).json()
    questions = await _questions(client, first, audit_id)
    assert start["questions"] == len(questions) > 0
    assert start["checklistVersion"]
    assert (start["answered"], start["findings"], start["freeFindings"], start["devices"]) == (0, 0, 0, [])

    def answer(index: int, verdict: str) -> dict[str, Any]:
        return finding(audit_id, questionId=questions[index]["id"], clauseRefs=[], verdict=verdict)

    conform, minor, dropped = answer(0, "conform"), answer(1, "nc_minor"), answer(2, "not_applicable")
    for op in (conform, minor, dropped):
        op["data"]["evidence"] = "Registre consulté sur place"
    pushed = (await first.push([conform, minor, dropped])).json()["results"]
    assert {r["status"] for r in pushed} == {"applied"}
    free = finding(audit_id, verdict="improvement")
    assert (await second.push([free])).json()["results"][0]["status"] == "applied"
    assert (await second.push([delete(dropped["id"], 1)])).json()["results"][0]["status"] == "applied"

    progress = (await _progress(client, lead, audit_id)).json()
    assert progress["auditId"] == audit_id
    assert (progress["questions"], progress["answered"]) == (len(questions), 2)
    assert (progress["findings"], progress["freeFindings"]) == (3, 1)
    assert progress["byVerdict"] == {
        "conform": 1,
        "ncMajor": 0,
        "ncMinor": 1,
        "observation": 0,
        "improvement": 1,
        "notApplicable": 0,
    }
    devices = progress["devices"]
    assert [d["deviceId"] for d in devices] == [second.device_id, first.device_id]  # the latest first
    usernames = {d["deviceId"]: d["username"] for d in devices}
    me = {
        h: (await client.get("/api/v1/me", headers=d.headers)).json()["username"]
        for h, d in (("1", first), ("2", second))
    }
    assert usernames == {first.device_id: me["1"], second.device_id: me["2"]}
    assert devices[0]["lastPushAt"] >= devices[1]["lastPushAt"]
    # The team sees it too, with the same figures.
    assert (await _progress(client, first.headers, audit_id)).json() == progress

    # A tablet that only recorded the opening meeting counts as a device too; findings are unchanged.
    minutes = Device(client, first.headers, device_id="tablet-minutes")
    assert (await minutes.push([meeting(audit_id)])).json()["results"][0]["status"] == "applied"
    after = (await _progress(client, lead, audit_id)).json()
    assert [d["deviceId"] for d in after["devices"]] == ["tablet-minutes", second.device_id, first.device_id]
    assert (after["answered"], after["findings"]) == (2, 3)


async def test_progress_is_shown_only_to_who_may_read_the_audit(client: AsyncTestClient[Any]) -> None:
    lead = await login(client, "lead")
    people = {p["id"]: p["username"] for p in (await client.get("/api/v1/people", headers=lead)).json()}
    audits = (await client.get("/api/v1/audits", headers=lead)).json()
    audit = next(a for a in audits if a["status"] == "prepared" and a["team"])
    team = {people.get(m["personId"]) for m in audit["team"]}
    users = (await client.get("/api/v1/users", headers=await login(client, "admin"))).json()
    outsider = next(u["username"] for u in users if "auditor" in u["roles"] and u["username"] not in team)
    for username, status in (("manager", 200), ("admin", 200), (outsider, 404)):
        answer = await _progress(client, await login(client, username), audit["id"])
        assert answer.status_code == status, (username, answer.text)
    assert (await client.get(f"/api/v1/audits/{audit['id']}/progress")).status_code == 401
    unknown = await _progress(client, lead, "00000000-0000-4000-8000-000000000000")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "resource.not_found")


async def test_an_audit_without_a_pinned_checklist_has_no_questions(client: AsyncTestClient[Any]) -> None:
    lead = await login(client, "lead")
    process = (await client.get("/api/v1/processes", headers=lead)).json()[0]
    body = {
        "code": "AI-T-PROGRESS",
        "title": {"ar": "تدقيق مخطط", "fr": "Audit planifié"},
        "standards": ["iso9001"],
        "processId": process["id"],
    }
    created = await client.post("/api/v1/audits", json=body, headers=lead)
    assert created.status_code == 201, created.text
    audit = created.json()
    assert audit["checklistVersion"] is None
    progress = (await _progress(client, lead, audit["id"])).json()
    assert (progress["questions"], progress["answered"], progress["checklistVersion"]) == (0, 0, None)

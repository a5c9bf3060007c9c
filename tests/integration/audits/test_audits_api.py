from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.conftest import login
from tests.contract.support import auditor_on_audit, finding
from tests.integration.audits.support import if_match


async def _people(client: AsyncTestClient[Any], headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    return {
        p["username"]: p
        for p in (await client.get("/api/v1/people", headers=headers)).json()
        if p["username"]
    }


async def _new_audit(
    client: AsyncTestClient[Any], lead: dict[str, str], process: dict[str, Any]
) -> dict[str, Any]:
    body = {
        "code": "AI-TEST-001",
        "title": {"ar": "تدقيق تجريبي", "fr": "Audit d'essai"},
        "standards": process["standards"],
        "processId": process["id"],
        "unitIds": [process["ownerUnitId"]],
    }
    response = await client.post("/api/v1/audits", json=body, headers=lead)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_every_demo_auditor_has_a_prepared_audit(client: AsyncTestClient[Any]) -> None:
    for number in range(1, 11):
        headers = await login(client, f"auditor{number}")
        audits = (await client.get("/api/v1/audits", headers=headers)).json()
        me = (await client.get("/api/v1/me", headers=headers)).json()["personId"]
        assert audits and all(me in {m["personId"] for m in a["team"]} for a in audits)
        assert any(a["status"] == "prepared" and a["checklistVersion"] for a in audits)


async def test_preparing_needs_scope_criteria_team_and_dates(client: AsyncTestClient[Any]) -> None:
    lead = await login(client, "lead")
    process = (await client.get("/api/v1/processes", headers=lead)).json()[0]
    audit = await _new_audit(client, lead, process)
    url = f"/api/v1/audits/{audit['id']}"
    refused = await client.post(
        f"{url}/transitions",
        json={"to": "prepared"},
        headers={**lead, **if_match(audit), "Accept-Language": "fr"},
    )
    assert refused.status_code == 409
    assert refused.json()["code"] == "audit.illegal_transition"
    assert refused.json()["details"]["condition"] == "no audit criteria are named"
    assert "aucun critère d'audit" in refused.json()["message"]
    skipped = await client.post(
        f"{url}/transitions", json={"to": "reported", "rev": audit["rev"]}, headers=lead
    )
    assert (
        skipped.status_code == 409
        and skipped.json()["details"]["condition"] == "this change of status is not allowed"
    )


async def test_impartiality_conflict_is_refused_unless_the_lead_writes_why(
    client: AsyncTestClient[Any],
) -> None:
    lead = await login(client, "lead")
    people = await _people(client, lead)
    processes = (await client.get("/api/v1/processes", headers=lead)).json()
    insider = next(p for p in people.values() if "auditor" in p["roles"] and p["qualifications"])
    process = (
        next(pr for pr in processes if pr["ownerUnitId"] == insider["unitId"])
        if any(pr["ownerUnitId"] == insider["unitId"] for pr in processes)
        else processes[0]
    )
    audit = await _new_audit(
        client,
        lead,
        {
            **process,
            "ownerUnitId": insider["unitId"],
            "standards": [q["standard"] for q in insider["qualifications"]],
        },
    )
    lead_person = people["lead"]["id"]
    team = {
        "members": [{"personId": lead_person, "role": "lead"}, {"personId": insider["id"], "role": "auditor"}]
    }
    refused = await client.put(
        f"/api/v1/audits/{audit['id']}/team", json=team, headers={**lead, **if_match(audit)}
    )
    assert refused.status_code == 409 and refused.json()["code"] == "audit.not_impartial"
    assert refused.json()["details"]["personId"] == insider["id"]
    reason = "Seul auditeur qualifié ISO 45001 disponible ; n'a pas participé au processus audité."
    team["members"][1]["overrideReason"] = reason
    accepted = await client.put(
        f"/api/v1/audits/{audit['id']}/team", json=team, headers={**lead, **if_match(audit)}
    )
    assert accepted.status_code == 200, accepted.text
    member = next(m for m in accepted.json()["team"] if m["personId"] == insider["id"])
    assert member["overrideReason"] == reason and member["overrideBy"] == "lead"


async def test_auditors_see_only_their_audits_and_auditees_only_reported_ones(
    client: AsyncTestClient[Any],
) -> None:
    lead = await login(client, "lead")
    everything = (await client.get("/api/v1/audits", headers=lead)).json()
    device, _ = await auditor_on_audit(client, "auditor1")
    mine = (await client.get("/api/v1/audits", headers=device.headers)).json()
    assert 0 < len(mine) < len(everything)
    other = next(a["id"] for a in everything if a["id"] not in {m["id"] for m in mine})
    assert (await client.get(f"/api/v1/audits/{other}", headers=device.headers)).status_code == 404
    auditee = await login(client, "auditee1")
    assert (await client.get("/api/v1/audits", headers=auditee)).json() == []


async def test_package_has_plan_checklist_and_findings_with_etag(client: AsyncTestClient[Any]) -> None:
    device, audit_id = await auditor_on_audit(client)
    url = f"/api/v1/audits/{audit_id}/package"
    first = await client.get(url, params={"lang": "ar"}, headers=device.headers)
    assert first.status_code == 200, first.text
    package = first.json()
    assert package["audit"]["id"] == audit_id and package["checklistVersion"]
    assert len(package["checklist"]) > 50 and package["team"] and package["findings"] == []
    etag = first.headers["ETag"]
    assert (
        await client.get(url, params={"lang": "ar"}, headers={**device.headers, "If-None-Match": etag})
    ).status_code == 304
    op = finding(audit_id)
    await device.push([op])
    after = await client.get(url, params={"lang": "ar"}, headers={**device.headers, "If-None-Match": etag})
    assert after.status_code == 200 and [f["id"] for f in after.json()["findings"]] == [op["id"]]
    assert int(after.json()["cursor"]) >= int(package["cursor"])
    outsider = await login(client, "auditee3")
    assert (await client.get(url, headers=outsider)).status_code == 404


async def test_auditee_sees_their_units_audit_once_reported(client: AsyncTestClient[Any]) -> None:
    lead = await login(client, "lead")
    people = await _people(client, lead)
    auditees = {p["unitId"]: name for name, p in people.items() if "auditee" in p["roles"]}
    audit = next(
        a
        for a in (await client.get("/api/v1/audits", headers=lead)).json()
        if a["status"] == "prepared" and set(a["unitIds"]) & set(auditees)
    )
    auditee = await login(client, auditees[next(u for u in audit["unitIds"] if u in auditees)])
    assert (await client.get(f"/api/v1/audits/{audit['id']}", headers=auditee)).status_code == 404
    for target in ("in_progress", "reported"):
        moved = await client.post(
            f"/api/v1/audits/{audit['id']}/transitions",
            json={"to": target},
            headers={**lead, **if_match(audit)},
        )
        assert moved.status_code == 200, moved.text
        audit = moved.json()
    assert (await client.get(f"/api/v1/audits/{audit['id']}", headers=auditee)).status_code == 200
    assert [a["id"] for a in (await client.get("/api/v1/audits", headers=auditee)).json()] == [audit["id"]]

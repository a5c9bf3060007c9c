"""A nonconformity's follow-up through the API, on the demo's completed audit (whose issued reports
opened its records): the auditee's unit answers it, an auditor from another unit verifies it, every
step is trailed, and the refusals come back in words (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.settings import Settings
from tests.conftest import login
from tests.integration.actions.support import query
from tests.integration.reports.support import photo

UNIT_AUDITEE = "auditee3"  # the demo's auditee of the Division du Suivi des Travaux
OTHER_AUDITEE = "auditee1"
VERIFIER = "auditor1"


async def _records(
    client: AsyncTestClient[Any], headers: dict[str, str], **query: str
) -> list[dict[str, Any]]:
    answer = await client.get("/api/v1/nonconformities", params=query, headers=headers)
    assert answer.status_code == 200, answer.text
    return list(answer.json())


async def _step(
    client: AsyncTestClient[Any], headers: dict[str, str], method: str, path: str, body: dict[str, Any]
) -> dict[str, Any]:
    answer = await client.request(method, f"/api/v1/nonconformities/{path}", json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


async def _upload(client: AsyncTestClient[Any], headers: dict[str, str], nc_id: str, seed: int) -> str:
    data = photo(seed)
    sha = hashlib.sha256(data).hexdigest()
    answer = await client.put(
        f"/api/v1/nonconformities/{nc_id}/evidence/{sha}",
        content=data,
        headers={**headers, "Content-Type": "image/jpeg"},
    )
    assert answer.status_code in (200, 201), answer.text
    return sha


async def test_the_issued_reports_opened_one_record_per_major_and_minor_nonconformity(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    lead = await login(client, "lead")
    records = await _records(client, lead)
    findings = await query(
        settings,
        "SELECT f.id FROM finding f JOIN audit a ON a.id = f.audit_id "
        "WHERE a.status = 'signed' AND f.deleted = {} AND f.verdict IN ('nc_major', 'nc_minor')",
        False,
    )
    assert records and sorted(r["findingId"] for r in records) == sorted(str(f["id"]) for f in findings)
    for record in records:
        assert record["unitName"]["fr"] and record["statement"] and record["clauses"]
        opened = datetime.fromisoformat(record["openedOn"])
        days = {"major": (15, 90), "minor": (30, 180)}[record["severity"]]
        assert datetime.fromisoformat(record["planDue"]) - opened == timedelta(days=days[0])
        assert datetime.fromisoformat(record["closeDue"]) - opened == timedelta(days=days[1])
    trail = await query(
        settings, "SELECT entity_id FROM trail_entry WHERE entity = 'nonconformity' AND action = 'open'"
    )
    assert sorted(str(t["entity_id"]) for t in trail) == sorted(r["id"] for r in records)


async def test_an_auditee_answers_and_an_auditor_from_another_unit_verifies_until_closed(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    auditee = await login(client, UNIT_AUDITEE)
    record = (await _records(client, auditee, view="mine", status="open"))[0]
    nc = record["id"]
    assert record["may"] == {"answer": True, "verify": False, "reject": False}
    record = await _step(client, auditee, "POST", f"{nc}/analysis/start", {"rev": record["rev"]})
    assert record["status"] == "analysis"
    cause = {
        "method": "five_whys",
        "cause": "Nobody is named to keep the legal register up to date.",
        "whys": [
            "The register was not updated.",
            "No one was in charge of it.",
            "The role was never assigned.",
        ],
    }
    record = await _step(
        client,
        auditee,
        "PUT",
        f"{nc}/analysis",
        {
            "rev": record["rev"],
            "correction": "Register completed with laws 28-00 and 36-15.",
            "rootCause": cause,
        },
    )
    record = await _step(client, auditee, "POST", f"{nc}/analysis/submit", {"rev": record["rev"]})
    assert record["status"] == "action_plan" and record["rootCause"]["whys"] == cause["whys"]
    me = (await client.get("/api/v1/me", headers=auditee)).json()
    due = (datetime.now(UTC).date() + timedelta(days=20)).isoformat()
    action = {
        "type": "corrective",
        "description": "Name a keeper of the register.",
        "ownerId": me["personId"],
        "due": due,
    }
    record = await _step(client, auditee, "PUT", f"{nc}/plan", {"rev": record["rev"], "actions": [action]})
    record = await _step(client, auditee, "POST", f"{nc}/plan/start", {"rev": record["rev"]})
    assert record["status"] == "in_progress"
    action_id = record["actions"][0]["id"]

    # Asking for verification with an action not finished is refused, in words.
    early = await client.post(
        f"/api/v1/nonconformities/{nc}/verification/ask", json={"rev": record["rev"]}, headers=auditee
    )
    assert early.status_code == 422 and early.json()["code"] == "actions.open_actions"
    assert "1" in early.json()["message"]

    sha = await _upload(client, auditee, nc, 1)
    record = await _step(
        client,
        auditee,
        "PUT",
        f"{nc}/actions/{action_id}",
        {"rev": record["rev"], "status": "done", "evidence": [sha], "note": "Decision signed."},
    )
    record = await _step(client, auditee, "POST", f"{nc}/verification/ask", {"rev": record["rev"]})
    assert record["status"] == "verification"

    auditor = await login(client, VERIFIER)
    waiting = await _records(client, auditor, view="verify")
    assert [r["id"] for r in waiting] == [nc] and waiting[0]["may"]["verify"]
    proof = await _upload(client, auditor, nc, 2)
    record = await _step(
        client,
        auditor,
        "POST",
        f"{nc}/verify",
        {
            "rev": record["rev"],
            "verdict": "effective",
            "comment": "Register up to date.",
            "evidence": [proof],
        },
    )
    assert record["status"] == "closed" and record["verifications"][0]["verifierName"]["fr"]
    again = await client.get(f"/api/v1/nonconformities/{nc}", headers=auditor)  # the verifier keeps it
    assert again.status_code == 200 and again.json()["status"] == "closed"

    # The evidence stays readable by the unit, and every step is in the audit trail.
    assert (await client.get(f"/api/v1/attachments/{sha}", headers=auditee)).status_code == 200
    steps = await query(settings, "SELECT action FROM trail_entry WHERE entity_id = {} ORDER BY id", nc)
    assert [s["action"] for s in steps] == [
        "open",
        "start_analysis",
        "record_analysis",
        "submit_analysis",
        "plan_actions",
        "start_actions",
        "update_action",
        "ask_verification",
        "verify",
    ]


async def test_an_auditee_of_another_unit_neither_sees_nor_answers_the_record(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    nc = (await _records(client, await login(client, "lead"), status="open"))[0]
    other = await login(client, OTHER_AUDITEE)
    assert await _records(client, other, view="mine") == []
    assert (await client.get(f"/api/v1/nonconformities/{nc['id']}", headers=other)).status_code == 404
    answer = await client.post(
        f"/api/v1/nonconformities/{nc['id']}/analysis/start", json={"rev": nc["rev"]}, headers=other
    )
    assert answer.status_code == 404
    stored = await query(settings, "SELECT status, rev FROM nonconformity WHERE id = {}", nc["id"])
    assert stored[0]["status"] == "open" and stored[0]["rev"] == nc["rev"]


async def test_refusals_name_the_rule_and_write_nothing(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    auditee = await login(client, UNIT_AUDITEE)
    nc = (await _records(client, auditee, view="mine", status="open"))[0]
    path = f"/api/v1/nonconformities/{nc['id']}"
    wrong = await client.post(f"{path}/analysis/submit", json={"rev": nc["rev"]}, headers=auditee)
    assert wrong.status_code == 409 and wrong.json()["code"] == "actions.wrong_status"
    assert "«مفتوحة»" in wrong.json()["message"]  # the demo auditee reads Arabic
    started = await client.post(f"{path}/analysis/start", json={"rev": nc["rev"]}, headers=auditee)
    stale = await client.post(f"{path}/analysis/start", json={"rev": nc["rev"]}, headers=auditee)
    assert started.status_code == 200 and stale.status_code == 412
    rev = started.json()["rev"]
    empty = await client.post(f"{path}/analysis/submit", json={"rev": rev}, headers=auditee)
    assert empty.status_code == 422 and empty.json()["code"] == "actions.correction_required"
    assert (await client.patch("/api/v1/me", json={"locale": "fr"}, headers=auditee)).status_code == 200
    french = await client.post(f"{path}/analysis/submit", json={"rev": rev}, headers=auditee)
    assert french.json()["message"].startswith("Écrivez la correction")
    assert empty.json()["message"].startswith("اكتب التصحيح")
    assert (
        await client.post(f"{path}/reject", json={"rev": rev, "reason": "x"}, headers=auditee)
    ).status_code == 403
    lead = await login(client, "lead")
    no_reason = await client.post(f"{path}/reject", json={"rev": rev, "reason": " "}, headers=lead)
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "actions.reason_required"
    stored = await query(settings, "SELECT status, rev FROM nonconformity WHERE id = {}", nc["id"])
    assert stored[0]["status"] == "analysis" and stored[0]["rev"] == rev


async def test_the_lead_promotes_an_observation_once(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    lead = await login(client, "lead")
    observation = (
        await query(
            settings,
            "SELECT f.id FROM finding f JOIN audit a ON a.id = f.audit_id "
            "WHERE a.status = 'signed' AND f.verdict = 'observation' AND f.deleted = {}",
            False,
        )
    )[0]["id"]
    conform = (await query(settings, "SELECT id FROM finding WHERE verdict = 'conform'"))[0]["id"]
    first = await client.post(f"/api/v1/findings/{observation}/nonconformity", headers=lead)
    again = await client.post(f"/api/v1/findings/{observation}/nonconformity", headers=lead)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"] and first.json()["severity"] == "observation"
    refused = await client.post(f"/api/v1/findings/{conform}/nonconformity", headers=lead)
    assert refused.status_code == 422 and refused.json()["code"] == "actions.not_promotable"
    auditor = await login(client, VERIFIER)
    assert (
        await client.post(f"/api/v1/findings/{observation}/nonconformity", headers=auditor)
    ).status_code == 403


async def test_late_plans_are_listed_per_unit(
    client: AsyncTestClient[Any], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    lead = await login(client, "lead")
    assert (await client.get("/api/v1/nonconformities/overdue", headers=lead)).json() == []
    later = datetime.now(UTC) + timedelta(days=45)
    monkeypatch.setattr("server.actions.steps.utcnow", lambda: later)
    late = (await client.get("/api/v1/nonconformities/overdue", headers=lead)).json()
    records = await _records(client, lead)
    assert sorted(item["ncId"] for item in late if item["kind"] == "plan") == sorted(
        r["id"] for r in records if r["status"] in ("open", "analysis", "action_plan")
    )
    assert all(item["unitName"]["fr"] and item["daysLate"] >= 15 for item in late)
    other = await login(client, OTHER_AUDITEE)
    assert (await client.get("/api/v1/nonconformities/overdue", headers=other)).json() == []


async def test_the_due_policy_is_set_by_the_audit_lead_with_its_rev(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    lead = await login(client, "lead")
    policy = (await client.get("/api/v1/nonconformities/due-policy", headers=lead)).json()
    assert policy == {
        "rev": 0,
        "planDays": {"major": 15, "minor": 30, "observation": 30},
        "closeDays": {"major": 90, "minor": 180, "observation": 180},
    }
    changed = {**policy, "planDays": {"major": 10, "minor": 20, "observation": 30}}
    auditee = await login(client, UNIT_AUDITEE)
    assert (
        await client.put("/api/v1/nonconformities/due-policy", json=changed, headers=auditee)
    ).status_code == 403
    saved = await client.put("/api/v1/nonconformities/due-policy", json=changed, headers=lead)
    assert saved.status_code == 200 and saved.json()["rev"] == 1 and saved.json()["planDays"]["major"] == 10
    stale = await client.put("/api/v1/nonconformities/due-policy", json=changed, headers=lead)
    assert stale.status_code == 412
    bad = {**saved.json(), "planDays": {"major": 100, "minor": 20, "observation": 30}}
    refused = await client.put("/api/v1/nonconformities/due-policy", json=bad, headers=lead)
    assert refused.status_code == 422 and refused.json()["code"] == "actions.policy_invalid"

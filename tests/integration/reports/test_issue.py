"""Issuing an audit's report: the completeness gate, version 1 signs the audit and locks its findings,
version 2 supersedes version 1 (which stays readable), and only the audit's lead auditor or the audit
lead may issue (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
from typing import Any

from litestar.testing import AsyncTestClient

from server.settings import Settings
from tests.conftest import login
from tests.contract.support import finding
from tests.integration.reports.support import ready_audit


async def test_a_first_issue_signs_the_audit_registers_version_1_and_serves_the_signed_pdf(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    ready = await ready_audit(client, settings)
    audit_id = ready.audit["id"]
    issued = await client.post(
        f"/api/v1/audits/{audit_id}/reports", json={"lang": "fr"}, headers=ready.lead.headers
    )
    assert issued.status_code == 201, issued.text
    report = issued.json()
    assert report["version"] == 1 and report["status"] == "current" and report["supersedesId"] is None
    assert report["reference"] == f"{ready.audit['code']}-R1-FR"
    assert report["level"] == "B-B" and report["pages"] >= 3
    audit = (await client.get(f"/api/v1/audits/{audit_id}", headers=ready.programme)).json()
    assert audit["status"] == "signed"
    pdf = await client.get(report["downloadUrl"], headers=ready.programme)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == report["sha256"] and len(pdf.content) == report["size"]
    listed = (await client.get(f"/api/v1/audits/{audit_id}/reports", headers=ready.programme)).json()
    assert [r["id"] for r in listed] == [report["id"]]


async def test_findings_are_locked_once_the_report_is_issued(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    ready = await ready_audit(client, settings)
    audit_id = ready.audit["id"]
    issued = await client.post(
        f"/api/v1/audits/{audit_id}/reports", json={"lang": "ar"}, headers=ready.lead.headers
    )
    assert issued.status_code == 201, issued.text
    late = await ready.lead.push([finding(audit_id, verdict="observation", statement="Ajout tardif")])
    assert late.status_code == 200
    assert [r["status"] for r in late.json()["results"]] == ["locked"]
    package = (await client.get(f"/api/v1/audits/{audit_id}/package", headers=ready.lead.headers)).json()
    assert "Ajout tardif" not in {f["data"]["statement"] for f in package["findings"] if f["data"]}


async def test_a_second_issue_is_version_2_superseding_version_1_which_stays_downloadable(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    ready = await ready_audit(client, settings)
    url = f"/api/v1/audits/{ready.audit['id']}/reports"
    first = (await client.post(url, json={"lang": "fr"}, headers=ready.lead.headers)).json()
    no_reason = await client.post(url, json={"lang": "fr"}, headers=ready.lead.headers)
    assert no_reason.status_code == 422
    assert [m["code"] for m in no_reason.json()["details"]["missing"]] == ["report.missing.reissue_reason"]
    second = await client.post(
        url, json={"lang": "fr", "reason": "Correction du nom du représentant"}, headers=ready.programme
    )
    assert second.status_code == 201, second.text
    body = second.json()
    assert (
        body["version"] == 2 and body["supersedesId"] == first["id"] and body["reference"].endswith("-R2-FR")
    )
    listed = {r["version"]: r for r in (await client.get(url, headers=ready.programme)).json()}
    assert listed[1]["status"] == "superseded" and listed[1]["supersededBy"] == body["id"]
    assert listed[2]["status"] == "current"
    old = await client.get(first["downloadUrl"], headers=ready.programme)
    assert old.status_code == 200 and hashlib.sha256(old.content).hexdigest() == first["sha256"]
    arabic = await client.post(url, json={"lang": "ar"}, headers=ready.lead.headers)
    assert arabic.status_code == 201 and arabic.json()["version"] == 1, "versions count per language"


async def test_the_gate_lists_every_missing_item_in_the_users_language(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    ready = await ready_audit(client, settings, complete=False)
    refused = await client.post(
        f"/api/v1/audits/{ready.audit['id']}/reports", json={"lang": "ar"}, headers=ready.lead.headers
    )
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "report.incomplete"
    codes = [m["code"] for m in body["details"]["missing"]]
    assert codes == ["report.missing.closing_meeting", "report.missing.conclusion"]
    assert all(m["message"] for m in body["details"]["missing"])
    audit = (await client.get(f"/api/v1/audits/{ready.audit['id']}", headers=ready.programme)).json()
    assert audit["status"] == "reported", "a refused issue changes nothing"
    assert (
        await client.get(f"/api/v1/audits/{ready.audit['id']}/reports", headers=ready.programme)
    ).json() == []


async def test_only_a_reported_audit_gets_a_report(client: AsyncTestClient[Any], settings: Settings) -> None:
    programme = await login(client, "lead")
    audits = (await client.get("/api/v1/audits", headers=programme)).json()
    prepared = next(a for a in audits if a["status"] == "prepared")
    refused = await client.post(
        f"/api/v1/audits/{prepared['id']}/reports", json={"lang": "fr"}, headers=programme
    )
    assert refused.status_code == 409 and refused.json()["code"] == "report.audit_not_ready"


async def test_a_team_member_who_is_not_the_lead_auditor_may_not_issue(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    ready = await ready_audit(client, settings)
    assert ready.member is not None
    refused = await client.post(
        f"/api/v1/audits/{ready.audit['id']}/reports", json={"lang": "fr"}, headers=ready.member.headers
    )
    assert refused.status_code == 403
    manager = await login(client, "manager")
    refused = await client.post(
        f"/api/v1/audits/{ready.audit['id']}/reports", json={"lang": "fr"}, headers=manager
    )
    assert refused.status_code == 403

"""Who may download a report, what the verifier says of an upload, and what the public verification page
shows: the register's status and nothing of the content (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from server.settings import Settings
from tests.conftest import login
from tests.integration.reports.support import NC_STATEMENT, ready_audit


async def _issued(client: AsyncTestClient[Any], settings: Settings) -> tuple[Any, dict[str, Any]]:
    ready = await ready_audit(client, settings)
    issued = await client.post(
        f"/api/v1/audits/{ready.audit['id']}/reports", json={"lang": "fr"}, headers=ready.lead.headers
    )
    assert issued.status_code == 201, issued.text
    return ready, issued.json()


async def test_the_team_managers_and_the_audited_units_auditees_download_others_do_not(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    ready, report = await _issued(client, settings)
    people = (await client.get("/api/v1/people", headers=ready.programme)).json()
    audited_units = set(ready.audit["unitIds"])
    process = (
        await client.get(f"/api/v1/processes/{ready.audit['processId']}", headers=ready.programme)
    ).json()
    audited_units.add(process["ownerUnitId"])
    team = {m["personId"] for m in ready.audit["team"]}
    own_auditee = next(p for p in people if "auditee" in p["roles"] and p["unitId"] in audited_units)
    other_auditee = next(
        p
        for p in people
        if "auditee" in p["roles"]
        and p["unitId"] not in audited_units
        and p["id"] not in ready.audit["auditeeIds"]
    )
    outsider = next(p for p in people if p["roles"] == ["auditor"] and p["id"] not in team)
    expected = {
        "manager": 200,
        "admin": 200,
        own_auditee["username"]: 200,
        other_auditee["username"]: 404,
        outsider["username"]: 404,
    }
    answers = {}
    for username in expected:
        headers = await login(client, username)
        answers[username] = (await client.get(report["downloadUrl"], headers=headers)).status_code
    assert answers == expected
    member = await client.get(report["downloadUrl"], headers=ready.member.headers if ready.member else {})
    assert member.status_code == 200
    assert (await client.get(report["downloadUrl"])).status_code == 401
    unknown = await client.get(
        "/api/v1/reports/00000000-0000-4000-8000-000000000000.pdf", headers=ready.programme
    )
    assert unknown.status_code == 404


async def test_the_verifier_knows_an_issued_report_and_sees_any_change(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    ready, report = await _issued(client, settings)
    pdf = (await client.get(report["downloadUrl"], headers=ready.programme)).content
    headers = {**ready.programme, "Content-Type": "application/pdf"}

    genuine = (await client.post("/api/v1/reports/verify", content=pdf, headers=headers)).json()
    assert genuine["registered"] and genuine["intact"] and genuine["valid"] and genuine["wholeDocument"]
    assert genuine["status"] == "current" and genuine["problems"] == []
    assert genuine["reportId"] == report["id"] and genuine["auditCode"] == ready.audit["code"]
    assert genuine["version"] == 1

    appended = (
        await client.post("/api/v1/reports/verify", content=pdf + b"\n%added\n", headers=headers)
    ).json()
    assert not appended["wholeDocument"] and not appended["registered"]
    assert "not_whole_document" in appended["problems"] and appended["status"] == "unknown"

    position = pdf.index(b"/Type /Page") + 2 if b"/Type /Page" in pdf else len(pdf) // 3
    tampered = bytearray(pdf)
    tampered[position] = ord("Z") if tampered[position] != ord("Z") else ord("Y")
    changed = (await client.post("/api/v1/reports/verify", content=bytes(tampered), headers=headers)).json()
    assert not changed["intact"] and not changed["registered"]
    assert "digest_mismatch" in changed["problems"]

    not_pdf = await client.post("/api/v1/reports/verify", content=b"hello", headers=headers)
    assert not_pdf.status_code == 415 and not_pdf.json()["code"] == "report.not_pdf"


async def test_the_public_page_shows_the_status_and_never_the_content(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    ready, first = await _issued(client, settings)
    token_path = first["verificationUrl"].split("://", 1)[1].split("/", 1)[1]
    page = await client.get(f"/{token_path}", headers={"Accept-Language": "fr"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert first["reference"] in text and first["sha256"] in text and 'data-status="current"' in text
    for secret in (NC_STATEMENT[:30], ready.audit["title"]["fr"], "Rachid Amrani"):
        assert secret not in text
    second = await client.post(
        f"/api/v1/audits/{ready.audit['id']}/reports",
        json={"lang": "fr", "reason": "Correction"},
        headers=ready.lead.headers,
    )
    assert second.status_code == 201
    again = await client.get(f"/{token_path}")
    assert 'data-status="superseded"' in again.text
    unknown = await client.get("/v/Zz99Zz99Zz99")
    assert unknown.status_code == 404 and 'data-status="unknown"' in unknown.text
    assert "script-src" not in unknown.headers["content-security-policy"]

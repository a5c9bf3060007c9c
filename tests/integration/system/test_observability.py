"""Logs and metrics as an IT admin reads them: one line per request, the request id from the screenshot
of an error to that line, and ``/metrics`` for the allowed addresses only (SQLite and PostgreSQL).

The test client's peer is ``testclient``, which is no address: it is never allowed, whatever the
setting. A scrape "from" a given address goes straight to the app with that peer (``/metrics`` touches
no database, so it needs no test client's event loop).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient
from prometheus_client.parser import text_string_to_metric_families

from server.settings import Settings
from tests.conftest import login
from tests.contract.support import auditor_on_audit, finding
from tests.integration.reports.support import NC_STATEMENT, ready_audit

FIELDS = {"time", "requestId", "userId", "method", "route", "status", "durationMs"}
SECRET_STATEMENT = "Extincteur du hall B périmé depuis mars, constat confidentiel"


async def scrape(client: AsyncTestClient[Any], peer: str = "127.0.0.1") -> httpx.Response:
    transport = httpx.ASGITransport(app=client.app, client=(peer, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as direct:
        return await direct.get("/metrics")


async def samples(client: AsyncTestClient[Any]) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = await scrape(client)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def access_lines(captured: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in captured.splitlines() if line.startswith('{"time"')]


def grew(before: dict[Any, float], after: dict[Any, float], name: str, **labels: str) -> float:
    key = (name, frozenset(labels.items()))
    return after.get(key, 0.0) - before.get(key, 0.0)


async def test_metrics_show_every_series_after_real_requests(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    before = await samples(client)
    # Six wrong passwords: five failures, then the pair is locked out (throttled, 429).
    answers = [
        (
            await client.post("/api/v1/auth/login", json={"username": "no-such-user", "password": "nope"})
        ).status_code
        for _ in range(6)
    ]
    assert answers == [401] * 5 + [429]
    # A push with a conflict: the second edit from the same base revision loses.
    device, audit_id = await auditor_on_audit(client)
    fid = str(uuid.uuid4())
    await device.push([finding(audit_id, fid)])
    await device.push([finding(audit_id, fid, base_rev=1, statement="Version du serveur")])
    stale = await device.push([finding(audit_id, fid, base_rev=1, statement="Version ancienne")])
    assert stale.json()["results"][0]["status"] == "conflict"
    # A report issued, then a file that is not a report given to the verifier.
    ready = await ready_audit(client, settings)
    issued = await client.post(
        f"/api/v1/audits/{ready.audit['id']}/reports", json={"lang": "fr"}, headers=ready.lead.headers
    )
    assert issued.status_code == 201, issued.text
    verify = await client.post(
        "/api/v1/reports/verify",
        content=b"%PDF-1.7 x",
        headers={**ready.programme, "Content-Type": "application/pdf"},
    )
    assert verify.status_code < 500
    after = await samples(client)

    login_route = {"route": "/api/v1/auth/login", "method": "POST"}
    assert grew(before, after, "tadqiq_http_request_duration_seconds_count", **login_route) >= 6
    assert grew(before, after, "tadqiq_http_requests_total", **login_route, status="429") == 1
    assert grew(before, after, "tadqiq_login_failures_total") == 5
    assert grew(before, after, "tadqiq_login_throttled_total") == 1
    assert grew(before, after, "tadqiq_sync_ops_total", result="applied") >= 2
    assert grew(before, after, "tadqiq_sync_ops_total", result="conflict") == 1
    assert grew(before, after, "tadqiq_sync_conflicts_total", op="upsertFinding") == 1
    assert grew(before, after, "tadqiq_report_issue_seconds_count") == 1
    assert grew(before, after, "tadqiq_report_issue_seconds_sum") > 0
    verify_route = {"route": "/api/v1/reports/verify", "method": "POST"}
    assert grew(before, after, "tadqiq_http_request_duration_seconds_count", **verify_route) == 1
    if settings.database_kind == "sqlite":  # PostgreSQL has no writer queue
        assert grew(before, after, "tadqiq_sqlite_write_wait_seconds_count") > 0
    for result in ("applied", "unchanged", "conflict", "rejected", "locked"):  # all shown, at 0 or more
        assert ("tadqiq_sync_ops_total", frozenset({("result", result)})) in after


async def test_metrics_answer_only_the_allowed_addresses(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    absent = (await client.get("/api/v1/no-such-thing")).json()
    refused = await client.get("/metrics")  # the test client's peer, "testclient", is no address
    assert refused.status_code == 404
    assert {k: v for k, v in refused.json().items() if k != "requestId"} == {
        k: v for k, v in absent.items() if k != "requestId"
    }
    assert (await scrape(client, "10.1.2.3")).status_code == 404  # the default: loopback only
    assert (await scrape(client, "::1")).status_code == 200
    client.app.state.settings = replace(settings, metrics_allowed="10.0.0.0/8")
    assert (await scrape(client, "10.1.2.3")).status_code == 200
    assert (await scrape(client, "127.0.0.1")).status_code == 404


async def test_the_request_id_leads_from_an_error_body_to_the_log_line(
    client: AsyncTestClient[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    headers = await login(client, "auditor1")
    forbidden = await client.post(
        "/api/v1/units", json={}, headers={**headers, "X-Request-Id": "nginx-3f9a0c1d"}
    )
    assert forbidden.status_code in (400, 403)
    assert forbidden.headers["x-request-id"] == "nginx-3f9a0c1d"  # a proxy's safe id is kept
    assert forbidden.json()["requestId"] == "nginx-3f9a0c1d"
    forged = await client.get("/api/v1/no-such-thing", headers={"X-Request-Id": "x" * 65})
    own_id = forged.headers["x-request-id"]
    assert own_id != "x" * 65 and forged.json()["requestId"] == own_id  # a long one is replaced
    ok = await client.get("/api/v1/me", headers=headers)
    assert len(ok.headers["x-request-id"]) == 16  # every answer has one, an error or not
    lines = {line["requestId"]: line for line in access_lines(capsys.readouterr().err)}
    line = lines["nginx-3f9a0c1d"]
    assert set(line) == FIELDS
    assert (line["method"], line["route"], line["status"]) == ("POST", "/api/v1/units", forbidden.status_code)
    assert line["userId"] == ok.json()["id"]
    assert lines[own_id]["route"] == "(unmatched)" and lines[own_id]["userId"] is None
    assert lines[ok.headers["x-request-id"]]["route"] == "/api/v1/me"


async def test_log_lines_hold_no_password_token_or_finding_text(
    client: AsyncTestClient[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    password = "S3cret-never-logged"
    await client.post("/api/v1/auth/login", json={"username": "auditor1", "password": password})
    device, audit_id = await auditor_on_audit(client)
    token = device.headers["Authorization"].removeprefix("Bearer ")
    pushed = await device.push(
        [finding(audit_id, verdict="nonconformity", grade="minor", statement=SECRET_STATEMENT)]
    )
    assert pushed.status_code == 200
    await client.get(f"/v/{token}")  # a token in a path: the route's template is logged, not the path
    captured = capsys.readouterr()
    out = captured.err + captured.out
    lines = access_lines(captured.err)
    assert {line["route"] for line in lines} >= {"/api/v1/auth/login", "/api/v1/sync/push"}
    assert all(set(line) == FIELDS for line in lines)
    for secret in (password, token, SECRET_STATEMENT, NC_STATEMENT):
        assert secret not in out

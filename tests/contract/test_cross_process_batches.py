"""Several server processes on one PostgreSQL database: a batch key is claimed by a transaction-scoped
advisory lock, not by memory of one process, so a duplicate sent to another process while the first
runs gets 409, and a batch is never applied twice. (SQLite is served by one process only.)"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.settings import Settings
from tests.contract.live_server import free_port, live_server, start_server


def _only_postgresql(settings: Settings) -> None:
    if settings.database_kind != "postgresql":
        pytest.skip("SQLite is served by one process; its in-process guard is tested by test_crash")


def _session(base: str) -> tuple[dict[str, str], str]:
    token = httpx.post(f"{base}/api/v1/auth/login", json={"username": "auditor1", "password": "demo"}).json()[
        "token"
    ]
    headers = {"Authorization": f"Bearer {token}"}
    audits = httpx.get(f"{base}/api/v1/audits", headers=headers).json()
    return headers, next(a["id"] for a in audits if a["status"] == "prepared")


def _batch(audit_id: str, size: int) -> dict[str, Any]:
    ops = [
        {
            "op": "upsertFinding",
            "id": str(uuid.uuid4()),
            "auditId": audit_id,
            "data": {"verdict": "conform", "statement": f"constat {i}", "clauseRefs": ["iso9001:7.5.3.2"]},
        }
        for i in range(size)
    ]
    return {"deviceId": "tablet-twin", "ops": ops}


def _pulled(base: str, headers: dict[str, str], audit_id: str) -> list[tuple[str, int]]:
    response = httpx.get(
        f"{base}/api/v1/sync/pull", params={"since": "0", "auditId": audit_id, "limit": 1000}, headers=headers
    )
    assert response.status_code == 200, response.text
    return sorted((c["id"], c["rev"]) for c in response.json()["changes"])


def test_a_duplicate_sent_to_another_process_while_the_first_runs_is_409(
    settings: Settings, tmp_path: Path
) -> None:
    _only_postgresql(settings)
    marker = tmp_path / "paused"
    port = free_port()
    first_base = f"http://127.0.0.1:{port}"
    first_server = start_server(settings, port, {"TADQIQ_CRASH_TEST_PAUSE_FILE": str(marker)})
    try:
        with live_server(settings) as second_base:
            headers, audit_id = _session(first_base)
            body = _batch(audit_id, 3)
            send = {**headers, "Idempotency-Key": str(uuid.uuid4())}

            def first() -> None:
                # This process is killed while the request waits: its failure is expected.
                with contextlib.suppress(httpx.HTTPError):
                    httpx.post(f"{first_base}/api/v1/sync/push", json=body, headers=send, timeout=30)

            threading.Thread(target=first, daemon=True).start()
            deadline = time.monotonic() + 30
            while not marker.exists() and time.monotonic() < deadline:
                time.sleep(0.02)
            assert marker.exists(), "the first batch never reached its written-but-uncommitted point"
            twin = httpx.post(f"{second_base}/api/v1/sync/push", json=body, headers=send, timeout=10)
            assert twin.status_code == 409 and twin.json()["code"] == "sync.batch_in_progress"
            assert twin.headers["Retry-After"] == "1"
            first_server.kill()
            first_server.wait(timeout=10)
            retry = httpx.post(f"{second_base}/api/v1/sync/push", json=body, headers=send, timeout=30)
            assert retry.status_code == 200 and {r["status"] for r in retry.json()["results"]} == {"applied"}
            assert _pulled(second_base, headers, audit_id) == sorted((op["id"], 1) for op in body["ops"])
    finally:
        if first_server.poll() is None:
            first_server.kill()
            first_server.wait(timeout=10)


def test_two_processes_racing_one_key_apply_the_batch_once(settings: Settings) -> None:
    _only_postgresql(settings)
    with live_server(settings) as one, live_server(settings) as two:
        headers, audit_id = _session(one)

        async def race(body: dict[str, Any]) -> list[httpx.Response]:
            send = {**headers, "Idempotency-Key": str(uuid.uuid4())}
            async with httpx.AsyncClient(timeout=60) as http:
                return list(
                    await asyncio.gather(
                        *(
                            http.post(f"{base}/api/v1/sync/push", json=body, headers=send)
                            for base in [one, two] * 4
                        )
                    )
                )

        expected: list[tuple[str, int]] = []
        for _ in range(5):
            body = _batch(audit_id, 200)
            expected += [(op["id"], 1) for op in body["ops"]]
            answers = asyncio.run(race(body))
            assert {a.status_code for a in answers} <= {200, 409}, [a.text for a in answers]
            applied = [a for a in answers if a.status_code == 200]
            assert applied, "every request was refused"
            assert len({a.content for a in applied}) == 1  # the replays are the stored response
            assert all(a.json()["code"] == "sync.batch_in_progress" for a in answers if a.status_code == 409)
        assert _pulled(two, headers, audit_id) == sorted(expected)

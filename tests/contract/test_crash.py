"""A server killed with SIGKILL in the middle of a 1,000-op batch leaves nothing half-done; the client's
retry with the same key then stores the batch exactly once."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from server.settings import Settings
from tests.contract.live_server import free_port, start_server


def _wait_for(marker: Path) -> None:
    """Until the server says the batch is written but not committed (or 30 s)."""
    deadline = time.monotonic() + 30
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.02)


def _session(base: str) -> tuple[dict[str, str], str]:
    token = httpx.post(f"{base}/api/v1/auth/login", json={"username": "auditor1", "password": "demo"}).json()[
        "token"
    ]
    headers = {"Authorization": f"Bearer {token}"}
    audit = next(
        a for a in httpx.get(f"{base}/api/v1/audits", headers=headers).json() if a["status"] == "prepared"
    )
    return headers, audit["id"]


def _pull_ids(base: str, headers: dict[str, str], audit_id: str) -> list[str]:
    response = httpx.get(
        f"{base}/api/v1/sync/pull", params={"since": "0", "auditId": audit_id, "limit": 1000}, headers=headers
    )
    assert response.status_code == 200, response.text
    return [c["id"] for c in response.json()["changes"]]


def test_sigkill_mid_batch_then_retry_applies_the_batch_once(settings: Settings, tmp_path: Path) -> None:
    marker = tmp_path / "paused"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(settings, port, {"TADQIQ_CRASH_TEST_PAUSE_FILE": str(marker)})
    try:
        headers, audit_id = _session(base)
        ops = [
            {
                "op": "upsertFinding",
                "id": str(uuid.uuid4()),
                "auditId": audit_id,
                "data": {
                    "verdict": "conform",
                    "statement": f"constat {i}",
                    "clauseRefs": ["iso9001:7.5.3.2"],
                },
            }
            for i in range(1000)
        ]
        body = {"deviceId": "tablet-crash", "ops": ops}
        key = str(uuid.uuid4())
        push_headers = {**headers, "Idempotency-Key": key}
        outcome: dict[str, Any] = {}

        def first_attempt() -> None:
            try:
                outcome["response"] = httpx.post(
                    f"{base}/api/v1/sync/push", json=body, headers=push_headers, timeout=60
                )
            except httpx.HTTPError as exc:
                outcome["error"] = exc

        sender = threading.Thread(target=first_attempt)
        sender.start()
        _wait_for(marker)
        assert marker.exists(), "the batch never reached its written-but-uncommitted point"
        assert _pull_ids(base, headers, audit_id) == []  # nothing of the batch visible while it is open
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
        sender.join(timeout=30)
        assert "error" in outcome and "response" not in outcome
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    server = start_server(settings, port, {})
    try:
        headers, audit_id = _session(base)
        assert _pull_ids(base, headers, audit_id) == []
        retry = httpx.post(f"{base}/api/v1/sync/push", json=body, headers=push_headers, timeout=60)
        assert retry.status_code == 200, retry.text
        assert [r["status"] for r in retry.json()["results"]] == ["applied"] * 1000
        again = httpx.post(f"{base}/api/v1/sync/push", json=body, headers=push_headers, timeout=60)
        assert again.content == retry.content
        assert sorted(_pull_ids(base, headers, audit_id)) == sorted(str(op["id"]) for op in ops)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_concurrent_duplicate_of_a_running_batch_is_409(settings: Settings, tmp_path: Path) -> None:
    marker = tmp_path / "paused"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(settings, port, {"TADQIQ_CRASH_TEST_PAUSE_FILE": str(marker)})
    try:
        headers, audit_id = _session(base)
        op = {
            "op": "upsertFinding",
            "id": str(uuid.uuid4()),
            "auditId": audit_id,
            "data": {"verdict": "conform", "statement": "constat", "clauseRefs": ["iso9001:7.5.3.2"]},
        }
        body = {"deviceId": "tablet-twin", "ops": [op]}
        push_headers = {**headers, "Idempotency-Key": str(uuid.uuid4())}

        def first() -> None:
            # The server is killed while this request waits: its failure is expected.
            with contextlib.suppress(httpx.HTTPError):
                httpx.post(f"{base}/api/v1/sync/push", json=body, headers=push_headers, timeout=5)

        sender = threading.Thread(target=first, daemon=True)
        sender.start()
        _wait_for(marker)
        assert marker.exists()
        twin = httpx.post(f"{base}/api/v1/sync/push", json=body, headers=push_headers, timeout=10)
        assert twin.status_code == 409 and twin.json()["code"] == "sync.batch_in_progress"
        assert twin.headers["Retry-After"] == "1"
    finally:
        server.kill()
        server.wait(timeout=10)

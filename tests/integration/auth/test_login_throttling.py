"""Login throttling: attempts are counted before the password check, per account, per (account,
address) pair and per address (only for failures over many accounts), with growing lockouts and a
bounded number of password checks at once.

Parallel requests and client addresses need the app in the test's own event loop (the ``client``
fixture runs it in another thread, one request at a time, always from ``testclient``): ``serving``
starts it there and gives one httpx client per address.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.auth import logic, service
from server.lib.clock import utcnow
from server.settings import Settings

ATTACKER = "203.0.113.9"
OFFICE = "198.51.100.7"


@asynccontextmanager
async def serving(settings: Settings) -> AsyncIterator[Callable[[str], httpx.AsyncClient]]:
    app = create_app(settings)
    clients: list[httpx.AsyncClient] = []

    def from_address(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 50000))  # type: ignore[arg-type]
        clients.append(httpx.AsyncClient(transport=transport, base_url="http://testserver.local"))
        return clients[-1]

    async with app.lifespan():
        try:
            yield from_address
        finally:
            for client in clients:
                await client.aclose()


async def _try(client: httpx.AsyncClient | AsyncTestClient[Any], username: str, password: str) -> Any:
    return await client.post("/api/v1/auth/login", json={"username": username, "password": password})


def _count_checks(monkeypatch: pytest.MonkeyPatch, delay: float = 0.0) -> list[str]:
    """Record every password check (and make each one last ``delay`` seconds)."""
    checked: list[str] = []
    real = logic.verify_password

    def counting(*args: Any) -> bool:
        checked.append("check")
        time.sleep(delay)
        return real(*args)

    monkeypatch.setattr(service, "verify_password", counting)
    return checked


def _assert_throttled(response: Any) -> int:
    assert response.status_code == 429, response.text
    body = response.json()
    assert body["code"] == "auth.too_many_attempts"
    wait = int(response.headers["Retry-After"])
    assert body["details"]["retryAfter"] == wait
    return wait


async def test_parallel_wrong_passwords_reach_the_password_check_at_most_the_limit(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = _count_checks(monkeypatch, delay=0.05)
    async with serving(settings) as at:
        client = at(ATTACKER)
        responses = await asyncio.gather(*(_try(client, "auditor1", f"wrong{n}") for n in range(50)))
    statuses = [r.status_code for r in responses]
    assert len(checked) <= settings.login_max_failures
    assert statuses.count(401) == len(checked)
    assert statuses.count(401) + statuses.count(429) + statuses.count(503) == 50
    assert all("Retry-After" in r.headers for r in responses if r.status_code == 429)


async def test_typos_on_a_few_accounts_do_not_lock_out_the_shared_address(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    for account in ("auditor1", "auditor2", "auditor3", "auditor4", "auditor5"):
        for _ in range(settings.login_max_failures):
            assert (await _try(client, account, "typo")).status_code == 401
    assert (await _try(client, "auditor6", "demo")).status_code == 200
    for _ in range(settings.login_max_failures):
        assert (await _try(client, "auditor7", "guess")).status_code == 401
    _assert_throttled(await _try(client, "auditor7", "guess"))
    _assert_throttled(await _try(client, "auditor7", "demo"))
    _assert_throttled(await _try(client, "auditor1", "demo"))  # each typed-over account waits its turn


async def test_an_account_locked_at_one_address_still_signs_in_from_another(settings: Settings) -> None:
    async with serving(settings) as at:
        attacker, office = at(ATTACKER), at(OFFICE)
        for _ in range(settings.login_max_failures):
            assert (await _try(attacker, "auditor1", "guess")).status_code == 401
        _assert_throttled(await _try(attacker, "auditor1", "demo"))
        assert (await _try(office, "auditor1", "demo")).status_code == 200


async def test_failures_from_many_addresses_lock_the_account_everywhere(settings: Settings) -> None:
    tight = replace(settings, login_max_failures=3, login_max_failures_per_account=6)
    async with serving(tight) as at:
        for address in ("203.0.113.1", "203.0.113.2"):
            for _ in range(3):
                assert (await _try(at(address), "auditor1", "guess")).status_code == 401
        _assert_throttled(await _try(at(OFFICE), "auditor1", "demo"))
        assert (await _try(at(OFFICE), "auditor2", "demo")).status_code == 200


async def test_stuffing_from_one_address_does_not_lock_out_other_addresses(settings: Settings) -> None:
    async with serving(settings) as at:
        attacker = at(ATTACKER)
        for index in range(settings.login_max_accounts_per_address):
            assert (await _try(attacker, f"guess{index}", "wrong")).status_code == 401
        _assert_throttled(await _try(attacker, "auditor1", "demo"))
        assert (await _try(at(OFFICE), "auditor1", "demo")).status_code == 200


async def test_each_lockout_in_a_row_waits_longer_and_a_success_forgives(
    client: AsyncTestClient[Any], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [utcnow()]

    def now() -> datetime:
        return clock[0]

    monkeypatch.setattr(service, "utcnow", now)
    first = settings.login_first_lockout_seconds
    waits = []
    for _ in range(3):
        for _ in range(settings.login_max_failures):
            assert (await _try(client, "auditor2", "wrong")).status_code == 401
        waits.append(_assert_throttled(await _try(client, "auditor2", "demo")))
        clock[0] += timedelta(seconds=waits[-1] - 1)
        _assert_throttled(await _try(client, "auditor2", "demo"))  # not yet
        clock[0] += timedelta(seconds=1)
    assert waits == [first, 2 * first, 4 * first]
    assert (await _try(client, "auditor2", "demo")).status_code == 200
    for _ in range(settings.login_max_failures):
        assert (await _try(client, "auditor2", "wrong")).status_code == 401
    assert _assert_throttled(await _try(client, "auditor2", "demo")) == first


async def test_busy_password_checks_answer_503_with_retry_after_and_do_not_count(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    entered, release = threading.Event(), threading.Event()
    real = logic.verify_password

    def held(*args: Any) -> bool:
        entered.set()
        release.wait(timeout=10)
        return real(*args)

    monkeypatch.setattr(service, "verify_password", held)
    one_slot = replace(
        settings, login_max_concurrent_verifications=1, login_verification_wait_ms=100, login_max_failures=2
    )
    async with serving(one_slot) as at:
        client = at(ATTACKER)
        first = asyncio.create_task(_try(client, "auditor1", "wrong"))
        for _ in range(500):
            if entered.is_set():
                break
            await asyncio.sleep(0.01)
        busy = await _try(client, "auditor1", "wrong")
        release.set()
        assert (await first).status_code == 401
        assert busy.status_code == 503, busy.text
        assert busy.json()["code"] == "auth.busy"
        assert int(busy.headers["Retry-After"]) >= 1
        assert busy.json()["details"]["retryAfter"] == int(busy.headers["Retry-After"])
        # The refused check was not counted: one more failure is still allowed before the lockout.
        assert (await _try(client, "auditor1", "wrong")).status_code == 401
        _assert_throttled(await _try(client, "auditor1", "demo"))

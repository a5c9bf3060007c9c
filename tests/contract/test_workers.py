"""The exactly-once contract holds when two server processes serve one PostgreSQL database.

A real ``tadqiq serve --workers 2`` runs on a loopback port against a fresh copy of the demo database.
Each worker listens on the port (``SO_REUSEPORT``) and the kernel hands each new connection to one of
them. The tests send their requests over "lanes": single-connection clients whose serving worker is
known, found by matching the client's local port with the worker process that owns the other end of the
connection (its sockets in /proc). Each test spreads its requests over lanes of both workers, so the
contract is exercised across processes for certain. Nothing is added to the server for it.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.settings import PROJECT_ROOT
from tests.conftest import PG_URL, _pg_admin, _pg_url, missing_tool
from tests.contract.live_server import free_port
from tests.contract.support import finding

CONNECTIONS = 16


@dataclass(frozen=True)
class TwoWorkers:
    base: str
    port: int
    supervisor: subprocess.Popen[bytes]


@pytest.fixture(scope="module")
def two_workers(templates: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoWorkers]:
    """``tadqiq serve --workers 2`` on a fresh copy of the demo database (PostgreSQL only)."""
    if not PG_URL:
        missing_tool("TADQIQ_TEST_DATABASE_URL is not set: several workers need PostgreSQL")
    if "postgresql" not in templates:
        missing_tool(templates.get("postgresql_error", "PostgreSQL not configured"))
    name = f"tq_w_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f"CREATE DATABASE {name} TEMPLATE {templates['postgresql']}"))
    port = free_port()
    env = {
        **os.environ,
        "TADQIQ_DATABASE_URL": _pg_url(name),
        "TADQIQ_PORT": str(port),
        "TADQIQ_HOST": "127.0.0.1",
        "TADQIQ_VAR_DIR": str(tmp_path_factory.mktemp("workers")),
        "TADQIQ_ARGON2_TIME_COST": "1",
        "TADQIQ_ARGON2_MEMORY_KIB": "1024",
    }
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--workers", "2"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = TwoWorkers(f"http://127.0.0.1:{port}", port, supervisor)
    try:
        _wait_until_both_workers_serve(server)
        yield server
    finally:
        supervisor.terminate()
        try:
            supervisor.wait(timeout=30)
        except subprocess.TimeoutExpired:
            supervisor.kill()
            supervisor.wait()
        asyncio.run(_pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def _wait_until_both_workers_serve(server: TwoWorkers) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert server.supervisor.poll() is None, "tadqiq serve --workers 2 exited"
        if len(_worker_pids(server)) == 2:
            try:
                if httpx.get(f"{server.base}/api/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
        time.sleep(0.2)
    raise AssertionError("the two workers did not start")


def _worker_pids(server: TwoWorkers) -> set[int]:
    """Processes started by the supervisor that have the listening socket (multiprocessing's helper
    processes do not)."""
    pids = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[1]) == server.supervisor.pid and _listening(int(stat.parent.name), server.port):
            pids.add(int(stat.parent.name))
    return pids


def _listening(pid: int, port: int) -> bool:
    listening = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        parts = line.split()
        if int(parts[1].rpartition(":")[2], 16) == port and parts[3] == "0A":
            listening.add(parts[9])
    return _owned(pid, listening)


def _owned(pid: int, inodes: set[str]) -> bool:
    """Whether ``pid`` has one of the sockets ``inodes`` open."""
    try:
        return any(
            str(fd.readlink()).removeprefix("socket:[").removesuffix("]") in inodes
            for fd in Path(f"/proc/{pid}/fd").iterdir()
        )
    except OSError:
        return False


def _worker_of(server: TwoWorkers, client_port: int) -> int | None:
    """The worker process holding the server end of the connection from ``client_port``."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        parts = line.split()
        local, remote = (int(parts[i].rpartition(":")[2], 16) for i in (1, 2))
        if local == server.port and remote == client_port and parts[3] == "01":
            inodes.add(parts[9])
    for pid in _worker_pids(server):
        if _owned(pid, inodes):
            return pid
    return None


@asynccontextmanager
async def lanes(server: TwoWorkers, per_worker: int = 4) -> AsyncIterator[list[httpx.AsyncClient]]:
    """``per_worker`` single-connection clients on each of the two workers, alternating."""
    found: dict[int, list[httpx.AsyncClient]] = {}
    opened: list[httpx.AsyncClient] = []
    try:
        for _ in range(200):
            if len(found) == 2 and all(len(v) >= per_worker for v in found.values()):
                break
            client = httpx.AsyncClient(
                base_url=server.base, limits=httpx.Limits(max_connections=1), timeout=60
            )
            opened.append(client)
            health = await client.get("/api/v1/health")
            client_port = health.extensions["network_stream"].get_extra_info("client_addr")[1]
            worker = _worker_of(server, client_port)
            if worker is not None:
                found.setdefault(worker, []).append(client)
        assert len(found) == 2, f"200 new connections all went to worker(s) {set(found)}"
        first, second = (clients[:per_worker] for clients in found.values())
        yield [lane for pair in zip(first, second, strict=True) for lane in pair]
    finally:
        for client in opened:
            await client.aclose()


@dataclass(frozen=True)
class Session:
    """An auditor signed in, and a prepared audit of their team."""

    headers: dict[str, str]
    audit_id: str
    standard: str

    def finding(self) -> dict[str, Any]:
        """A new finding citing a clause of the audit's own standards (7.5.3 is in all three)."""
        return finding(self.audit_id, clauseRefs=[f"{self.standard}:7.5.3"])


async def _signed_in(server: TwoWorkers, username: str) -> Session:
    async with httpx.AsyncClient(base_url=server.base) as client:
        login = await client.post("/api/v1/auth/login", json={"username": username, "password": "demo"})
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        me = (await client.get("/api/v1/me", headers=headers)).json()
        audits = (await client.get("/api/v1/audits", headers=headers)).json()
    audit = next(
        a
        for a in audits
        if a["status"] == "prepared" and me["personId"] in [m["personId"] for m in a["team"]]
    )
    return Session(headers, audit["id"], audit["standards"][0])


async def _push(
    client: httpx.AsyncClient, headers: dict[str, str], key: str, ops: list[dict[str, Any]], device: str
) -> httpx.Response:
    return await client.post(
        "/api/v1/sync/push",
        json={"deviceId": device, "ops": ops},
        headers={**headers, "Idempotency-Key": key},
    )


async def _pulled(client: httpx.AsyncClient, headers: dict[str, str], audit_id: str, since: str) -> Any:
    response = await client.get(
        "/api/v1/sync/pull", params={"since": since, "auditId": audit_id, "limit": 1000}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


async def _all_ids(server: TwoWorkers, headers: dict[str, str], audit_id: str) -> Counter[str]:
    seen: Counter[str] = Counter()
    since = "0"
    async with httpx.AsyncClient(base_url=server.base, timeout=60) as client:
        while True:
            body = await _pulled(client, headers, audit_id, since)
            seen.update(change["id"] for change in body["changes"])
            since = body["cursor"]
            if not body["hasMore"]:
                return seen


async def test_a_batch_sent_to_two_workers_at_once_and_replayed_is_applied_once_with_identical_bytes(
    two_workers: TwoWorkers,
) -> None:
    me = await _signed_in(two_workers, "auditor1")
    headers, audit_id = me.headers, me.audit_id
    ops = [me.finding() for _ in range(20)]
    key = str(uuid.uuid4())
    async with lanes(two_workers) as both:
        first = await asyncio.gather(*(_push(lane, headers, key, ops, "tablet-w") for lane in both * 2))
        assert {r.status_code for r in first} <= {200, 409}, [r.text for r in first if r.status_code >= 500]
        applied = [r for r in first if r.status_code == 200]
        assert applied and len({r.content for r in applied}) == 1
        assert [r["status"] for r in applied[0].json()["results"]] == ["applied"] * 20
        for r in first:
            if r.status_code == 409:
                assert r.json()["code"] == "sync.batch_in_progress" and r.headers["Retry-After"] == "1"
        for lane in both * 3:  # one after the other, alternating workers
            again = await _push(lane, headers, key, ops, "tablet-w")
            assert again.status_code == 200 and again.content == applied[0].content
        replays = await asyncio.gather(*(_push(lane, headers, key, ops, "tablet-w") for lane in both * 4))
    # Replays of a finished batch at the same moment: the stored response, or 409 while another
    # replay of the key holds it; never a second application, never a 5xx.
    assert {r.status_code for r in replays} <= {200, 409}, [r.text for r in replays if r.status_code >= 500]
    assert all(r.content == applied[0].content for r in replays if r.status_code == 200)
    seen = await _all_ids(two_workers, headers, audit_id)
    assert {op["id"]: seen[op["id"]] for op in ops} == {op["id"]: 1 for op in ops}


async def test_concurrent_duplicates_across_two_workers_are_applied_once(two_workers: TwoWorkers) -> None:
    me = await _signed_in(two_workers, "auditor2")
    headers, audit_id = me.headers, me.audit_id
    batches = {str(uuid.uuid4()): [me.finding() for _ in range(5)] for _ in range(16)}
    async with lanes(two_workers) as both:
        # Each batch sent twice at once, its two copies on the two workers.
        sends = [
            (key, ops, both[(2 * n + copy) % len(both)])
            for n, (key, ops) in enumerate(batches.items())
            for copy in (0, 1)
        ]
        responses = await asyncio.gather(
            *(_push(lane, headers, k, ops, "tablet-d") for k, ops, lane in sends)
        )
        assert {r.status_code for r in responses} <= {200, 409}, [r.text for r in responses]
        bodies: dict[str, set[bytes]] = {key: set() for key in batches}
        for (key, _, _), response in zip(sends, responses, strict=True):
            if response.status_code == 200:
                bodies[key].add(response.content)
        for n, (key, ops) in enumerate(batches.items()):  # the client's retry of a 409, as the outbox does
            retry = await _push(both[n % len(both)], headers, key, ops, "tablet-d")
            assert retry.status_code == 200, retry.text
            bodies[key].add(retry.content)
    assert all(len(contents) == 1 for contents in bodies.values())
    seen = await _all_ids(two_workers, headers, audit_id)
    pushed = [op["id"] for ops in batches.values() for op in ops]
    assert {i: seen[i] for i in pushed} == dict.fromkeys(pushed, 1)


async def test_two_devices_pulling_from_two_workers_receive_every_change_exactly_once(
    two_workers: TwoWorkers,
) -> None:
    me = await _signed_in(two_workers, "auditor3")
    headers, audit_id = me.headers, me.audit_id
    pushed: list[str] = []
    received: dict[str, Counter[str]] = {"a": Counter(), "b": Counter()}
    cursors = {"a": "0", "b": "0"}

    async with lanes(two_workers, per_worker=2) as both:
        turn = iter(range(10_000))

        def lane() -> httpx.AsyncClient:  # every request on the next lane: both workers, alternately
            return both[next(turn) % len(both)]

        async def pull_all(name: str) -> None:
            while True:
                body = await _pulled(lane(), headers, audit_id, cursors[name])
                received[name].update(change["id"] for change in body["changes"])
                cursors[name] = body["cursor"]
                if not body["hasMore"]:
                    return

        async def device(name: str) -> None:
            for _ in range(8):
                ops = [me.finding() for _ in range(10)]
                response = await _push(lane(), headers, str(uuid.uuid4()), ops, f"tablet-{name}")
                assert response.status_code == 200, response.text
                assert {r["status"] for r in response.json()["results"]} == {"applied"}, response.text
                pushed.extend(op["id"] for op in ops)
                await pull_all(name)

        await asyncio.gather(device("a"), device("b"))
        await asyncio.gather(pull_all("a"), pull_all("b"))  # what the other device pushed last
    expected = Counter(pushed)
    assert len(expected) == 160 and set(expected.values()) == {1}
    for name, counts in received.items():
        assert Counter({i: n for i, n in counts.items() if i in expected}) == expected, name


async def test_same_key_with_another_body_is_422_on_either_worker(two_workers: TwoWorkers) -> None:
    me = await _signed_in(two_workers, "auditor4")
    headers = me.headers
    key = str(uuid.uuid4())
    async with lanes(two_workers) as both:
        assert (await _push(both[0], headers, key, [me.finding()], "tablet-k")).status_code == 200
        others = [await _push(lane, headers, key, [me.finding()], "tablet-k") for lane in both]
    assert [r.status_code for r in others] == [422] * len(others)
    assert {r.json()["code"] for r in others} == {"sync.idempotency_key_reused"}


def test_several_workers_on_sqlite_are_refused_with_a_clear_message(tmp_path: Path) -> None:
    env = {**os.environ, "TADQIQ_VAR_DIR": str(tmp_path)}
    env.pop("TADQIQ_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "serve", "--workers", "2"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "several worker processes need PostgreSQL" in done.stderr

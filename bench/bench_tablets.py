"""Many tablets at once: 40 devices, each pushing 10 batches of 20 new findings and pulling after each
push, against a real server on loopback (SQLite; PostgreSQL with one and with two worker processes).

One asyncio client drives the 40 devices, so the client's own share of the 2 cores stays bounded. At the
end every device pulls what it has not seen yet, and the run is checked: each pushed finding stored
once (and its history, when the server keeps one), and every device received every finding of its
audit exactly once.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.harness import Server, bench_pg_url, fresh_pg_database, running_server

DEVICES = 40
BATCHES = 10
FINDINGS_PER_BATCH = 20
AUDITORS = [f"auditor{n}" for n in range(1, 11)]
RETRIES = 5
DEVICE_PREFIX = "bench-tablet-"  # also written literally in the counting queries


@dataclass
class Device:
    name: str
    headers: dict[str, str]
    audit_id: str
    clause: str
    cursor: str = "0"
    pushed: list[str] = field(default_factory=list)
    seen: Counter[str] = field(default_factory=Counter)


@dataclass
class Outcome:
    seconds: float = 0.0
    push_ms: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    retries: int = 0


async def _devices(client: httpx.AsyncClient) -> list[Device]:
    """Four tablets per demo auditor, each on a prepared audit whose team includes its auditor."""
    sessions = []
    for username in AUDITORS:
        login = await client.post("/api/v1/auth/login", json={"username": username, "password": "demo"})
        login.raise_for_status()
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        me = (await client.get("/api/v1/me", headers=headers)).json()
        audits = (await client.get("/api/v1/audits", headers=headers)).json()
        mine = next(
            a
            for a in audits
            if a["status"] == "prepared" and me["personId"] in [m["personId"] for m in a["team"]]
        )
        sessions.append((headers, mine["id"], f"{mine['standards'][0]}:7.5.3"))  # 7.5.3: in every standard
    return [Device(f"{DEVICE_PREFIX}{n:02d}", *sessions[n % len(sessions)]) for n in range(DEVICES)]


def _ops(device: Device, batch: int) -> list[dict[str, Any]]:
    return [
        {
            "op": "upsertFinding",
            "id": str(uuid.uuid4()),
            "auditId": device.audit_id,
            "data": {
                "verdict": "nc_minor" if i % 7 == 0 else "conform",
                "statement": f"{device.name}, lot {batch}, constat n° {i} : registre tenu à jour",
                "evidence": "Registre consulté le jour de l'audit.",
                "clauseRefs": [device.clause],
                "clientUpdatedAt": "2026-11-23T09:30:00Z",
            },
        }
        for i in range(FINDINGS_PER_BATCH)
    ]


async def _pull(client: httpx.AsyncClient, device: Device) -> None:
    while True:
        params = {"since": device.cursor, "auditId": device.audit_id, "limit": 1000}
        response = await client.get("/api/v1/sync/pull", params=params, headers=device.headers)
        response.raise_for_status()
        body = response.json()
        device.seen.update(change["id"] for change in body["changes"])
        device.cursor = body["cursor"]
        if not body["hasMore"]:
            return


async def _push(client: httpx.AsyncClient, device: Device, batch: int, outcome: Outcome) -> None:
    """One batch as the tablet's outbox sends it: retried with the same key after a 503 or a 409, so the
    latency is what the person holding the tablet waits for."""
    ops = _ops(device, batch)
    headers = {**device.headers, "Idempotency-Key": str(uuid.uuid4())}
    started = time.perf_counter()
    for _ in range(RETRIES):
        response = await client.post(
            "/api/v1/sync/push", json={"deviceId": device.name, "ops": ops}, headers=headers
        )
        if response.status_code not in (409, 503):
            break
        outcome.retries += 1
        await asyncio.sleep(float(response.headers.get("Retry-After", "1")))
    outcome.push_ms.append((time.perf_counter() - started) * 1000)
    statuses = [r["status"] for r in response.json()["results"]] if response.status_code == 200 else []
    if statuses != ["applied"] * FINDINGS_PER_BATCH:
        outcome.problems.append(
            f"{device.name} batch {batch}: HTTP {response.status_code} {response.text[:200]}"
        )
    else:
        device.pushed += [op["id"] for op in ops]


async def _tablet(client: httpx.AsyncClient, device: Device, outcome: Outcome) -> None:
    for batch in range(BATCHES):
        await _push(client, device, batch, outcome)
        await _pull(client, device)


def _delivery_problems(devices: list[Device]) -> list[str]:
    """Every device received every finding pushed to its audit, each exactly once."""
    by_audit: dict[str, set[str]] = {}
    for device in devices:
        by_audit.setdefault(device.audit_id, set()).update(device.pushed)
    problems = []
    for device in devices:
        twice = [i for i, n in device.seen.items() if n > 1]
        missing = by_audit[device.audit_id] - set(device.seen)
        if twice or missing:
            problems.append(f"{device.name}: {len(missing)} findings never pulled, {len(twice)} pulled twice")
    return problems


async def _stored_counts(server: Server, pg_url: str | None) -> tuple[int, int, int | None]:
    """(finding rows, distinct ids, history rows or None without a history table) of the bench devices."""
    findings = "SELECT count(*), count(DISTINCT id) FROM finding WHERE device_id LIKE 'bench-tablet-%'"
    history = (
        "SELECT count(*) FROM finding_version WHERE finding_id IN "
        "(SELECT id FROM finding WHERE device_id LIKE 'bench-tablet-%')"
    )
    if pg_url is None:
        path = Path(server.env["TADQIQ_VAR_DIR"]) / "tadqiq.sqlite3"
        with sqlite3.connect(path) as conn:
            rows, distinct = conn.execute(findings).fetchone()
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            versions = conn.execute(history).fetchone()[0] if "finding_version" in tables else None
        return rows, distinct, versions
    conn = await asyncpg.connect(pg_url)
    try:
        row = await conn.fetchrow(findings)
        has_history = await conn.fetchval("SELECT to_regclass('finding_version') IS NOT NULL")
        versions = await conn.fetchval(history) if has_history else None
        return row[0], row[1], versions
    finally:
        await conn.close()


async def _scenario(server: Server, pg_url: str | None) -> Outcome:
    limits = httpx.Limits(max_connections=DEVICES, max_keepalive_connections=DEVICES)
    async with httpx.AsyncClient(base_url=server.base_url, limits=limits, timeout=120) as client:
        devices = await _devices(client)
        outcome = Outcome()
        started = time.perf_counter()
        await asyncio.gather(*(_tablet(client, device, outcome) for device in devices))
        outcome.seconds = time.perf_counter() - started
        for device in devices:
            await _pull(client, device)
    outcome.problems += _delivery_problems(devices)
    expected = DEVICES * BATCHES * FINDINGS_PER_BATCH
    rows, distinct, versions = await _stored_counts(server, pg_url)
    if rows != expected or distinct != expected:
        outcome.problems.append(f"stored {rows} finding rows ({distinct} distinct ids), expected {expected}")
    if versions is not None and versions != expected:
        outcome.problems.append(f"stored {versions} history rows, expected {expected}")
    return outcome


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _row(label: str, outcome: Outcome) -> tuple[str, str, str, str]:
    findings = DEVICES * BATCHES * FINDINGS_PER_BATCH
    latency = "  ".join(
        f"{name} {_percentile(outcome.push_ms, q):6.0f} ms"
        for name, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99), ("max", 1.0))
    )
    checked = "none lost or duplicated" if not outcome.problems else f"{len(outcome.problems)} PROBLEMS"
    return (
        f"tablets[{label}]: {DEVICES} devices x {BATCHES} pushes of {FINDINGS_PER_BATCH}, pull after each",
        f"{findings / outcome.seconds:6.0f} findings/s  push {latency}  retries {outcome.retries}",
        checked,
        "",
    )


async def _measure(label: str, extra_env: dict[str, str], workers: int, pg_url: str | None) -> Outcome:
    serve_args = ("--workers", str(workers)) if workers > 1 else ()
    with running_server(extra_env, serve_args) as server:
        outcome = await _scenario(server, pg_url)
    for problem in outcome.problems[:10]:
        print(f"  {label}: {problem}")
    return outcome


async def run() -> list[tuple[str, str, str, str]]:
    runs: dict[str, Outcome] = {"sqlite": await _measure("sqlite", {}, 1, None)}
    admin = bench_pg_url()
    if admin:
        for label, workers in (("postgresql", 1), ("postgresql, 2 workers", 2)):
            async with fresh_pg_database(admin) as url:
                runs[label] = await _measure(label, {"TADQIQ_DATABASE_URL": url}, workers, url)
    rows = [_row(label, outcome) for label, outcome in runs.items()]
    if "postgresql" in runs:
        ratio = _percentile(runs["sqlite"].push_ms, 0.99) / _percentile(runs["postgresql"].push_ms, 0.99)
        rows.append(("tablets: push p99, SQLite vs PostgreSQL (1 worker)", "", "ratio", f"{ratio:5.2f}x"))
    else:
        rows.append(("tablets[postgresql]: skipped (set TADQIQ_BENCH_DATABASE_URL)", "", "", ""))
    return rows


if __name__ == "__main__":
    for row in asyncio.run(run()):
        print(row)

"""One push of 1,000 findings over HTTP on loopback (SQLite and PostgreSQL), and its replay, beside the
in-run baseline: decode the same JSON with msgspec and insert the same rows with one executemany into
the same database, committed."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import statistics
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import msgspec

from bench.harness import running_server

RUNS = 15
BASELINE_DDL = """CREATE TABLE IF NOT EXISTS bench_finding (
  id TEXT PRIMARY KEY, audit_id TEXT, verdict TEXT, statement TEXT, evidence TEXT, clause_refs TEXT,
  attachments TEXT, client_updated_at TEXT, rev INTEGER, seq INTEGER)"""


def _batch(audit_id: str) -> dict[str, Any]:
    ops = [
        {
            "op": "upsertFinding",
            "id": str(uuid.uuid4()),
            "auditId": audit_id,
            "data": {
                "verdict": "nc_minor" if i % 7 == 0 else "conform",
                "statement": f"Constat n° {i} : registre des déchets tenu à jour sur le site",
                "evidence": "Registre consulté le jour de l'audit, dernière entrée datée de la veille.",
                "clauseRefs": ["iso14001:7.5.3", "iso9001:7.5.3.2"],
                "clientUpdatedAt": "2026-11-23T09:30:00Z",
            },
        }
        for i in range(1000)
    ]
    return {"deviceId": "bench-tablet", "ops": ops}


def _rows(body: bytes) -> list[tuple[Any, ...]]:
    decoded = msgspec.json.decode(body)
    return [
        (
            op["id"],
            op["auditId"],
            op["data"]["verdict"],
            op["data"]["statement"],
            op["data"]["evidence"],
            json.dumps(op["data"]["clauseRefs"]),
            "[]",
            op["data"]["clientUpdatedAt"],
            1,
            n,
        )
        for n, op in enumerate(decoded["ops"])
    ]


def _baseline_sqlite(path: Path, body: bytes) -> float:
    with sqlite3.connect(path, isolation_level=None) as conn:
        conn.execute(BASELINE_DDL)
        started = time.perf_counter()
        rows = _rows(body)
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany("INSERT INTO bench_finding VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
        conn.execute("COMMIT")
        return time.perf_counter() - started


async def _baseline_pg(url: str, body: bytes) -> float:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(BASELINE_DDL)
        started = time.perf_counter()
        rows = _rows(body)
        async with conn.transaction():
            await conn.executemany("INSERT INTO bench_finding VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)", rows)
        return time.perf_counter() - started
    finally:
        await conn.close()


async def _measure(
    extra_env: dict[str, str], label: str, pg_url: str | None
) -> list[tuple[str, str, str, str]]:
    with running_server(extra_env) as server:
        base = server.base_url
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            login = await client.post("/api/v1/auth/login", json={"username": "lead", "password": "demo"})
            headers = {"Authorization": f"Bearer {login.json()['token']}"}
            audits = (await client.get("/api/v1/audits", headers=headers)).json()
            audit_id = next(a["id"] for a in audits if a["status"] == "prepared")
            pushes, replays, baselines = [], [], []
            for _ in range(RUNS):
                body = msgspec.json.encode(_batch(audit_id))
                key = str(uuid.uuid4())
                send = {**headers, "Idempotency-Key": key, "Content-Type": "application/json"}
                started = time.perf_counter()
                response = await client.post("/api/v1/sync/push", content=body, headers=send)
                pushes.append(time.perf_counter() - started)
                assert response.status_code == 200, response.text
                started = time.perf_counter()
                again = await client.post("/api/v1/sync/push", content=body, headers=send)
                replays.append(time.perf_counter() - started)
                assert again.content == response.content
                if pg_url:
                    baselines.append(await _baseline_pg(pg_url, body))
                else:
                    baselines.append(
                        _baseline_sqlite(Path(server.env["TADQIQ_VAR_DIR"]) / "tadqiq.sqlite3", body)
                    )
    if os.environ.get("TADQIQ_BENCH_VERBOSE"):
        print(label, "push ms:", [round(x * 1000) for x in pushes])
    ms = lambda xs: f"median {statistics.median(xs) * 1000:7.1f} ms  min {min(xs) * 1000:7.1f} ms"  # noqa: E731
    base = statistics.median(baselines)
    return [
        (f"sync[{label}]: decode + executemany 1000 rows (baseline)", ms(baselines), "", ""),
        (
            f"sync[{label}]: push 1000 findings over HTTP",
            ms(pushes),
            "vs baseline",
            f"{statistics.median(pushes) / base:5.1f}x",
        ),
        (
            f"sync[{label}]: replay of the same batch",
            ms(replays),
            "vs baseline",
            f"{statistics.median(replays) / base:5.1f}x",
        ),
    ]


async def run() -> list[tuple[str, str, str, str]]:
    rows = await _measure({}, "sqlite", None)
    pg = os.environ.get("TADQIQ_BENCH_DATABASE_URL") or os.environ.get("TADQIQ_TEST_DATABASE_URL")
    if pg:
        name = f"tq_bench_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(pg)
        await admin.execute(f"CREATE DATABASE {name}")
        await admin.close()
        url = pg.rpartition("/")[0] + "/" + name
        try:
            rows += await _measure({"TADQIQ_DATABASE_URL": url}, "postgresql", url)
        finally:
            admin = await asyncpg.connect(pg)
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            await admin.close()
    else:
        rows.append(("sync[postgresql]: skipped (set TADQIQ_BENCH_DATABASE_URL)", "", "", ""))
    return rows


if __name__ == "__main__":
    for row in asyncio.run(run()):
        print(row)

"""One push of 1,000 findings over HTTP on loopback (SQLite and PostgreSQL), and its replay, beside the
in-run baseline: decode the same JSON with msgspec and insert the same rows with one executemany into
tables copied from the real ones (same columns, same indexes: ``bench_finding`` from ``finding`` and,
when the server keeps a history, ``bench_finding_version`` from ``finding_version``) in the same
database, committed. The copies grow run after run as the real tables do, so the ratio is like for like.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import sqlite3
import statistics
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import msgspec

from bench.harness import bench_pg_url, fresh_pg_database, running_server

RUNS = 15
COPIED = ("finding", "finding_version")
FINDING_COLUMNS = (
    "id, audit_id, question_id, verdict, statement, evidence, clause_refs, process_id, unit_id, site_id, "
    "auditee_response, attachments, author_user_id, author_username, device_id, client_updated_at, rev, "
    "deleted, seq, content_hash, updated_at"
)
VERSION_COLUMNS = (
    "finding_id, audit_id, rev, deleted, content, author_user_id, author_username, device_id, "
    "client_updated_at, recorded_at, seq"
)
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
SQLITE_NOW = "2026-11-23 10:00:00+00:00"  # the text Piccolo stores for NOW on SQLite


def _batch(audit_id: str, clauses: list[str]) -> dict[str, Any]:
    ops = [
        {
            "op": "upsertFinding",
            "id": str(uuid.uuid4()),
            "auditId": audit_id,
            "data": {
                "verdict": "nc_minor" if i % 7 == 0 else "conform",
                "statement": f"Constat n° {i} : registre des déchets tenu à jour sur le site",
                "evidence": "Registre consulté le jour de l'audit, dernière entrée datée de la veille.",
                "clauseRefs": clauses,
                "clientUpdatedAt": "2026-11-23T09:30:00Z",
            },
        }
        for i in range(1000)
    ]
    return {"deviceId": "bench-tablet", "ops": ops}


def _rows(body: bytes, sqlite: bool) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The finding rows and the history rows a push of ``body`` writes, with the values it writes."""
    decoded = msgspec.json.decode(body)
    user_id = "00000000-0000-4000-8000-000000000001"
    now: Any = SQLITE_NOW if sqlite else NOW
    findings, versions = [], []
    for seq, op in enumerate(decoded["ops"], start=1):
        data = op["data"]
        content = msgspec.json.encode(data).decode()
        client_time = data["clientUpdatedAt"]
        client_at: Any = client_time if sqlite else datetime.fromisoformat(client_time)
        findings.append(
            (
                op["id"], op["auditId"], None, data["verdict"], data["statement"], data["evidence"],
                msgspec.json.encode(data["clauseRefs"]).decode(), None, None, None, "", "[]", user_id,
                "lead", decoded["deviceId"], client_at, 1, False, seq,
                hashlib.sha256(content.encode()).hexdigest(), now,
            )
        )  # fmt: skip
        versions.append(
            (
                op["id"],
                op["auditId"],
                1,
                False,
                content,
                user_id,
                "lead",
                decoded["deviceId"],
                client_at,
                now,
                seq,
            )
        )
    return findings, versions


def _copy_sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    """Create ``bench_<table>`` for each copied table the database has, from the real table's own DDL
    and indexes; return the real tables copied."""
    copied = []
    for table in COPIED:
        ddl = conn.execute("SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL", (table,))
        statements = [row[0] for row in ddl]
        if not statements:
            continue
        conn.execute(f"DROP TABLE IF EXISTS bench_{table}")
        for sql in statements:
            sql = re.sub(r"\bfinding(_version)?\b", r"bench_finding\1", sql)
            conn.execute(re.sub(r"^(CREATE (?:UNIQUE )?INDEX )(\w+)", r"\1bench_\2", sql))
        copied.append(table)
    return copied


async def _copy_pg_tables(conn: asyncpg.Connection) -> list[str]:
    copied = []
    for table in COPIED:
        if await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", table):
            await conn.execute(f"DROP TABLE IF EXISTS bench_{table}")
            await conn.execute(f"CREATE TABLE bench_{table} (LIKE {table} INCLUDING ALL)")
            copied.append(table)
    return copied


def _inserts(copied: list[str], sqlite: bool) -> tuple[str, str | None]:
    def sql(table: str, columns: str) -> str:
        count = columns.count(",") + 1
        marks = ", ".join("?" if sqlite else f"${n}" for n in range(1, count + 1))
        return f"INSERT INTO bench_{table} ({columns}) VALUES ({marks})"  # noqa: S608 - constants only

    history = sql("finding_version", VERSION_COLUMNS) if "finding_version" in copied else None
    return sql("finding", FINDING_COLUMNS), history


def _baseline_sqlite(path: Path, body: bytes, copied: list[str]) -> float:
    insert, history = _inserts(copied, sqlite=True)
    with sqlite3.connect(path, isolation_level=None) as conn:
        started = time.perf_counter()
        findings, versions = _rows(body, sqlite=True)
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(insert, findings)
        if history:
            conn.executemany(history, versions)
        conn.execute("COMMIT")
        return time.perf_counter() - started


async def _baseline_pg(url: str, body: bytes, copied: list[str]) -> float:
    insert, history = _inserts(copied, sqlite=False)
    conn = await asyncpg.connect(url)
    try:
        started = time.perf_counter()
        findings, versions = _rows(body, sqlite=False)
        async with conn.transaction():
            await conn.executemany(insert, findings)
            if history:
                await conn.executemany(history, versions)
        return time.perf_counter() - started
    finally:
        await conn.close()


async def _copy_tables(sqlite_path: Path | None, pg_url: str | None) -> list[str]:
    if pg_url:
        conn = await asyncpg.connect(pg_url)
        try:
            return await _copy_pg_tables(conn)
        finally:
            await conn.close()
    with sqlite3.connect(sqlite_path, isolation_level=None) as conn:
        return _copy_sqlite_tables(conn)


async def _measure(
    extra_env: dict[str, str], label: str, pg_url: str | None
) -> list[tuple[str, str, str, str]]:
    with running_server(extra_env) as server:
        base = server.base_url
        async with httpx.AsyncClient(base_url=base, timeout=60) as client:
            login = await client.post("/api/v1/auth/login", json={"username": "lead", "password": "demo"})
            headers = {"Authorization": f"Bearer {login.json()['token']}"}
            audits = (await client.get("/api/v1/audits", headers=headers)).json()
            audit = next(a for a in audits if a["status"] == "prepared")
            clauses = [f"{standard}:7.5.3" for standard in audit["standards"]]  # in every standard
            sqlite_path = Path(server.env["TADQIQ_VAR_DIR"]) / "tadqiq.sqlite3"
            copied = await _copy_tables(sqlite_path, pg_url)
            pushes, replays, baselines = [], [], []
            for _ in range(RUNS):
                body = msgspec.json.encode(_batch(audit["id"], clauses))
                key = str(uuid.uuid4())
                send = {**headers, "Idempotency-Key": key, "Content-Type": "application/json"}
                started = time.perf_counter()
                response = await client.post("/api/v1/sync/push", content=body, headers=send)
                pushes.append(time.perf_counter() - started)
                assert response.status_code == 200, response.text
                statuses = {r["status"] for r in response.json()["results"]}
                assert statuses == {"applied"}, response.text[:500]
                started = time.perf_counter()
                again = await client.post("/api/v1/sync/push", content=body, headers=send)
                replays.append(time.perf_counter() - started)
                assert again.content == response.content
                if pg_url:
                    baselines.append(await _baseline_pg(pg_url, body, copied))
                else:
                    baselines.append(_baseline_sqlite(sqlite_path, body, copied))
    if os.environ.get("TADQIQ_BENCH_VERBOSE"):
        print(label, "push ms:", [round(x * 1000) for x in pushes])
    ms = lambda xs: f"median {statistics.median(xs) * 1000:7.1f} ms  min {min(xs) * 1000:7.1f} ms"  # noqa: E731
    base = statistics.median(baselines)
    rows = "1000 findings + 1000 versions" if "finding_version" in copied else "1000 findings"
    return [
        (f"sync[{label}]: decode + executemany {rows}, same tables (baseline)", ms(baselines), "", ""),
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
    admin = bench_pg_url()
    if admin:
        async with fresh_pg_database(admin) as url:
            rows += await _measure({"TADQIQ_DATABASE_URL": url}, "postgresql", url)
    else:
        rows.append(("sync[postgresql]: skipped (set TADQIQ_BENCH_DATABASE_URL)", "", "", ""))
    return rows


if __name__ == "__main__":
    for row in asyncio.run(run()):
        print(row)

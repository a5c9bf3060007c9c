"""The management-review pack over 5,000 findings and 800 nonconformity records (with their actions and
verifications), on SQLite and, when a PostgreSQL server is configured, on PostgreSQL, beside the in-run
baseline: the very SQL statements the pack sends (captured from one build), replayed alone on the same
connection in one read snapshot, fetching their rows and nothing more.

Measured, alternating with the baseline so both share whatever load the machine has: the pack as the
JSON route answers it (queries, figures, model, msgspec encoding), and the pack as a workbook (the same,
then openpyxl). Target (issue 12): the JSON pack under 2x the raw queries. Wall-clock medians: the
database's own work counts (on PostgreSQL it runs in another process).
"""

from __future__ import annotations

import json
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

import msgspec

from bench.harness import bench_pg_url, fresh_pg_database
from server.actions import store as actions_store
from server.actions.model import (
    Action,
    ActionStatus,
    ActionType,
    NcStatus,
    Nonconformity,
    Severity,
    Verdict,
    Verification,
)
from server.audits.tables import Audit
from server.checklists.library import load_library
from server.demo.loader import load_demo
from server.lib import db
from server.org.tables import Person, Process, Unit
from server.review import figures, service, store
from server.review.xlsx import pack_workbook
from server.settings import Settings, load_settings
from server.sync.store import read_snapshot
from server.sync.tables import Finding

__all__ = ["run"]

SEED, AUDITS, FINDINGS, RECORDS, RUNS, RATIO_TARGET = 12, 200, 5000, 800, 11, 2.0
YEAR = 2026
NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)
VERDICTS = ("nc_major", "nc_minor", "observation", "improvement", "conform", "not_applicable")
WEIGHTS = (3, 14, 15, 8, 55, 5)
STATUSES = ("closed", "signed", "reported", "in_progress", "prepared", "planned", "cancelled")
STATUS_WEIGHTS = (30, 15, 10, 10, 15, 15, 5)


def _clauses(settings: Settings) -> list[str]:
    library = load_library(settings.checklists_dir)[0]
    return [f"{s}:{c.number}" for s, file in library.standards.items() for c in file.clauses]


async def _ids(table: Any) -> list[Any]:
    return [row["id"] for row in await table.select(table.id).run()]


async def _seed(settings: Settings) -> None:
    """The demo council, then 200 audits over two years, 5,000 findings and 800 records."""
    rng = random.Random(SEED)
    refs = _clauses(settings)
    units, processes, people = await _ids(Unit), await _ids(Process), await _ids(Person)
    audits = []
    for i in range(AUDITS):
        start = date(YEAR - 1, 1, 1) + timedelta(days=rng.randrange(730))
        audits.append(
            Audit(
                id=uuid.uuid4(), code=f"AI-B-{i:04}", title_ar="تدقيق", title_fr="Audit",
                status=rng.choices(STATUSES, STATUS_WEIGHTS)[0], process_id=rng.choice(processes),
                unit_ids=json.dumps([str(rng.choice(units))]), site_ids="[]", standards='["iso9001"]',
                clauses="[]", criteria="[]", auditee_ids="[]", planned_start=start,
                planned_end=start + timedelta(days=2), created_at=NOW, updated_at=NOW,
            )
        )  # fmt: skip
    await Audit.insert(*audits).run()
    findings = [
        Finding(
            id=uuid.uuid4(), audit_id=rng.choice(audits).id, verdict=rng.choices(VERDICTS, WEIGHTS)[0],
            statement=f"Constat {i} : enregistrement non tenu à jour", clause_refs=json.dumps(
                rng.sample(refs, rng.choice((0, 1, 1, 2, 3)))), attachments="[]", photos_taken_at="{}",
            process_id=rng.choice(processes) if rng.random() < 0.3 else None, rev=1,
            deleted=rng.random() < 0.02, seq=0, content_hash="0" * 64, updated_at=NOW,
        )
        for i in range(FINDINGS)
    ]  # fmt: skip
    for first in range(0, FINDINGS, 500):
        await Finding.insert(*findings[first : first + 500]).run()
    for i in range(RECORDS):
        await actions_store.insert(_record(rng, findings[i], units, people))


def _record(rng: random.Random, finding: Finding, units: list[Any], people: list[Any]) -> Nonconformity:
    opened = date(YEAR - 1, 1, 1) + timedelta(days=rng.randrange(700))
    owner = str(rng.choice(people))
    actions = tuple(
        Action(
            str(uuid.uuid4()), rng.choice(list(ActionType)), f"Action {k}", owner,
            opened + timedelta(days=rng.randrange(10, 200)), rng.choice(list(ActionStatus)),
        )
        for k in range(rng.randrange(4))
    )  # fmt: skip
    verifications = tuple(
        Verification(rng.choice(list(Verdict)), owner, opened + timedelta(days=60 + 30 * k), "ok")
        for k in range(rng.randrange(3))
    )
    return Nonconformity(
        id=str(uuid.uuid4()), audit_id=str(finding.audit_id), finding_id=str(finding.id),
        severity=rng.choice(list(Severity)), unit_id=str(rng.choice(units)),
        clauses=tuple(json.loads(finding.clause_refs) or ["iso9001:8.5.1"]), opened_on=opened,
        plan_due=opened + timedelta(days=30), close_due=opened + timedelta(days=180),
        status=rng.choice(list(NcStatus)), actions=actions, verifications=verifications,
    )  # fmt: skip


async def _captured(period: Any, previous: Any, as_of: date) -> list[tuple[str, list[Any]]]:
    """The statements one build of the pack sends, with their parameters."""
    sent: list[tuple[str, list[Any]]] = []
    real = db.fetch

    async def spy(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        sent.append((sql, list(params)))
        return await real(sql, params)

    with patch.object(store, "fetch", spy):
        await store.read_figures(period, previous, as_of)
    return sent


async def _paired(actions: list[Callable[[], Awaitable[object]]], runs: int = RUNS) -> list[float]:
    """Wall-clock medians, the actions taking turns (after one warm-up run each)."""
    times: list[list[float]] = [[] for _ in actions]
    for action in actions:
        await action()
    for _ in range(runs):
        for action, spent in zip(actions, times, strict=True):
            started = time.perf_counter()
            await action()
            spent.append(time.perf_counter() - started)
    return [statistics.median(t) for t in times]


async def _measure(settings: Settings, kind: str) -> list[tuple[str, str, str, str]]:
    engine = db.make_engine(settings)
    await db.start_engine(engine)
    try:
        await db.migrate()
        await load_demo(settings)
        await _seed(settings)
        period = figures.period_of(date(YEAR, 1, 1), date(YEAR, 12, 31))
        previous, as_of = figures.previous_of(period), min(period.end, service.today(settings))
        statements = await _captured(period, previous, as_of)

        async def raw() -> None:
            async with read_snapshot():
                for sql, params in statements:
                    await db.fetch(sql, params)

        async def pack_json() -> None:
            msgspec.json.encode(await service.build_pack(period, settings))

        async def pack_xlsx() -> None:
            pack_workbook(await service.build_pack(period, settings), "fr", settings.time_zone)

        base, as_json, as_xlsx = await _paired([raw, pack_json, pack_xlsx])
        pack = await service.build_pack(period, settings)
    finally:
        await db.stop_engine(engine)
    ratio = as_json / base
    size = f"{FINDINGS} findings, {RECORDS} records, {pack.totals.overdue_actions} overdue actions"
    return [
        (
            f"review ({kind}): raw aggregate queries, {len(statements)} statements (baseline)",
            _ms(base),
            "",
            "",
        ),
        (
            f"review ({kind}): pack as JSON, {size}",
            _ms(as_json),
            f"vs baseline {ratio:5.2f}x (target < {RATIO_TARGET:g}x)",
            "ok" if ratio < RATIO_TARGET else "MISSED",
        ),
        (f"review ({kind}): pack as XLSX (fr)", _ms(as_xlsx), f"vs baseline {as_xlsx / base:5.2f}x", ""),
    ]


def _ms(seconds: float) -> str:
    return f"median {seconds * 1000:7.1f} ms"


async def run() -> list[tuple[str, str, str, str]]:
    with tempfile.TemporaryDirectory(prefix="tadqiq-bench-") as tmp:
        base = replace(load_settings(), var_dir=Path(tmp), argon2_time_cost=1,
                       argon2_memory_kib=1024)  # fmt: skip
        rows = await _measure(replace(base, database_url=f"sqlite:///{tmp}/review.sqlite3"), "SQLite")
        admin = bench_pg_url()
        if admin:
            async with fresh_pg_database(admin) as url:
                rows += await _measure(replace(base, database_url=url), "PostgreSQL")
    return rows

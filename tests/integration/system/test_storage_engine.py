"""The storage guarantees the rest of the system leans on."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.lib import db
from server.settings import Settings
from server.trail.store import list_entries, record_change
from tests.conftest import base_settings


async def test_concurrent_read_then_write_transactions_all_succeed(settings: Settings) -> None:
    engine = db.make_engine(settings)
    await db.start_engine(engine)
    try:

        async def one(index: int) -> None:
            async with db.write_transaction():
                await list_entries(
                    entity="probe", entity_id=None, since=None, until=None, before_id=None, limit=1
                )
                await record_change(None, "create", "probe", str(index), None, {"n": index})

        results = await asyncio.gather(*(one(i) for i in range(100)), return_exceptions=True)
        assert [r for r in results if isinstance(r, BaseException)] == []
        page = await list_entries(
            entity="probe", entity_id=None, since=None, until=None, before_id=None, limit=500
        )
        assert sorted(int(e.entity_id) for e in page.items) == list(range(100))
    finally:
        await db.stop_engine(engine)


@pytest.fixture
async def impatient_sqlite(tmp_path: Path, templates: dict[str, str]) -> AsyncIterator[Path]:
    """A started SQLite engine whose busy timeout is 0: any writer left to SQLite's busy handler fails
    at once with "database is locked", so only the process's writer queue can make writers wait."""
    path = tmp_path / "impatient.sqlite3"
    path.write_bytes(Path(templates["sqlite"]).read_bytes())
    settings = replace(base_settings(tmp_path, f"sqlite:///{path}"), sqlite_busy_timeout_seconds=0)
    engine = db.make_engine(settings)
    await db.start_engine(engine)
    try:
        yield path
    finally:
        await db.stop_engine(engine)


async def _probe(label: str) -> None:
    await record_change(None, "create", "probe", label, None, {"n": label})


async def _probes() -> list[str]:
    page = await list_entries(
        entity="probe", entity_id=None, since=None, until=None, before_id=None, limit=500
    )
    return sorted(e.entity_id for e in page.items)


async def test_concurrent_sqlite_writers_take_turns_in_arrival_order_without_busy_waits(
    impatient_sqlite: Path,
) -> None:
    arrived: list[int] = []
    entered: list[int] = []

    async def writer(index: int) -> None:
        arrived.append(index)
        async with db.write_transaction():
            entered.append(index)
            await _probe(f"{index:02d}")
            await asyncio.sleep(0.001)  # hold the write lock across awaits, as a real use case does
            await _probe(f"{index:02d}b")

    results = await asyncio.gather(*(writer(i) for i in range(40)), return_exceptions=True)
    assert [r for r in results if isinstance(r, BaseException)] == []
    assert entered == arrived
    assert len(await _probes()) == 80


async def test_nested_write_transactions_join_the_outer_one(impatient_sqlite: Path) -> None:
    async def nested() -> None:
        async with db.write_transaction() as outer:
            await _probe("outer")
            async with db.write_transaction() as inner:
                assert inner is outer
                await _probe("inner")
            raise LookupError("roll the whole unit back")

    with pytest.raises(LookupError):
        await asyncio.wait_for(nested(), timeout=5)
    assert await _probes() == []
    await asyncio.wait_for(_write_once("after"), timeout=5)  # the queue place was given back


async def _write_once(label: str) -> None:
    async with db.write_transaction():
        await _probe(label)


async def test_a_cancelled_sqlite_writer_gives_up_its_place_in_the_queue(impatient_sqlite: Path) -> None:
    holding, release = asyncio.Event(), asyncio.Event()

    async def holder() -> None:
        async with db.write_transaction():
            await _probe("holder")
            holding.set()
            await release.wait()

    first = asyncio.create_task(holder())
    await holding.wait()
    waiting = asyncio.create_task(_write_once("cancelled while waiting"))
    behind = asyncio.create_task(_write_once("behind"))
    await asyncio.sleep(0.01)
    waiting.cancel()
    release.set()
    await asyncio.wait_for(asyncio.gather(first, behind), timeout=5)
    assert waiting.cancelled()

    inside = asyncio.create_task(holder())  # cancelled while holding the write lock: rolled back, place freed
    holding.clear()
    release.clear()
    await holding.wait()
    inside.cancel()
    await asyncio.wait_for(_write_once("after"), timeout=5)
    assert await _probes() == ["after", "behind", "holder"]


async def test_a_failed_begin_gives_up_its_place_in_the_queue(impatient_sqlite: Path) -> None:
    other_process = sqlite3.connect(impatient_sqlite, isolation_level=None)  # e.g. a CLI command writing
    other_process.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            await _write_once("refused")
    finally:
        other_process.execute("ROLLBACK")
        other_process.close()
    await asyncio.wait_for(_write_once("after"), timeout=5)
    assert await _probes() == ["after"]


def test_a_timed_out_begin_immediate_does_not_hang_the_process(
    tmp_path: Path, templates: dict[str, str]
) -> None:
    """Upstream Piccolo leaks the connection when BEGIN IMMEDIATE times out; the process then never exits."""
    database = tmp_path / "locked.sqlite3"
    database.write_bytes(Path(templates["sqlite"]).read_bytes())
    script = textwrap.dedent(
        f"""
        import asyncio, sqlite3
        from dataclasses import replace
        from server.lib import db
        from server.settings import load_settings

        async def main():
            url = "sqlite:///{database}"
            settings = replace(load_settings(), database_url=url, sqlite_busy_timeout_seconds=0)
            engine = db.make_engine(settings)
            await db.start_engine(engine)
            holder = sqlite3.connect("{database}", isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
            try:
                async with db.write_transaction():
                    pass
            except sqlite3.OperationalError as exc:
                print("refused:", exc)
            holder.execute("ROLLBACK")

        asyncio.run(main())
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parents[3],
    )
    assert done.returncode == 0, done.stderr
    assert "refused: database is locked" in done.stdout


@pytest.mark.parametrize("ttl_days", [0])
async def test_expired_token_is_401(settings: Settings, ttl_days: int) -> None:
    app = create_app(replace(settings, token_ttl_days=ttl_days))
    async with AsyncTestClient(app=app) as client:
        login: Any = await client.post("/api/v1/auth/login", json={"username": "manager", "password": "demo"})
        assert login.status_code == 200
        me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {login.json()['token']}"})
        assert me.status_code == 401 and me.json()["code"] == "auth.invalid_token"


async def test_health_reports_pending_migrations_on_an_empty_database(tmp_path: Path) -> None:
    empty = base_settings(tmp_path, f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    async with AsyncTestClient(app=create_app(empty)) as client:
        body = (await client.get("/api/v1/health")).json()
    assert body["status"] == "degraded"
    assert body["migrations"]["applied"] == 0
    assert {p.split(":")[0] for p in body["migrations"]["pending"]} >= {
        "trail",
        "auth",
        "org",
        "checklists",
        "audits",
    }


def test_a_script_that_never_stops_the_engine_still_exits(tmp_path: Path, templates: dict[str, str]) -> None:
    """Idle pooled SQLite connections must not keep a process alive (e.g. the ``piccolo`` command)."""
    database = tmp_path / "idle.sqlite3"
    database.write_bytes(Path(templates["sqlite"]).read_bytes())
    script = textwrap.dedent(
        f"""
        import asyncio
        from dataclasses import replace
        from server.lib import db
        from server.settings import load_settings
        from server.org import store

        async def main():
            settings = replace(load_settings(), database_url="sqlite:///{database}")
            await db.start_engine(db.make_engine(settings))
            print(len(await store.list_units()), "units")

        asyncio.run(main())
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parents[3],
    )
    assert done.returncode == 0, done.stderr
    assert "units" in done.stdout

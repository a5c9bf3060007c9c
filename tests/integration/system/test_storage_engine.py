"""The storage guarantees the rest of the system leans on."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
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

"""Test fixtures: every storage test runs on SQLite, and again on PostgreSQL when
``TADQIQ_TEST_DATABASE_URL`` is set. Each test gets its own database, copied from a template that
was migrated and loaded with the demo council once per session."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.demo.loader import load_demo
from server.lib import db
from server.settings import Settings, load_settings

# The local PKI (certomancer on loopback) for the signature tests: the ``local_pki`` fixture.
pytest_plugins = ["tests.pki.plugin"]

PG_URL = os.environ.get("TADQIQ_TEST_DATABASE_URL", "")
STRICT = os.environ.get("TADQIQ_STRICT_TESTS") == "1"
DB_KINDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


def missing_tool(reason: str) -> None:
    """Skip a test for a missing tool, or fail it in strict mode (CI)."""
    if STRICT:
        pytest.fail(f"strict mode: {reason}")
    pytest.skip(reason)


def base_settings(tmp: Path, url: str) -> Settings:
    return replace(
        load_settings(),
        database_url=url,
        var_dir=tmp,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        demo_password="demo",
        programme_solve_seconds=3.0,
    )


def _pg_url(name: str) -> str:
    head, _, _ = PG_URL.rpartition("/")
    return f"{head}/{name}"


async def _pg_admin(sql: str) -> None:
    conn = await asyncpg.connect(PG_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _build_template(settings: Settings) -> None:
    engine = db.make_engine(settings)
    await db.start_engine(engine)
    try:
        await db.migrate()
        await load_demo(settings)
        if settings.database_kind == "sqlite":
            await engine.run_ddl("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        await db.stop_engine(engine)


def _copy_template_files(template_var: Path, var_dir: Path) -> None:
    """The demo's files (photos, signatures, issued reports, the signing key) beside each test's copy
    of the demo database, so what the database refers to exists."""
    for name in _TEMPLATE_FILE_DIRS:
        source = template_var / name
        if source.is_dir():
            shutil.copytree(source, var_dir / name, dirs_exist_ok=True)


_TEMPLATE_FILE_DIRS = ("blobs", "reports", "signing")


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    tmp = tmp_path_factory.mktemp("templates")
    made: dict[str, str] = {"var": str(tmp)}
    sqlite_path = tmp / "template.sqlite3"
    asyncio.run(_build_template(base_settings(tmp, f"sqlite:///{sqlite_path}")))
    made["sqlite"] = str(sqlite_path)
    pg_template = f"tq_tpl_{os.getpid()}"
    if PG_URL:
        try:
            asyncio.run(_pg_admin(f"DROP DATABASE IF EXISTS {pg_template}"))
            asyncio.run(_pg_admin(f"CREATE DATABASE {pg_template}"))
        except (OSError, asyncpg.PostgresError) as exc:
            made["postgresql_error"] = f"PostgreSQL unreachable at {PG_URL}: {exc}"
        else:
            asyncio.run(_build_template(base_settings(tmp, _pg_url(pg_template))))
            made["postgresql"] = pg_template
    yield made
    if "postgresql" in made:
        asyncio.run(_pg_admin(f"DROP DATABASE IF EXISTS {pg_template}"))


@pytest.fixture(params=DB_KINDS)
async def settings(
    request: pytest.FixtureRequest, templates: dict[str, str], tmp_path: Path
) -> AsyncIterator[Settings]:
    """Settings pointing at a fresh copy of the demo database, on each database kind."""
    kind: str = request.param
    _copy_template_files(Path(templates["var"]), tmp_path)
    if kind == "sqlite":
        path = tmp_path / "tadqiq.sqlite3"
        shutil.copyfile(templates["sqlite"], path)
        yield base_settings(tmp_path, f"sqlite:///{path}")
        return
    if "postgresql" not in templates:
        missing_tool(templates.get("postgresql_error", "PostgreSQL not configured"))
    name = f"tq_t_{uuid.uuid4().hex[:12]}"
    await _pg_admin(f"CREATE DATABASE {name} TEMPLATE {templates['postgresql']}")
    try:
        yield base_settings(tmp_path, _pg_url(name))
    finally:
        await _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    app = create_app(settings)
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


async def login(client: AsyncTestClient[Any], username: str, password: str = "demo") -> dict[str, str]:
    response = await client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def sqlite_file_rows(path: str, sql: str) -> list[Any]:
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()

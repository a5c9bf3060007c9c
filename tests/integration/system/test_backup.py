"""``tadqiq backup`` while pushes run, then ``tadqiq restore`` into a fresh database and var folder: every
row, stored file and issued report is back, and pdfsig still validates a report. A damaged backup and a
target that already holds data are refused, in words, without touching anything."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient
from PIL import Image

from server.settings import PROJECT_ROOT, Settings
from server.system.backup import make_backup
from tests.conftest import _pg_admin, _pg_url, missing_tool
from tests.contract.support import finding
from tests.integration.attachments.support import cast_of_an_audit, sha, upload

Rows = dict[str, list[str]]


async def table_rows(settings: Settings) -> Rows:
    """Every table's rows, each as text, sorted: two databases with equal results hold the same data."""
    found: Rows = {}
    if settings.database_kind == "sqlite":
        with sqlite3.connect(settings.sqlite_path) as conn:
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
                rows = conn.execute(f'SELECT * FROM "{name}"')  # noqa: S608 - names from the catalog
                found[name] = sorted(repr(r) for r in rows)
        return found
    conn = await asyncpg.connect(settings.database_url)
    try:
        for (name,) in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"):
            records = await conn.fetch(f'SELECT * FROM "{name}"')  # noqa: S608 - names from the catalog
            found[name] = sorted(repr(tuple(r.values())) for r in records)
    finally:
        await conn.close()
    return found


def png(seed: int) -> bytes:
    """A small PNG of its own for each seed (up to 65536)."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (seed % 256, seed // 256 % 256, 201)).save(buffer, "PNG")
    return buffer.getvalue()


def stored_files(var_dir: Path) -> dict[str, str]:
    """Relative path → SHA-256 of every file under blobs/ and reports/."""
    return {
        p.relative_to(var_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for top in ("blobs", "reports")
        for p in sorted((var_dir / top).rglob("*"))
        if p.is_file()
    }


@pytest.fixture
async def fresh(settings: Settings, tmp_path: Path) -> AsyncIterator[Settings]:
    """Settings naming an empty database of the same kind and an empty var folder."""
    var_dir = tmp_path / "restored"
    var_dir.mkdir()
    if settings.database_kind == "sqlite":
        yield replace(settings, var_dir=var_dir, database_url=f"sqlite:///{var_dir / 'tadqiq.sqlite3'}")
        return
    name = f"tq_r_{uuid.uuid4().hex[:12]}"
    await _pg_admin(f"CREATE DATABASE {name}")
    try:
        yield replace(settings, var_dir=var_dir, database_url=_pg_url(name))
    finally:
        await _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def tadqiq(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TADQIQ_DATABASE_URL": settings.database_url,
        "TADQIQ_VAR_DIR": str(settings.var_dir),
    }
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


async def test_a_backup_taken_while_pushes_run_restores_every_row_file_and_signed_report(
    client: AsyncTestClient[Any], settings: Settings, fresh: Settings, tmp_path: Path
) -> None:
    cast = await cast_of_an_audit(client)
    before = await table_rows(settings)
    batches: list[list[str]] = []
    stop = asyncio.Event()

    async def keep_pushing() -> None:
        # Each round stores a new photo, then pushes a batch of three findings (one refers to the photo).
        while not stop.is_set():
            photo = png(len(batches) + 1)
            assert (await upload(client, cast.member.headers, photo, "image/png")).status_code == 201
            ops = [
                finding(cast.audit_id, attachments=[sha(photo)]),
                finding(cast.audit_id),
                finding(cast.audit_id),
            ]
            response = await cast.member.push(ops)
            assert [r["status"] for r in response.json()["results"]] == ["applied"] * 3, response.text
            batches.append([op["id"] for op in ops])
            # The test client blocks the loop during a request: give the waiting test its turn.
            await asyncio.sleep(0.01)

    pusher = asyncio.create_task(keep_pushing())

    async def pushed(count: int) -> None:
        async with asyncio.timeout(60):
            while len(batches) < count:
                if pusher.done():
                    await pusher  # raises what stopped it
                    raise AssertionError("the pushes stopped")
                await asyncio.sleep(0.05)

    await pushed(2)
    summary = await asyncio.to_thread(make_backup, settings, tmp_path / "backup")
    pushed_during = len(batches)
    await pushed(pushed_during + 2)
    stop.set()
    await pusher
    after = await table_rows(settings)
    assert summary.blobs["reports"] >= 2 and summary.certificate and not summary.warnings

    restored_run = tadqiq(fresh, "restore", str(tmp_path / "backup"))
    assert restored_run.returncode == 0, restored_run.stdout + restored_run.stderr
    restored = await table_rows(fresh)

    # One consistent state between before and after: in the tables the pushes only added to, each restored
    # row existed by then and every earlier row is there; counters the pushes moved keep their rows.
    assert restored.keys() == before.keys()
    moved = sorted(t for t in before if not set(before[t]) <= set(after[t]))
    assert moved == ["sync_counter"], moved
    for table, rows in restored.items():
        if table in moved:
            assert len(rows) == len(before[table]) == len(after[table]), table
        else:
            assert set(before[table]) <= set(rows) <= set(after[table]), table
    # Every batch is there whole or not at all; the first ones (pushed before) are, the last ones are not.
    ids = {uuid.UUID(r[0]) if isinstance(r[0], str) else r[0] for r in await _findings(fresh)}
    present = [sum(uuid.UUID(i) in ids for i in batch) for batch in batches]
    assert set(present) <= {0, 3}, present
    assert present[0] == 3 and present[-1] == 0, present
    # Every stored file is back with its bytes (extra photos of later pushes are harmless), among them every
    # photo a restored finding refers to.
    source_files, restored_files = stored_files(settings.var_dir), stored_files(fresh.var_dir)
    assert restored_files.items() <= source_files.items()
    assert all(path.rsplit("/", 1)[1] == digest for path, digest in restored_files.items())
    for (attachments,) in await _attachments(fresh):
        for key in attachments:
            assert f"blobs/{key[:2]}/{key[2:4]}/{key}" in restored_files, key
    await _reports_still_validate(fresh, tmp_path)


async def _findings(settings: Settings) -> list[Any]:
    return await _query(settings, "SELECT id FROM finding")


async def _attachments(settings: Settings) -> list[tuple[list[str]]]:
    import json

    rows = await _query(settings, "SELECT attachments FROM finding")
    return [(json.loads(r[0]) if isinstance(r[0], str) else r[0],) for r in rows]


async def _query(settings: Settings, sql: str) -> list[Any]:
    if settings.database_kind == "sqlite":
        with sqlite3.connect(settings.sqlite_path) as conn:
            return conn.execute(sql).fetchall()
    conn = await asyncpg.connect(settings.database_url)
    try:
        return [tuple(r.values()) for r in await conn.fetch(sql)]
    finally:
        await conn.close()


async def _reports_still_validate(settings: Settings, tmp_path: Path) -> None:
    """Each issued report of the register is back with its SHA-256; pdfsig validates them (ar and fr)."""
    reports = await _query(settings, "SELECT reference, sha256, lang FROM issued_report")
    assert {lang for _, _, lang in reports} == {"ar", "fr"}, reports
    pdfsig = shutil.which("pdfsig")
    for reference, digest, _ in reports:
        path = settings.var_dir / "reports" / digest[:2] / digest[2:4] / digest
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, reference
        if pdfsig is None:
            missing_tool("pdfsig is not installed (apt-get install poppler-utils)")
        copy = tmp_path / f"{reference}.pdf"
        shutil.copyfile(path, copy)
        checked = subprocess.run(
            [str(pdfsig), str(copy)], capture_output=True, text=True, timeout=120, check=True
        )
        assert "Signature is Valid" in checked.stdout and "Total document signed" in checked.stdout, (
            checked.stdout
        )


@pytest.mark.parametrize("damaged", ["blob", "database"])
async def test_a_damaged_backup_is_refused_naming_the_file_and_the_target_is_untouched(
    settings: Settings, fresh: Settings, tmp_path: Path, damaged: str
) -> None:
    backup = tmp_path / "backup"
    made = tadqiq(settings, "backup", str(backup))
    assert made.returncode == 0, made.stdout + made.stderr
    if damaged == "blob":
        victim = next(p for p in sorted((backup / "blobs").rglob("*")) if p.is_file())
    else:
        victim = next(backup.glob("database.*"))
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))

    refused = tadqiq(fresh, "restore", str(backup))

    assert refused.returncode == 1
    name = victim.relative_to(backup).as_posix()
    assert f"{name}: its SHA-256 differs from the manifest's (damaged)" in refused.stderr, refused.stderr
    assert "nothing was restored" in refused.stderr
    assert list(fresh.var_dir.iterdir()) == []
    assert await table_rows(fresh) == {}


async def test_an_unfinished_backup_and_a_non_empty_target_are_refused_force_replaces(
    settings: Settings, tmp_path: Path
) -> None:
    backup = tmp_path / "backup"
    assert tadqiq(settings, "backup", str(backup)).returncode == 0
    original, original_files = await table_rows(settings), stored_files(settings.var_dir)
    again = tadqiq(settings, "backup", str(backup))
    assert again.returncode == 1 and "not an empty folder" in again.stderr

    refused = tadqiq(settings, "restore", str(backup))
    assert refused.returncode == 1, refused.stdout
    assert "the target is not empty, nothing was restored" in refused.stderr
    assert "table(s)" in refused.stderr and "blobs already holds files" in refused.stderr

    (settings.var_dir / "blobs" / "00" / "00").mkdir(parents=True)
    (settings.var_dir / "blobs" / "00" / "00" / ("0" * 64)).write_bytes(b"not in the backup")
    forced = tadqiq(settings, "restore", "--force", str(backup))
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert "the configured signing key has the backup's certificate" in forced.stdout
    assert await table_rows(settings) == original
    assert stored_files(settings.var_dir) == original_files

    (backup / "manifest.json").unlink()
    unfinished = tadqiq(settings, "restore", "--force", str(backup))
    assert unfinished.returncode == 1 and "not a backup, or one that did not finish" in unfinished.stderr

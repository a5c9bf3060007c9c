"""Helpers of the blob-store tests: the filesystem store's files, the database store's rows (read behind
the app's back), and the ``tadqiq`` command run with a given configuration."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import asyncpg

from server.blobs.service import BLOB_FOLDERS
from server.settings import PROJECT_ROOT, Settings

__all__ = ["files_under", "stored_bytes", "stored_rows", "tadqiq"]


def files_under(var_dir: Path) -> dict[str, str]:
    """Relative path → SHA-256 of every file in the filesystem store's folders (attachments, reports)."""
    return {
        path.relative_to(var_dir).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for folder in BLOB_FOLDERS.values()
        for path in sorted((var_dir / folder).rglob("*"))
        if path.is_file()
    }


async def _blob_rows(settings: Settings) -> list[tuple[str, str, int, bytes]]:
    sql = "SELECT namespace, sha256, size, data FROM stored_blob"
    if settings.database_kind == "sqlite":
        with sqlite3.connect(settings.sqlite_path) as conn:
            return [(ns, key, size, bytes(data)) for ns, key, size, data in conn.execute(sql).fetchall()]
    conn = await asyncpg.connect(settings.database_url)
    try:
        return [(r["namespace"], r["sha256"], r["size"], bytes(r["data"])) for r in await conn.fetch(sql)]
    finally:
        await conn.close()


async def stored_rows(settings: Settings) -> dict[tuple[str, str], tuple[int, str]]:
    """(namespace, key) → (size, SHA-256 of the bytes) of every row of ``stored_blob``."""
    return {
        (ns, key): (size, hashlib.sha256(data).hexdigest())
        for ns, key, size, data in await _blob_rows(settings)
    }


async def stored_bytes(settings: Settings, namespace: str) -> dict[str, bytes]:
    """Key → bytes of the rows of one namespace."""
    return {key: data for ns, key, _, data in await _blob_rows(settings) if ns == namespace}


def tadqiq(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """``tadqiq ARGS`` in a process of its own, configured by ``settings``' database, var folder and blob
    store."""
    env = {
        **os.environ,
        "TADQIQ_DATABASE_URL": settings.database_url,
        "TADQIQ_VAR_DIR": str(settings.var_dir),
        "TADQIQ_BLOB_STORE": settings.blob_store,
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

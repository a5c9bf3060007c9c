"""``tadqiq backup`` and ``tadqiq restore`` with the blobs in the database: they travel inside the database
snapshot (no blob folder in the backup, the manifest says where they are), and come back with it into a
fresh database, every byte as before and every report still valid (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from server.settings import Settings
from server.system.backup import make_backup
from tests.conftest import _pg_admin, _pg_url, missing_tool
from tests.integration.blobs.support import files_under, stored_bytes, stored_rows, tadqiq


@pytest.fixture
async def fresh(in_database: Settings, tmp_path: Path) -> AsyncIterator[Settings]:
    """Settings naming an empty database of the same kind and an empty var folder, blobs in the database."""
    var_dir = tmp_path / "restored"
    var_dir.mkdir()
    if in_database.database_kind == "sqlite":
        yield replace(in_database, var_dir=var_dir, database_url=f"sqlite:///{var_dir / 'tadqiq.sqlite3'}")
        return
    name = f"tq_r_{uuid.uuid4().hex[:12]}"
    await _pg_admin(f"CREATE DATABASE {name}")
    try:
        yield replace(in_database, var_dir=var_dir, database_url=_pg_url(name))
    finally:
        await _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def test_the_blobs_travel_inside_the_database_snapshot_and_come_back_with_it(
    in_database: Settings, fresh: Settings, tmp_path: Path
) -> None:
    backup = tmp_path / "backup"
    blobs = await stored_rows(in_database)
    assert {ns for ns, _ in blobs} == {"attachments", "reports"}

    made = tadqiq(in_database, "backup", str(backup))

    assert made.returncode == 0, made.stdout + made.stderr
    assert "stored files: inside the database (TADQIQ_BLOB_STORE=database)" in made.stdout
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["blobStore"] == "database"
    assert sorted(entry["path"] for entry in manifest["files"]) == [
        manifest["databaseFile"],
        "signing-certificate.pem",
    ]
    assert sorted(path.name for path in backup.iterdir()) == sorted(
        [manifest["databaseFile"], "manifest.json", "signing-certificate.pem"]
    )

    restored = tadqiq(fresh, "restore", str(backup))

    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "0 file(s)" in restored.stdout
    assert "the stored files (attachments, issued reports) came back inside the database" in restored.stdout
    assert await stored_rows(fresh) == blobs
    assert all(digest == key for (_, key), (_, digest) in blobs.items())
    assert files_under(fresh.var_dir) == {}
    await _a_restored_report_still_validates(fresh, tmp_path)


async def _a_restored_report_still_validates(settings: Settings, tmp_path: Path) -> None:
    """Each report read back from the restored database is still a valid signed PDF for pdfsig."""
    pdfsig = shutil.which("pdfsig")
    if pdfsig is None:
        missing_tool("pdfsig is not installed (apt-get install poppler-utils)")
    assert pdfsig is not None
    for key, data in (await stored_bytes(settings, "reports")).items():
        copy = tmp_path / f"{key}.pdf"
        copy.write_bytes(data)
        checked = subprocess.run([pdfsig, str(copy)], capture_output=True, text=True, timeout=120, check=True)
        assert "Signature is Valid" in checked.stdout and "Total document signed" in checked.stdout, (
            checked.stdout
        )


async def test_files_left_in_the_folders_after_the_switch_are_named_not_copied(
    in_database: Settings, tmp_path: Path
) -> None:
    stray = in_database.var_dir / "blobs" / "ab" / "cd" / ("abcd" + "0" * 60)
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"a photo stored before the switch")

    summary = make_backup(in_database, tmp_path / "backup")

    assert summary.blob_store == "database" and summary.blobs == {}
    assert len(summary.warnings) == 1 and "1 stored file(s)" in summary.warnings[0]
    assert "tadqiq blobs move --to database" in summary.warnings[0]
    assert not (tmp_path / "backup" / "blobs").exists()

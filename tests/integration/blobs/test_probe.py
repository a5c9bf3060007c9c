"""``probe_blob_store``, for ``tadqiq doctor``: a probe blob stored, read back and removed in the configured
store of each namespace; None when that works, else the problem in words (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from server.blobs.service import probe_blob_store
from server.lib import db
from server.settings import Settings
from tests.integration.blobs.support import files_under, stored_rows


async def test_a_writable_store_passes_and_keeps_no_probe(settings: Settings) -> None:
    before_files, before_rows = files_under(settings.var_dir), await stored_rows(settings)
    engine = db.make_engine(settings)
    await db.start_engine(engine)
    try:
        assert await probe_blob_store(settings) is None
        assert await probe_blob_store(replace(settings, blob_store="database")) is None
    finally:
        await db.stop_engine(engine)
    assert files_under(settings.var_dir) == before_files
    assert await stored_rows(settings) == before_rows


async def test_a_folder_that_cannot_hold_files_is_named(settings: Settings, tmp_path: Path) -> None:
    var_dir = tmp_path / "elsewhere"
    var_dir.mkdir()
    (var_dir / "reports").write_bytes(b"a file where the reports' folder should be")

    problem = await probe_blob_store(replace(settings, var_dir=var_dir))

    assert problem is not None
    assert f"cannot store reports (TADQIQ_BLOB_STORE=filesystem: {var_dir / 'reports'})" in problem
    assert files_under(var_dir) == {}  # the attachments' probe came and went


async def test_a_database_without_the_blob_table_is_named(settings: Settings) -> None:
    engine = db.make_engine(settings)
    await db.start_engine(engine)
    try:
        await engine.run_ddl("DROP TABLE stored_blob")
        problem = await probe_blob_store(replace(settings, blob_store="database"))
    finally:
        await db.stop_engine(engine)
    assert problem is not None
    assert "cannot store attachments (TADQIQ_BLOB_STORE=database: the stored_blob table)" in problem

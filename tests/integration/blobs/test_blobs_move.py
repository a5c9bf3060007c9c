"""``tadqiq blobs move --to database|filesystem``: an installation switching its blob store carries every
stored file across, each checked; a damaged file stays where it is, named (SQLite and PostgreSQL)."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from server.settings import Settings
from tests.integration.blobs.support import files_under, stored_rows, tadqiq

FOLDERS = {"blobs": "attachments", "reports": "reports"}


async def test_every_stored_file_moves_into_the_database_and_back_unchanged(settings: Settings) -> None:
    before = files_under(settings.var_dir)
    counts = {ns: sum(path.startswith(f"{folder}/") for path in before) for folder, ns in FOLDERS.items()}
    assert counts["attachments"] > 0 and counts["reports"] > 0

    there = tadqiq(settings, "blobs", "move", "--to", "database")

    assert there.returncode == 0, there.stdout + there.stderr
    assert f"{counts['attachments']} attachments, {counts['reports']} reports" in there.stdout
    assert "now set TADQIQ_BLOB_STORE=database" in there.stdout
    assert files_under(settings.var_dir) == {}
    assert not any((settings.var_dir / "blobs").iterdir())  # no empty fan-out folders left behind
    rows = await stored_rows(settings)
    expected = {(FOLDERS[path.split("/")[0]], path.rsplit("/", 1)[1]) for path in before}
    assert set(rows) == expected
    assert all(digest == key for (_, key), (_, digest) in rows.items())

    back = tadqiq(replace(settings, blob_store="database"), "blobs", "move", "--to", "filesystem")

    assert back.returncode == 0, back.stdout + back.stderr
    assert files_under(settings.var_dir) == before
    assert await stored_rows(settings) == {}


async def test_a_damaged_file_is_named_and_left_where_it_is_the_others_move(settings: Settings) -> None:
    data = b"a photo as it was uploaded"
    key = hashlib.sha256(data).hexdigest()
    damaged = settings.var_dir / "blobs" / key[:2] / key[2:4] / key
    damaged.parent.mkdir(parents=True, exist_ok=True)
    damaged.write_bytes(b"a photo after a disk error")

    moved = tadqiq(settings, "blobs", "move", "--to", "database")

    assert moved.returncode == 1
    assert f"attachments/{key} does not match its SHA-256 (damaged)" in moved.stderr, moved.stderr
    assert files_under(settings.var_dir) == {
        f"blobs/{key[:2]}/{key[2:4]}/{key}": hashlib.sha256(damaged.read_bytes()).hexdigest()
    }
    assert ("attachments", key) not in await stored_rows(settings)
    assert len(await stored_rows(settings)) > 0

"""The backup manifest: what it accepts, and each damaged or missing file a restore names."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest

from server.system.backup_logic import (
    BackupError,
    FileEntry,
    Manifest,
    decode_manifest,
    encode_manifest,
    file_problems,
    is_blob_path,
)

KEY = "ab" + "cd" + "e" * 60
OTHER = "0" * 64


def manifest(*extra: FileEntry, kind: str = "sqlite") -> Manifest:
    database = "database.sqlite3" if kind == "sqlite" else "database.pgdump"
    return Manifest(
        format=1,
        created_at=datetime(2026, 12, 2, 8, 0, tzinfo=UTC),
        app_version="0.1.0",
        database_kind=kind,
        database_file=database,
        files=[FileEntry(database, OTHER, 10), *extra],
    )


def test_a_manifest_survives_its_round_trip() -> None:
    made = manifest(FileEntry(f"blobs/ab/cd/{KEY}", KEY, 3), FileEntry("signing-certificate.pem", OTHER, 5))
    assert decode_manifest(encode_manifest(made)) == made


@pytest.mark.parametrize(
    "path",
    ["../etc/passwd", "/etc/passwd", f"blobs/ab/ce/{KEY}", f"blobs/ab/cd/.tmp-{KEY}", f"other/ab/cd/{KEY}"],
)
def test_a_path_no_backup_writes_is_refused(path: str) -> None:
    with pytest.raises(BackupError, match="which no backup holds"):
        decode_manifest(encode_manifest(manifest(FileEntry(path, OTHER, 1))))


def test_a_manifest_without_its_database_or_of_another_format_is_refused() -> None:
    without = msgspec.structs.replace(manifest(), files=[])
    with pytest.raises(BackupError, match="does not list the database file"):
        decode_manifest(encode_manifest(without))
    with pytest.raises(BackupError, match="format 2"):
        decode_manifest(encode_manifest(msgspec.structs.replace(manifest(), format=2)))
    with pytest.raises(BackupError, match="not a backup manifest"):
        decode_manifest(b"{")


def test_blob_paths_are_those_of_the_store() -> None:
    assert is_blob_path(f"blobs/ab/cd/{KEY}") and is_blob_path(f"reports/ab/cd/{KEY}")
    assert not is_blob_path(f"blobs/ab/cd/{KEY}x") and not is_blob_path("blobs/ab/cd")


def test_each_missing_or_damaged_file_is_named() -> None:
    made = manifest(FileEntry(f"blobs/ab/cd/{KEY}", KEY, 3), FileEntry(f"reports/ab/cd/{KEY}", KEY, 3))
    found = {
        "database.sqlite3": (OTHER, 10),
        f"blobs/ab/cd/{KEY}": (OTHER, 3),
        f"reports/ab/cd/{KEY}": None,
    }
    assert file_problems(made, found) == [
        f"blobs/ab/cd/{KEY}: its SHA-256 differs from the manifest's (damaged)",
        f"reports/ab/cd/{KEY}: missing from the backup",
    ]
    assert file_problems(made, {**found, "database.sqlite3": (OTHER, 9)})[0].startswith(
        "database.sqlite3: 9 bytes, the manifest says 10"
    )
    assert file_problems(made, {p.path: (p.sha256, p.size) for p in made.files}) == []

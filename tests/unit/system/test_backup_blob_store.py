"""Where a backup says its blobs are (``blobStore`` in the manifest), and what a restore tells the operator
when that is not the configured blob store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest

from server.system.backup_logic import (
    BackupError,
    FileEntry,
    Manifest,
    blob_store_note,
    decode_manifest,
    encode_manifest,
)

KEY = "ab" + "cd" + "e" * 60
SUM = "0" * 64
VAR = Path("/srv/tadqiq/var")


def manifest(*extra: FileEntry, blob_store: str = "database") -> Manifest:
    return Manifest(
        format=1,
        created_at=datetime(2026, 12, 2, 8, 0, tzinfo=UTC),
        app_version="0.1.0",
        database_kind="postgresql",
        database_file="database.pgdump",
        files=[FileEntry("database.pgdump", SUM, 10), *extra],
        blob_store=blob_store,
    )


def test_a_manifest_says_where_the_blobs_are_and_an_older_one_means_files() -> None:
    assert decode_manifest(encode_manifest(manifest())).blob_store == "database"
    older = msgspec.json.decode(encode_manifest(manifest()))
    del older["blobStore"]

    assert decode_manifest(msgspec.json.encode(older)).blob_store == "filesystem"


def test_a_manifest_naming_an_unknown_blob_store_is_refused() -> None:
    with pytest.raises(BackupError, match="unknown blob store 's3'"):
        decode_manifest(encode_manifest(manifest(blob_store="s3")))


def test_a_database_blob_backup_listing_blob_files_is_refused() -> None:
    doctored = manifest(FileEntry(f"blobs/ab/cd/{KEY}", KEY, 3))

    with pytest.raises(BackupError, match=f"lists blobs/ab/cd/{KEY}, but its blobs are in the database"):
        decode_manifest(encode_manifest(doctored))
    assert decode_manifest(
        encode_manifest(manifest(FileEntry(f"blobs/ab/cd/{KEY}", KEY, 3), blob_store="filesystem"))
    )


@pytest.mark.parametrize(
    ("backed_up", "configured", "said"),
    [
        ("database", "database", "came back inside the database"),
        ("filesystem", "filesystem", f"came back under {VAR}"),
        (
            "database",
            "filesystem",
            "set TADQIQ_BLOB_STORE=database, or run `tadqiq blobs move --to filesystem`",
        ),
        ("filesystem", "database", "TADQIQ_BLOB_STORE=database: run `tadqiq blobs move --to database`"),
    ],
)
def test_the_restore_says_where_the_blobs_came_back_and_what_a_mismatch_needs(
    backed_up: str, configured: str, said: str
) -> None:
    assert said in blob_store_note(manifest(blob_store=backed_up), configured, VAR)

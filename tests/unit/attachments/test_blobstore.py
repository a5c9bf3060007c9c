"""What only the filesystem store does: its folder layout, temporary files and durability. The contract
every store keeps is tested in ``tests/integration/blobs/test_blob_store_contract.py``."""

from __future__ import annotations

import asyncio
import hashlib
import os
import stat
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from server.attachments.blobstore import BlobStore, FilesystemBlobStore

DATA = b"evidence photo bytes" * 1000
KEY = hashlib.sha256(DATA).hexdigest()


@pytest.fixture
def store(tmp_path: Path) -> FilesystemBlobStore:
    return FilesystemBlobStore(tmp_path / "blobs")


def files_under(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


def test_filesystem_store_satisfies_the_protocol(store: FilesystemBlobStore) -> None:
    typed: BlobStore = store  # checked by mypy when the tests are type-checked
    assert typed is store


async def test_blob_is_fanned_out_by_the_first_characters_of_its_key(store: FilesystemBlobStore) -> None:
    await store.put(KEY, DATA)
    assert files_under(store.root) == [store.root / KEY[:2] / KEY[2:4] / KEY]


async def test_put_leaves_no_temporary_file_behind(store: FilesystemBlobStore) -> None:
    await store.put(KEY, DATA)
    await store.put(KEY, DATA)
    assert [path.name for path in files_under(store.root)] == [KEY]


async def test_failed_write_leaves_neither_blob_nor_temporary_file(
    store: FilesystemBlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_fsync = os.fsync

    def disk_fails(fd: int) -> None:
        # Directories sync fine; the blob's own data does not reach the disk.
        if stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError("disk on fire")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", disk_fails)
    with pytest.raises(OSError, match="disk on fire"):
        await store.put(KEY, DATA)

    assert not await store.exists(KEY)
    assert files_under(store.root) == []


async def test_concurrent_puts_of_one_key_create_it_exactly_once(store: FilesystemBlobStore) -> None:
    # The blob is published with a hard link, which only one writer can win: exactly one True.
    results = await asyncio.gather(*(store.put(KEY, DATA) for _ in range(10)))

    assert sorted(results) == [False] * 9 + [True]
    assert await store.get(KEY) == DATA
    assert [path.name for path in files_under(store.root)] == [KEY]


async def test_concurrent_puts_of_different_keys_share_directories(store: FilesystemBlobStore) -> None:
    # Keys with the same two-level prefix race to create the same directories.
    blobs = {f"abcd{index:060x}": bytes([index]) * 100 for index in range(10)}
    results = await asyncio.gather(*(store.put(key, data) for key, data in blobs.items()))

    assert results == [True] * 10
    for key, data in blobs.items():
        assert await store.get(key) == data


def _age(store: FilesystemBlobStore, key: str, days: float) -> None:
    when = time.time() - days * 86400
    os.utime(store.path_for(key), (when, when))


async def test_keys_older_than_lists_old_blobs_with_size_and_age_only(store: FilesystemBlobStore) -> None:
    fresh = hashlib.sha256(b"fresh").hexdigest()
    await store.put(KEY, DATA)
    await store.put(fresh, b"fresh")
    _age(store, KEY, 40)
    # A temporary file of a put in progress and a stray file are never listed.
    (store.path_for(KEY).parent / ".tmp-abc").write_bytes(b"half")
    (store.root / "README").write_text("not a blob")

    old = await store.keys_older_than(datetime.now(UTC) - timedelta(days=30))

    assert [(blob.key, blob.size) for blob in old] == [(KEY, len(DATA))]
    assert timedelta(days=39) < datetime.now(UTC) - old[0].last_used < timedelta(days=41)
    assert await FilesystemBlobStore(store.root / "missing").keys_older_than(datetime.now(UTC)) == []

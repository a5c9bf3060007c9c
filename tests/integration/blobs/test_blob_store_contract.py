"""The ``BlobStore`` contract, one test class run against every store (as Kinto's storage ``testing.py``):
the filesystem store in a temporary folder, the database store on SQLite and on PostgreSQL.

Clocks are real: a blob's "last used" is its file's mtime or its row's ``last_used``, so each test
leaves a few tens of milliseconds between the moments it compares (more than a file clock's tick).
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from server.attachments.blobstore import BlobStore, FilesystemBlobStore
from server.blobs.service import open_blob_store
from server.blobs.store import DatabaseBlobStore
from server.lib import db
from server.lib.errors import AppError, ErrorCode
from server.settings import Settings

DATA = b"evidence photo bytes" * 1000
KEY = hashlib.sha256(DATA).hexdigest()
LARGE = random.Random(14).randbytes(15 * 1024 * 1024)
LARGE_KEY = hashlib.sha256(LARGE).hexdigest()
TICK = 0.05
"""Seconds between two moments a test tells apart."""


def blob(seed: int) -> tuple[str, bytes]:
    data = f"blob {seed}".encode() * (seed + 1)
    return hashlib.sha256(data).hexdigest(), data


def now() -> datetime:
    return datetime.now(UTC)


async def later() -> datetime:
    """A moment strictly after everything done so far and strictly before anything done next."""
    await asyncio.sleep(TICK)
    moment = now()
    await asyncio.sleep(TICK)
    return moment


def tomorrow() -> datetime:
    return now() + timedelta(days=1)


async def listed(store: BlobStore, cutoff: datetime, keys: set[str]) -> list[str]:
    """The keys among ``keys`` that ``keys_older_than(cutoff)`` lists, in its order."""
    return [info.key for info in await store.keys_older_than(cutoff) if info.key in keys]


class BlobStoreContract:
    """Every store passes these; a subclass provides the ``store`` fixture."""

    async def test_a_put_stores_the_bytes_and_a_second_put_changes_nothing(self, store: BlobStore) -> None:
        assert await store.exists(KEY) is False
        assert await store.get(KEY) is None

        assert await store.put(KEY, DATA) is True
        assert await store.put(KEY, DATA) is False

        assert await store.exists(KEY) is True
        assert await store.get(KEY) == DATA

    async def test_of_concurrent_puts_of_one_key_exactly_one_creates_it(self, store: BlobStore) -> None:
        results = await asyncio.gather(*(store.put(KEY, DATA) for _ in range(10)))

        assert sorted(results) == [False] * 9 + [True]
        assert await store.get(KEY) == DATA

    async def test_a_missing_blob_reads_as_none_and_cannot_be_touched_or_aged_out(
        self, store: BlobStore
    ) -> None:
        assert await store.get(KEY) is None
        assert await store.touch(KEY) is False
        assert await store.delete_if_older_than(KEY, tomorrow()) is False
        await store.delete(KEY)  # nothing to do, no error
        assert await store.exists(KEY) is False

    @pytest.mark.parametrize("key", ["../" + "a" * 61, KEY.upper(), KEY[:-1], KEY + "0", ""])
    async def test_a_key_that_is_not_a_lowercase_sha256_is_refused(self, store: BlobStore, key: str) -> None:
        calls = (
            store.exists(key),
            store.get(key),
            store.put(key, DATA),
            store.delete(key),
            store.touch(key),
            store.delete_if_older_than(key, tomorrow()),
        )
        for call in calls:
            with pytest.raises(AppError) as caught:
                await call
            assert caught.value.code == ErrorCode.ATTACHMENT_BAD_HASH
        assert await listed(store, tomorrow(), {key}) == []

    async def test_delete_removes_the_blob_once_and_it_can_be_stored_again(self, store: BlobStore) -> None:
        await store.put(KEY, DATA)

        await store.delete(KEY)
        await store.delete(KEY)

        assert await store.exists(KEY) is False
        assert await store.get(KEY) is None
        assert await store.put(KEY, DATA) is True

    async def test_keys_older_than_lists_the_blobs_last_used_before_the_cutoff_in_key_order(
        self, store: BlobStore
    ) -> None:
        blobs = dict(blob(seed) for seed in range(4))
        keys = sorted(blobs)
        started = now() - timedelta(seconds=1)  # a file's clock may lag the real one by a tick
        for key in reversed(keys[1:]):  # stored against key order
            await store.put(key, blobs[key])
        cutoff = await later()
        await store.put(keys[0], blobs[keys[0]])

        before = [info for info in await store.keys_older_than(cutoff) if info.key in blobs]
        everything = await listed(store, tomorrow(), set(blobs))

        assert [(info.key, info.size) for info in before] == [(key, len(blobs[key])) for key in keys[1:]]
        assert all(
            started <= info.last_used < cutoff and info.last_used.utcoffset() == timedelta(0)
            for info in before
        )
        assert everything == keys
        assert await listed(store, started, set(blobs)) == []

    async def test_a_touch_restarts_a_blobs_clock(self, store: BlobStore) -> None:
        await store.put(KEY, DATA)
        cutoff = await later()
        assert await listed(store, cutoff, {KEY}) == [KEY]

        assert await store.touch(KEY) is True

        assert await listed(store, cutoff, {KEY}) == []
        assert await listed(store, tomorrow(), {KEY}) == [KEY]

    async def test_a_put_of_a_stored_blob_restarts_its_clock(self, store: BlobStore) -> None:
        await store.put(KEY, DATA)
        cutoff = await later()

        assert await store.put(KEY, DATA) is False

        assert await listed(store, cutoff, {KEY}) == []

    async def test_delete_if_older_than_keeps_a_blob_used_since_it_was_listed(self, store: BlobStore) -> None:
        await store.put(KEY, DATA)
        cutoff = await later()
        assert await listed(store, cutoff, {KEY}) == [KEY]
        assert await store.touch(KEY) is True  # a tablet probes it between the listing and the removal

        assert await store.delete_if_older_than(KEY, cutoff) is False
        assert await store.get(KEY) == DATA

        second_cutoff = await later()
        assert await store.delete_if_older_than(KEY, second_cutoff) is True
        assert await store.exists(KEY) is False
        assert await store.delete_if_older_than(KEY, second_cutoff) is False

    async def test_a_blob_of_15_mb_comes_back_byte_for_byte(self, store: BlobStore) -> None:
        assert await store.put(LARGE_KEY, LARGE) is True

        assert await store.get(LARGE_KEY) == LARGE
        sizes = [info.size for info in await store.keys_older_than(tomorrow()) if info.key == LARGE_KEY]
        assert sizes == [len(LARGE)]

    async def test_a_reader_never_sees_part_of_a_blob_being_written(self, store: BlobStore) -> None:
        writing = asyncio.create_task(store.put(LARGE_KEY, LARGE))
        seen: list[int | None] = []
        while not writing.done():
            content = await store.get(LARGE_KEY)
            seen.append(None if content is None else len(content))
            assert content is None or content == LARGE
        assert await writing is True

        assert seen, "no read happened while the blob was written"
        assert set(seen) <= {None, len(LARGE)}
        assert await store.get(LARGE_KEY) == LARGE


class TestFilesystemBlobStore(BlobStoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> BlobStore:
        return FilesystemBlobStore(tmp_path / "blobs")


class TestDatabaseBlobStore(BlobStoreContract):
    """On each database kind of the ``settings`` fixture (SQLite, and PostgreSQL when configured)."""

    @pytest.fixture
    async def store(self, settings: Settings) -> AsyncIterator[BlobStore]:
        engine = db.make_engine(settings)
        await db.start_engine(engine)
        try:
            yield open_blob_store(settings, "attachments", kind="database")
        finally:
            await db.stop_engine(engine)

    async def test_attachments_and_reports_are_kept_apart(self, store: BlobStore) -> None:
        reports = DatabaseBlobStore("reports")
        await store.put(KEY, DATA)

        assert await reports.exists(KEY) is False
        assert await listed(reports, tomorrow(), {KEY}) == []
        assert await reports.put(KEY, DATA) is True
        await reports.delete(KEY)
        assert await store.get(KEY) == DATA

    async def test_a_put_whose_transaction_fails_leaves_nothing(self, store: BlobStore) -> None:
        with pytest.raises(RuntimeError, match="crash"):
            async with db.write_transaction():
                assert await store.put(KEY, DATA) is True
                raise RuntimeError("crash before the commit")

        assert await store.exists(KEY) is False
        assert await store.put(KEY, DATA) is True

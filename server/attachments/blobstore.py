"""Where attachment bytes live: a content-addressed blob store, and its filesystem implementation."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from anyio import to_thread

from server.attachments.logic import SHA256_PATTERN, parse_sha256

__all__ = ["BlobInfo", "BlobStore", "FilesystemBlobStore"]


@dataclass(frozen=True)
class BlobInfo:
    """One stored blob, as the clean-up sees it."""

    key: str
    size: int
    last_used: datetime
    """When it was stored, or last uploaded or probed again (UTC)."""


class BlobStore(Protocol):
    """Bytes stored under a key that is a SHA-256 in lowercase hex (checked; else ``ATTACHMENT_BAD_HASH``)."""

    async def exists(self, key: str) -> bool:
        """Return True if a blob is stored under ``key``."""
        ...

    async def put(self, key: str, data: bytes) -> bool:
        """Store ``data`` under ``key``; return True if newly created, False if it was already there.

        Idempotent: a second put of the same key changes nothing. A reader never sees a partly
        written blob, even if the process dies mid-write. Of concurrent puts of one key, one returns
        True and the others False (the filesystem store falls back to "at least one" where the
        filesystem has no hard links).
        """
        ...

    async def get(self, key: str) -> bytes | None:
        """Return the bytes stored under ``key``, or None if there are none."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the blob stored under ``key``; nothing happens if there is none."""
        ...

    async def touch(self, key: str) -> bool:
        """Mark the blob under ``key`` as used now (its clean-up delay starts again); True if there is one."""
        ...

    async def keys_older_than(self, cutoff: datetime) -> list[BlobInfo]:
        """Every blob last used before ``cutoff`` (aware), in key order; blobs being written are not
        listed."""
        ...

    async def delete_if_older_than(self, key: str, cutoff: datetime) -> bool:
        """Remove the blob under ``key`` only if it was still last used before ``cutoff``; True if removed.

        A blob stored, uploaded again or probed since it was listed is kept.
        """
        ...


_KEY = re.compile(SHA256_PATTERN)


def _fsync_directory(path: Path) -> None:
    # A rename or a new link is durable only once the directory entry itself reaches the disk.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _make_directories(directory: Path, root: Path) -> None:
    """Create ``directory`` and its missing parents below ``root``, each new entry made durable."""
    missing: list[Path] = []
    current = directory
    while current != root and not current.is_dir():
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):  # a concurrent put may have made it
            path.mkdir()
        _fsync_directory(path.parent)


class FilesystemBlobStore:
    """Blobs as files under ``root``, fanned out as ``root/ab/cd/abcd…`` to keep directories small.

    File operations run in a worker thread so the event loop never waits on the disk.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, key: str) -> Path:
        key = parse_sha256(key)
        return self.root / key[:2] / key[2:4] / key

    async def exists(self, key: str) -> bool:
        return await to_thread.run_sync(self.path_for(key).is_file)

    async def put(self, key: str, data: bytes) -> bool:
        return await to_thread.run_sync(self._put, self.path_for(key), data)

    async def get(self, key: str) -> bytes | None:
        return await to_thread.run_sync(self._get, self.path_for(key))

    async def delete(self, key: str) -> None:
        await to_thread.run_sync(self._delete, self.path_for(key))

    async def touch(self, key: str) -> bool:
        return await to_thread.run_sync(self._touch, self.path_for(key))

    async def keys_older_than(self, cutoff: datetime) -> list[BlobInfo]:
        return await to_thread.run_sync(self._older_than, cutoff.timestamp())

    async def delete_if_older_than(self, key: str, cutoff: datetime) -> bool:
        return await to_thread.run_sync(self._delete_if_older, self.path_for(key), cutoff.timestamp())

    def _put(self, path: Path, data: bytes) -> bool:
        if self._touch(path):
            return False
        self.root.mkdir(parents=True, exist_ok=True)
        _make_directories(path.parent, self.root)
        # The temp name starts with a dot, so it can never be taken for a key.
        fd, temp_name = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        temp = Path(temp_name)
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            created = self._publish(temp, path)
            _fsync_directory(path.parent)
            return created
        finally:
            temp.unlink(missing_ok=True)

    @staticmethod
    def _publish(temp: Path, path: Path) -> bool:
        # A hard link creates the name only if it is free, atomically, across threads and
        # processes: exactly one of several concurrent puts wins. os.replace would let each of
        # them believe it created the blob.
        try:
            path.hardlink_to(temp)
        except FileExistsError:
            return False
        except OSError:
            # A filesystem without hard links: fall back to an atomic rename. The content is the
            # same whoever wins, only the "newly created" answer may then be True twice.
            if path.is_file():
                return False
            temp.replace(path)
        return True

    @staticmethod
    def _get(path: Path) -> bytes | None:
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None

    @staticmethod
    def _delete(path: Path) -> None:
        try:
            path.unlink()
        except FileNotFoundError:
            return
        _fsync_directory(path.parent)

    @staticmethod
    def _touch(path: Path) -> bool:
        # The file's mtime is the blob's "last used" clock: a tablet that probes or uploads a photo
        # again is about to reference it, so the clean-up must wait again.
        try:
            os.utime(path)
        except FileNotFoundError:
            return False
        return True

    def _older_than(self, cutoff: float) -> list[BlobInfo]:
        found: list[BlobInfo] = []
        if not self.root.is_dir():
            return found
        # Only root/ab/cd/<key> where the key starts with ab cd: temporary files and strays are skipped.
        for path in sorted(self.root.glob("[0-9a-f][0-9a-f]/[0-9a-f][0-9a-f]/*")):
            key = path.name
            if not _KEY.fullmatch(key) or key[:2] != path.parent.parent.name or key[2:4] != path.parent.name:
                continue
            try:
                info = path.stat()
            except FileNotFoundError:  # removed meanwhile
                continue
            if path.is_file() and info.st_mtime < cutoff:
                found.append(BlobInfo(key, info.st_size, datetime.fromtimestamp(info.st_mtime, tz=UTC)))
        return found

    @staticmethod
    def _delete_if_older(path: Path, cutoff: float) -> bool:
        try:
            if path.stat().st_mtime >= cutoff:
                return False
            path.unlink()
        except FileNotFoundError:
            return False
        _fsync_directory(path.parent)
        return True

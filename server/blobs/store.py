"""Blobs kept in the database: ``DatabaseBlobStore``, the blob store of ``TADQIQ_BLOB_STORE=database``
(the only module touching ``stored_blob``).

Every write is one short write transaction (on SQLite it first waits its turn in the process's writer
queue, ``server.lib.db``). A put inserts the whole row with one ``INSERT ... ON CONFLICT DO NOTHING``: a
reader sees all the bytes or none, and of concurrent puts of one key the unique index lets exactly one
insert (on PostgreSQL the others wait for its commit, then do nothing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from server.attachments.blobstore import BlobInfo
from server.attachments.logic import parse_sha256
from server.blobs.tables import StoredBlob
from server.lib.clock import utcnow
from server.lib.db import write_transaction

if TYPE_CHECKING:
    from datetime import datetime

    from piccolo.custom_types import Combinable

__all__ = ["BlobNamespace", "DatabaseBlobStore"]

BlobNamespace = Literal["attachments", "reports"]
"""Attachments (photos, PDFs, drawn signatures) and issued report PDFs are kept apart: the clean-up of
attachments never sees a report."""


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("the cutoff must be an aware datetime")
    return moment


class DatabaseBlobStore:
    """The blobs of one namespace, as rows of ``stored_blob`` in the process's database engine.

    Written for PostgreSQL, where several app machines then share the blobs without a shared disk and a
    ``pg_dump`` holds them all; it works on SQLite too (each put then holds the write lock while the
    bytes are written).
    """

    def __init__(self, namespace: BlobNamespace) -> None:
        self.namespace: BlobNamespace = namespace

    def _row(self, key: str) -> Combinable:
        """The row of ``key`` (checked first: ``ATTACHMENT_BAD_HASH`` for anything but a SHA-256)."""
        return (StoredBlob.namespace == self.namespace) & (StoredBlob.sha256 == parse_sha256(key))

    async def exists(self, key: str) -> bool:
        return bool(await StoredBlob.exists().where(self._row(key)).run())

    async def put(self, key: str, data: bytes) -> bool:
        row = self._row(key)
        async with write_transaction():
            # Stored already: an upload again counts as a use, and the bytes are never sent twice.
            if await self._mark_used(row):
                return False
            blob = StoredBlob(
                namespace=self.namespace, sha256=key, data=data, size=len(data), last_used=utcnow()
            )
            created = (
                await StoredBlob.insert(blob)
                .on_conflict(target=(StoredBlob.namespace, StoredBlob.sha256), action="DO NOTHING")
                .returning(StoredBlob.sha256)
                .run()
            )
        return bool(created)

    async def get(self, key: str) -> bytes | None:
        row = await StoredBlob.select(StoredBlob.data).where(self._row(key)).first().run()
        return None if row is None else bytes(row["data"])

    async def delete(self, key: str) -> None:
        row = self._row(key)
        async with write_transaction():
            await StoredBlob.delete().where(row).run()

    async def touch(self, key: str) -> bool:
        row = self._row(key)
        async with write_transaction():
            return await self._mark_used(row)

    async def keys_older_than(self, cutoff: datetime) -> list[BlobInfo]:
        # Never the bytes: the clean-up lists sizes and dates only.
        rows = (
            await StoredBlob.select(StoredBlob.sha256, StoredBlob.size, StoredBlob.last_used)
            .where((StoredBlob.namespace == self.namespace) & (StoredBlob.last_used < _aware(cutoff)))
            .order_by(StoredBlob.sha256)
            .run()
        )
        return [BlobInfo(row["sha256"], row["size"], row["last_used"]) for row in rows]

    async def delete_if_older_than(self, key: str, cutoff: datetime) -> bool:
        # One conditional DELETE: a touch committed before it keeps the blob, one after it finds none.
        row = self._row(key) & (StoredBlob.last_used < _aware(cutoff))
        async with write_transaction():
            removed = await StoredBlob.delete().where(row).returning(StoredBlob.sha256).run()
        return bool(removed)

    @staticmethod
    async def _mark_used(row: Combinable) -> bool:
        touched = (
            await StoredBlob.update({StoredBlob.last_used: utcnow()})
            .where(row)
            .returning(StoredBlob.sha256)
            .run()
        )
        return bool(touched)

"""Which blob store holds the attachments and the issued reports (``TADQIQ_BLOB_STORE``), moving the blobs
from one store to the other, and the probe ``tadqiq doctor`` runs.

``filesystem`` keeps the blobs as files under ``var_dir`` (``blobs/`` for attachments, ``reports/`` for
issued PDFs); ``database`` keeps them in the database itself (``stored_blob``). Both keep the same
``BlobStore`` contract, so the rest of the server never knows which one it talks to.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Literal, get_args

from anyio import to_thread

from server.attachments.blobstore import FilesystemBlobStore
from server.blobs.store import BlobNamespace, DatabaseBlobStore
from server.lib.clock import utcnow

if TYPE_CHECKING:
    from datetime import datetime

    from server.attachments.blobstore import BlobStore
    from server.settings import Settings

__all__ = [
    "BLOB_FOLDERS",
    "BlobMove",
    "BlobNamespace",
    "BlobStoreKind",
    "move_blobs",
    "open_blob_store",
    "probe_blob_store",
]

BlobStoreKind = Literal["filesystem", "database"]
NAMESPACES: tuple[BlobNamespace, ...] = get_args(BlobNamespace)
BLOB_FOLDERS: dict[BlobNamespace, str] = {"attachments": "blobs", "reports": "reports"}
"""The folder of ``var_dir`` holding each namespace in the filesystem store."""


def open_blob_store(
    settings: Settings, namespace: BlobNamespace, *, kind: BlobStoreKind | None = None
) -> BlobStore:
    """The store of ``namespace``: the configured one (``TADQIQ_BLOB_STORE``) unless ``kind`` names one.
    The database store uses the process's engine, which must be started."""
    if (kind or settings.blob_store) == "database":
        return DatabaseBlobStore(namespace)
    return FilesystemBlobStore(settings.var_dir / BLOB_FOLDERS[namespace])


# ------------------------------------------------------------------ moving


@dataclass
class BlobMove:
    """What ``move_blobs`` did."""

    source: BlobStoreKind
    target: BlobStoreKind
    moved: dict[BlobNamespace, int] = field(default_factory=dict)
    bytes: int = 0
    damaged: list[str] = field(default_factory=list)
    """``namespace/key`` of each blob whose bytes do not match its key: left where it was."""


def _everything() -> datetime:
    # "Last used before tomorrow": every stored blob (a blob being written is not listed).
    return utcnow() + timedelta(days=1)


async def move_blobs(settings: Settings, to: BlobStoreKind) -> BlobMove:
    """Move every blob of both namespaces from the other store into ``to``: each is copied, read back and
    compared, and only then removed from its source, so a move cut short loses nothing and running it
    again finishes it. A damaged blob (bytes that do not match the key) stays where it is, named in the
    result. Run it with the server stopped: a blob stored meanwhile in the old store is not moved."""
    source_kind: BlobStoreKind = "filesystem" if to == "database" else "database"
    move = BlobMove(source=source_kind, target=to)
    for namespace in NAMESPACES:
        source = open_blob_store(settings, namespace, kind=source_kind)
        target = open_blob_store(settings, namespace, kind=to)
        move.moved[namespace] = 0
        for blob in await source.keys_older_than(_everything()):
            data = await source.get(blob.key)
            if data is None:
                continue  # removed meanwhile
            if hashlib.sha256(data).hexdigest() != blob.key:
                move.damaged.append(f"{namespace}/{blob.key}")
                continue
            await target.put(blob.key, data)
            if await target.get(blob.key) != data:
                raise RuntimeError(f"{namespace}/{blob.key} reads back differently from the {to} store")
            await source.delete(blob.key)
            move.moved[namespace] += 1
            move.bytes += len(data)
        if source_kind == "filesystem":
            await to_thread.run_sync(_remove_empty_folders, settings.var_dir / BLOB_FOLDERS[namespace])
    return move


def _remove_empty_folders(root: Path) -> None:
    """The fan-out folders a move emptied (the root itself stays)."""
    if not root.is_dir():
        return
    for folder, _, _ in sorted(os.walk(root), key=lambda entry: -len(entry[0])):
        if Path(folder) != root and not any(Path(folder).iterdir()):
            Path(folder).rmdir()


# ------------------------------------------------------------------ probing


async def probe_blob_store(settings: Settings) -> str | None:
    """For ``tadqiq doctor``: put a probe blob into the configured store of each namespace, read it back
    and delete it. None when all went well, else the problem in words (for the operator, in English).
    In database mode the process's engine must be started (and migrated)."""
    payload = b"tadqiq blob store probe " + secrets.token_bytes(16)
    key = hashlib.sha256(payload).hexdigest()
    for namespace in NAMESPACES:
        store = open_blob_store(settings, namespace)
        where = _where(settings, namespace)
        try:
            await store.put(key, payload)
            try:
                read = await store.get(key)
            finally:
                await store.delete(key)  # never left behind (nothing cleans the reports up)
        except Exception as error:  # any failure is the answer, in words
            return f"the blob store cannot store {namespace} ({where}): {type(error).__name__}: {error}"
        if read != payload:
            return f"the blob store does not give back what it stored for {namespace} ({where})"
    return None


def _where(settings: Settings, namespace: BlobNamespace) -> str:
    if settings.blob_store == "database":
        return "TADQIQ_BLOB_STORE=database: the stored_blob table"
    return f"TADQIQ_BLOB_STORE=filesystem: {settings.var_dir / BLOB_FOLDERS[namespace]}"

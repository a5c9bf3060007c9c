"""The blobs kept in the database (``TADQIQ_BLOB_STORE=database``): content-addressed, never rewritten."""

from __future__ import annotations

from piccolo.columns import BigInt, Bytea, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["StoredBlob"]


class StoredBlob(Table, tablename="stored_blob"):
    """One blob of one namespace; the row appears whole (one INSERT) or not at all, so a reader never
    sees part of it. (namespace, sha256) is unique: a unique index made by a migration of its own (SQLite
    cannot add a constraint to a table, and Piccolo declares no index over several columns)."""

    namespace = Varchar(
        length=16, help_text="attachments (photos, PDFs, signatures) or reports (issued PDFs)."
    )
    sha256 = Varchar(length=64, help_text="The key: SHA-256 of the bytes, lowercase hex.")
    data = Bytea(help_text="The bytes (BYTEA on PostgreSQL, BLOB on SQLite).")
    size = BigInt(help_text="len(data), so the clean-up lists sizes without reading the bytes.")
    last_used = Timestamptz(
        index=True,
        help_text="When it was stored, or last uploaded or probed again: the clean-up's clock.",
    )

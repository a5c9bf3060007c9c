"""The pure half of ``tadqiq backup`` and ``tadqiq restore``: the backup's layout, its manifest, and the
checks a restore makes before it touches anything.

A backup folder holds the database snapshot (``database.sqlite3`` or ``database.pgdump``), the blob
folders (``blobs/`` for attachments, ``reports/`` for issued PDFs, each fanned out as in the blob
store; none when ``TADQIQ_BLOB_STORE=database``: the blobs are rows of the snapshot), the signing
certificate (``signing-certificate.pem``: public, never the key) and, written last, ``manifest.json``
with every file's SHA-256 and size. Messages are for the operator, in English, like
the other commands'.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import msgspec

from server.settings import BLOB_STORES

__all__ = [
    "BLOB_DIRS",
    "CERTIFICATE_NAME",
    "FORMAT",
    "MANIFEST_NAME",
    "BackupError",
    "FileEntry",
    "Manifest",
    "blob_store_note",
    "database_file_name",
    "decode_manifest",
    "encode_manifest",
    "file_problems",
    "is_blob_path",
]

FORMAT = 1
"""Layout version: a restore refuses a manifest of another format."""
MANIFEST_NAME = "manifest.json"
CERTIFICATE_NAME = "signing-certificate.pem"
BLOB_DIRS = ("blobs", "reports")
"""Folders of ``var_dir`` holding content-addressed blobs (attachments, issued reports)."""
_DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
_BLOB_PATH = re.compile(r"([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})")
_SHA256 = re.compile(r"[0-9a-f]{64}")


class BackupError(Exception):
    """The backup cannot be made or restored; the message says why in words."""


class FileEntry(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    path: str
    """Relative to the backup folder, with ``/``."""
    sha256: str
    size: int


class Manifest(msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename="camel"):
    format: int
    created_at: datetime
    app_version: str
    database_kind: str
    database_file: str
    files: list[FileEntry]
    certificate_sha256: str = ""
    """Fingerprint of the signing certificate (SHA-256 of its DER), empty when there was no key."""
    blob_store: str = "filesystem"
    """Where the blobs were (``TADQIQ_BLOB_STORE``): ``filesystem``, copied as files beside the database;
    ``database``, inside the database snapshot (no blob files). Older backups lack it: filesystem."""


def database_file_name(kind: str) -> str:
    return _DATABASE_FILES[kind]


def is_blob_path(relative: str) -> bool:
    """``blobs/ab/cd/abcd…`` or ``reports/ab/cd/abcd…``: a stored blob (never a temporary file)."""
    top, _, rest = relative.partition("/")
    match = _BLOB_PATH.fullmatch(rest)
    return top in BLOB_DIRS and match is not None and match[3].startswith(match[1] + match[2])


def encode_manifest(manifest: Manifest) -> bytes:
    return msgspec.json.format(msgspec.json.encode(manifest)) + b"\n"


def decode_manifest(raw: bytes) -> Manifest:
    """The manifest, checked: known format and database kind, and only the paths a backup writes (so a
    doctored manifest cannot make a restore write outside the var folder)."""
    try:
        manifest = msgspec.json.decode(raw, type=Manifest)
    except msgspec.DecodeError as error:
        raise BackupError(f"{MANIFEST_NAME} is not a backup manifest: {error}") from None
    if manifest.format != FORMAT:
        raise BackupError(f"{MANIFEST_NAME} is of format {manifest.format}; this version reads {FORMAT}")
    if manifest.database_kind not in _DATABASE_FILES:
        raise BackupError(f"{MANIFEST_NAME} names an unknown database kind {manifest.database_kind!r}")
    expected = _DATABASE_FILES[manifest.database_kind]
    if manifest.database_file != expected:
        raise BackupError(f"{MANIFEST_NAME}: the database file must be {expected}")
    if manifest.blob_store not in BLOB_STORES:
        raise BackupError(f"{MANIFEST_NAME} names an unknown blob store {manifest.blob_store!r}")
    allowed = {expected, CERTIFICATE_NAME}
    seen: set[str] = set()
    for entry in manifest.files:
        if entry.path in seen:
            raise BackupError(f"{MANIFEST_NAME} lists {entry.path} twice")
        seen.add(entry.path)
        if entry.path not in allowed and not is_blob_path(entry.path):
            raise BackupError(f"{MANIFEST_NAME} lists {entry.path!r}, which no backup holds")
        if manifest.blob_store == "database" and is_blob_path(entry.path):
            raise BackupError(f"{MANIFEST_NAME} lists {entry.path}, but its blobs are in the database")
        if not _SHA256.fullmatch(entry.sha256) or entry.size < 0:
            raise BackupError(f"{MANIFEST_NAME}: the sum or size of {entry.path} is malformed")
    if expected not in seen:
        raise BackupError(f"{MANIFEST_NAME} does not list the database file {expected}")
    return manifest


def file_problems(manifest: Manifest, found: Mapping[str, tuple[str, int] | None]) -> list[str]:
    """Each file of the manifest whose copy is missing or differs, in words; ``found`` maps a listed path
    to the SHA-256 and size read from the backup folder (None: no such file)."""
    problems: list[str] = []
    for entry in manifest.files:
        actual = found.get(entry.path)
        if actual is None:
            problems.append(f"{entry.path}: missing from the backup")
        elif actual[1] != entry.size:
            problems.append(f"{entry.path}: {actual[1]} bytes, the manifest says {entry.size} (damaged)")
        elif actual[0] != entry.sha256:
            problems.append(f"{entry.path}: its SHA-256 differs from the manifest's (damaged)")
    return problems


def blob_store_note(manifest: Manifest, configured: str, var_dir: Path) -> str:
    """Where a restore put the blobs back, and what to do when the backup's blob store is not the one
    configured (``TADQIQ_BLOB_STORE``): the server reads only the configured one."""
    if manifest.blob_store == configured == "database":
        return "the stored files (attachments, issued reports) came back inside the database"
    if manifest.blob_store == configured:
        return f"the stored files (attachments, issued reports) came back under {var_dir}"
    if manifest.blob_store == "database":
        return (
            "the stored files came back inside the database, but TADQIQ_BLOB_STORE=filesystem: set "
            "TADQIQ_BLOB_STORE=database, or run `tadqiq blobs move --to filesystem`"
        )
    return (
        f"the stored files came back under {var_dir}, but TADQIQ_BLOB_STORE=database: run "
        "`tadqiq blobs move --to database`"
    )

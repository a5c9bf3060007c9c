"""``tadqiq backup DIR`` and ``tadqiq restore DIR``: a consistent copy of a running server, and its return.

Why the copy is consistent while the server runs:

* The database is copied as one snapshot: SQLite's online backup API copies every page inside one read
  transaction (in WAL mode writers go on meanwhile and are simply not seen), and ``pg_dump`` reads the
  whole database in one repeatable-read transaction.
* The blobs (attachments, issued PDFs) are content-addressed and never rewritten: a key names the same
  bytes forever, and a row refers to a blob only once the blob is stored. So the blobs are copied
  *after* the database snapshot: every blob the snapshot refers to already exists by then and is copied;
  blobs stored during the copy are extra, which is harmless (``tadqiq attachments gc`` removes them in
  time). The other order would miss the blobs of rows committed between the two copies. (Only a blob
  that a finding stopped referring to and that nobody used for ``TADQIQ_ATTACHMENT_GC_DAYS`` can vanish
  mid-copy; the snapshot would then still refer to it, so do not run the clean-up during a backup.)
* With ``TADQIQ_BLOB_STORE=database`` the blobs are rows of the database and travel inside its snapshot,
  consistent with everything else by construction: no blob folder is copied (files left in those
  folders from before the switch are not read by the server; the backup names them as a warning).
* ``manifest.json`` is written last, through a temporary name and a rename, after every file reached
  the disk: a backup that failed half-way has no manifest, and a restore refuses it.

The signing key's certificate is saved (public, it lets anyone check old reports); the private key and
its password never are: the organisation keeps those apart, as it must for any signing key.

A restore checks every file against the manifest before it touches anything, refuses a target that
already holds data unless forced, then puts the blobs back first and the database last (the same
reasoning: when the database appears, what it refers to is there). Stop the server during a restore.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import asyncpg
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from server.lib.clock import utcnow
from server.reports.keys import key_password
from server.settings import Settings
from server.system.backup_logic import (
    BLOB_DIRS,
    CERTIFICATE_NAME,
    FORMAT,
    MANIFEST_NAME,
    BackupError,
    FileEntry,
    Manifest,
    blob_store_note,
    database_file_name,
    decode_manifest,
    encode_manifest,
    file_problems,
    is_blob_path,
)

__all__ = ["BackupSummary", "RestoreSummary", "make_backup", "read_verified_manifest", "restore_backup"]

_CHUNK = 1 << 20
_TOOL_SECONDS = 3600


@dataclass
class BackupSummary:
    database_kind: str
    database_bytes: int
    blob_store: str = "filesystem"
    """``database``: the blobs are inside the database snapshot, and ``blobs`` stays empty."""
    blobs: dict[str, int] = field(default_factory=dict)
    """Files copied per blob folder."""
    total_bytes: int = 0
    certificate: bool = False
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class RestoreSummary:
    database_kind: str
    files: int
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _app_version() -> str:
    try:
        return version("tadqiq")
    except PackageNotFoundError:
        return "unknown"


def _fsync(path: Path) -> None:
    # A file (or a directory entry) counts as written only once it reached the disk.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_hashing(source: Path, target: Path) -> tuple[str, int]:
    """Copy ``source`` to ``target`` (made durable) and return the SHA-256 and size of what was copied."""
    digest, size = hashlib.sha256(), 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as reader, target.open("wb") as writer:
        while chunk := reader.read(_CHUNK):
            digest.update(chunk)
            writer.write(chunk)
            size += len(chunk)
        writer.flush()
        os.fsync(writer.fileno())
    return digest.hexdigest(), size


def _hash_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as reader:
        while chunk := reader.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password, and an environment carrying it (never on a command line: ``ps``
    shows those to every local user)."""
    parts = urlsplit(url)
    env = dict(os.environ)
    if parts.password is None:
        return url, env
    env["PGPASSWORD"] = unquote(parts.password)
    userinfo, _, hostport = parts.netloc.rpartition("@")
    netloc = f"{userinfo.partition(':')[0]}@{hostport}"
    return urlunsplit(parts._replace(netloc=netloc)), env


def _run_tool(name: str, *args: str, url: str, last: tuple[str, ...] = ()) -> None:
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client)")
    dbname, env = _libpq(url)
    done = subprocess.run(  # noqa: S603 - a fixed tool with our own arguments
        [tool, *args, "--dbname", dbname, *last],
        env=env,
        capture_output=True,
        text=True,
        timeout=_TOOL_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"{name} failed: {done.stderr.strip() or f'exit status {done.returncode}'}")


def _sqlite_snapshot(settings: Settings, target: Path) -> None:
    source = settings.sqlite_path
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    reader = sqlite3.connect(
        f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=settings.sqlite_busy_timeout_seconds
    )
    writer = sqlite3.connect(target)
    try:
        reader.backup(writer)  # all pages in one step: one read transaction, one consistent state
        writer.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        checked = writer.execute("PRAGMA quick_check").fetchone()
        if checked != ("ok",):
            raise BackupError(f"the copied database fails SQLite's check: {checked}")
    finally:
        writer.close()
        reader.close()
    _fsync(target)


def _certificate_pem(settings: Settings) -> tuple[bytes | None, str]:
    """The signing certificate as PEM (None, with the reason, when it cannot be read)."""
    path = settings.signing_key_file
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        return None, f"no signing key at {path}: no certificate saved"
    except OSError as error:
        return None, f"cannot read the signing key {path}: {error.strerror}; no certificate saved"
    try:
        _, certificate, _ = pkcs12.load_key_and_certificates(blob, key_password(settings) or None)
    except ValueError:
        return None, f"cannot open the signing key {path} (password?): no certificate saved"
    if certificate is None:
        return None, f"{path} holds no certificate: none saved"
    return certificate.public_bytes(serialization.Encoding.PEM), ""


def _copy_blobs(var_dir: Path, target: Path, summary: BackupSummary) -> list[FileEntry]:
    entries: list[FileEntry] = []
    for top in BLOB_DIRS:
        root = var_dir / top
        count = 0
        for path in sorted(root.glob("*/*/*")) if root.is_dir() else []:
            relative = path.relative_to(var_dir).as_posix()
            if not is_blob_path(relative) or not path.is_file():
                continue  # a temporary file of a blob being written, or a stray
            try:
                sha256, size = _copy_hashing(path, target / relative)
            except FileNotFoundError:
                continue  # removed by the clean-up meanwhile: nothing refers to it
            if sha256 != path.name:
                summary.warnings.append(f"{relative}: its content does not match its name (damaged on disk)")
            entries.append(FileEntry(relative, sha256, size))
            count += 1
        summary.blobs[top] = count
    return entries


def _unread_blob_files(var_dir: Path) -> list[str]:
    """With the blobs in the database: the blob folders that still hold files, in words."""
    found: list[str] = []
    for top in BLOB_DIRS:
        root = var_dir / top
        count = sum(
            1
            for path in (root.glob("*/*/*") if root.is_dir() else [])
            if is_blob_path(path.relative_to(var_dir).as_posix())
        )
        if count:
            found.append(
                f"{root} holds {count} stored file(s) that TADQIQ_BLOB_STORE=database does not read, not "
                "copied: `tadqiq blobs move --to database` moves them into the database"
            )
    return found


def _empty_folder(path: Path) -> None:
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise BackupError(f"{path} is not an empty folder: back up into a new or empty one")
    path.mkdir(parents=True, exist_ok=True)


def make_backup(settings: Settings, target: Path) -> BackupSummary:
    """Copy the database, then the blobs, then the certificate into ``target``; the manifest last."""
    started = time.monotonic()
    _empty_folder(target)
    kind = settings.database_kind
    database = target / database_file_name(kind)
    if kind == "sqlite":
        _sqlite_snapshot(settings, database)
    else:
        _run_tool("pg_dump", "--format=custom", "--file", str(database), url=settings.database_url)
    sha256, size = _hash_file(database)
    summary = BackupSummary(database_kind=kind, database_bytes=size, blob_store=settings.blob_store)
    entries = [FileEntry(database.name, sha256, size)]
    if settings.blob_store == "database":
        summary.warnings.extend(_unread_blob_files(settings.var_dir))  # the snapshot holds the blobs
    else:
        entries.extend(_copy_blobs(settings.var_dir, target, summary))
    pem, why = _certificate_pem(settings)
    fingerprint = ""
    if pem is None:
        summary.warnings.append(why)
    else:
        (target / CERTIFICATE_NAME).write_bytes(pem)
        _fsync(target / CERTIFICATE_NAME)
        entries.append(FileEntry(CERTIFICATE_NAME, *_hash_file(target / CERTIFICATE_NAME)))
        fingerprint = x509.load_pem_x509_certificate(pem).fingerprint(hashes.SHA256()).hex()
        summary.certificate = True
    manifest = Manifest(
        format=FORMAT,
        created_at=utcnow(),
        app_version=_app_version(),
        database_kind=kind,
        database_file=database.name,
        files=entries,
        certificate_sha256=fingerprint,
        blob_store=settings.blob_store,
    )
    for folder in {target, *(target / top for top in BLOB_DIRS if (target / top).is_dir())}:
        _fsync(folder)
    temporary = target / f".{MANIFEST_NAME}.tmp"
    temporary.write_bytes(encode_manifest(manifest))
    _fsync(temporary)
    temporary.replace(target / MANIFEST_NAME)
    _fsync(target)
    summary.total_bytes = sum(entry.size for entry in entries)
    summary.seconds = time.monotonic() - started
    return summary


def read_verified_manifest(source: Path) -> Manifest:
    """The manifest of the backup in ``source``, once every file it lists is there with its sum; else
    ``BackupError`` naming each missing or damaged file."""
    try:
        raw = (source / MANIFEST_NAME).read_bytes()
    except FileNotFoundError:
        raise BackupError(
            f"no {MANIFEST_NAME} in {source}: not a backup, or one that did not finish"
        ) from None
    manifest = decode_manifest(raw)
    found: dict[str, tuple[str, int] | None] = {}
    for entry in manifest.files:
        path = source / entry.path
        found[entry.path] = _hash_file(path) if path.is_file() and not path.is_symlink() else None
    problems = file_problems(manifest, found)
    if problems:
        lines = "\n  ".join(problems)
        raise BackupError(f"the backup in {source} is damaged, nothing was restored:\n  {lines}")
    return manifest


async def _pg_table_count(url: str) -> int:
    try:
        connection = await asyncpg.connect(url)
    except asyncpg.InvalidCatalogNameError:
        raise BackupError(
            f"the database of TADQIQ_DATABASE_URL does not exist: create it first ({url})"
        ) from None
    except (OSError, asyncpg.PostgresError) as error:
        raise BackupError(f"cannot reach the database of TADQIQ_DATABASE_URL: {error}") from None
    try:
        count: int = await connection.fetchval(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        )
    finally:
        await connection.close()
    return count


def _sqlite_table_count(path: Path) -> int:
    if not path.is_file() or path.stat().st_size == 0:
        return 0
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        row = connection.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a usable SQLite database ({error}): move it away first") from None
    finally:
        connection.close()
    return int(row[0])


def _target_contents(settings: Settings) -> list[str]:
    """What the target already holds, in words (empty: nothing)."""
    held: list[str] = []
    if settings.database_kind == "sqlite":
        tables = _sqlite_table_count(settings.sqlite_path)
        where = str(settings.sqlite_path)
    else:
        tables = asyncio.run(_pg_table_count(settings.database_url))
        where = "the database of TADQIQ_DATABASE_URL"
    if tables:
        held.append(f"{where} already has {tables} table(s)")
    for top in BLOB_DIRS:
        folder = settings.var_dir / top
        if folder.is_dir() and any(p.is_file() for p in folder.rglob("*")):
            held.append(f"{folder} already holds files")
    return held


def _restore_sqlite(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.restoring")
    _copy_hashing(source, temporary)
    # A -wal left by the replaced database would be replayed onto the restored one.
    for suffix in ("-wal", "-shm", "-journal"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    temporary.replace(target)
    _fsync(target.parent)


def _restore_blobs(settings: Settings, source: Path, manifest: Manifest, *, replace: bool) -> int:
    if replace:
        for top in BLOB_DIRS:
            shutil.rmtree(settings.var_dir / top, ignore_errors=True)
    copied = 0
    for entry in manifest.files:
        if is_blob_path(entry.path):
            _copy_hashing(source / entry.path, settings.var_dir / entry.path)
            copied += 1
    return copied


def _certificate_note(settings: Settings, manifest: Manifest) -> str:
    if not manifest.certificate_sha256:
        return "the backup holds no signing certificate"
    pem, _ = _certificate_pem(settings)
    if pem is None:
        return (
            f"no usable signing key at {settings.signing_key_file}: put the organisation's key back there "
            f"(its certificate must have SHA-256 {manifest.certificate_sha256})"
        )
    current = x509.load_pem_x509_certificate(pem).fingerprint(hashes.SHA256()).hex()
    if current != manifest.certificate_sha256:
        return (
            "the configured signing key is not the one of the backup: new reports will be signed by "
            f"another certificate (the backup's has SHA-256 {manifest.certificate_sha256})"
        )
    return "the configured signing key has the backup's certificate"


def restore_backup(settings: Settings, source: Path, *, force: bool = False) -> RestoreSummary:
    """Check the backup in ``source`` and the target, then put the blobs back and the database last."""
    started = time.monotonic()
    manifest = read_verified_manifest(source)
    if manifest.database_kind != settings.database_kind:
        raise BackupError(
            f"the backup holds a {manifest.database_kind} database but TADQIQ_DATABASE_URL names a "
            f"{settings.database_kind} one: nothing was restored"
        )
    held = _target_contents(settings)
    if held and not force:
        raise BackupError(
            "the target is not empty, nothing was restored: " + "; ".join(held) + " (--force replaces it)"
        )
    in_files = manifest.blob_store == "filesystem"
    files = _restore_blobs(settings, source, manifest, replace=force) if in_files else 0
    database = source / manifest.database_file
    if manifest.database_kind == "sqlite":
        _restore_sqlite(database, settings.sqlite_path)
    else:
        args = ("--clean", "--if-exists", "--no-owner", "--single-transaction")
        _run_tool("pg_restore", *args, url=settings.database_url, last=(str(database),))
    summary = RestoreSummary(database_kind=manifest.database_kind, files=files)
    summary.notes.append(blob_store_note(manifest, settings.blob_store, settings.var_dir))
    summary.notes.append(_certificate_note(settings, manifest))
    if manifest.app_version != _app_version():
        summary.notes.append(
            f"the backup was made by version {manifest.app_version}: run `tadqiq migrate` before serving"
        )
    summary.seconds = time.monotonic() - started
    return summary

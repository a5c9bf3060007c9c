"""``tadqiq doctor``: everything an IT admin must set before running Tadqiq for real, checked.

Each check is an async callable taking the :class:`Examination` (the settings, the clock, what was learnt
opening the database) and returning findings; :data:`CHECKS` lists them in the order printed. This
module gathers the facts (I/O); ``doctor_logic`` turns them into findings in words. To add a check
(such as issue 15's signing preflight: chain to the trust roots, OCSP/CRL, TSA), write one more
``async def check_…(exam) -> list[Check]`` and append it to :data:`CHECKS`; a check that raises is
reported as a problem of its own and the others still run.

Run it as the service's user, with the service's settings: whether a folder is writable depends on who
asks (root may write almost anywhere).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import anyio
import asyncpg
from piccolo.apps.migrations.commands.check import CheckMigrationManager
from piccolo.conf.apps import Finder

from server.lib import db
from server.lib.catalogs import REQUIRED_LOCALES
from server.lib.clock import utcnow
from server.system.doctor_logic import (
    Check,
    ClockFacts,
    DatabaseFacts,
    KeyFacts,
    StoreProbe,
    blob_store_check,
    catalog_check,
    clock_check,
    database_checks,
    disk_check,
    exit_code,
    render_json,
    render_text,
    signing_key_checks,
)
from server.system.doctor_settings import SettingsFacts, settings_checks
from server.system.doctor_signing import check_signing_preflight

if TYPE_CHECKING:
    from piccolo.engine.base import Engine

    from server.settings import Settings

__all__ = ["CHECKS", "DoctorCheck", "Examination", "doctor_report", "examine", "release_date"]

Clock = Callable[[], datetime]
_CONNECT_SECONDS = 10.0


@dataclass
class Examination:
    """What every check may use."""

    settings: Settings
    clock: Clock
    """The system clock (tests inject another)."""
    database: DatabaseFacts
    database_now: datetime | None = None
    """PostgreSQL's clock, read when the database was reached."""
    local_at_database_now: datetime | None = None
    """The system clock at that moment (the middle of the round trip)."""


DoctorCheck = Callable[[Examination], Awaitable[list[Check]]]


def _where(settings: Settings) -> str:
    if settings.database_kind == "sqlite":
        return str(settings.sqlite_path)
    parts = urlsplit(settings.database_url)
    if parts.password is None:
        return settings.database_url
    userinfo, _, hostport = parts.netloc.rpartition("@")
    return urlunsplit(parts._replace(netloc=f"{userinfo.partition(':')[0]}@{hostport}"))


def _describe(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return f"no answer within {_CONNECT_SECONDS:.0f} s"
    return str(error) or type(error).__name__


async def _reach_postgres(exam: Examination) -> None:
    """Connect once, with a short timeout (the pool would wait a minute), and read the server's clock."""
    connection = await asyncpg.connect(exam.settings.database_url, timeout=_CONNECT_SECONDS)
    try:
        before = exam.clock()
        exam.database_now = await connection.fetchval("SELECT clock_timestamp()")
        after = exam.clock()
    finally:
        await connection.close()
    exam.local_at_database_now = before + (after - before) / 2


async def _open_database(exam: Examination) -> Engine[Any] | None:
    """Open the configured database (never creating a missing SQLite file), take and release the write
    lock, and list the migrations not applied; the facts land in ``exam.database``."""
    settings = exam.settings
    kind, where = settings.database_kind, _where(settings)
    if kind == "sqlite" and not settings.sqlite_path.is_file():
        exam.database = DatabaseFacts(kind, where, error="there is no such file")
        return None
    engine: Engine[Any] | None = None
    try:
        if kind == "postgresql":
            await _reach_postgres(exam)
        engine = db.make_engine(settings)
        await db.start_engine(engine)
        async with db.write_transaction():
            pass
        state = await db.migration_state()
    except Exception as error:  # whatever stops the database is reported in words, not as a traceback
        exam.database = DatabaseFacts(kind, where, error=_describe(error))
        return engine
    exam.database = DatabaseFacts(kind, where, applied=state.applied, pending=tuple(state.pending))
    return engine


async def check_database(exam: Examination) -> list[Check]:
    return database_checks(exam.database)


# ------------------------------------------------------------------ blob stores


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _writable_folder(path: Path) -> bool:
    """The folder (or, not made yet, its nearest existing parent) can be written by this process:
    access(2) also says no for a read-only mount or an immutable folder, even to root."""
    existing = _nearest_existing(path)
    return existing.is_dir() and os.access(existing, os.W_OK | os.X_OK)


async def check_blob_stores(exam: Examination) -> list[Check]:
    """A probe blob through the configured store (``probe_blob_store``); the filesystem store's folders
    are first checked for writing, since a probe may land in a fan-out folder that happens to be writable."""
    from server.blobs.service import BLOB_FOLDERS, probe_blob_store

    settings = exam.settings
    if settings.blob_store == "database":
        where = "TADQIQ_BLOB_STORE=database: the stored_blob table"
        if not exam.database.usable:
            return [blob_store_check(StoreProbe(where, error="the database is not usable (see above)"))]
    else:
        folders = [settings.var_dir / folder for folder in BLOB_FOLDERS.values()]
        where = f"TADQIQ_BLOB_STORE=filesystem: {', '.join(map(str, folders))}"
        read_only = tuple(str(folder) for folder in folders if not _writable_folder(folder))
        if read_only:
            return [blob_store_check(StoreProbe(where, read_only=read_only))]
    return [blob_store_check(StoreProbe(where, error=await probe_blob_store(settings)))]


# ------------------------------------------------------------------ signing key, catalogs, disk


def _key_facts(settings: Settings) -> KeyFacts:
    from server.reports.keys import SigningKeyError, describe_key_file, key_password

    path = settings.signing_key_file
    if not path.exists():
        return KeyFacts(str(path), missing=True)
    try:
        key = describe_key_file(path, key_password(settings))
    except SigningKeyError as error:
        return KeyFacts(str(path), error=str(error))
    return KeyFacts(
        str(path),
        subject=key.subject,
        self_signed=key.issuer == key.subject,
        demo_passphrase=not settings.signing_key_password,
        not_before=key.not_before,
        not_after=key.not_after,
    )


async def check_signing_key(exam: Examination) -> list[Check]:
    facts = await anyio.to_thread.run_sync(_key_facts, exam.settings)
    return signing_key_checks(facts, exam.clock(), exam.settings.signing_margin_days)


def _mtime(path: Path) -> float | None:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return None


async def check_catalogs(exam: Examination) -> list[Check]:
    found = []
    for locale in REQUIRED_LOCALES:
        folder = exam.settings.locales_dir / locale / "LC_MESSAGES"
        po = folder / "messages.po"
        found.append(catalog_check(locale, _mtime(po), _mtime(folder / "messages.mo"), str(po)))
    return found


async def check_disk(exam: Examination) -> list[Check]:
    folder = _nearest_existing(exam.settings.var_dir)
    free = shutil.disk_usage(folder).free
    return [disk_check(str(exam.settings.var_dir), free, exam.settings.doctor_min_free_mb)]


# ------------------------------------------------------------------ clock


@lru_cache(maxsize=1)
def release_date() -> date:
    """The day of this version's newest migration: the clock of a machine running it cannot be earlier."""
    manager = CheckMigrationManager(app_name="all")
    days: list[date] = []
    for app_config in Finder().get_app_configs():
        modules = manager.get_migration_modules(app_config.resolved_migrations_folder_path)
        days.extend(date.fromisoformat(mid[:10]) for mid in manager.get_migration_ids(modules))
    return max(days)


async def _newest_trail_time() -> datetime | None:
    from server.trail.store import list_entries

    page = await list_entries(entity=None, entity_id=None, since=None, until=None, before_id=None, limit=1)
    return page.items[0].at if page.items else None


async def check_clock(exam: Examination) -> list[Check]:
    newest = await _newest_trail_time() if exam.database.usable else None
    now = exam.local_at_database_now or exam.clock()
    facts = ClockFacts(now=now, release=release_date(), database_now=exam.database_now, newest_stored=newest)
    return [clock_check(facts)]


# ------------------------------------------------------------------ settings


async def _demo_accounts_open(settings: Settings) -> tuple[str, ...]:
    """Active accounts of the demo organisation that the demo password (configured or default) opens."""
    from server.auth.logic import make_hasher, verify_password
    from server.auth.store import login_candidate
    from server.demo.loader import read_demo
    from server.settings import Settings as DefaultSettings

    passwords = sorted({settings.demo_password, DefaultSettings().demo_password} - {""})
    hasher = make_hasher(settings.argon2_time_cost, settings.argon2_memory_kib)
    found = []
    for person in read_demo().people:
        account = await login_candidate(person.username)
        if account is None or not account.active:
            continue
        for password in passwords:
            if await anyio.to_thread.run_sync(verify_password, hasher, account.password_hash, password):
                found.append(account.username)
                break
    return tuple(found)


async def check_settings(exam: Examination) -> list[Check]:
    settings = exam.settings
    facts = SettingsFacts(
        host=settings.host,
        public_base_url=settings.public_base_url,
        trusted_proxies=settings.trusted_proxies,
        workers=settings.workers,
        database_kind=settings.database_kind,
        demo_accounts_open=await _demo_accounts_open(settings) if exam.database.usable else None,
    )
    return settings_checks(facts)


CHECKS: tuple[DoctorCheck, ...] = (
    check_database,
    check_blob_stores,
    check_signing_key,
    check_signing_preflight,
    check_catalogs,
    check_clock,
    check_disk,
    check_settings,
)
"""Every check, in the order printed (the database first: the others read what it found)."""


async def _run_check(check: DoctorCheck, exam: Examination) -> list[Check]:
    try:
        return await check(exam)
    except Exception as error:  # one broken check must not hide what the others found
        name = getattr(check, "__name__", "check").removeprefix("check_").replace("_", " ")
        message = f"the check itself failed: {type(error).__name__}: {error}"
        return [Check(name, False, message, "report this output to whoever maintains Tadqiq")]


async def examine(
    settings: Settings, *, clock: Clock = utcnow, checks: tuple[DoctorCheck, ...] = CHECKS
) -> list[Check]:
    """Every finding about the installation ``settings`` describe, in the order of ``checks``."""
    exam = Examination(settings, clock, DatabaseFacts(settings.database_kind, _where(settings)))
    engine = await _open_database(exam)
    try:
        return [finding for check in checks for finding in await _run_check(check, exam)]
    finally:
        if engine is not None:
            with contextlib.suppress(Exception):
                await db.stop_engine(engine)


async def doctor_report(
    settings: Settings, *, as_json: bool = False, clock: Clock = utcnow
) -> tuple[int, str]:
    """The command's exit code (1 on any problem) and what it prints."""
    checks = await examine(settings, clock=clock)
    return exit_code(checks), render_json(checks) if as_json else render_text(checks)

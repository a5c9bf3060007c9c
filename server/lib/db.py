"""The one database engine of the process, its write transactions and its migrations.

SQLite allows one writer at a time. Writes run in ``BEGIN IMMEDIATE`` so a transaction takes the
write lock before it reads anything (never "database is locked" half-way through), and within the
process writers first queue on a first-come, first-served lock, so only one of them at a time asks
SQLite for the write lock. SQLite's own busy handler (the busy timeout) only arbitrates between
processes (the server and a CLI command): it polls with growing sleeps, so writers left to it alone
got through in random order, some at once and some after ten seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import sqlite3
import time
import uuid
import weakref
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast

import aiosqlite
from piccolo.apps.migrations.commands.check import CheckMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration
from piccolo.conf.apps import Finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import (
    SQLiteEngine,
    SQLiteTransaction,
    TransactionType,
    convert_datetime_in,
    dict_factory,
)

from server.lib import metrics
from server.lib.errors import AppError, ErrorCode

if TYPE_CHECKING:
    from piccolo.engine.base import Engine
    from piccolo.table import Table

    from server.settings import Settings

__all__ = [
    "MigrationState",
    "TadqiqSQLiteEngine",
    "code_is_free",
    "current_engine",
    "executemany",
    "fetch",
    "is_busy_error",
    "make_engine",
    "migrate",
    "migration_state",
    "start_engine",
    "stop_engine",
    "timestamp_param",
    "use_engine",
    "write_transaction",
]

os.environ.setdefault("PICCOLO_CONF", "server.piccolo_conf")

_engine: Engine[Any] | None = None


class _ClosingSQLiteTransaction(SQLiteTransaction):
    """Piccolo's SQLite transaction, plus two things.

    An ``IMMEDIATE`` (write) transaction first waits its turn in the engine's writer queue and holds
    its place until COMMIT or ROLLBACK; a nested one joins its parent without queuing again.
    And the connection goes back to the pool (or is closed), and the queue place is given up, even when
    BEGIN or COMMIT fails or the task is cancelled: upstream leaks the aiosqlite connection (and its
    thread) when ``BEGIN IMMEDIATE`` times out, which keeps the process alive at exit.
    """

    __slots__ = ("_queue_place",)

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        engine = cast("TadqiqSQLiteEngine", self.engine)
        self._queue_place: asyncio.Lock | None = None
        waiting_since = time.perf_counter()
        if self.transaction_type is TransactionType.immediate:
            place = engine.writer_queue()
            await place.acquire()
            self._queue_place = place
        try:
            self.connection = await self.get_connection()  # type: ignore[no-untyped-call]
            try:
                await self.begin()  # type: ignore[no-untyped-call]
                if self._queue_place is not None:  # BEGIN IMMEDIATE returned: the write lock is held
                    metrics.observe_write_wait(time.perf_counter() - waiting_since)
            except BaseException:
                await engine.release_connection(self.connection, healthy=False)
                raise
        except BaseException:
            self._leave_queue()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        healthy = False
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()  # type: ignore[no-untyped-call]
            elif not self._committed and not self._rolled_back:
                await self.commit()  # type: ignore[no-untyped-call]
            healthy = True
        finally:
            try:
                await cast("TadqiqSQLiteEngine", self.engine).release_connection(
                    self.connection, healthy=healthy
                )
            finally:
                self.engine.current_transaction.reset(self.context)
                self._leave_queue()
        return exception is None

    def _leave_queue(self) -> None:
        place, self._queue_place = self._queue_place, None
        if place is not None:
            place.release()


class TadqiqSQLiteEngine(SQLiteEngine):
    """SQLite with reused connections: Piccolo opens a connection (and a thread) per query, which was
    the largest cost of a simple authenticated read. Idle connections wait in a small pool."""

    _POOL_SIZE = 8

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._idle: list[Any] = []
        self._writer_queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    def writer_queue(self) -> asyncio.Lock:
        """The running event loop's writer queue: an asyncio lock, which wakes its waiters in arrival
        order and lets a newcomer pass only when nobody waits. One per loop, because an asyncio lock
        belongs to one loop and tests drive the same engine from more than one."""
        loop = asyncio.get_running_loop()
        queue = self._writer_queues.get(loop)
        if queue is None:
            queue = self._writer_queues[loop] = asyncio.Lock()
        return queue

    async def get_connection(self) -> Any:
        while self._idle:
            connection = self._idle.pop()
            if not connection.in_transaction:
                return connection
            await connection.close()
        return await self._open_connection()

    async def _open_connection(self) -> Any:
        """Piccolo's connection setup, with the worker thread made a daemon before it starts: an idle
        pooled connection must never keep a process alive at exit (a script or the ``piccolo`` command
        that never calls stop_engine). SQLite's WAL makes an exit mid-write safe anyway."""
        pending = aiosqlite.connect(**self.connection_kwargs)
        worker = getattr(pending, "_thread", None)
        if worker is not None:
            worker.daemon = True
        connection = await pending
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await connection.execute("PRAGMA foreign_keys = 1")
        return connection

    async def release_connection(self, connection: Any, *, healthy: bool = True) -> None:
        if healthy and not connection.in_transaction and len(self._idle) < self._POOL_SIZE:
            self._idle.append(connection)
        else:
            await connection.close()

    async def close_idle_connections(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.close()

    async def _run_in_new_connection(
        self, query: str, args: list[Any] | None = None, query_type: str = "generic", table: Any = None
    ) -> Any:
        connection = await self.get_connection()
        healthy = False
        try:
            rows = await connection.execute_fetchall(query, args or [])
            healthy = True
            return rows
        finally:
            await self.release_connection(connection, healthy=healthy)

    async def _run_in_existing_connection(
        self,
        connection: Any,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        # Upstream repeats ``PRAGMA foreign_keys = 1`` before every statement of a transaction; our
        # connections got it when opened (get_connection). And it runs execute, fetchall and close as
        # three trips to the connection's thread, each waiting for a turn of a busy event loop while
        # the write lock is held: execute_fetchall is one trip.
        return await connection.execute_fetchall(query, args or [])

    def transaction(
        self, transaction_type: TransactionType = TransactionType.deferred, allow_nested: bool = True
    ) -> SQLiteTransaction:
        return _ClosingSQLiteTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )


def make_engine(settings: Settings) -> Engine[Any]:
    if settings.database_kind == "postgresql":
        return PostgresEngine(config={"dsn": settings.database_url})
    path = settings.sqlite_path
    path.parent.mkdir(parents=True, exist_ok=True)
    return TadqiqSQLiteEngine(path=str(path), timeout=float(settings.sqlite_busy_timeout_seconds))


def _all_tables() -> list[type[Table]]:
    tables: list[type[Table]] = [Migration]
    for app_config in Finder().get_app_configs():
        tables.extend(app_config.table_classes)
    return tables


def use_engine(engine: Engine[Any]) -> None:
    """Make ``engine`` the process engine: Piccolo's config, every table and our transactions use it."""
    global _engine
    from server import piccolo_conf

    piccolo_conf.DB = engine
    for table in _all_tables():
        table._meta.db = engine
    _engine = engine


def current_engine() -> Engine[Any]:
    if _engine is None:
        from server import piccolo_conf

        use_engine(piccolo_conf.DB)
    if _engine is None:
        raise RuntimeError("no database engine configured")
    return _engine


async def start_engine(engine: Engine[Any]) -> None:
    use_engine(engine)
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=10)
    else:
        # WAL lets readers go on while one writer writes; the setting is stored in the file.
        await engine.run_ddl("PRAGMA journal_mode=WAL")


async def stop_engine(engine: Engine[Any]) -> None:
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()
    elif isinstance(engine, TadqiqSQLiteEngine):
        await engine.close_idle_connections()


def write_transaction() -> Any:
    """A transaction for a unit of work that writes; nested calls join the outer one. On SQLite it
    waits its turn behind the process's other writers (first come, first served) before BEGIN."""
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


def _placeholders_for(engine: Engine[Any], sql: str) -> str:
    if isinstance(engine, SQLiteEngine):
        return sql
    parts = sql.split("?")
    return "".join(
        part + (f"${index}" if index < len(parts) else "") for index, part in enumerate(parts, start=1)
    )


async def executemany(sql: str, rows: list[tuple[Any, ...]]) -> None:
    """Run one statement for many rows on the current write transaction's connection.

    For hot paths only (the profile of a 1,000-finding push showed Piccolo building one ``Table``
    object and query string per row as 75% of the time). Write ``?`` placeholders; values go through
    the same adapters Piccolo registers, so what is written reads back the same through Piccolo.
    """
    engine = current_engine()
    transaction = engine.current_transaction.get()
    if transaction is None:
        raise RuntimeError("executemany must run inside write_transaction()")
    if rows:
        await transaction.connection.executemany(_placeholders_for(engine, sql), rows)


def timestamp_param(value: datetime | None) -> Any:
    """A timestamp for :func:`executemany`: on SQLite the exact text Piccolo's adapter would store,
    computed here because sqlite3's adapter lookup cost ~4.5 µs per value (9 ms per 1,000 findings)."""
    if value is None or not isinstance(current_engine(), SQLiteEngine):
        return value
    return convert_datetime_in(value)


async def fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Rows of one raw query on the current write transaction's connection (hot paths only, as above).

    Values are the driver's: on PostgreSQL a uuid column comes back as ``uuid.UUID``, on SQLite as text.
    """
    engine = current_engine()
    transaction = engine.current_transaction.get()
    if transaction is None:
        raise RuntimeError("fetch must run inside write_transaction()")
    if isinstance(engine, SQLiteEngine):
        rows = await transaction.connection.execute_fetchall(sql, params)
        return [tuple(row.values()) if isinstance(row, dict) else tuple(row) for row in rows]
    return [tuple(row) for row in await transaction.connection.fetch(_placeholders_for(engine, sql), *params)]


def is_busy_error(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


async def migrate() -> str:
    """Apply every pending migration of every app; running it again changes nothing."""
    current_engine()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = await run_forwards("all")
    if not result.success:
        raise RuntimeError(f"migration failed: {result.message}\n{out.getvalue()}")
    return out.getvalue()


class MigrationState:
    __slots__ = ("applied", "pending")

    def __init__(self, applied: int, pending: list[str]) -> None:
        self.applied = applied
        self.pending = pending


@lru_cache(maxsize=1)
def _shipped_migrations() -> frozenset[tuple[str, str]]:
    """(app, migration id) of every migration file shipped with this version (read once)."""
    manager = CheckMigrationManager(app_name="all")
    shipped: set[tuple[str, str]] = set()
    for app_config in Finder().get_app_configs():
        modules = manager.get_migration_modules(app_config.resolved_migrations_folder_path)
        shipped.update((app_config.app_name, mid) for mid in manager.get_migration_ids(modules))
    return frozenset(shipped)


async def migration_state() -> MigrationState:
    """Applied and pending migrations, from one query against Piccolo's migration table."""
    current_engine()
    if not await Migration.table_exists().run():
        applied_rows: list[dict[str, Any]] = []
    else:
        applied_rows = await Migration.select(Migration.app_name, Migration.name).run()
    applied = {(row["app_name"], row["name"]) for row in applied_rows}
    shipped = _shipped_migrations()
    return MigrationState(
        applied=len(shipped & applied),
        pending=sorted(f"{app}:{mid}" for app, mid in shipped - applied),
    )


async def code_is_free(table: type[Table], code: str, own_id: str | None) -> None:
    """409 ``org.code_taken`` when another row of ``table`` already uses ``code`` (``own_id`` excluded)."""
    column = table._meta.get_column_by_name("code")
    query = table.exists().where(column == code)
    if own_id is not None:
        query = table.exists().where((column == code) & (table._meta.primary_key != uuid.UUID(own_id)))
    if await query.run():
        raise AppError(ErrorCode.CODE_TAKEN, details={"field": "code", "code": code})

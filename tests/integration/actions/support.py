"""Reading and writing the database behind the API's back, for tests that run the app in its own
event loop (the test client's): a second engine, started in the test's loop for the time of one call,
so a PostgreSQL pool is never shared between loops."""

from __future__ import annotations

import uuid
from contextlib import asynccontextmanager
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from server.actions import store
from server.actions.model import Nonconformity, Severity
from server.lib import db

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from server.settings import Settings

__all__ = ["behind_the_back", "open_record", "query"]


@asynccontextmanager
async def behind_the_back(settings: Settings) -> AsyncIterator[None]:
    """Piccolo and the stores on a fresh engine of the test's loop, then back to the app's engine."""
    previous = db.current_engine()
    engine = db.make_engine(settings)
    await db.start_engine(engine)
    try:
        yield
    finally:
        await db.stop_engine(engine)
        db.use_engine(previous)


async def query(settings: Settings, sql: str, *args: Any) -> list[dict[str, Any]]:
    """Rows of a raw query (``{}`` placeholders), read directly from the database."""
    from server.actions.tables import Nonconformity as NcRow

    async with behind_the_back(settings):
        return list(await NcRow.raw(sql, *args).run())


async def open_record(
    settings: Settings,
    audit_id: str,
    unit_id: str,
    finding_id: str | None = None,
    *,
    opened: date | None = None,
) -> str:
    """A fresh minor nonconformity record of ``audit_id`` answered by ``unit_id``; its id."""
    on = opened or date.today()  # noqa: DTZ011 - a test date, local like the server's
    nc = Nonconformity(
        id=str(uuid.uuid4()),
        audit_id=audit_id,
        finding_id=finding_id or str(uuid.uuid4()),
        severity=Severity.MINOR,
        unit_id=unit_id,
        clauses=("iso9001:8.5.1",),
        opened_on=on,
        plan_due=on + timedelta(days=30),
        close_due=on + timedelta(days=180),
    )
    async with behind_the_back(settings):
        assert await store.insert(nc)
    return nc.id

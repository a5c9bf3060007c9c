"""The app with ``TADQIQ_BLOB_STORE=database``, on each database kind: the demo's files (attachments and
issued reports, stored as files by the template) moved into the database first, their folders left
empty, so anything still reading the filesystem would find nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.blobs.service import move_blobs
from server.lib import db
from server.settings import Settings
from tests.integration.blobs.support import files_under


@pytest.fixture
async def in_database(settings: Settings) -> Settings:
    engine = db.make_engine(settings)
    await db.start_engine(engine)
    try:
        move = await move_blobs(settings, "database")
    finally:
        await db.stop_engine(engine)
    assert move.moved["attachments"] > 0 and move.moved["reports"] > 0 and not move.damaged
    assert files_under(settings.var_dir) == {}
    return replace(settings, blob_store="database")


@pytest.fixture
async def database_client(in_database: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(app=create_app(in_database)) as test_client:
        yield test_client

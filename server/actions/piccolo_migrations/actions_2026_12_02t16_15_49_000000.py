"""Indexes over several columns (Piccolo declares none): records listed by unit and status, and one
action or verification per record and position (two writers cannot both append the same verification).
Raw SQL, in a migration of its own so that it runs after the tables exist."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-02T16:15:49:000000"
VERSION = "1.38.0"
DESCRIPTION = "nonconformity (unit_id, status); nc_action and nc_verification (nonconformity, position) unique"

_INDEXES = {
    "nonconformity_unit_status": "CREATE INDEX nonconformity_unit_status ON nonconformity (unit_id, status)",
    "nc_action_position": "CREATE UNIQUE INDEX nc_action_position ON nc_action (nonconformity, position)",
    "nc_verification_position": (
        "CREATE UNIQUE INDEX nc_verification_position ON nc_verification (nonconformity, position)"
    ),
}


async def _run(sql: str) -> None:
    engine = engine_finder()
    if engine is None:
        raise RuntimeError("no database engine")
    await engine.run_ddl(sql)


async def _forwards() -> None:
    for sql in _INDEXES.values():
        await _run(sql)


async def _backwards() -> None:
    for name in _INDEXES:
        await _run(f"DROP INDEX IF EXISTS {name}")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="actions", description=DESCRIPTION)
    manager.add_raw(_forwards)
    manager.add_raw_backwards(_backwards)
    return manager

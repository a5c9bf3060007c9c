"""An entry is unique per programme, process and occurrence: two solves at once cannot both add the
first audit of a process. Raw SQL (Piccolo declares no index over several columns), in a migration of
its own so that it runs after the table exists."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-02T11:57:44:000000"
VERSION = "1.38.0"
DESCRIPTION = "programme_entry: (programme, process_id, occurrence) unique"

_UNIQUE = (
    "CREATE UNIQUE INDEX programme_entry_process_occurrence "
    "ON programme_entry (programme, process_id, occurrence)"
)
_UNIQUE_VERSION = "CREATE UNIQUE INDEX programme_version_number ON programme_version (programme, number)"


async def _run(sql: str) -> None:
    engine = engine_finder()
    if engine is None:
        raise RuntimeError("no database engine")
    await engine.run_ddl(sql)


async def _forwards() -> None:
    await _run(_UNIQUE)
    await _run(_UNIQUE_VERSION)


async def _backwards() -> None:
    await _run("DROP INDEX IF EXISTS programme_entry_process_occurrence")
    await _run("DROP INDEX IF EXISTS programme_version_number")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="programme", description=DESCRIPTION)
    manager.add_raw(_forwards)
    manager.add_raw_backwards(_backwards)
    return manager

"""(entity, record_id, rev) of record_version becomes unique: one version per revision of a meeting or a
conclusion. Raw SQL (Piccolo declares no index over several columns), in a migration of its own so that
it runs after the table exists."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-02T05:36:29:000000"
VERSION = "1.38.0"
DESCRIPTION = "record_version: (entity, record_id, rev) unique"

_UNIQUE = "CREATE UNIQUE INDEX record_version_entity_record_rev ON record_version (entity, record_id, rev)"


async def _unique_versions() -> None:
    engine = engine_finder()
    if engine is None:
        raise RuntimeError("no database engine")
    await engine.run_ddl(_UNIQUE)


async def _drop_unique_versions() -> None:
    engine = engine_finder()
    if engine is None:
        raise RuntimeError("no database engine")
    await engine.run_ddl("DROP INDEX IF EXISTS record_version_entity_record_rev")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sync", description=DESCRIPTION)
    manager.add_raw(_unique_versions)
    manager.add_raw_backwards(_drop_unique_versions)
    return manager

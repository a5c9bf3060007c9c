"""(report_id, revision) of report_revision becomes unique: two renewals of one report at once cannot both
write the same revision. Raw SQL (Piccolo declares no index over several columns), in a migration of its
own so that it runs after the table exists."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-02T22:20:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "report_revision: (report_id, revision) unique"

_UNIQUE = "CREATE UNIQUE INDEX report_revision_report_revision ON report_revision (report_id, revision)"


async def _unique_revisions() -> None:
    engine = engine_finder()
    if engine is None:
        raise RuntimeError("no database engine")
    await engine.run_ddl(_UNIQUE)


async def _drop_unique_revisions() -> None:
    engine = engine_finder()
    if engine is None:
        raise RuntimeError("no database engine")
    await engine.run_ddl("DROP INDEX IF EXISTS report_revision_report_revision")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reports", description=DESCRIPTION)
    manager.add_raw(_unique_revisions)
    manager.add_raw_backwards(_drop_unique_revisions)
    return manager

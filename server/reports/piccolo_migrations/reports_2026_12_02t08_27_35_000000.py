"""(audit_id, lang, version) of issued_report becomes unique: two leads issuing at once cannot both
write version 2. Raw SQL (Piccolo declares no index over several columns), in a migration of its own so
that it runs after the table exists."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-02T08:27:35:000000"
VERSION = "1.38.0"
DESCRIPTION = "issued_report: (audit_id, lang, version) unique"

_UNIQUE = "CREATE UNIQUE INDEX issued_report_audit_lang_version ON issued_report (audit_id, lang, version)"


async def _unique_versions() -> None:
    engine = engine_finder()
    if engine is None:
        raise RuntimeError("no database engine")
    await engine.run_ddl(_UNIQUE)


async def _drop_unique_versions() -> None:
    engine = engine_finder()
    if engine is None:
        raise RuntimeError("no database engine")
    await engine.run_ddl("DROP INDEX IF EXISTS issued_report_audit_lang_version")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reports", description=DESCRIPTION)
    manager.add_raw(_unique_versions)
    manager.add_raw_backwards(_drop_unique_versions)
    return manager

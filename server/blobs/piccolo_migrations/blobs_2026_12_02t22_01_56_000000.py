"""(namespace, sha256) of stored_blob becomes unique: one row per blob, and the key an INSERT ... ON
CONFLICT DO NOTHING names, so of concurrent puts of one blob exactly one creates it. Raw SQL (SQLite cannot
add a constraint to a table), in a migration of its own so that it runs after the table exists."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-02T22:01:56:000000"
VERSION = "1.38.0"
DESCRIPTION = "stored_blob: (namespace, sha256) unique"

_UNIQUE = "CREATE UNIQUE INDEX stored_blob_namespace_sha256 ON stored_blob (namespace, sha256)"


async def _unique_keys() -> None:
    engine = engine_finder()
    if engine is None:
        raise RuntimeError("no database engine")
    await engine.run_ddl(_UNIQUE)


async def _drop_unique_keys() -> None:
    engine = engine_finder()
    if engine is None:
        raise RuntimeError("no database engine")
    await engine.run_ddl("DROP INDEX IF EXISTS stored_blob_namespace_sha256")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="blobs", description=DESCRIPTION)
    manager.add_raw(_unique_keys)
    manager.add_raw_backwards(_drop_unique_keys)
    return manager

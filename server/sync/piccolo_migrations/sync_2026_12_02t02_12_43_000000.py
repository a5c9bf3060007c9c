"""Every finding made before finding_version existed gets its current state as its first recorded
version, so its history is never empty; (finding_id, rev) becomes unique.

Raw SQL, one statement per engine: the content is built as the push writes it (the wire's camelCase
fields), and a SQLite time stored without a zone is read as UTC, as PostgreSQL stores it.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-02T02:12:43:000000"
VERSION = "1.38.0"
DESCRIPTION = "finding_version: the current state of every existing finding as its version"

_COLUMNS = (
    "finding_id, audit_id, rev, deleted, content, author_user_id, author_username, device_id, "
    "client_updated_at, recorded_at, seq"
)
_ZONED = (
    "CASE WHEN client_updated_at IS NULL THEN NULL "
    "WHEN substr(client_updated_at, -6, 1) IN ('+', '-') THEN client_updated_at "
    "ELSE client_updated_at || '+00:00' END"
)
_COPY_SQLITE = f"""
INSERT INTO finding_version ({_COLUMNS})
SELECT id, audit_id, rev, deleted,
    json_object(
        'verdict', verdict, 'questionId', question_id, 'statement', statement, 'evidence', evidence,
        'clauseRefs', json(clause_refs), 'processId', process_id, 'unitId', unit_id, 'siteId', site_id,
        'auditeeResponse', auditee_response, 'attachments', json(attachments),
        'clientUpdatedAt', {_ZONED}
    ),
    author_user_id, author_username, device_id,
    CASE WHEN deleted THEN NULL ELSE {_ZONED} END,
    updated_at, seq
FROM finding
"""
_COPY_POSTGRES = f"""
INSERT INTO finding_version ({_COLUMNS})
SELECT id, audit_id, rev, deleted,
    json_build_object(
        'verdict', verdict, 'questionId', question_id, 'statement', statement, 'evidence', evidence,
        'clauseRefs', clause_refs::json, 'processId', process_id, 'unitId', unit_id, 'siteId', site_id,
        'auditeeResponse', auditee_response, 'attachments', attachments::json,
        'clientUpdatedAt', client_updated_at
    ),
    author_user_id, author_username, device_id,
    CASE WHEN deleted THEN NULL ELSE client_updated_at END,
    updated_at, seq
FROM finding
"""
_UNIQUE = "CREATE UNIQUE INDEX finding_version_finding_rev ON finding_version (finding_id, rev)"


async def _copy_current_states() -> None:
    engine = engine_finder()
    if engine is None:
        raise RuntimeError("no database engine")
    await engine.run_ddl(_COPY_SQLITE if engine.engine_type == "sqlite" else _COPY_POSTGRES)
    await engine.run_ddl(_UNIQUE)


async def _drop_copies() -> None:
    engine = engine_finder()
    if engine is None:
        raise RuntimeError("no database engine")
    await engine.run_ddl("DROP INDEX IF EXISTS finding_version_finding_rev")
    await engine.run_ddl("DELETE FROM finding_version")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sync", description=DESCRIPTION)
    manager.add_raw(_copy_current_states)
    manager.add_raw_backwards(_drop_copies)
    return manager

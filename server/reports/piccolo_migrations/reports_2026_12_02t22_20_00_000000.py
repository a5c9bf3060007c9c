"""report_revision: every stored revision of an issued PDF (a timestamp renewal makes a new one). After
2026-12-02T22:10:44 (issued_report.configured_level), which it does not depend on."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import UUID, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.defaults.uuid import UUID4
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T22:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "report_revision: the stored revisions of issued PDFs (timestamp renewals)"

_TABLE = {"table_class_name": "ReportRevision", "tablename": "report_revision", "schema": None}


def _params(**overrides: object) -> dict[str, object]:
    params: dict[str, object] = {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    params.update(overrides)
    return params


_COLUMNS = [
    ("id", UUID, _params(default=UUID4(), primary_key=True)),
    ("report_id", UUID, _params(default=UUID4(), index=True)),
    ("revision", Integer, _params(default=0)),
    ("sha256", Varchar, _params(length=64, default="", unique=True)),
    ("size", Integer, _params(default=0)),
    ("made_at", Timestamptz, _params(default=TimestamptzNow())),
    ("made_by", Varchar, _params(length=16, default="")),
    ("authority", Varchar, _params(length=200, default="")),
    ("timestamp_expires_at", Timestamptz, _params(default=None, null=True)),
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="reports", description=DESCRIPTION)
    manager.add_table(class_name="ReportRevision", tablename="report_revision", schema=None, columns=None)
    for name, column_class, params in _COLUMNS:
        manager.add_column(
            table_class_name=_TABLE["table_class_name"],
            tablename=_TABLE["tablename"],
            column_name=name,
            db_column_name=name,
            column_class_name=column_class.__name__,
            column_class=column_class,
            params=params,
            schema=None,
        )
    return manager

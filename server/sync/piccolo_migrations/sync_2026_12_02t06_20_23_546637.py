from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-02T06:20:23:546637"
VERSION = "1.38.0"
DESCRIPTION = (
    "finding.photos_taken_at: when each attached photo was taken (the tablet strips EXIF); existing "
    "findings get an empty object"
)


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="sync", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Finding",
        tablename="finding",
        column_name="photos_taken_at",
        db_column_name="photos_taken_at",
        column_class_name="JSON",
        column_class=JSON,
        params={
            "default": "{}",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager

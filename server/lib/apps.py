"""The Piccolo app of a domain: its tables module and its migrations folder, by convention."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

__all__ = ["domain_app"]


def domain_app(name: str) -> AppConfig:
    """``server/<name>/tables.py`` and ``server/<name>/piccolo_migrations/`` as one Piccolo app."""
    return AppConfig(
        app_name=name,
        migrations_folder_path=str(Path(__file__).parents[1] / name / "piccolo_migrations"),
        table_classes=table_finder(modules=[f"server.{name}.tables"], exclude_imported=True),
        migration_dependencies=[],
        commands=[],
    )

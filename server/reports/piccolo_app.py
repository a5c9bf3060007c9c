"""Piccolo app of the reports domain: its tables and migrations."""

from __future__ import annotations

from piccolo.conf.apps import table_finder

from server.lib.apps import domain_app

__all__ = ["APP_CONFIG"]

APP_CONFIG = domain_app("reports")
# The revisions of issued PDFs (timestamp renewals) have their own module beside tables.py.
APP_CONFIG.table_classes.extend(
    table_finder(modules=["server.reports.revision_tables"], exclude_imported=True)
)

"""Piccolo configuration: the engine is chosen from settings (SQLite file or PostgreSQL URL)."""

from __future__ import annotations

from piccolo.conf.apps import AppRegistry

from server.domains import piccolo_apps
from server.lib.db import make_engine
from server.settings import load_settings

__all__ = ["APP_REGISTRY", "DB"]

DB = make_engine(load_settings())

APP_REGISTRY = AppRegistry(apps=piccolo_apps())

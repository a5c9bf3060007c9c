"""Piccolo app of the blobs domain: its table and migrations."""

from __future__ import annotations

from server.lib.apps import domain_app

__all__ = ["APP_CONFIG"]

APP_CONFIG = domain_app("blobs")

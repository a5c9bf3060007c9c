"""Reports API (being built)."""

from __future__ import annotations

from litestar import Controller

__all__ = ["CONTROLLERS"]

CONTROLLERS: list[type[Controller]] = []

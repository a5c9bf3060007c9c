"""The routes of nonconformities and corrective actions (none yet: the storage comes first)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from litestar import Controller

__all__ = ["CONTROLLERS"]

CONTROLLERS: list[type[Controller]] = []

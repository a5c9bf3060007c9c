"""Audit-trail entries on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from server.lib.structs import ApiOut

__all__ = ["TrailEntryOut", "TrailPage"]


class TrailEntryOut(ApiOut):
    id: int
    at: datetime
    actor_user_id: str | None
    actor_username: str
    action: str
    entity: str
    entity_id: str
    changes: dict[str, list[Any]]


class TrailPage(ApiOut):
    items: list[TrailEntryOut]
    next_before_id: int | None

"""Writing and reading the audit trail (the only module that touches its table)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from server.lib.clock import utcnow
from server.trail.logic import changed_fields
from server.trail.schemas import TrailEntryOut, TrailPage
from server.trail.tables import TrailEntry

if TYPE_CHECKING:
    from server.lib.principal import Principal

__all__ = ["list_entries", "record_change"]


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


async def record_change(
    actor: Principal | None,
    action: str,
    entity: str,
    entity_id: str,
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
) -> None:
    """Write one trail row; call it inside the transaction that makes the change."""
    await TrailEntry.insert(
        TrailEntry(
            at=utcnow(),
            actor_user_id=actor.user_id if actor else None,
            actor_username=actor.username if actor else "system",
            action=action,
            entity=entity,
            entity_id=entity_id,
            changes=json.dumps(changed_fields(_jsonable(before), _jsonable(after)), ensure_ascii=False),
        )
    ).run()


async def list_entries(
    *,
    entity: str | None,
    entity_id: str | None,
    actor: str | None = None,
    since: datetime | None,
    until: datetime | None,
    before_id: int | None,
    limit: int,
) -> TrailPage:
    query = TrailEntry.select().order_by(TrailEntry.id, ascending=False).limit(limit + 1)
    conditions = []
    if entity:
        conditions.append(TrailEntry.entity == entity)
    if entity_id:
        conditions.append(TrailEntry.entity_id == entity_id)
    if actor:
        conditions.append(TrailEntry.actor_username == actor)
    if since:
        conditions.append(TrailEntry.at >= since)
    if until:
        conditions.append(TrailEntry.at < until)
    if before_id:
        conditions.append(TrailEntry.id < before_id)
    if conditions:
        query = query.where(*conditions)
    rows = await query.run()
    items = [
        TrailEntryOut(
            id=row["id"],
            at=row["at"],
            actor_user_id=str(row["actor_user_id"]) if row["actor_user_id"] else None,
            actor_username=row["actor_username"],
            action=row["action"],
            entity=row["entity"],
            entity_id=row["entity_id"],
            changes=json.loads(row["changes"]) if isinstance(row["changes"], str) else row["changes"],
        )
        for row in rows[:limit]
    ]
    return TrailPage(items=items, next_before_id=items[-1].id if len(rows) > limit else None)

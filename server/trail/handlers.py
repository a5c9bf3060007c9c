"""Reading the audit trail (admins and the audit lead)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, get
from litestar.params import FromQuery, QueryParameter

from server.auth.policy import CAN_READ_TRAIL
from server.trail import store
from server.trail.schemas import TrailPage

__all__ = ["CONTROLLERS", "TrailController"]


class TrailController(Controller):
    path = "/api/v1/audit-trail"
    tags = ["audit trail"]

    @get("/", operation_id="listAuditTrail", guards=[CAN_READ_TRAIL])
    async def list_trail(
        self,
        entity: Annotated[str | None, QueryParameter(max_length=40)] = None,
        entity_id: Annotated[str | None, QueryParameter(name="entityId", max_length=64)] = None,
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
        before_id: Annotated[int | None, QueryParameter(name="beforeId", ge=1, le=2**62)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> TrailPage:
        """Changes, newest first; filter by entity, entity id and time; page with ``beforeId``."""
        return await store.list_entries(
            entity=entity, entity_id=entity_id, since=since, until=until, before_id=before_id, limit=limit
        )


CONTROLLERS: list[type[Controller]] = [TrailController]

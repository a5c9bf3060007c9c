"""Reading the audit trail (admins and the audit lead)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import QueryParameter

from server.auth.policy import CAN_READ_TRAIL
from server.lib.validation import parse_date_time
from server.trail import store
from server.trail.schemas import TrailPage

__all__ = ["CONTROLLERS", "TrailController"]

# Taken as text and parsed strictly: Litestar's lax conversion reads "1" as a Unix time and accepts a
# time without offset.
Instant = Annotated[
    str | None,
    QueryParameter(format="date-time", max_length=40, description="RFC 3339, e.g. 2026-03-01T08:00:00Z"),
]


# Digits as text: Litestar's lax conversion reads "null" as absent for an int | None parameter.
BeforeId = Annotated[
    str | None,
    QueryParameter(
        name="beforeId",
        pattern=r"^[1-9][0-9]{0,17}$",
        description="the nextBeforeId of the previous page: entries older than this id",
    ),
]


class TrailController(Controller):
    path = "/api/v1/audit-trail"
    tags = ["audit trail"]

    @get("/", operation_id="listAuditTrail", guards=[CAN_READ_TRAIL])
    async def list_trail(
        self,
        entity: Annotated[str | None, QueryParameter(max_length=40)] = None,
        entity_id: Annotated[str | None, QueryParameter(name="entityId", max_length=64)] = None,
        actor: Annotated[
            str | None, QueryParameter(max_length=64, description="the user name of who made the change")
        ] = None,
        since: Instant = None,
        until: Instant = None,
        before_id: BeforeId = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> TrailPage:
        """Changes, newest first; filter by entity, entity id, the person who made them (``actor``, a user
        name as it was then) and time (``since`` included, ``until`` excluded); page with ``beforeId``."""
        return await store.list_entries(
            entity=entity,
            entity_id=entity_id,
            actor=actor,
            since=parse_date_time(since, "since") if since is not None else None,
            until=parse_date_time(until, "until") if until is not None else None,
            before_id=int(before_id) if before_id is not None else None,
            limit=limit,
        )


CONTROLLERS: list[type[Controller]] = [TrailController]

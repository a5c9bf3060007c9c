"""The audit trail: one row per change made through the API."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, BigSerial, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["TrailEntry"]


class TrailEntry(Table, tablename="trail_entry"):
    id = BigSerial(primary_key=True)
    at = Timestamptz(index=True, help_text="When the change was committed (UTC).")
    actor_user_id = UUID(null=True, default=None, help_text="The user who made the change, if any.")
    actor_username = Varchar(length=64, help_text="Username at the time, kept if the user is renamed.")
    action = Varchar(length=24, help_text="create, update, delete, retire, import, ...")
    entity = Varchar(length=40, index=True, help_text="Kind of thing changed: unit, site, question, ...")
    entity_id = Varchar(length=64, help_text="Its identifier.")
    changes = JSON(help_text="Changed fields: {field: [before, after]}.")

"""Archived org objects and what uses them, in the database: the org store's third part.

On PostgreSQL the rows read here are locked for the rest of the caller's transaction: ``FOR UPDATE``
before an object is archived or deleted, ``FOR SHARE`` when a new reference to it is checked. Either
side then waits for the other, so a new audit cannot slip in between a delete's checks and the delete,
and an archive cannot land between the check of a reference and its storing. (On SQLite every write
transaction is ``IMMEDIATE``, so writers already run one at a time.)
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, Literal

from server.lib.clock import utcnow
from server.lib.errors import AppError, ErrorCode
from server.org.logic import Usage, check_usable
from server.org.tables import Person, Process, ProcessSite, Site, Unit
from server.trail.store import record_change

if TYPE_CHECKING:
    from collections.abc import Iterable

    from piccolo.custom_types import Combinable
    from piccolo.query.methods.select import Select
    from piccolo.table import Table

    from server.lib.principal import Principal

__all__ = ["OrgKind", "lock_for_change", "org_usages", "require_usable", "set_archived"]

OrgKind = Literal["unit", "site", "process", "person"]

_TABLES: dict[OrgKind, type[Table]] = {"unit": Unit, "site": Site, "process": Process, "person": Person}


def _locked(query: Select[Any], table: type[Table], strength: Literal["UPDATE", "SHARE"]) -> Select[Any]:
    if table._meta.db.engine_type == "sqlite":  # no row locks there; IMMEDIATE transactions instead
        return query
    return query.lock_rows(strength)


async def require_usable(kind: OrgKind, ids: Iterable[str], field: str) -> None:
    """422 ``org.unknown_reference`` if an id names no ``kind`` object, 409 ``org.archived`` if it names
    an archived one (``details`` name ``field``); one query. Ids must be UUID strings."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return
    table = _TABLES[kind]
    key = table._meta.primary_key
    query = table.select(key, table._meta.get_column_by_name("archived_at")).where(
        key.is_in([uuid.UUID(i) for i in wanted])
    )
    rows = await _locked(query, table, "SHARE").run()
    check_usable(wanted, {str(r["id"]): r["archived_at"] is not None for r in rows}, field)


async def lock_for_change(kind: OrgKind, entity_id: str) -> dict[str, Any]:
    """The object's row, locked until the transaction ends; 404 ``resource.not_found`` if it is gone."""
    table = _TABLES[kind]
    query = table.select().where(table._meta.primary_key == uuid.UUID(entity_id))
    rows = await _locked(query, table, "UPDATE").run()
    if not rows:
        raise AppError(ErrorCode.NOT_FOUND, details={"entity": kind, "id": entity_id})
    return dict(rows[0])


async def set_archived(
    actor: Principal, kind: OrgKind, entity_id: str, before: dict[str, Any], *, archived: bool
) -> None:
    """Archive or restore the object (``before`` is its row as locked), with a trail row: "archive" or
    "restore"."""
    table = _TABLES[kind]
    after = {"archived_at": utcnow(), "archived_by": actor.username} if archived else {}
    columns = {name: after.get(name) for name in ("archived_at", "archived_by")}
    await (
        table.update({table._meta.get_column_by_name(name): value for name, value in columns.items()})
        .where(table._meta.primary_key == uuid.UUID(entity_id))
        .run()
    )
    await record_change(
        actor,
        "archive" if archived else "restore",
        kind,
        entity_id,
        {name: before[name] for name in columns},
        columns,
    )


async def _unit_usages(key: uuid.UUID, active_only: bool) -> list[Usage]:
    unit_where: Combinable = Unit.parent == key
    process_where: Combinable = Process.owner_unit == key
    person_where: Combinable = Person.unit == key
    if active_only:
        unit_where &= Unit.archived_at.is_null()
        process_where &= Process.archived_at.is_null()
        person_where &= Person.archived_at.is_null()
    sub_units = await Unit.select(Unit.id, Unit.code).where(unit_where).order_by(Unit.code).run()
    processes = (
        await Process.select(Process.id, Process.code).where(process_where).order_by(Process.code).run()
    )
    people = (
        await Person.select(Person.id, Person.full_name_fr)
        .where(person_where)
        .order_by(Person.full_name_fr)
        .run()
    )
    return [
        *(Usage("unit", str(r["id"]), r["code"]) for r in sub_units),
        *(Usage("process", str(r["id"]), r["code"]) for r in processes),
        *(Usage("person", str(r["id"]), r["full_name_fr"]) for r in people),
    ]


async def org_usages(kind: OrgKind, entity_id: str, *, active_only: bool = False) -> list[Usage]:
    """The org objects that use this one: a unit's sub-units, processes and people; the processes run on
    a site. ``active_only`` leaves archived users out (what blocks archiving a unit)."""
    key = uuid.UUID(entity_id)
    if kind == "unit":
        return await _unit_usages(key, active_only)
    if kind == "site":
        rows = (
            await ProcessSite.select(ProcessSite.process.id, ProcessSite.process.code)
            .where(ProcessSite.site == key)
            .order_by(ProcessSite.process.code)
            .run()
        )
        return [Usage("process", str(r["process.id"]), r["process.code"]) for r in rows]
    return []

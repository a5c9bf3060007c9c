"""The organisation in the database (the only module touching org tables)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from server.lib.db import code_is_free, write_transaction
from server.lib.errors import AppError, ErrorCode
from server.lib.structs import LocalizedName
from server.org.archive_store import require_usable
from server.org.logic import would_create_cycle
from server.org.profile_store import require_listed_province
from server.org.schemas import (
    ProcessIn,
    ProcessOut,
    SiteIn,
    SiteOut,
    UnitIn,
    UnitOut,
)
from server.org.tables import Process, ProcessSite, Site, Unit
from server.trail.store import record_change

if TYPE_CHECKING:
    from piccolo.table import Table

    from server.lib.principal import Principal

__all__ = [
    "create_process",
    "create_site",
    "create_unit",
    "delete_process",
    "delete_site",
    "delete_unit",
    "get_process",
    "get_site",
    "get_unit",
    "list_processes",
    "list_sites",
    "list_units",
    "unit_parents",
    "update_process",
    "update_site",
    "update_unit",
]


def _not_found(entity: str, entity_id: str) -> AppError:
    return AppError(ErrorCode.NOT_FOUND, details={"entity": entity, "id": entity_id})


def _uuid(value: str) -> uuid.UUID:
    return uuid.UUID(value)


def _canonical(ids: list[str]) -> list[str]:
    """Distinct ids in canonical (lowercase) form, sorted."""
    return sorted({str(_uuid(i)) for i in ids})


def _added(ids: list[str], before: list[str]) -> list[str]:
    """The ids newly referenced: only those must be usable (an edit may keep an archived one)."""
    return [i for i in _canonical(ids) if i not in set(before)]


async def _require(table: type[Table], entity_id: str, entity: str) -> dict[str, Any]:
    row = await table.select().where(table._meta.primary_key == _uuid(entity_id)).first().run()
    if row is None:
        raise _not_found(entity, entity_id)
    return dict(row)


# ---------------------------------------------------------------- units


def _unit_out(row: dict[str, Any]) -> UnitOut:
    return UnitOut(
        id=str(row["id"]),
        code=row["code"],
        kind=row["kind"],
        name=LocalizedName(ar=row["name_ar"], fr=row["name_fr"]),
        parent_id=str(row["parent"]) if row["parent"] else None,
        archived_at=row["archived_at"],
    )


def _unit_row(data: UnitIn) -> dict[str, Any]:
    return {
        "code": data.code,
        "kind": data.kind,
        "name_ar": data.name.ar,
        "name_fr": data.name.fr,
        "parent": _uuid(data.parent_id) if data.parent_id else None,
    }


async def unit_parents() -> dict[str, str | None]:
    rows = await Unit.select(Unit.id, Unit.parent).run()
    return {str(r["id"]): (str(r["parent"]) if r["parent"] else None) for r in rows}


async def list_units(*, include_archived: bool = True) -> list[UnitOut]:
    """Every unit by code; ``include_archived=False`` for what a pick list offers."""
    query = Unit.select().order_by(Unit.code)
    if not include_archived:
        query = query.where(Unit.archived_at.is_null())
    return [_unit_out(r) for r in await query.run()]


async def get_unit(unit_id: str) -> UnitOut:
    return _unit_out(await _require(Unit, unit_id, "unit"))


async def create_unit(actor: Principal | None, data: UnitIn) -> UnitOut:
    async with write_transaction():
        await code_is_free(Unit, data.code, None)
        await require_usable("unit", _canonical([data.parent_id] if data.parent_id else []), "parentId")
        values = _unit_row(data)
        unit_id = uuid.uuid4()
        await Unit.insert(Unit(id=unit_id, **values)).run()
        await record_change(actor, "create", "unit", str(unit_id), None, values)
    return await get_unit(str(unit_id))


async def update_unit(actor: Principal, unit_id: str, data: UnitIn) -> UnitOut:
    async with write_transaction():
        before = await _require(Unit, unit_id, "unit")
        await code_is_free(Unit, data.code, unit_id)
        parent = [str(before["parent"])] if before["parent"] else []
        await require_usable("unit", _added([data.parent_id] if data.parent_id else [], parent), "parentId")
        if would_create_cycle(unit_id, data.parent_id, await unit_parents()):
            raise AppError(ErrorCode.UNIT_CYCLE, details={"field": "parentId"})
        values = _unit_row(data)
        await (
            Unit.update({getattr(Unit, k): v for k, v in values.items()})
            .where(Unit.id == _uuid(unit_id))
            .run()
        )
        await record_change(actor, "update", "unit", unit_id, before, values)
    return await get_unit(unit_id)


async def delete_unit(actor: Principal, unit_id: str) -> None:
    """Delete the unit; the caller has checked that nothing uses it (``service.delete_unit``)."""
    async with write_transaction():
        before = await _require(Unit, unit_id, "unit")
        await Unit.delete().where(Unit.id == _uuid(unit_id)).run()
        await record_change(actor, "delete", "unit", unit_id, before, None)


# ---------------------------------------------------------------- sites


def _site_out(row: dict[str, Any]) -> SiteOut:
    return SiteOut(
        id=str(row["id"]),
        code=row["code"],
        kind=row["kind"],
        province=row["province"],
        name=LocalizedName(ar=row["name_ar"], fr=row["name_fr"]),
        address=row["address"],
        archived_at=row["archived_at"],
    )


def _site_row(data: SiteIn) -> dict[str, Any]:
    return {
        "code": data.code,
        "kind": data.kind,
        "province": data.province,
        "name_ar": data.name.ar,
        "name_fr": data.name.fr,
        "address": data.address,
    }


async def list_sites(*, include_archived: bool = True) -> list[SiteOut]:
    """Every site by code; ``include_archived=False`` for what a pick list offers."""
    query = Site.select().order_by(Site.code)
    if not include_archived:
        query = query.where(Site.archived_at.is_null())
    return [_site_out(r) for r in await query.run()]


async def get_site(site_id: str) -> SiteOut:
    return _site_out(await _require(Site, site_id, "site"))


async def create_site(actor: Principal | None, data: SiteIn) -> SiteOut:
    async with write_transaction():
        await code_is_free(Site, data.code, None)
        await require_listed_province(data.province)
        values = _site_row(data)
        site_id = uuid.uuid4()
        await Site.insert(Site(id=site_id, **values)).run()
        await record_change(actor, "create", "site", str(site_id), None, values)
    return await get_site(str(site_id))


async def update_site(actor: Principal, site_id: str, data: SiteIn) -> SiteOut:
    async with write_transaction():
        before = await _require(Site, site_id, "site")
        await code_is_free(Site, data.code, site_id)
        await require_listed_province(data.province)
        values = _site_row(data)
        await (
            Site.update({getattr(Site, k): v for k, v in values.items()})
            .where(Site.id == _uuid(site_id))
            .run()
        )
        await record_change(actor, "update", "site", site_id, before, values)
    return await get_site(site_id)


async def delete_site(actor: Principal, site_id: str) -> None:
    """Delete the site; the caller has checked that nothing uses it (``service.delete_site``)."""
    async with write_transaction():
        before = await _require(Site, site_id, "site")
        await Site.delete().where(Site.id == _uuid(site_id)).run()
        await record_change(actor, "delete", "site", site_id, before, None)


# ---------------------------------------------------------------- processes


def _split(raw: str) -> list[Any]:
    return [part for part in raw.split(",") if part]


def _process_out(row: dict[str, Any], site_ids: list[str]) -> ProcessOut:
    return ProcessOut(
        id=str(row["id"]),
        code=row["code"],
        name=LocalizedName(ar=row["name_ar"], fr=row["name_fr"]),
        owner_unit_id=str(row["owner_unit"]),
        standards=_split(row["standards"]),
        criticality=row["criticality"],
        site_ids=sorted(site_ids),
        tags=_split(row["tags"]),
        archived_at=row["archived_at"],
    )


def _process_row(data: ProcessIn) -> dict[str, Any]:
    return {
        "code": data.code,
        "name_ar": data.name.ar,
        "name_fr": data.name.fr,
        "owner_unit": _uuid(data.owner_unit_id),
        "standards": ",".join(sorted(set(data.standards))),
        "criticality": data.criticality,
        "tags": ",".join(sorted(set(data.tags))),
    }


async def _sites_by_process() -> dict[str, list[str]]:
    links: dict[str, list[str]] = {}
    for row in await ProcessSite.select(ProcessSite.process, ProcessSite.site).run():
        links.setdefault(str(row["process"]), []).append(str(row["site"]))
    return links


async def list_processes(*, include_archived: bool = True) -> list[ProcessOut]:
    """Every process by code; ``include_archived=False`` for what a pick list offers."""
    links = await _sites_by_process()
    query = Process.select().order_by(Process.code)
    if not include_archived:
        query = query.where(Process.archived_at.is_null())
    rows = await query.run()
    return [_process_out(r, links.get(str(r["id"]), [])) for r in rows]


async def get_process(process_id: str) -> ProcessOut:
    row = await _require(Process, process_id, "process")
    sites = await ProcessSite.select(ProcessSite.site).where(ProcessSite.process == _uuid(process_id)).run()
    return _process_out(row, [str(s["site"]) for s in sites])


async def _write_process(actor: Principal | None, process_id: str | None, data: ProcessIn) -> str:
    async with write_transaction():
        before = await get_process(process_id) if process_id else None
        await code_is_free(Process, data.code, process_id)
        owner = [before.owner_unit_id] if before else []
        await require_usable("unit", _added([data.owner_unit_id], owner), "ownerUnitId")
        await require_usable("site", _added(data.site_ids, before.site_ids if before else []), "siteIds")
        values = _process_row(data)
        key = _uuid(process_id) if process_id else uuid.uuid4()
        if before is None:
            await Process.insert(Process(id=key, **values)).run()
        else:
            await (
                Process.update({getattr(Process, k): v for k, v in values.items()})
                .where(Process.id == key)
                .run()
            )
            await ProcessSite.delete().where(ProcessSite.process == key).run()
        site_ids = _canonical(data.site_ids)
        if site_ids:
            await ProcessSite.insert(*[ProcessSite(process=key, site=_uuid(s)) for s in site_ids]).run()
        after = {**values, "site_ids": site_ids}
        await record_change(
            actor,
            "update" if before else "create",
            "process",
            str(key),
            {**_process_row_from_out(before)} if before else None,
            after,
        )
    return str(key)


def _process_row_from_out(out: ProcessOut) -> dict[str, Any]:
    return {
        "code": out.code,
        "name_ar": out.name.ar,
        "name_fr": out.name.fr,
        "owner_unit": out.owner_unit_id,
        "standards": ",".join(out.standards),
        "criticality": out.criticality,
        "tags": ",".join(out.tags),
        "site_ids": out.site_ids,
    }


async def create_process(actor: Principal | None, data: ProcessIn) -> ProcessOut:
    return await get_process(await _write_process(actor, None, data))


async def update_process(actor: Principal, process_id: str, data: ProcessIn) -> ProcessOut:
    return await get_process(await _write_process(actor, process_id, data))


async def delete_process(actor: Principal, process_id: str) -> None:
    """Delete the process (its site links go with it); the caller has checked that nothing uses it
    (``service.delete_process``)."""
    async with write_transaction():
        before = await get_process(process_id)
        await Process.delete().where(Process.id == _uuid(process_id)).run()
        await record_change(actor, "delete", "process", process_id, _process_row_from_out(before), None)

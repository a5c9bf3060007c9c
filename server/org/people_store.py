"""People of the organisation in the database: the org store's second half, kept apart for size."""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from msgspec import to_builtins

from server.auth import store as auth_store
from server.lib.db import write_transaction
from server.lib.errors import AppError, ErrorCode
from server.lib.structs import LocalizedName
from server.org.archive_store import require_usable
from server.org.logic import check_periods, check_unique_standards, may_see_person_details
from server.org.schemas import AvailabilityIO, LocalizedText, PersonIn, PersonOut, QualificationIO
from server.org.tables import Availability, Person, Qualification
from server.trail.store import record_change

if TYPE_CHECKING:
    from server.lib.principal import Principal

__all__ = ["create_person", "delete_person", "get_person", "list_people", "person_units", "update_person"]


def _person_row(data: PersonIn) -> dict[str, Any]:
    return {
        "full_name_ar": data.full_name.ar,
        "full_name_fr": data.full_name.fr,
        "email": data.email,
        "unit": uuid.UUID(data.unit_id),
        "job_title_ar": data.job_title.ar,
        "job_title_fr": data.job_title.fr,
        "lead_auditor": data.lead_auditor,
    }


async def _details(
    person_ids: list[uuid.UUID],
) -> tuple[dict[str, list[QualificationIO]], dict[str, list[AvailabilityIO]]]:
    quals: dict[str, list[QualificationIO]] = defaultdict(list)
    avail: dict[str, list[AvailabilityIO]] = defaultdict(list)
    if not person_ids:
        return quals, avail
    for q in (
        await Qualification.select()
        .where(Qualification.person.is_in(person_ids))
        .order_by(Qualification.standard)
        .run()
    ):
        quals[str(q["person"])].append(
            QualificationIO(standard=q["standard"], since=q["since"], training=q["training"])
        )
    for a in (
        await Availability.select()
        .where(Availability.person.is_in(person_ids))
        .order_by(Availability.start)
        .run()
    ):
        avail[str(a["person"])].append(
            AvailabilityIO(start=a["start"], end=a["end"], available=a["available"], note=a["note"])
        )
    return quals, avail


async def _people_out(viewer: Principal | None, rows: list[dict[str, Any]]) -> list[PersonOut]:
    ids = [row["id"] for row in rows]
    quals, avail = await _details(ids)
    accounts = await auth_store.accounts_by_person([str(i) for i in ids])
    result = []
    for row in rows:
        pid = str(row["id"])
        full = viewer is None or may_see_person_details(viewer, pid)
        account = accounts.get(pid)
        result.append(
            PersonOut(
                id=pid,
                full_name=LocalizedName(ar=row["full_name_ar"], fr=row["full_name_fr"]),
                unit_id=str(row["unit"]),
                job_title=LocalizedText(ar=row["job_title_ar"], fr=row["job_title_fr"]),
                lead_auditor=bool(row["lead_auditor"]),
                archived_at=row["archived_at"],
                username=account.username if account else None,
                roles=account.roles if account else [],
                email=row["email"] if full else None,
                qualifications=quals.get(pid, []) if full else None,
                availability=avail.get(pid, []) if full else None,
            )
        )
    return result


async def list_people(
    viewer: Principal | None, unit_id: str | None = None, *, include_archived: bool = True
) -> list[PersonOut]:
    """People by name, of one unit if given; ``include_archived=False`` for what a pick list offers."""
    query = Person.select().order_by(Person.full_name_fr)
    if unit_id:
        query = query.where(Person.unit == uuid.UUID(unit_id))
    if not include_archived:
        query = query.where(Person.archived_at.is_null())
    return await _people_out(viewer, list(await query.run()))


async def get_person(viewer: Principal | None, person_id: str) -> PersonOut:
    row = await Person.select().where(Person.id == uuid.UUID(person_id)).first().run()
    if row is None:
        raise AppError(ErrorCode.NOT_FOUND, details={"entity": "person", "id": person_id})
    return (await _people_out(viewer, [row]))[0]


async def person_units() -> dict[str, str]:
    """person id → unit id, for impartiality checks in other domains."""
    return {str(r["id"]): str(r["unit"]) for r in await Person.select(Person.id, Person.unit).run()}


def _trail_view(out: PersonOut | None) -> dict[str, Any] | None:
    if out is None:
        return None
    view: dict[str, Any] = to_builtins(out)
    view.pop("username", None)
    view.pop("roles", None)
    return view


async def _write_person(actor: Principal | None, person_id: str | None, data: PersonIn) -> str:
    check_periods(data.availability)
    check_unique_standards(data.qualifications)
    async with write_transaction():
        before = await get_person(None, person_id) if person_id else None
        unit_id = str(uuid.UUID(data.unit_id))
        if before is None or unit_id != before.unit_id:  # an edit may keep an archived unit
            await require_usable("unit", [unit_id], "unitId")
        values = _person_row(data)
        key = uuid.UUID(person_id) if person_id else uuid.uuid4()
        if before is None:
            await Person.insert(Person(id=key, **values)).run()
        else:
            await (
                Person.update({getattr(Person, k): v for k, v in values.items()})
                .where(Person.id == key)
                .run()
            )
            await Qualification.delete().where(Qualification.person == key).run()
            await Availability.delete().where(Availability.person == key).run()
        if data.qualifications:
            await Qualification.insert(
                *[
                    Qualification(person=key, standard=q.standard, since=q.since, training=q.training)
                    for q in data.qualifications
                ]
            ).run()
        if data.availability:
            await Availability.insert(
                *[
                    Availability(person=key, start=a.start, end=a.end, available=a.available, note=a.note)
                    for a in data.availability
                ]
            ).run()
        after = await get_person(None, str(key))
        await record_change(
            actor,
            "update" if before else "create",
            "person",
            str(key),
            _trail_view(before),
            _trail_view(after),
        )
    return str(key)


async def create_person(actor: Principal | None, data: PersonIn) -> PersonOut:
    return await get_person(actor, await _write_person(actor, None, data))


async def update_person(actor: Principal, person_id: str, data: PersonIn) -> PersonOut:
    return await get_person(actor, await _write_person(actor, person_id, data))


async def delete_person(actor: Principal, person_id: str) -> None:
    """Delete the person with their qualifications and availability; the caller has checked that
    nothing uses them (``service.delete_person``)."""
    async with write_transaction():
        before = await get_person(None, person_id)
        await Person.delete().where(Person.id == uuid.UUID(person_id)).run()
        await record_change(actor, "delete", "person", person_id, _trail_view(before), None)

"""``check_usable_references``: the rule the audits domain applies before storing a reference to an org
object (unknown → 422, archived → 409, the caller's field named), on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from server.lib import db
from server.lib.errors import AppError, ErrorCode
from server.lib.principal import Principal, Role
from server.org import service
from server.settings import Settings

LEAD = Principal(user_id=str(uuid.uuid4()), username="lead", roles=frozenset({Role.AUDIT_LEAD}))


@pytest.fixture
async def started(settings: Settings) -> AsyncIterator[None]:
    engine = db.make_engine(settings)
    await db.start_engine(engine)
    try:
        yield
    finally:
        await db.stop_engine(engine)


async def _refusal(**references: object) -> AppError:
    with pytest.raises(AppError) as raised:
        await service.check_usable_references(**references)  # type: ignore[arg-type]
    return raised.value


@pytest.mark.usefixtures("started")
async def test_existing_active_references_pass() -> None:
    await service.check_usable_references(
        process_id=(await service.list_processes())[0].id,
        unit_ids=[u.id for u in await service.list_units()],
        site_ids=[s.id.upper() for s in await service.list_sites()],
        person_ids=[p.id for p in await service.list_people(None)],
    )
    await service.check_usable_references()


@pytest.mark.usefixtures("started")
async def test_an_unknown_or_malformed_id_is_422_naming_the_callers_field() -> None:
    unit = (await service.list_units())[0].id
    unknown = await _refusal(unit_ids=[unit, str(uuid.uuid4())], field_names={"units": "auditedUnitIds"})
    assert (unknown.code, unknown.status) == (ErrorCode.UNKNOWN_REFERENCE, 422)
    assert unknown.details == {"field": "auditedUnitIds"} and unknown.params == {"field": "auditedUnitIds"}
    malformed = await _refusal(person_ids=["not-a-uuid"])
    assert malformed.code == ErrorCode.UNKNOWN_REFERENCE and malformed.details == {"field": "personIds"}
    missing_process = await _refusal(process_id=str(uuid.uuid4()))
    assert missing_process.details == {"field": "processId"}


@pytest.mark.usefixtures("started")
async def test_an_archived_object_is_409_naming_the_field_and_the_id() -> None:
    site = (await service.list_sites())[0].id
    process = (await service.list_processes())[0].id
    person = (await service.list_people(None))[0].id
    await service.archive_site(LEAD, site)
    await service.archive_process(LEAD, process)
    await service.archive_person(LEAD, person)
    archived_site = await _refusal(site_ids=[site.upper()], field_names={"sites": "visitedSiteIds"})
    assert (archived_site.code, archived_site.status) == (ErrorCode.ARCHIVED, 409)
    assert archived_site.details == {"field": "visitedSiteIds", "id": site}  # in canonical form
    assert (await _refusal(process_id=process)).details == {"field": "processId", "id": process}
    assert (await _refusal(person_ids=[person])).details == {"field": "personIds", "id": person}
    await service.restore_site(LEAD, site)
    await service.check_usable_references(site_ids=[site])

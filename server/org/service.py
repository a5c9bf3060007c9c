"""Organisation use cases that handlers and other domains call.

The organisation's profile (its name, its provinces, its facts) is one revisioned object: it is
replaced whole, naming the ``rev`` it was made on; its provinces are the ones sites may name, and its
facts fill the checklist library's placeholders (:func:`placeholder_values`).

Other domains reference org objects by id (an audit's process, units, sites, team and auditees; a
finding's process, unit and site), so an org object that something uses never disappears: deleting it
is refused (409 ``org.in_use``, naming its users) and it is archived instead. An archived object stays
readable by id and keeps its references; it leaves pick lists, and no new reference to it is accepted
(:func:`check_usable_references`, 409 ``org.archived``).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from server.audits import store as audits_store
from server.auth import store as auth_store
from server.lib.db import write_transaction
from server.lib.errors import AppError, ErrorCode
from server.lib.etag import check_revision
from server.org import archive_store, logic, people_store, profile_store, store
from server.org.logic import Usage, in_use_error
from server.org.people_store import create_person, get_person, list_people, update_person
from server.org.store import (
    create_process,
    create_site,
    create_unit,
    get_process,
    get_site,
    get_unit,
    list_processes,
    list_sites,
    list_units,
    update_process,
    update_site,
    update_unit,
)
from server.sync import changes_store

if TYPE_CHECKING:
    from server.lib.principal import Principal
    from server.org.archive_store import OrgKind
    from server.org.schemas import PersonOut, ProcessOut, ProfileIn, ProfileOut, SiteOut, UnitOut

__all__ = [
    "DEFAULT_FIELD_NAMES",
    "archive_person",
    "archive_process",
    "archive_site",
    "archive_unit",
    "check_usable_references",
    "create_person",
    "create_process",
    "create_site",
    "create_unit",
    "delete_person",
    "delete_process",
    "delete_site",
    "delete_unit",
    "get_person",
    "get_process",
    "get_profile",
    "get_site",
    "get_unit",
    "list_people",
    "list_processes",
    "list_sites",
    "list_units",
    "placeholder_values",
    "replace_profile",
    "restore_person",
    "restore_process",
    "restore_site",
    "restore_unit",
    "update_person",
    "update_process",
    "update_site",
    "update_unit",
]

DEFAULT_FIELD_NAMES: Final[Mapping[str, str]] = {
    "process": "processId",
    "units": "unitIds",
    "sites": "siteIds",
    "people": "personIds",
}

# The unit an object sits in: it must be active for the object to be restored.
_PARENT_FIELDS: Final[dict[OrgKind, tuple[str, str]]] = {
    "unit": ("parent", "parentId"),
    "process": ("owner_unit", "ownerUnitId"),
    "person": ("unit", "unitId"),
}


# ---------------------------------------------------------------- references from other domains


def _canonical_ids(ids: Sequence[str], field: str) -> list[str]:
    try:
        return [str(uuid.UUID(i)) for i in ids]
    except ValueError:
        raise AppError(
            ErrorCode.UNKNOWN_REFERENCE, params={"field": field}, details={"field": field}
        ) from None


async def check_usable_references(
    *,
    process_id: str | None = None,
    unit_ids: Sequence[str] = (),
    site_ids: Sequence[str] = (),
    person_ids: Sequence[str] = (),
    field_names: Mapping[str, str] | None = None,
) -> None:
    """Refuse a reference to an org object that cannot be used for new work.

    Raises 422 ``org.unknown_reference`` (``details={"field": …}``) for an id that does not exist and
    409 ``org.archived`` (``details={"field": …, "id": …}``, the id in lowercase canonical form) for an
    archived one. ``field_names`` maps
    the kinds ``process``, ``units``, ``sites`` and ``people`` to the caller's wire field names
    (defaults ``processId``, ``unitIds``, ``siteIds``, ``personIds``). One query per kind given.

    Call it inside the write transaction that stores the references: on PostgreSQL the rows stay
    locked (``FOR SHARE``) until it ends, so a concurrent archive or delete waits and then sees them.
    """
    names = {**DEFAULT_FIELD_NAMES, **(field_names or {})}
    wanted: list[tuple[OrgKind, Sequence[str], str]] = [
        ("process", [process_id] if process_id is not None else [], names["process"]),
        ("unit", unit_ids, names["units"]),
        ("site", site_ids, names["sites"]),
        ("person", person_ids, names["people"]),
    ]
    for kind, ids, field in wanted:
        await archive_store.require_usable(kind, _canonical_ids(ids, field), field)


# ---------------------------------------------------------------- delete: only what nothing uses


async def _users(kind: OrgKind, entity_id: str) -> tuple[list[Usage], int]:
    """Everything that uses the object (audits of any status, org objects, an account) and how many
    findings name it."""
    usages = [Usage("audit", i, code) for i, code in await audits_store.audits_referencing(kind, entity_id)]
    usages += await archive_store.org_usages(kind, entity_id)
    if kind == "person":
        account = (await auth_store.accounts_by_person([entity_id])).get(entity_id)
        if account is not None:
            usages.append(Usage("account", account.id, account.username))
        return usages, 0
    return usages, await changes_store.findings_referencing(kind, entity_id)


async def _delete(
    kind: OrgKind, actor: Principal, entity_id: str, delete: Callable[[Principal, str], Awaitable[None]]
) -> None:
    async with write_transaction():
        await archive_store.lock_for_change(kind, entity_id)
        usages, findings = await _users(kind, entity_id)
        if usages or findings:
            raise in_use_error(usages, findings, remedy="archive")
        await delete(actor, entity_id)


async def delete_unit(actor: Principal, unit_id: str) -> None:
    """Refused (409 ``org.in_use``) while sub-units, processes, people, audits or findings use it."""
    await _delete("unit", actor, unit_id, store.delete_unit)


async def delete_site(actor: Principal, site_id: str) -> None:
    """Refused (409 ``org.in_use``) while processes, audits or findings use it."""
    await _delete("site", actor, site_id, store.delete_site)


async def delete_process(actor: Principal, process_id: str) -> None:
    """Refused (409 ``org.in_use``) while audits or findings use it."""
    await _delete("process", actor, process_id, store.delete_process)


async def delete_person(actor: Principal, person_id: str) -> None:
    """Refused (409 ``org.in_use``) while an account is linked to the person or an audit names them
    (team member or auditee)."""
    await _delete("person", actor, person_id, people_store.delete_person)


# ---------------------------------------------------------------- archive and restore


async def _archive(kind: OrgKind, actor: Principal, entity_id: str) -> None:
    row = await archive_store.lock_for_change(kind, entity_id)
    if row["archived_at"] is not None:
        return
    if kind == "unit":
        active = await archive_store.org_usages("unit", entity_id, active_only=True)
        if active:
            raise in_use_error(active, 0, remedy="clear")
    await archive_store.set_archived(actor, kind, entity_id, row, archived=True)


async def _restore(kind: OrgKind, actor: Principal, entity_id: str) -> None:
    row: dict[str, Any] = await archive_store.lock_for_change(kind, entity_id)
    if row["archived_at"] is None:
        return
    if kind in _PARENT_FIELDS:
        column, field = _PARENT_FIELDS[kind]
        if row[column] is not None:
            await archive_store.require_usable("unit", [str(row[column])], field)
    await archive_store.set_archived(actor, kind, entity_id, row, archived=False)


async def archive_unit(actor: Principal, unit_id: str) -> UnitOut:
    """Archive the unit (again: no change). Refused (409 ``org.in_use``) while it has active sub-units,
    processes or people: archive or move those first."""
    async with write_transaction():
        await _archive("unit", actor, unit_id)
        return await get_unit(unit_id)


async def restore_unit(actor: Principal, unit_id: str) -> UnitOut:
    """Make the unit active again; refused (409 ``org.archived``) while its parent unit is archived."""
    async with write_transaction():
        await _restore("unit", actor, unit_id)
        return await get_unit(unit_id)


async def archive_site(actor: Principal, site_id: str) -> SiteOut:
    """Archive the site; the processes that run on it keep it."""
    async with write_transaction():
        await _archive("site", actor, site_id)
        return await get_site(site_id)


async def restore_site(actor: Principal, site_id: str) -> SiteOut:
    async with write_transaction():
        await _restore("site", actor, site_id)
        return await get_site(site_id)


async def archive_process(actor: Principal, process_id: str) -> ProcessOut:
    """Archive the process; its audits and findings keep it."""
    async with write_transaction():
        await _archive("process", actor, process_id)
        return await get_process(process_id)


async def restore_process(actor: Principal, process_id: str) -> ProcessOut:
    """Make the process active again; refused (409 ``org.archived``) while its owner unit is archived."""
    async with write_transaction():
        await _restore("process", actor, process_id)
        return await get_process(process_id)


async def archive_person(actor: Principal, person_id: str) -> PersonOut:
    """Archive the person: they leave pick lists (teams, auditees). Their user account, if any, is not
    touched: it still signs in with its roles until an administrator changes it."""
    async with write_transaction():
        await _archive("person", actor, person_id)
        return await get_person(actor, person_id)


async def restore_person(actor: Principal, person_id: str) -> PersonOut:
    """Make the person active again; refused (409 ``org.archived``) while their unit is archived."""
    async with write_transaction():
        await _restore("person", actor, person_id)
        return await get_person(actor, person_id)


# ---------------------------------------------------------------- the organisation's profile


async def get_profile() -> ProfileOut:
    """The profile; empty texts and lists at ``rev`` 0 until it is first set."""
    return await profile_store.read_profile()


async def replace_profile(
    actor: Principal, data: ProfileIn, revisions: Sequence[int], *, known_facts: Collection[str]
) -> ProfileOut:
    """Replace the profile read at ``revisions`` (428 without one, 412 with ``currentRev`` if it moved
    on). Province codes must be unique (422 ``org.duplicate_province``) and facts must be placeholders
    of the checklist library, ``known_facts`` (422 ``org.unknown_fact``). A province that sites name
    cannot leave the list (409 ``org.in_use`` naming the sites, ``details.provinces``): give them
    another province first."""
    logic.check_unique_provinces(data.provinces)
    logic.check_facts(data.facts, known_facts)
    async with write_transaction():
        before = await profile_store.lock_profile()
        check_revision(revisions, before.rev)
        left = logic.provinces_left_in_use(
            await profile_store.sites_by_province(),
            before=[p.code for p in before.provinces],
            after=[p.code for p in data.provinces],
        )
        if left:
            error = in_use_error([u for sites in left.values() for u in sites], 0, remedy="reassign")
            error.details = {**error.details, "field": "provinces", "provinces": sorted(left)}
            raise error
        return await profile_store.write_profile(actor, before, data)


async def placeholder_values() -> dict[str, dict[str, str]]:
    """The organisation's values for the checklist placeholders it says something about, ``{name: {ar,
    fr, en}}`` (English falling back to French): ``provinces`` from the provinces' names unless a fact
    overrides it, and every fact. The caller fills the other placeholders with the library's defaults."""
    return logic.placeholder_values(await profile_store.read_profile())

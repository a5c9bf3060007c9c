"""Organisation use cases that handlers and other domains call.

Other domains reference org objects by id (an audit's process, units, sites, team and auditees;
a finding's process, unit and site). :func:`check_usable_references` is the rule they apply before
storing such a reference: the object must exist and must not be archived.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Final

from server.lib.errors import AppError, ErrorCode
from server.org import store
from server.org.store import ReferenceKind

__all__ = ["DEFAULT_FIELD_NAMES", "check_usable_references"]

DEFAULT_FIELD_NAMES: Final[Mapping[str, str]] = {
    "process": "processId",
    "units": "unitIds",
    "sites": "siteIds",
    "people": "personIds",
}


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


async def _check_kind(kind: ReferenceKind, ids: Sequence[str], field: str) -> None:
    if not ids:
        return
    unknown = AppError(ErrorCode.UNKNOWN_REFERENCE, params={"field": field}, details={"field": field})
    if not all(_is_uuid(i) for i in ids):
        raise unknown
    states = await store.reference_states(kind, ids)
    for entity_id in ids:
        archived = states.get(str(uuid.UUID(entity_id)))
        if archived is None:
            raise unknown
        if archived:
            raise AppError(ErrorCode.ARCHIVED, details={"field": field, "id": entity_id})


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
    409 ``org.archived`` (``details={"field": …, "id": …}``) for an archived one. ``field_names`` maps
    the kinds ``process``, ``units``, ``sites`` and ``people`` to the caller's wire field names
    (defaults ``processId``, ``unitIds``, ``siteIds``, ``personIds``). One query per kind given.
    """
    names: dict[str, str] = {**DEFAULT_FIELD_NAMES, **(field_names or {})}
    await _check_kind("process", [process_id] if process_id is not None else [], names["process"])
    await _check_kind("units", unit_ids, names["units"])
    await _check_kind("sites", site_ids, names["sites"])
    await _check_kind("people", person_ids, names["people"])

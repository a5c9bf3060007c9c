"""Rules of the organisation structure: pure functions over plain data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Final, Literal, NamedTuple

from server.lib.errors import AppError, ErrorCode, Phrase
from server.lib.i18n import N_
from server.lib.principal import Principal, Role

if TYPE_CHECKING:
    from server.org.schemas import AvailabilityIO, QualificationIO

__all__ = [
    "LISTED_USES",
    "Usage",
    "UsageEntity",
    "ancestors",
    "check_periods",
    "check_unique_standards",
    "check_usable",
    "descendants",
    "in_use_error",
    "may_see_person_details",
    "would_create_cycle",
]

UsageEntity = Literal["audit", "unit", "process", "person", "account"]

LISTED_USES: Final = 20
"""How many users of an object a 409 ``org.in_use`` lists in its details (the total is given too)."""

_NAMED_IN_MESSAGE: Final = 5

# What uses an object, in the order the message names them; "unit" is only ever a sub-unit.
_USAGE_WORDS: Final[dict[UsageEntity, str]] = {
    "audit": N_("audits"),
    "unit": N_("sub-units"),
    "process": N_("processes"),
    "person": N_("people"),
    "account": N_("a user account"),
}


def ancestors(unit_id: str, parent_of: Mapping[str, str | None]) -> list[str]:
    """The chain of units above ``unit_id``, nearest first (cycle-safe)."""
    chain: list[str] = []
    seen = {unit_id}
    current = parent_of.get(unit_id)
    while current is not None and current not in seen:
        chain.append(current)
        seen.add(current)
        current = parent_of.get(current)
    return chain


def descendants(unit_id: str, parent_of: Mapping[str, str | None]) -> set[str]:
    """Every unit below ``unit_id``, at any depth."""
    children: dict[str, list[str]] = {}
    for child, parent in parent_of.items():
        if parent is not None:
            children.setdefault(parent, []).append(child)
    found: set[str] = set()
    stack = [unit_id]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def would_create_cycle(unit_id: str, new_parent_id: str | None, parent_of: Mapping[str, str | None]) -> bool:
    if new_parent_id is None:
        return False
    return new_parent_id == unit_id or new_parent_id in descendants(unit_id, parent_of)


def check_periods(periods: Iterable[AvailabilityIO]) -> None:
    for index, period in enumerate(periods):
        if period.end < period.start:
            raise AppError(ErrorCode.INVALID_PERIOD, details={"field": f"availability[{index}]"})


def check_unique_standards(qualifications: Iterable[QualificationIO]) -> None:
    seen: set[str] = set()
    for index, qualification in enumerate(qualifications):
        if qualification.standard in seen:
            raise AppError(
                ErrorCode.DUPLICATE_QUALIFICATION, details={"field": f"qualifications[{index}].standard"}
            )
        seen.add(qualification.standard)


def may_see_person_details(principal: Principal, person_id: str) -> bool:
    """Contact details, qualifications and leave are for the programme's managers and the person."""
    return principal.has_any(Role.ADMIN, Role.AUDIT_LEAD, Role.MANAGER) or principal.person_id == person_id


def check_usable(ids: Iterable[str], archived_by_id: Mapping[str, bool], field: str) -> None:
    """Refuse the first id that is missing from ``archived_by_id`` (422 ``org.unknown_reference``) or
    archived there (409 ``org.archived``). Ids are compared in canonical (lowercase) form."""
    for entity_id in ids:
        archived = archived_by_id.get(entity_id.lower())
        if archived is None:
            raise AppError(ErrorCode.UNKNOWN_REFERENCE, params={"field": field}, details={"field": field})
        if archived:
            raise AppError(ErrorCode.ARCHIVED, details={"field": field, "id": entity_id})


class Usage(NamedTuple):
    """An object that uses an org object. ``code`` is its code; for a person their name, for an
    account its username."""

    entity: UsageEntity
    id: str
    code: str


def _listing(codes: Sequence[str]) -> object:
    shown = ", ".join(codes[:_NAMED_IN_MESSAGE])
    if len(codes) <= _NAMED_IN_MESSAGE:
        return shown
    return Phrase(N_("{items} and {count} more"), {"items": shown, "count": len(codes) - _NAMED_IN_MESSAGE})


def in_use_error(usages: Sequence[Usage], findings: int, *, remedy: Literal["archive", "clear"]) -> AppError:
    """409 ``org.in_use`` naming what uses the object. ``remedy="archive"`` (a refused delete) tells
    the person to archive it instead; ``remedy="clear"`` (a refused archive) to archive or move its
    users first. ``details``: ``usedBy`` (at most ``LISTED_USES`` of ``{entity, id, code}``), ``total``
    (every user, findings included), ``findings`` (a count) and, for a delete, ``archive: true``."""
    codes: dict[UsageEntity, list[str]] = {}
    for usage in usages:
        codes.setdefault(usage.entity, []).append(usage.code)
    uses: list[object] = [
        Phrase(N_("{kind} ({items})"), {"kind": _USAGE_WORDS[entity], "items": _listing(codes[entity])})
        for entity in _USAGE_WORDS
        if entity in codes
    ]
    if findings:
        uses.append(Phrase(N_("{kind} ({items})"), {"kind": N_("findings"), "items": str(findings)}))
    if remedy == "archive":
        reason = Phrase(N_("{uses}. Archive it instead of deleting it"), {"uses": uses})
    else:
        reason = Phrase(N_("{uses}. Archive them or move them elsewhere first"), {"uses": uses})
    details: dict[str, object] = {
        "usedBy": [usage._asdict() for usage in usages[:LISTED_USES]],
        "total": len(usages) + findings,
        "findings": findings,
    }
    if remedy == "archive":
        details["archive"] = True
    return AppError(ErrorCode.IN_USE, params={"reason": reason}, details=details)

"""Rules of the organisation structure and profile: pure functions over plain data."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Final, Literal, NamedTuple

from server.lib.errors import AppError, ErrorCode, Phrase
from server.lib.i18n import N_
from server.lib.principal import Principal, Role

if TYPE_CHECKING:
    from server.org.schemas import AvailabilityIO, ProfileOut, ProvinceIn, QualificationIO

__all__ = [
    "LISTED_USES",
    "Usage",
    "UsageEntity",
    "ancestors",
    "check_facts",
    "check_listed_province",
    "check_periods",
    "check_unique_provinces",
    "check_unique_standards",
    "check_usable",
    "descendants",
    "in_use_error",
    "may_see_person_details",
    "placeholder_values",
    "provinces_left_in_use",
    "would_create_cycle",
]

UsageEntity = Literal["audit", "unit", "site", "process", "person", "account"]

LISTED_USES: Final = 20
"""How many users of an object a 409 ``org.in_use`` lists in its details (the total is given too)."""

_NAMED_IN_MESSAGE: Final = 5

# What uses an object, in the order the message names them; "unit" is only ever a sub-unit.
_USAGE_WORDS: Final[dict[UsageEntity, str]] = {
    "audit": N_("audits"),
    "unit": N_("sub-units"),
    "site": N_("sites"),
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


_REMEDIES: Final[dict[str, str]] = {
    "archive": N_("{uses}. Archive it instead of deleting it"),
    "clear": N_("{uses}. Archive them or move them elsewhere first"),
    "reassign": N_("{uses}. Give them another province first"),
}


def in_use_error(
    usages: Sequence[Usage], findings: int, *, remedy: Literal["archive", "clear", "reassign"]
) -> AppError:
    """409 ``org.in_use`` naming what uses the object. ``remedy="archive"`` (a refused delete) tells
    the person to archive it instead; ``remedy="clear"`` (a refused archive) to archive or move its
    users first; ``remedy="reassign"`` (a province taken off the profile) to give its sites another
    province. ``details``: ``usedBy`` (at most ``LISTED_USES`` of ``{entity, id, code}``), ``total``
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
    reason = Phrase(_REMEDIES[remedy], {"uses": uses})
    details: dict[str, object] = {
        "usedBy": [usage._asdict() for usage in usages[:LISTED_USES]],
        "total": len(usages) + findings,
        "findings": findings,
    }
    if remedy == "archive":
        details["archive"] = True
    return AppError(ErrorCode.IN_USE, params={"reason": reason}, details=details)


# ---------------------------------------------------------------- the organisation's profile


def check_unique_provinces(provinces: Sequence[ProvinceIn]) -> None:
    """422 ``org.duplicate_province`` naming the first code given twice."""
    seen: set[str] = set()
    for index, province in enumerate(provinces):
        if province.code in seen:
            raise AppError(
                ErrorCode.DUPLICATE_PROVINCE,
                params={"province": province.code},
                details={"field": f"provinces[{index}].code", "code": province.code},
            )
        seen.add(province.code)


def check_facts(names: Iterable[str], known: Collection[str]) -> None:
    """422 ``org.unknown_fact`` for the first fact that no placeholder of the checklist library declares
    (``details``: the name and the ``allowed`` names)."""
    allowed = sorted(known)
    for name in names:
        if name not in known:
            raise AppError(
                ErrorCode.UNKNOWN_FACT,
                params={"name": name, "allowed": ", ".join(allowed) or "-"},
                details={"field": f"facts.{name}", "name": name, "allowed": allowed},
            )


def check_listed_province(code: str, listed: Sequence[str], field: str = "province") -> None:
    """422 ``org.unknown_province`` when the profile lists provinces and ``code`` is not one of them; any
    code passes while it lists none (an install upgraded from before profiles keeps working)."""
    if listed and code not in listed:
        raise AppError(
            ErrorCode.UNKNOWN_PROVINCE,
            params={"province": code, "allowed": ", ".join(listed)},
            details={"field": field, "code": code, "allowed": list(listed)},
        )


def provinces_left_in_use(
    sites_by_province: Mapping[str, Sequence[Usage]], before: Collection[str], after: Collection[str]
) -> dict[str, list[Usage]]:
    """The provinces that sites use but that the new list would no longer allow, with those sites.

    With a list, a site's province must be on it (this also covers the first list given to an install
    whose sites predate profiles). An empty list allows any code, yet emptying a list still takes its
    provinces away: those of them that sites use are refused too."""
    kept = set(after)
    return {
        code: list(sites)
        for code, sites in sorted(sites_by_province.items())
        if sites and code not in kept and (bool(kept) or code in before)
    }


def placeholder_values(profile: ProfileOut) -> dict[str, dict[str, str]]:
    """The checklist placeholders the organisation gives a value for, ``{name: {ar, fr, en}}``.

    ``provinces`` is the provinces' names joined (Arabic with "، ", French and English with ", ")
    unless a ``provinces`` fact overrides it; every fact is taken as stored. An empty English text
    falls back to the French one. Placeholders the profile says nothing about are left out."""
    values: dict[str, dict[str, str]] = {}
    if profile.provinces:
        names = [p.name for p in profile.provinces]
        values["provinces"] = {
            "ar": "، ".join(n.ar for n in names),
            "fr": ", ".join(n.fr for n in names),
            "en": ", ".join(n.en or n.fr for n in names),
        }
    for name, fact in profile.facts.items():
        values[name] = {"ar": fact.ar, "fr": fact.fr, "en": fact.en or fact.fr}
    return values

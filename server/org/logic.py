"""Rules of the organisation structure: pure functions over plain data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from server.lib.errors import AppError, ErrorCode
from server.lib.principal import Principal, Role

if TYPE_CHECKING:
    from server.org.schemas import AvailabilityIO, QualificationIO

__all__ = [
    "ancestors",
    "check_periods",
    "check_unique_standards",
    "descendants",
    "may_see_person_details",
    "would_create_cycle",
]


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
                ErrorCode.VALIDATION_FAILED,
                details=[{"field": f"qualifications[{index}].standard", "message": "duplicate standard"}],
            )
        seen.add(qualification.standard)


def may_see_person_details(principal: Principal, person_id: str) -> bool:
    """Contact details, qualifications and leave are for the programme's managers and the person."""
    return principal.has_any(Role.ADMIN, Role.AUDIT_LEAD, Role.MANAGER) or principal.person_id == person_id

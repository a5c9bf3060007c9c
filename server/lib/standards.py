"""The closed vocabularies shared by several domains: standards, checklist tags, question bases."""

from __future__ import annotations

from typing import Final, Literal, get_args

__all__ = ["STANDARDS", "TAGS", "Basis", "Standard", "Tag"]

Standard = Literal["iso9001", "iso14001", "iso45001"]
STANDARDS: Final[tuple[Standard, ...]] = get_args(Standard)

Tag = Literal[
    "procurement",
    "budget_finance",
    "human_resources",
    "vehicle_fleet",
    "buildings_assets",
    "archives",
    "citizen_services",
    "works_site",
    "it_systems",
    "waste_environment",
    "council_sessions",
    "development_programme",
]
TAGS: Final[tuple[Tag, ...]] = get_args(Tag)

Basis = Literal["requirement", "good_practice"]
"""Why a question is asked: a requirement of its clauses, or good practice beyond them (a gap found
there is an opportunity for improvement, never a nonconformity)."""

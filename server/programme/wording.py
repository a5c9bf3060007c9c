"""Why a programme cannot exist, in the audit lead's words: each ``Blocker`` as one sentence naming the
process, the standard, the unit, the people and the period, in the caller's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from babel.dates import format_date

from server.lib.i18n import N_, Locale, translate
from server.programme.model import Blocker

__all__ = ["Names", "blocker_message", "period_label", "standard_label"]

_STANDARDS = {"iso9001": "ISO 9001", "iso14001": "ISO 14001", "iso45001": "ISO 45001"}

_MESSAGES: Mapping[str, str] = {
    "nobody_qualified": N_("Nobody is qualified to audit {standard}, which {process} needs."),
    "no_lead_qualified": N_(
        "No lead auditor is qualified for {standard}, so nobody can lead the audit of {process}."
    ),
    "all_conflicted": N_(
        "Every auditor qualified for {standard} belongs to {unit} or a unit above it, so none of them may "
        "audit {process}."
    ),
    "no_lead_available": N_(
        "No qualified {standard} lead auditor outside {unit} is available in {period} (needed for {process})."
    ),
    "team_not_available": N_("No team qualified for every standard of {process} is free in {period}."),
    "capacity": N_("{period} cannot hold the {count} audits that must take place then (at most {limit})."),
    "coverage": N_("Clause {clause} can only be covered by audits that cannot be scheduled."),
    "pin": N_("What is pinned for {process} cannot hold together with the other rules: change or unpin it."),
    "blocked_month": N_("{process} is pinned to {period}, when no audits take place."),
    "unknown": N_("No programme satisfies every rule, and no single cause was found within the time limit."),
}
_QUARTER = N_("Q{quarter} {year}")
_WITH_PEOPLE = N_("{sentence} Concerned: {people}.")


@dataclass(frozen=True)
class Names:
    """Display names in the caller's language."""

    processes: Mapping[str, str]
    units: Mapping[str, str]
    people: Mapping[str, str]


def standard_label(standard: str | None) -> str:
    return _STANDARDS.get(standard or "", standard or "")


def period_label(locale: Locale, year: int, months: Sequence[int]) -> str:
    """A quarter when the months are one ("Q2 2027"), else the months by name ("May 2027")."""
    ordered = sorted(set(months))
    if len(ordered) == 3 and ordered[0] % 3 == 1 and ordered[2] == ordered[0] + 2:
        return translate(locale, _QUARTER, quarter=(ordered[0] - 1) // 3 + 1, year=year)
    babel_locale = {"ar": "ar_MA", "fr": "fr_MA"}.get(locale, locale)  # Moroccan month names, Latin digits
    names = [format_date(date(year, m, 1), "LLLL y", locale=babel_locale) for m in ordered]
    return ", ".join(names) if names else str(year)


def blocker_message(locale: Locale, blocker: Blocker, year: int, names: Names) -> str:
    sentence = translate(
        locale,
        _MESSAGES.get(blocker.kind, _MESSAGES["unknown"]),
        standard=standard_label(blocker.standard),
        process=names.processes.get(blocker.process_id or "", blocker.process_id or ""),
        unit=names.units.get(blocker.unit_id or "", blocker.unit_id or ""),
        period=period_label(locale, year, blocker.months),
        count=blocker.count if blocker.count is not None else "",
        limit=blocker.limit if blocker.limit is not None else "",
        clause=(blocker.clause or "").replace("iso", "ISO ").replace(":", " § "),
    )
    if blocker.person_ids:
        people = ", ".join(names.people.get(p, p) for p in blocker.person_ids)
        return translate(locale, _WITH_PEOPLE, sentence=sentence, people=people)
    return sentence

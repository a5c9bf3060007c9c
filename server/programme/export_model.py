"""What the programme's exports (calendar, workbook, PDF) are made from: the programme resolved to names in
one language, and the wording the three share.

The service fills :class:`ExportDoc` (names of people, processes and units in the export's language, the
catalog's ``gettext``); ``ics.py``, ``xlsx.py`` and ``pdf.py`` read nothing else and return bytes. No I/O
here. Every label is an English msgid marked with ``N_`` and translated through ``ExportDoc.labels``;
month names, dates and numbers come from Babel (ar_MA / fr_MA, Latin digits).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Final, Literal
from zoneinfo import ZoneInfo

from babel.dates import get_month_names

from server.audits.logic import STATUS_LABELS as AUDIT_STATUS_LABELS
from server.lib.i18n import N_
from server.reports.facts import STANDARD_LABELS, in_language
from server.reports.wording import Words

if TYPE_CHECKING:
    from datetime import datetime

    from server.programme.schemas import EntryOut, ProgrammeOut, RiskRowOut

__all__ = [
    "AUDIT_STATUS_LABELS",
    "LEVEL_LABELS",
    "PROGRAMME_STATUS_LABELS",
    "VERSION_STATUS_LABELS",
    "ExportDoc",
    "Lang",
]

Lang = Literal["ar", "fr"]

PROGRAMME_STATUS_LABELS: Final[dict[str, str]] = {
    "draft": N_("Draft"),
    "submitted": N_("Submitted for approval"),
    "approved": N_("Approved"),
}
VERSION_STATUS_LABELS: Final[dict[str, str]] = {
    "submitted": N_("Submitted for approval"),
    "approved": N_("Approved"),
    "returned": N_("Returned for changes"),
}
LEVEL_LABELS: Final[dict[str, str]] = {"low": N_("Low"), "medium": N_("Medium"), "high": N_("High")}
_BABEL_LOCALES: Final[dict[Lang, str]] = {"ar": "ar_MA", "fr": "fr_MA"}


@dataclass(frozen=True)
class ExportDoc:
    """A programme ready to export in one language. Ids missing from a mapping print as themselves,
    so an export never fails on a person or process deleted since."""

    programme: ProgrammeOut
    lang: Lang
    organisation: str
    """The organisation's name in ``lang``."""
    people: Mapping[str, str]
    """Person id → full name in ``lang``."""
    initials: Mapping[str, str]
    """Person id → 2–3 Latin letters (from the French name), unique within the organisation."""
    processes: Mapping[str, tuple[str, str]]
    """Process id → (code, name in ``lang``)."""
    units: Mapping[str, str]
    """Unit id → name in ``lang``."""
    labels: Callable[[str], str]
    """``gettext`` of ``lang``: an English msgid → its translation."""
    generated_at: datetime
    """When the export was made (timezone-aware): the calendar's DTSTAMP, the PDF's date."""
    timezone: str = "Africa/Casablanca"
    """IANA zone in which times are shown (``settings.time_zone``)."""

    # ------------------------------------------------------------------ wording

    @cached_property
    def words(self) -> Words:
        """Babel dates and numbers in ``lang`` (the signed reports' wording)."""
        return Words(self.lang, ZoneInfo(self.timezone))

    @property
    def rtl(self) -> bool:
        return self.lang == "ar"

    def label(self, message: str, **params: object) -> str:
        """A msgid translated, then its ``{placeholders}`` filled."""
        text = self.labels(message)
        return text.format(**params) if params else text

    def joined(self, values: Sequence[str]) -> str:
        """Values side by side with the language's comma."""
        return self.words.joined(list(values))

    def month_name(self, month: int, *, short: bool = False) -> str:
        """The month's stand-alone name (Moroccan names in Arabic: يناير … دجنبر), capitalised in French."""
        names = get_month_names(
            "abbreviated" if short else "wide", "stand-alone", locale=_BABEL_LOCALES[self.lang]
        )
        name = str(names[month])
        return name[:1].upper() + name[1:]

    def standards_text(self, standards: Sequence[str]) -> str:
        """``ISO 9001, ISO 14001``: the same in every language."""
        return ", ".join(STANDARD_LABELS.get(s, s) for s in standards)

    def local(self, moment: datetime) -> datetime:
        """``moment`` in the export's time zone."""
        return moment.astimezone(ZoneInfo(self.timezone))

    # ------------------------------------------------------------------ names

    def person(self, person_id: str) -> str:
        """A person's full name, or a name or id given in place of a person id, unchanged."""
        return self.people.get(person_id, person_id)

    def initials_of(self, person_id: str) -> str:
        return self.initials.get(person_id, person_id[:3].upper())

    def process_code(self, process_id: str) -> str:
        known = self.processes.get(process_id)
        if known:
            return known[0]
        row = self.risk_rows.get(process_id)
        return row.code if row else process_id

    def process_name(self, process_id: str) -> str:
        known = self.processes.get(process_id)
        if known:
            return known[1]
        row = self.risk_rows.get(process_id)
        return in_language(row.name, self.lang) if row else ""

    def owner_unit(self, process_id: str) -> str:
        """The audited unit's name (from the risk table, which lists every process of the universe)."""
        row = self.risk_rows.get(process_id)
        return self.units.get(row.owner_unit_id, row.owner_unit_id) if row else ""

    @cached_property
    def risk_rows(self) -> dict[str, RiskRowOut]:
        return {row.process_id: row for row in self.programme.risks}

    # ------------------------------------------------------------------ entries

    def team_ids(self, entry: EntryOut) -> list[str]:
        """The lead first, then the auditors in their order; nobody twice."""
        return list(dict.fromkeys([entry.lead_id, *entry.auditor_ids]))

    def entries_in_order(self) -> list[EntryOut]:
        """By start date, then process code: the order of a calendar."""
        return sorted(self.programme.entries, key=lambda e: (e.start, self.process_code(e.process_id)))

    def process_ids_in_order(self) -> list[str]:
        """Every process of the risk table and every audited one, by code: the grid's rows."""
        ids = dict.fromkeys([*(r.process_id for r in self.programme.risks)])
        ids.update(dict.fromkeys(e.process_id for e in self.programme.entries))
        return sorted(ids, key=lambda pid: (self.process_code(pid), pid))

    def pinned_text(self, entry: EntryOut) -> str:
        """What was fixed by hand: ``Month``, ``Team``, both, or nothing."""
        parts = [(entry.pinned_month, N_("Month")), (entry.pinned_team, N_("Team"))]
        return self.joined([self.labels(label) for pinned, label in parts if pinned])

    def audit_status(self, entry: EntryOut) -> str:
        status = entry.audit_status
        if status is None:
            return ""
        return self.labels(AUDIT_STATUS_LABELS.get(status, status))

    def programme_status(self) -> str:
        status = self.programme.status
        return self.labels(PROGRAMME_STATUS_LABELS.get(status, status))

    def cycle_text(self) -> str:
        """``2026–2028``: first and last year of the certification cycle."""
        cycle = self.programme.cycle
        return f"{cycle[0]}–{cycle[-1]}" if cycle else ""

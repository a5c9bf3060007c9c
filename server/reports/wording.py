"""Wording in the report's language: catalog messages, Babel dates and numbers, the labels of classes,
degrees and signers, and the small worded blocks every section uses.

Dates and numbers come from Babel's ar_MA / fr_MA data; numbers ask for the latn numbering system
explicitly (CLDR's default for ar_MA too), which also keeps Morocco's separators (a decimal comma) rather
than the Arabic ٫ and ٬. Babel never writes Arabic-Indic digits. Times are shown in the report's time zone
(``ReportIssue.timezone``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

from babel import Locale as BabelLocale
from babel.dates import format_date, format_time
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.units import format_unit

from server.lib.i18n import N_, translate
from server.reports.facts import clause_label, in_language
from server.reports.model import Field, Para, Table

if TYPE_CHECKING:
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from server.lib.structs import LocalizedName
    from server.reports.facts import ReportFacts
    from server.sync.schemas import SignatureRole

__all__ = [
    "CLASS_LABELS",
    "CLASS_PLURAL_LABELS",
    "DASH",
    "DEGREE_LABELS",
    "SIGNER_LABELS",
    "Lang",
    "Words",
    "heading",
    "labelled",
    "table",
]

Lang = Literal["ar", "fr"]
_BABEL_LOCALES: Final[dict[str, str]] = {"ar": "ar_MA", "fr": "fr_MA"}
DASH: Final = "—"
"""What the report shows where a value is missing."""

CLASS_LABELS: Final[dict[str, str]] = {
    "nc_major": N_("Major nonconformity"),
    "nc_minor": N_("Minor nonconformity"),
    "observation": N_("Observation"),
    "improvement": N_("Opportunity for improvement"),
    "strong_point": N_("Strong point"),
    "conform": N_("Conform"),
    "not_applicable": N_("Not applicable"),
}
"""One finding of each class (a card's heading, where a file is used)."""
CLASS_PLURAL_LABELS: Final[dict[str, str]] = {
    "nc_major": N_("Major nonconformities"),
    "nc_minor": N_("Minor nonconformities"),
    "observation": N_("Observations"),
    "improvement": N_("Opportunities for improvement"),
    "strong_point": N_("Strong points"),
    "conform": N_("Conforming answers without a statement"),
    "not_applicable": N_("Not applicable"),
}
"""The findings of each class, counted (the summary's rows, the conclusions' counts)."""
DEGREE_LABELS: Final[dict[str, str]] = {
    "fully": N_("Fully met"),
    "largely": N_("Largely met"),
    "partially": N_("Partially met"),
    "not_met": N_("Not met"),
}
SIGNER_LABELS: Final[dict[SignatureRole, str]] = {
    "lead_auditor": N_("Lead auditor"),
    "auditee_representative": N_("Auditee's representative"),
}


@dataclass(frozen=True)
class Words:
    """Wording in the report's language: catalog messages, dates, numbers, names."""

    lang: Lang
    zone: ZoneInfo

    @property
    def locale(self) -> str:
        return _BABEL_LOCALES[self.lang]

    def __call__(self, message: str, **params: object) -> str:
        return translate(self.lang, message, **params)

    def number(self, value: float, pattern: str | None = None) -> str:
        return format_decimal(value, format=pattern, locale=self.locale, numbering_system="latn")

    def day(self, value: date) -> str:
        return format_date(value, "long", locale=self.locale)

    def moment(self, value: datetime) -> str:
        local = value.astimezone(self.zone)
        pattern = BabelLocale.parse(self.locale).datetime_formats["medium"]
        clock = format_time(local.time(), "HH:mm", locale=self.locale)
        return str(pattern).format(clock, self.day(local.date()))

    def local_day(self, value: datetime) -> date:
        return value.astimezone(self.zone).date()

    def period(self, start: date | None, end: date | None) -> str:
        if start and end and start != end:
            return self(N_("{start} to {end}"), start=self.day(start), end=self.day(end))
        one = start or end
        return self.day(one) if one else DASH

    def name(self, text: LocalizedName | None) -> str:
        return in_language(text, self.lang) if text is not None else DASH

    def joined(self, values: list[str]) -> str:
        """Names side by side, with the language's comma (no 'and': a place, not a list)."""
        return ("، " if self.lang == "ar" else ", ").join(values)

    def items(self, values: list[str]) -> str:
        return format_list(values, locale=self.locale) if values else DASH

    def size(self, size: int) -> str:
        for unit, scale in (("digital-megabyte", 1_000_000), ("digital-kilobyte", 1_000)):
            if size >= scale:
                amount = self.number(size / scale, "#,##0.#")
                return format_unit(amount, unit, length="short", locale=self.locale)
        return format_unit(self.number(size), "digital-byte", length="short", locale=self.locale)

    def clause(self, facts: ReportFacts, ref: str) -> str:
        """``ISO 9001 8.5.1 — title`` when the title is known."""
        title = facts.clause_titles.get(ref)
        text = in_language(title, self.lang) if title else ""
        return f"{clause_label(ref)} — {text}" if text else clause_label(ref)

    def lead_auditor(self, facts: ReportFacts) -> str:
        """The audit team's lead auditors, as a list."""
        return self.items([self.name(m.name) for m in facts.team if m.role == "lead"])


def heading(words: Words, text: str) -> Para:
    return Para(text=words(text), style="emphasis")


def labelled(words: Words, pairs: list[tuple[str, str]]) -> list[Field]:
    """Fields from (message, value) pairs; a pair without a value is left out."""
    return [Field(label=words(label), value=value) for label, value in pairs if value]


def table(words: Words, columns: list[str], rows: list[list[str]], widths: list[float]) -> Table:
    """A table whose column headings are messages (a heading already worded passes through unchanged)."""
    return Table(columns=[words(c) for c in columns], rows=rows, widths=widths)

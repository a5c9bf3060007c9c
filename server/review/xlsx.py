"""The review pack as an Excel workbook (openpyxl), in Arabic (sheets right to left) or French.

A summary sheet, then one sheet per table of the pack, each under one frozen header row. A table whose
columns add up (realisation, findings by severity, standard, clause group and process, records by
status and age, verdicts) ends with a "Total" row summing every count column: the same sums the PDF
prints, so the two can be compared. Counts are numbers, dates real dates, rates percentages.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final, Literal
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from server.lib.cells import cell_safe
from server.lib.i18n import N_, translate
from server.reports.facts import clause_label, in_language
from server.review.labels import (
    ACTION_TYPE_LABELS,
    AGE_LABELS,
    SEVERITY_LABEL,
    SEVERITY_LABELS,
    STATUS_LABELS,
)

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from server.review.model import CountRow, Names, ReviewPack

__all__ = ["SHEETS", "TOTALLED", "pack_workbook"]

Lang = Literal["ar", "fr"]
Cell = str | int | float | date | datetime | None

SHEETS: Final[tuple[str, ...]] = (
    N_("Summary"),
    N_("Programme realisation"),
    N_("Findings by severity"),
    N_("Findings by standard"),
    N_("Findings by clause group"),
    N_("Findings by process"),
    N_("Recurring clauses"),
    N_("Nonconformities by status"),
    N_("Ageing of open nonconformities"),
    N_("Overdue actions"),
    N_("Effectiveness of actions"),
    N_("Notable findings"),
)
"""The sheets' titles (msgids), in order."""
TOTALLED: Final[frozenset[str]] = frozenset(SHEETS[1:6] + SHEETS[7:9] + SHEETS[10:11])
"""The sheets that end with a total row."""

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_TOTAL_FONT = Font(bold=True)
_TOTAL_FILL = PatternFill("solid", fgColor="E9EDF2")
_WRAP = Alignment(wrap_text=True, vertical="top")
_DATE_FORMAT, _TIME_FORMAT, _RATE_FORMAT = "dd/mm/yyyy", "dd/mm/yyyy hh:mm", "0.0%"
_NOT_IN_TITLE = re.compile(r"[\[\]:*?/\\]")
_SEVERITIES: Final = ("major", "minor", "observation", "improvement")
_NC_SEVERITIES: Final = ("major", "minor", "observation")


@dataclass(frozen=True)
class _Book:
    workbook: Workbook
    pack: ReviewPack
    lang: Lang
    t: Callable[[str], str]
    zone: ZoneInfo

    def name(self, names: Names | None) -> str:
        return in_language(names, self.lang) if names is not None else ""

    def sheet(self, title: str, headers: Sequence[tuple[str, float]]) -> Worksheet:
        """A sheet under one frozen header row; ``headers`` are (msgid or text, width)."""
        sheet: Worksheet = self.workbook.create_sheet(_NOT_IN_TITLE.sub("-", self.t(title))[:31])
        sheet.sheet_view.rightToLeft = self.lang == "ar"
        sheet.append([self.t(header) for header, _ in headers])
        for index, (_, width) in enumerate(headers, start=1):
            cell = sheet.cell(row=1, column=index)
            cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _WRAP
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "B2"
        return sheet


def _append(sheet: Worksheet, row: int, values: Sequence[Cell]) -> list[Any]:
    """Row number ``row`` (the sheet's next one): written cell by cell, because asking the sheet for its
    last row scans every cell (quadratic over a long table). Texts wrap; dates get a display format."""
    cells = []
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column, value=cell_safe(value))
        if isinstance(value, str):
            cell.alignment = _WRAP
        elif isinstance(value, datetime):
            cell.number_format = _TIME_FORMAT
        elif isinstance(value, date):
            cell.number_format = _DATE_FORMAT
        cells.append(cell)
    return cells


def _count(value: Cell) -> int:
    return value if isinstance(value, int) else 0


def _table(book: _Book, sheet: Worksheet, rows: Sequence[Sequence[Cell]], texts: int, *, total: bool) -> None:
    """Data rows under the header, then (``total``) a row summing each column after the first ``texts``."""
    width = sheet.max_column  # the header's, read once
    for number, row in enumerate(rows, start=2):
        _append(sheet, number, row)
    last = len(rows) + 1
    if total:
        sums = [sum(_count(r[i]) for r in rows) for i in range(texts, width)]
        for cell in _append(sheet, last + 1, [book.t(N_("Total")), *[""] * (texts - 1), *sums]):
            cell.font, cell.fill = _TOTAL_FONT, _TOTAL_FILL
    elif rows:
        sheet.auto_filter.ref = f"A1:{get_column_letter(width)}{last}"


# ------------------------------------------------------------------ sheets


def _summary(book: _Book) -> None:
    pack, totals, e = book.pack, book.pack.totals, book.pack.effectiveness
    sheet = book.sheet(SHEETS[0], [(N_("Figure"), 52), (N_("Value"), 24)])
    items: list[tuple[str, Cell]] = [
        (N_("Period"), pack.period.label),
        (N_("Previous period"), pack.previous.label),
        (N_("As of"), pack.as_of),
        (N_("Generated at"), pack.generated_at.astimezone(book.zone).replace(tzinfo=None)),
        (N_("Audits planned"), totals.audits_planned),
        (N_("Audits done"), totals.audits_done),
        (N_("Audits cancelled"), totals.audits_cancelled),
        (N_("Realisation rate"), totals.realisation_rate),
        (N_("Findings"), totals.findings),
        (N_("Findings in the previous period"), totals.previous_findings),
        (N_("Nonconformity records opened"), totals.nonconformities_opened),
        (N_("Nonconformity records not closed"), totals.nonconformities_open),
        (N_("Overdue actions"), totals.overdue_actions),
        (N_("Verifications"), e.verified),
        (N_("Effectiveness rate"), e.rate),
    ]
    for number, (label, value) in enumerate(items, start=2):
        _, cell = _append(sheet, number, [book.t(label), value])
        if label in (N_("Realisation rate"), N_("Effectiveness rate")):
            cell.number_format = _RATE_FORMAT


def _realisation(book: _Book) -> None:
    headers = [
        N_("Quarter"),
        N_("Planned"),
        N_("Done"),
        N_("In progress"),
        N_("Not started"),
        N_("Cancelled"),
    ]
    sheet = book.sheet(SHEETS[1], [(headers[0], 16), *[(h, 14) for h in headers[1:]]])
    rows: list[list[Cell]] = [
        [
            book.t(N_("Q{quarter} {year}")).format(quarter=r.quarter, year=r.year),
            r.planned,
            r.done,
            r.in_progress,
            r.not_started,
            r.cancelled,
        ]
        for r in book.pack.realisation
    ]
    _table(book, sheet, rows, 1, total=True)


def _severity(book: _Book) -> None:
    sheet = book.sheet(
        SHEETS[2], [(N_("Severity"), 34), (N_("This period"), 16), (N_("Previous period"), 16)]
    )
    rows: list[list[Cell]] = [
        [book.t(SEVERITY_LABELS[r.severity]), r.current, r.previous] for r in book.pack.findings_by_severity
    ]
    _table(book, sheet, rows, 1, total=True)


def _counts(
    book: _Book, title: str, heading: str, rows: Sequence[CountRow], name: Callable[[CountRow], str]
) -> None:
    headers = [(heading, 44), *[(SEVERITY_LABELS[s], 16) for s in _SEVERITIES]]
    sheet = book.sheet(title, [*headers, (N_("Total"), 12), (N_("Previous period"), 16)])
    cells: list[list[Cell]] = [
        [name(r), r.major, r.minor, r.observation, r.improvement, r.total, r.previous_total] for r in rows
    ]
    _table(book, sheet, cells, 1, total=True)


def _findings(book: _Book) -> None:
    pack = book.pack
    _counts(book, SHEETS[3], N_("Standard"), pack.findings_by_standard, lambda r: book.name(r.label))
    _counts(
        book,
        SHEETS[4],
        N_("Clause group"),
        pack.findings_by_clause_group,
        lambda r: f"{r.key} — {book.name(r.label)}" if book.name(r.label) != r.key else r.key,
    )
    _counts(
        book,
        SHEETS[5],
        N_("Process"),
        pack.findings_by_process,
        lambda r: book.name(r.label) if r.key else book.t(N_("No process")),
    )


def _recurring(book: _Book) -> None:
    headers = [(N_("Clause"), 20), (N_("Title"), 40), (N_("Audit codes"), 40), (N_("Audits"), 10)]
    sheet = book.sheet(SHEETS[6], [*headers, (N_("Findings"), 10)])
    rows: list[list[Cell]] = [
        [clause_label(r.clause), book.name(r.label), ", ".join(r.audit_codes), r.audits, r.findings]
        for r in book.pack.recurring_clauses
    ]
    _table(book, sheet, rows, 3, total=False)


def _records(book: _Book) -> None:
    severities = [(SEVERITY_LABELS[s], 16) for s in _NC_SEVERITIES]
    sheet = book.sheet(SHEETS[7], [(N_("Status"), 28), *severities, (N_("Total"), 12)])
    rows: list[list[Cell]] = [
        [book.t(STATUS_LABELS.get(r.status, r.status)), r.major, r.minor, r.observation, r.total]
        for r in book.pack.nc_status
    ]
    _table(book, sheet, rows, 1, total=True)
    sheet = book.sheet(SHEETS[8], [(N_("Age"), 24), *severities, (N_("Total"), 12)])
    rows = [
        [book.t(AGE_LABELS[r.bucket]), r.major, r.minor, r.observation, r.total] for r in book.pack.nc_ageing
    ]
    _table(book, sheet, rows, 1, total=True)


def _overdue(book: _Book) -> None:
    headers = [(N_("Audit"), 16), (N_("Unit"), 34), (N_("Owner"), 26), (N_("Type"), 20), (N_("Action"), 50)]
    sheet = book.sheet(SHEETS[9], [*headers, (N_("Due date"), 12), (N_("Days late"), 10)])
    rows: list[list[Cell]] = [
        [
            r.audit_code,
            book.name(r.unit),
            book.name(r.owner),
            book.t(ACTION_TYPE_LABELS.get(r.type, r.type)),
            r.description,
            r.due,
            r.days_late,
        ]
        for r in book.pack.overdue_actions
    ]
    _table(book, sheet, rows, 7, total=False)


def _effectiveness(book: _Book) -> None:
    e = book.pack.effectiveness
    sheet = book.sheet(SHEETS[10], [(N_("Verdict"), 24), (N_("Verifications"), 16)])
    rows: list[list[Cell]] = [
        [book.t(N_("Effective")), e.effective],
        [book.t(N_("Ineffective")), e.ineffective],
    ]
    _table(book, sheet, rows, 1, total=True)


def _notable(book: _Book) -> None:
    headers = [(N_("Audit"), 16), (N_("Severity"), 26), (N_("Clauses"), 30), (N_("Unit"), 30)]
    sheet = book.sheet(SHEETS[11], [*headers, (N_("Process"), 30), (N_("Statement"), 80)])
    rows: list[list[Cell]] = [
        [
            r.audit_code,
            book.t(SEVERITY_LABEL[r.severity]),
            ", ".join(clause_label(c) for c in r.clauses),
            book.name(r.unit),
            book.name(r.process),
            r.statement,
        ]
        for r in book.pack.notable
    ]
    _table(book, sheet, rows, 6, total=False)


_WRITERS: Final[tuple[Callable[[_Book], None], ...]] = (
    _summary,
    _realisation,
    _severity,
    _findings,
    _recurring,
    _records,
    _overdue,
    _effectiveness,
    _notable,
)
"""In the order of ``SHEETS``."""


def pack_workbook(pack: ReviewPack, lang: Lang, timezone: str = "Africa/Casablanca") -> bytes:
    """The pack's workbook in ``lang``; times in ``timezone`` (Excel has no time zones)."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    book = _Book(workbook, pack, lang, lambda message: translate(lang, message), ZoneInfo(timezone))
    for write in _WRITERS:
        write(book)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

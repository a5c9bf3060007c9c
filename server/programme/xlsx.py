"""The programme as an Excel workbook (openpyxl), in Arabic (sheets right to left) or French.

Five sheets, each a table under one frozen header row: the audits (one row per entry), the month grid
(processes × months, team initials in the cells), the risk table, the clause coverage and the version
history. Dates are real dates and times real times (in the export's time zone: Excel has none), so the
sheets sort and filter.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Final

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from server.lib.cells import cell_safe
from server.lib.i18n import N_
from server.programme.export_model import LEVEL_LABELS, VERSION_STATUS_LABELS
from server.reports.facts import clause_label, in_language
from server.reports.wording import DASH

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from server.programme.export_model import ExportDoc
    from server.programme.schemas import EntryOut

__all__ = ["SHEETS", "programme_workbook"]

Cell = str | int | date | datetime | None

SHEETS: Final[tuple[str, ...]] = (
    N_("Programme"),
    N_("Month grid"),
    N_("Risks"),
    N_("Clause coverage"),
    N_("History"),
)
"""The sheets' titles (msgids), in order."""

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_PINNED_FILL = PatternFill("solid", fgColor="DCE9F7")
_OVERRIDE_FILL = PatternFill("solid", fgColor="FBE3C4")
_BLOCKED_FILL = PatternFill("solid", fgColor="E3E3E3")
_GAP_FILL = PatternFill("solid", fgColor="F6D3D3")
_WRAP = Alignment(wrap_text=True, vertical="top")
_DATE_FORMAT, _TIME_FORMAT = "dd/mm/yyyy", "dd/mm/yyyy hh:mm"
_NOT_IN_TITLE = re.compile(r"[\[\]:*?/\\]")
COVERED: Final = "●"
"""The coverage sheet's mark for a clause an audit of that month covers."""
OVERRIDE_MARK: Final = "⚠"
"""Beside the initials of an audit whose team holds someone from the audited unit or above."""


@dataclass(frozen=True)
class _Column:
    header: str
    """A msgid, or text already worded (a month's name)."""
    width: float


def _sheet(
    workbook: Workbook, doc: ExportDoc, title: str, columns: Sequence[_Column], freeze: str
) -> Worksheet:
    sheet: Worksheet = workbook.create_sheet(_NOT_IN_TITLE.sub("-", doc.labels(title))[:31])
    sheet.sheet_view.rightToLeft = doc.rtl
    sheet.append([doc.labels(c.header) for c in columns])
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _WRAP
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = freeze
    return sheet


def _append(sheet: Worksheet, values: Sequence[Cell]) -> int:
    """One data row; dates and times get a display format. Returns the row's number."""
    sheet.append([cell_safe(value) for value in values])
    row = sheet.max_row
    for cell in sheet[row]:
        cell.alignment = _WRAP
        if isinstance(cell.value, datetime):
            cell.number_format = _TIME_FORMAT
        elif isinstance(cell.value, date):
            cell.number_format = _DATE_FORMAT
    return row


def _filter(sheet: Worksheet) -> None:
    if sheet.max_row > 1:
        sheet.auto_filter.ref = f"A1:{get_column_letter(sheet.max_column)}{sheet.max_row}"


def _yes(doc: ExportDoc, value: bool) -> str:
    return doc.labels(N_("Yes")) if value else ""


# ------------------------------------------------------------------ sheets


def _programme_sheet(workbook: Workbook, doc: ExportDoc) -> None:
    columns = [
        _Column(N_("Code"), 10),
        _Column(N_("Process"), 32),
        _Column(N_("Audited unit"), 30),
        _Column(N_("Standards"), 22),
        _Column(N_("Month"), 12),
        _Column(N_("Start"), 12),
        _Column(N_("End"), 12),
        _Column(N_("Lead auditor"), 22),
        _Column(N_("Auditors"), 34),
        _Column(N_("Pinned by hand"), 16),
        _Column(N_("Independence override"), 44),
        _Column(N_("Audit status"), 14),
    ]
    sheet = _sheet(workbook, doc, SHEETS[0], columns, "C2")
    for entry in doc.entries_in_order():
        pid = entry.process_id
        row = _append(
            sheet,
            [
                doc.process_code(pid),
                doc.process_name(pid),
                doc.owner_unit(pid),
                doc.standards_text(entry.standards),
                doc.month_name(entry.month),
                entry.start,
                entry.end,
                doc.person(entry.lead_id),
                doc.joined([doc.person(p) for p in doc.team_ids(entry)[1:]]),
                doc.pinned_text(entry),
                entry.override_reason,
                doc.audit_status(entry),
            ],
        )
        if entry.override_reason:
            sheet.cell(row=row, column=11).fill = _OVERRIDE_FILL
    _filter(sheet)


def _grid_text(doc: ExportDoc, entries: Sequence[EntryOut]) -> str:
    """Team initials, the lead first; an override marked; two audits in one month on two lines."""
    texts = []
    for entry in entries:
        text = " ".join(doc.initials_of(p) for p in doc.team_ids(entry))
        texts.append(f"{text} {OVERRIDE_MARK}" if entry.override_reason else text)
    return "\n".join(texts)


def _grid_sheet(workbook: Workbook, doc: ExportDoc) -> None:
    months = range(1, 13)
    columns = [_Column(N_("Code"), 10), _Column(N_("Process"), 30)]
    columns += [_Column(doc.month_name(m), 11) for m in months]
    sheet = _sheet(workbook, doc, SHEETS[1], columns, "C2")
    blocked = {b.month: in_language(b.label, doc.lang) for b in doc.programme.blocked_months}
    for month, why in blocked.items():
        header = sheet.cell(row=1, column=2 + month)
        header.comment = Comment(why, "Tadqiq")
    for pid in doc.process_ids_in_order():
        entries = [e for e in doc.programme.entries if e.process_id == pid]
        cells = [_grid_text(doc, [e for e in entries if e.month == m]) or None for m in months]
        row = _append(sheet, [doc.process_code(pid), doc.process_name(pid), *cells])
        for month in months:
            cell = sheet.cell(row=row, column=2 + month)
            here = [e for e in entries if e.month == month]
            if any(e.override_reason for e in here):
                cell.fill = _OVERRIDE_FILL
                cell.comment = Comment(
                    "\n".join(e.override_reason for e in here if e.override_reason), "Tadqiq"
                )
            elif any(e.pinned_month or e.pinned_team for e in here):
                cell.fill = _PINNED_FILL
            elif month in blocked:
                cell.fill = _BLOCKED_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="center")
    _grid_legend(sheet, doc)


def _grid_legend(sheet: Worksheet, doc: ExportDoc) -> None:
    """Below the grid: what the colours mean, then each initials with the person's name."""
    sheet.append([])
    notes = [
        (None, N_("Team initials, the lead auditor first.")),
        (_PINNED_FILL, N_("Month or team pinned by hand.")),
        (
            _OVERRIDE_FILL,
            N_("A member belongs to the audited unit or above it: see the note."),
        ),
        (_BLOCKED_FILL, N_("No audits this month.")),
    ]
    for fill, note in notes:
        mark = f"{OVERRIDE_MARK} " if fill is _OVERRIDE_FILL else ""
        row = _append(sheet, ["", mark + doc.labels(note)])
        if fill is not None:
            sheet.cell(row=row, column=1).fill = fill
    sheet.append([])
    people = dict.fromkeys(p for e in doc.programme.entries for p in doc.team_ids(e))
    for pid in sorted(people, key=doc.initials_of):
        _append(sheet, [doc.initials_of(pid), doc.person(pid)])


def _risk_sheet(workbook: Workbook, doc: ExportDoc) -> None:
    columns = [
        _Column(N_("Code"), 10),
        _Column(N_("Process"), 32),
        _Column(N_("Audited unit"), 30),
        _Column(N_("Standards"), 22),
        _Column(N_("Criticality"), 11),
        _Column(N_("Major nonconformities"), 14),
        _Column(N_("Minor nonconformities"), 14),
        _Column(N_("Open actions"), 11),
        _Column(N_("Changes"), 11),
        _Column(N_("Complaints"), 11),
        _Column(N_("Months since the last audit"), 14),
        _Column(N_("Score"), 9),
        _Column(N_("Risk level"), 11),
        _Column(N_("Audits required"), 11),
        _Column(N_("Audits at most"), 11),
        _Column(N_("Note"), 30),
    ]
    sheet = _sheet(workbook, doc, SHEETS[2], columns, "C2")
    for r in sorted(doc.programme.risks, key=lambda r: (-r.score, r.code)):
        level = doc.labels(LEVEL_LABELS.get(r.level, r.level))
        values: list[Cell] = [r.code, doc.process_name(r.process_id), doc.owner_unit(r.process_id)]
        values += [doc.standards_text(r.standards), r.criticality, r.nc_major, r.nc_minor, r.open_actions]
        values += [r.changes, r.complaints, r.months_since_last_audit, r.score, level, r.audits_min]
        values += [r.audits_max, r.note]
        _append(sheet, values)
    _filter(sheet)


def _coverage_sheet(workbook: Workbook, doc: ExportDoc) -> None:
    columns = [
        _Column(N_("Clause"), 16),
        _Column(N_("Title"), 34),
        _Column(N_("Covered earlier in the cycle"), 14),
    ]
    columns += [_Column(doc.month_name(m, short=True), 7) for m in range(1, 13)]
    columns += [_Column(N_("Gap"), 8), _Column(N_("No question covers it"), 14)]
    sheet = _sheet(workbook, doc, SHEETS[3], columns, "C2")
    for c in doc.programme.coverage:
        marks = [COVERED if m in c.months else None for m in range(1, 13)]
        values = [clause_label(c.clause), in_language(c.title, doc.lang), _yes(doc, c.covered_before), *marks]
        row = _append(sheet, [*values, _yes(doc, c.gap), _yes(doc, c.uncoverable)])
        if c.gap or c.uncoverable:
            for cell in sheet[row]:
                cell.fill = _GAP_FILL
        for cell in sheet[row][3:15]:
            cell.alignment = Alignment(horizontal="center", vertical="top")
    _filter(sheet)


def _history_sheet(workbook: Workbook, doc: ExportDoc) -> None:
    columns = [
        _Column(N_("Version"), 9),
        _Column(N_("Status"), 20),
        _Column(N_("Reason"), 40),
        _Column(N_("Comment"), 40),
        _Column(N_("Submitted by"), 22),
        _Column(N_("Submitted on"), 17),
        _Column(N_("Decided by"), 22),
        _Column(N_("Decided on"), 17),
    ]
    sheet = _sheet(workbook, doc, SHEETS[4], columns, "A2")

    def local(moment: datetime | None) -> datetime | None:
        return doc.local(moment).replace(tzinfo=None) if moment else None  # Excel keeps no time zone

    for v in sorted(doc.programme.history, key=lambda v: v.number):
        status = doc.labels(VERSION_STATUS_LABELS.get(v.status, v.status))
        decided_by = doc.person(v.decided_by) if v.decided_by else DASH
        values: list[Cell] = [v.number, status, v.reason, v.comment, doc.person(v.submitted_by)]
        _append(sheet, [*values, local(v.submitted_at), decided_by, local(v.decided_at)])


_BUILDERS: Final[tuple[Callable[[Workbook, ExportDoc], None], ...]] = (
    _programme_sheet,
    _grid_sheet,
    _risk_sheet,
    _coverage_sheet,
    _history_sheet,
)


def programme_workbook(doc: ExportDoc) -> bytes:
    """The programme as ``.xlsx`` bytes, sheets in the order of :data:`SHEETS`, titles and headers in
    ``doc.lang`` (right to left in Arabic)."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for build in _BUILDERS:
        build(workbook, doc)
    created = doc.local(doc.generated_at).replace(tzinfo=None)
    title = doc.label(N_("Annual audit programme {year}"), year=doc.programme.year)
    workbook.properties.title = f"{title} — {doc.organisation}"
    workbook.properties.creator = "Tadqiq"
    workbook.properties.created = workbook.properties.modified = created
    workbook.properties.language = doc.lang
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

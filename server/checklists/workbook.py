"""The checklist as an Excel workbook (openpyxl): one sheet per standard, and reading it back."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from server.checklists.library import LANGS, Library
from server.checklists.logic import OrgQuestion, WorkbookRow
from server.lib.cells import cell_safe
from server.lib.errors import AppError, ErrorCode
from server.lib.i18n import N_, Locale, translate
from server.lib.standards import STANDARDS

__all__ = ["COLUMNS", "build_workbook", "read_workbook"]

MARKER = "tadqiq-checklist/1"
META_SHEET = "_tadqiq"
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("id", N_("Question id"), 12),
    ("source", N_("Source"), 14),
    ("clauses", N_("Clauses"), 28),
    ("text_ar", N_("Question (Arabic)"), 60),
    ("text_fr", N_("Question (French)"), 60),
    ("text_en", N_("Question (English)"), 50),
    ("guidance_ar", N_("Guidance (Arabic)"), 60),
    ("guidance_fr", N_("Guidance (French)"), 60),
    ("guidance_en", N_("Guidance (English)"), 50),
    ("tags", N_("Tags"), 18),
    ("basis", N_("Basis"), 22),
    ("processes", N_("Processes (codes)"), 18),
    ("rev", N_("Revision (technical: do not edit)"), 12),
)
"""Each column: its key (stored in the hidden sheet, so the import reads columns by key), its header and
width. ``rev`` holds an organisation question's revision at export: it is hidden, and the import refuses
a row that would overwrite a later change."""
SHEET_TITLES = {"iso9001": "ISO 9001", "iso14001": "ISO 14001", "iso45001": "ISO 45001"}
_SOURCES = {"library": N_("library"), "organisation": N_("organisation")}
_BASES = {
    "requirement": N_("requirement"),
    "good_practice": N_("good practice (a gap is an opportunity for improvement)"),
}


def _rows_for(
    standard: str,
    library: Library,
    org_questions: Sequence[OrgQuestion],
    process_codes: dict[str, str],
    lang: Locale,
) -> list[tuple[Any, ...]]:
    rows: list[tuple[tuple[int, ...], tuple[Any, ...]]] = []
    for q in library.questions:
        numbers = [r.partition(":")[2] for r in q.clauses if r.startswith(standard + ":")]
        if numbers:
            values = (
                q.id,
                translate(lang, _SOURCES["library"]),
                " ".join(q.clauses),
                *(getattr(q.text, x) for x in LANGS),
                *(getattr(q.guidance, x) for x in LANGS),
                " ".join(q.tags),
                translate(lang, _BASES[q.basis]),
                "",
                None,
            )
            rows.append((min(tuple(map(int, n.split("."))) for n in numbers), values))
    for o in org_questions:
        numbers = [r.partition(":")[2] for r in o.clauses if r.startswith(standard + ":")]
        if numbers and not o.retired:
            codes = " ".join(sorted(process_codes.get(p, p) for p in o.process_ids))
            values = (
                o.code,
                translate(lang, _SOURCES["organisation"]),
                " ".join(o.clauses),
                *(getattr(o.text, x) for x in LANGS),
                *(getattr(o.guidance, x) for x in LANGS),
                " ".join(o.tags),
                translate(lang, _BASES["requirement"]),
                codes,
                o.rev,
            )
            rows.append((min(tuple(map(int, n.split("."))) for n in numbers), values))
    rows.sort(key=lambda row: (row[0], str(row[1][0])))
    return [row[1] for row in rows]


def build_workbook(
    library: Library,
    org_questions: Sequence[OrgQuestion],
    *,
    standards: Sequence[str],
    lang: Locale,
    version: str,
    process_codes: dict[str, str],
) -> bytes:
    """``process_codes`` maps process id → code, so people edit codes rather than UUIDs."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F4E79")
    for standard in (s for s in STANDARDS if s in standards):
        sheet = workbook.create_sheet(SHEET_TITLES[standard])
        sheet.sheet_view.rightToLeft = lang == "ar"
        sheet.append([translate(lang, label) for _, label, _ in COLUMNS])
        for index, (key, _, width) in enumerate(COLUMNS, start=1):
            cell = sheet.cell(row=1, column=index)
            cell.font, cell.fill = header_font, header_fill
            sheet.column_dimensions[cell.column_letter].width = width
            sheet.column_dimensions[cell.column_letter].hidden = key == "rev"
        for values in _rows_for(standard, library, org_questions, process_codes, lang):
            sheet.append([cell_safe(value) for value in values])
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "D2"
    meta = workbook.create_sheet(META_SHEET)
    meta.append([MARKER])
    meta.append([version])
    meta.append([key for key, _, _ in COLUMNS])
    meta.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    return str(value).strip()


def read_workbook(content: bytes) -> list[WorkbookRow]:
    """Every data row of every standard sheet, keyed by column; 400 when it is not our workbook."""
    bad = AppError(ErrorCode.CHECKLIST_BAD_WORKBOOK)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise bad from exc
    if META_SHEET not in workbook.sheetnames:
        raise bad
    meta = [
        [_cell_text(c) for c in row] for row in workbook[META_SHEET].iter_rows(max_row=3, values_only=True)
    ]
    if len(meta) < 3 or not meta[0] or meta[0][0] != MARKER:
        raise bad
    keys = [k for k in meta[2] if k]
    if "id" not in keys or "clauses" not in keys:
        raise bad
    rows: list[WorkbookRow] = []
    titles = {title: standard for standard, title in SHEET_TITLES.items()}
    for name in workbook.sheetnames:
        if name not in titles:
            continue
        for number, values in enumerate(workbook[name].iter_rows(min_row=2, values_only=True), start=2):
            cells = {key: _cell_text(value) for key, value in zip(keys, values, strict=False)}
            if any(cells.values()):
                rows.append(WorkbookRow(sheet=name, row=number, values=cells))
            if len(rows) > 20_000:
                raise bad
    return rows

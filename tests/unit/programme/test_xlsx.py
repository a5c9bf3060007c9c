"""The programme's workbook read back with openpyxl: its five sheets, right to left in Arabic, one row per
audit, risk, clause and version, real dates, team initials in the month grid."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime

import msgspec
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from server.programme.export_model import ExportDoc
from server.programme.xlsx import COVERED, OVERRIDE_MARK, SHEETS, programme_workbook
from tests.unit.programme.export_samples import OVERRIDE_ENTRY, OVERRIDE_REASON, Lang, sample_doc


def _open(doc: ExportDoc) -> Workbook:
    return load_workbook(io.BytesIO(programme_workbook(doc)))


def _rows(sheet: Worksheet) -> list[list[object]]:
    return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


@pytest.fixture(params=["ar", "fr"])
def lang(request: pytest.FixtureRequest) -> Lang:
    value: Lang = request.param
    return value


def test_the_five_sheets_are_titled_in_the_language_and_mirrored_in_arabic(lang: Lang) -> None:
    doc = sample_doc(lang)
    book = _open(doc)
    assert book.sheetnames == [doc.labels(title) for title in SHEETS]
    for sheet in book.worksheets:
        assert bool(sheet.sheet_view.rightToLeft) == (lang == "ar")
        assert sheet.freeze_panes in ("A2", "C2")  # the header row stays in view


def test_the_programme_sheet_has_one_row_per_audit_with_real_dates(lang: Lang) -> None:
    doc = sample_doc(lang)
    sheet = _open(doc).worksheets[0]
    assert sheet.cell(1, 1).value == doc.labels("Code")
    rows = _rows(sheet)
    assert len(rows) == len(doc.programme.entries) == 9
    by_start = sorted(doc.programme.entries, key=lambda e: e.start)
    assert [r[0] for r in rows] == [doc.process_code(e.process_id) for e in by_start]
    override = next(e for e in doc.programme.entries if e.id == OVERRIDE_ENTRY)
    row = next(r for r in rows if r[10])
    assert row[:4] == [
        "DEC",
        doc.process_name("pr-dec"),
        doc.owner_unit("pr-dec"),
        "ISO 14001, ISO 45001",
    ]
    assert row[4] == doc.month_name(5)
    assert isinstance(row[5], datetime) and row[5].date() == override.start
    assert isinstance(row[6], datetime) and row[6].date() == override.end
    assert row[7] == doc.person("p-karim")
    assert row[8] == doc.person("p-nadia")
    assert row[9] == doc.joined([doc.labels("Month"), doc.labels("Team")])
    assert row[10] == OVERRIDE_REASON[lang]
    assert sum(1 for r in rows if r[10]) == 1


def test_the_grid_has_a_row_per_process_and_team_initials_in_the_months() -> None:
    doc = sample_doc("fr")
    sheet = _open(doc).worksheets[1]
    header = [c.value for c in sheet[1]]
    assert header[2:] == [doc.month_name(m) for m in range(1, 13)]
    rows = _rows(sheet)[:7]
    assert [r[0] for r in rows] == ["ACH", "ARC", "BUD", "CIT", "DEC", "RH", "TRV"]
    ach, arc, dec = rows[0], rows[1], rows[4]
    assert ach[2 + 1] == "KA SB" and ach[2 + 9] == "KA YT"  # February, October; the lead first
    assert all(cell is None for cell in arc[2:])  # in the universe, not audited this year
    assert dec[2 + 4] == f"KA NEF {OVERRIDE_MARK}"
    may = sheet.cell(row=6, column=2 + 5)
    assert may.comment is not None and OVERRIDE_REASON["fr"] in may.comment.text
    legend = [r for r in _rows(sheet)[7:] if r[0] == "NEF"]
    assert legend and legend[0][1] == "Nadia El Fassi"


def test_the_risk_sheet_lists_every_process_by_descending_score() -> None:
    doc = sample_doc("fr")
    rows = _rows(_open(doc).worksheets[2])
    assert len(rows) == len(doc.programme.risks)
    assert [r[11] for r in rows] == sorted((r.score for r in doc.programme.risks), reverse=True)
    top = rows[0]
    assert top[0] == "ACH" and top[12] == doc.labels("High") and (top[13], top[14]) == (2, 2)


def test_the_coverage_sheet_marks_months_and_flags_gaps(lang: Lang) -> None:
    doc = sample_doc(lang)
    rows = _rows(_open(doc).worksheets[3])
    assert len(rows) == len(doc.programme.coverage)
    first = rows[0]
    assert first[0] == "ISO 9001 4.1"
    assert first[2] == doc.labels("Yes")  # covered earlier in the cycle
    assert [m for m in range(1, 13) if first[2 + m] == COVERED] == [2, 10]
    gaps = [r[0] for r in rows if r[15]]
    assert gaps == ["ISO 9001 9.3", "ISO 45001 5.4"]
    assert [r[0] for r in rows if r[16]] == ["ISO 45001 5.4"]


def test_the_history_sheet_has_a_row_per_version_with_local_times() -> None:
    doc = sample_doc("fr")
    rows = _rows(_open(doc).worksheets[4])
    assert [r[0] for r in rows] == [1, 2]
    assert rows[0][1] == doc.labels("Returned for changes")
    assert rows[0][3] == "Les chantiers doivent être audités avant l'été"
    assert rows[0][4] == "Karim Alaoui" and rows[0][6] == "Omar Mansouri"
    # Submitted at 10:00 UTC: 11:00 in Casablanca, written as a wall-clock time (Excel has no time zones).
    assert rows[0][5] == datetime(2026, 1, 8, 11, 0, tzinfo=UTC).replace(tzinfo=None)


def test_a_new_draft_without_audits_gives_the_sheets_with_headers_only() -> None:
    doc = sample_doc("fr")
    empty = msgspec.structs.replace(doc.programme, entries=[], history=[], coverage=[], status="draft")
    book = _open(replace(doc, programme=empty))
    assert _rows(book.worksheets[0]) == [] and _rows(book.worksheets[4]) == []
    assert len(_rows(book.worksheets[2])) == len(doc.programme.risks)

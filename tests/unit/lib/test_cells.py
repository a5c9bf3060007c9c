"""A name pasted with a control character still exports: the cell drops what XLSX cannot hold."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook, load_workbook

from server.lib.cells import cell_safe


def test_control_characters_are_dropped_and_the_rest_kept() -> None:
    assert cell_safe("Suivi\x01 des\x1f travaux\tet\nchantiers") == "Suivi des travaux\tet\nchantiers"
    assert cell_safe("تتبع الأشغال") == "تتبع الأشغال"
    assert cell_safe(3) == 3 and cell_safe(date(2026, 12, 2)) == date(2026, 12, 2) and cell_safe(None) is None


def test_a_workbook_with_such_a_name_saves_and_reads_back() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([cell_safe("Processus\x00 P-01"), cell_safe("\x0bمسار")])
    out = io.BytesIO()
    book.save(out)
    row = next(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert row == ("Processus P-01", "مسار")

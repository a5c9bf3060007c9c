"""Text safe for a spreadsheet cell: XLSX (XML 1.0) cannot hold most ASCII control characters, which a
name or a statement typed or pasted through the API may contain; openpyxl refuses the whole workbook
then. Exports drop those characters rather than fail."""

from __future__ import annotations

from typing import TypeVar

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

__all__ = ["cell_safe"]

T = TypeVar("T")


def cell_safe(value: T) -> T:
    """``value`` without the characters a cell cannot hold (anything else as it is)."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)  # type: ignore[return-value]
    return value

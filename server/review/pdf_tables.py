"""The management-review PDF's wording and tables: the pack with the wording of one language, and tables
in logical order (mirrored in Arabic by the programme's ``mirrored_table``) that end with a total row.

Totals are sums of the rows shown, printed as plain Latin digits without group separators, so that the
text ``pdftotext`` reads from the PDF is the very number the workbook holds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias

from reportlab.lib.colors import HexColor
from reportlab.platypus import Flowable, Spacer, Table

from server.lib.i18n import N_
from server.programme.pdf_tables import aligned_text, mirrored_table
from server.reports.blocks import MUTED, Kit
from server.reports.facts import in_language
from server.reports.flowables import BidiText
from server.reports.textlayout import shape_word
from server.reports.wording import DASH, Words

if TYPE_CHECKING:
    from server.review.model import Names, ReviewPack

__all__ = ["Cell", "Grid", "Lang", "PackDoc", "centred", "grid_table", "muted", "section"]

Lang = Literal["ar", "fr"]
Cell: TypeAlias = "Flowable | list[Flowable] | str"
Command: TypeAlias = tuple[Any, ...]
_TOTAL_FILL: Final = HexColor("#E9EDF2")
_SIZE: Final = 8.0


@dataclass(frozen=True)
class PackDoc:
    """The pack with the wording of one language: catalog messages, names, dates and rates."""

    pack: ReviewPack
    lang: Lang
    organisation: str
    labels: Callable[[str], str]
    words: Words

    @property
    def rtl(self) -> bool:
        return self.lang == "ar"

    @property
    def title(self) -> str:
        return self.t(N_("Management review pack"))

    def t(self, message: str, **params: object) -> str:
        """A msgid translated, then its ``{placeholders}`` filled."""
        text = self.labels(message)
        return text.format(**params) if params else text

    def name(self, names: Names | None) -> str:
        return in_language(names, self.lang) if names is not None else DASH

    def rate(self, value: float | None) -> str:
        """``66,7 %`` (Latin digits, Morocco's decimal comma); a dash when there is nothing to divide."""
        if value is None:
            return DASH
        number = self.words.number(value * 100, "#,##0.#")
        return f"{number}%" if self.lang == "ar" else f"{number} %"

    def period_text(self) -> str:
        return self.t(N_("Period {label}"), label=self.pack.period.label)


# ------------------------------------------------------------------ tables


def _text(kit: Kit, text: str, *, bold: bool = False, size: float = _SIZE) -> BidiText:
    return aligned_text(kit, text, kit.style(size, bold=bold))


def centred(kit: Kit, text: str, *, bold: bool = False, size: float = _SIZE) -> BidiText:
    return kit.text(text, replace(kit.style(size, bold=bold), align="center"))


def muted(kit: Kit, text: str) -> BidiText:
    note = aligned_text(kit, text, kit.style(8.5, color=MUTED))
    note.spaceAfter = 4
    return note


def _fit(kit: Kit, heading: str) -> float:
    """Width of a count column: its heading on two lines at most where that fits in 70 points, and no
    word of it cut."""
    font = kit.style(_SIZE, bold=True).font
    shaped = [kit.typesetter.width(shape_word(w), font) * _SIZE for w in heading.split()] or [0.0]
    whole = sum(shaped) + kit.typesetter.width(" ", font) * _SIZE * (len(shaped) - 1)
    return max(38.0, max(shaped) + 8, min(70.0, whole / 2 + 14))


@dataclass(frozen=True)
class Grid:
    """A table in logical order: headings, rows, how many leading columns hold text (the rest hold
    counts, centred) and the text columns' shares of the width left by the count columns. With
    ``total``, a last row sums every count column."""

    headings: Sequence[str]
    rows: Sequence[Sequence[str | int | Sequence[str]]]
    """A list of strings is a cell of lines, each in the direction of its own words."""
    shares: Sequence[float] = (1.0,)
    total: bool = True


def _cell(kit: Kit, value: str | int | Sequence[str], *, centre: bool) -> Cell:
    if isinstance(value, int):
        return centred(kit, str(value))
    if isinstance(value, str):
        return centred(kit, value) if centre else _text(kit, value)
    return [_text(kit, line) for line in value] or [_text(kit, DASH)]


def _count(value: str | int | Sequence[str]) -> int:
    if not isinstance(value, int):
        raise TypeError(f"a count column holds {value!r}")
    return value


def grid_table(kit: Kit, doc: PackDoc, grid: Grid, width: float) -> Table:
    texts = len(grid.shares)
    counts = [_fit(kit, h) for h in grid.headings[texts:]]
    rest = width - sum(counts)
    widths = [rest * share / sum(grid.shares) for share in grid.shares] + counts
    body: list[list[Cell]] = [[_text(kit, h, bold=True) for h in grid.headings]]
    for row in grid.rows:
        body.append([_cell(kit, value, centre=i >= texts) for i, value in enumerate(row)])
    commands: list[Command] = []
    if grid.total and grid.rows:
        sums = [sum(_count(row[i]) for row in grid.rows) for i in range(texts, len(grid.headings))]
        label: list[Cell] = [_text(kit, doc.t(N_("Total")), bold=True), *[""] * (texts - 1)]
        body.append([*label, *(centred(kit, str(s), bold=True) for s in sums)])
        commands += [("BACKGROUND", (0, -1), (-1, -1), _TOTAL_FILL), ("SPAN", (0, -1), (texts - 1, -1))]
    return mirrored_table(body, widths, commands, rtl=kit.rtl)


def section(kit: Kit, doc: PackDoc, title: str, body: Sequence[Flowable | None]) -> list[Flowable]:
    out: list[Flowable] = [kit.section_title(doc.t(title))]
    for flowable in body:
        if flowable is not None:
            out += [flowable, Spacer(1, 6)]
    return out

"""The report model's blocks as ReportLab flowables, mirrored for right-to-left.

Tables keep their logical columns but draw the first on the right in Arabic; labels sit on the
reading-start side; the chart's categories run from the reading-start side too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import Color, HexColor, white
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from server.reports.flowables import (
    Band,
    BidiText,
    FieldRow,
    PhotoRow,
    SignatureCell,
    SignatureRow,
    TextStyle,
)
from server.reports.fonts import BOLD, REGULAR
from server.reports.model import Block, Chart, Fields, FindingCard, Para, Signatures, Tone
from server.reports.model import Table as TableBlock
from server.reports.textlayout import mostly_rtl, shape_word, visual_line

if TYPE_CHECKING:
    from collections.abc import Sequence

    from server.reports.images import ImageStore
    from server.reports.model import Field
    from server.reports.textlayout import Typesetter

__all__ = ["INK", "MUTED", "RULE", "TONES", "Kit", "block_flowables"]

INK = HexColor("#1B2430")
MUTED = HexColor("#5B6573")
RULE = HexColor("#C9D1DB")
ACCENT = HexColor("#1F4E79")
HEADER_FILL = HexColor("#E7EDF4")
TONES: dict[Tone, Color] = {
    "nc_major": HexColor("#A4262C"),
    "nc_minor": HexColor("#C55A11"),
    "observation": HexColor("#7A5C00"),
    "improvement": HexColor("#1F5FA8"),
    "strong_point": HexColor("#2E7D32"),
    "neutral": HexColor("#5B6573"),
}
SERIES = [HexColor(c) for c in ("#1F5FA8", "#2E7D32", "#C55A11", "#7A5C00", "#6A3D9A", "#A4262C")]


@dataclass(frozen=True)
class Kit:
    """What every block needs: the typesetter, the images and the report's direction."""

    typesetter: Typesetter
    images: ImageStore
    rtl: bool

    def style(self, size: float = 10.0, *, bold: bool = False, color: Color = INK) -> TextStyle:
        return TextStyle(BOLD if bold else REGULAR, size, round(size * 1.6, 1), color, self.rtl)

    def text(self, text: str, style: TextStyle | None = None) -> BidiText:
        """A paragraph in the direction of its own words (mostly Arabic: right to left)."""
        style = style or self.style()
        rtl = mostly_rtl(text, style.rtl)
        return BidiText(text, style if rtl == style.rtl else replace(style, rtl=rtl), self.typesetter)

    def visual(self, text: str) -> str:
        """One short line (a chart label) in display order."""
        return visual_line(" ".join(shape_word(w) for w in text.split()), self.rtl)

    def section_title(self, title: str) -> Band:
        band = Band(self.text(title, self.style(14, bold=True, color=ACCENT)), fill=None, rule=ACCENT, pad=3)
        # Spacing as the band's own: a Spacer after it would break keepWithNext's hold on the first block.
        band.spaceBefore, band.spaceAfter = 6, 8
        return band

    def fields(self, items: Sequence[Field], *, size: float = 10.0) -> list[Flowable]:
        label_style, value_style = self.style(size, bold=True, color=MUTED), self.style(size)
        return [
            FieldRow(self.text(f.label, label_style), self.text(f.value, value_style), rule=RULE)
            for f in items
        ]


def _para(kit: Kit, block: Para) -> list[Flowable]:
    style = {
        "body": kit.style(),
        "note": kit.style(9, color=MUTED),
        "emphasis": kit.style(10.5, bold=True),
    }[block.style]
    text = kit.text(block.text, style)
    text.spaceAfter = 5
    if block.style == "emphasis":  # the builder's sub-headings: never the last line of a page
        text.spaceBefore, text.keepWithNext = 4, 1
    return [text]


def _table(kit: Kit, block: TableBlock) -> list[Flowable]:
    head, body = kit.style(9, bold=True), kit.style(9)
    rows = [[kit.text(c, head) for c in block.columns]]
    rows += [[kit.text(cell, body) for cell in row] for row in block.rows]
    widths = list(block.widths)
    if kit.rtl:
        rows = [row[::-1] for row in rows]
        widths.reverse()
    table = Table(
        rows, colWidths=[f"{100 * w / sum(widths):.3f}%" for w in widths], repeatRows=1, splitInRow=1
    )
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
                ("GRID", (0, 0), (-1, -1), 0.4, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return [table, Spacer(1, 8)]


def _chart(kit: Kit, block: Chart) -> list[Flowable]:
    """Grouped bars, mirrored in Arabic: categories, the bars of a group and the legend all start on the
    right, and the value axis stands on the right."""
    title = kit.text(block.title, kit.style(10.5, bold=True))
    if not block.categories or not block.series:
        return [title, Spacer(1, 6)]
    title.keepWithNext = 1
    order = (lambda xs: xs[::-1]) if kit.rtl else (lambda xs: list(xs))
    colours = [SERIES[i % len(SERIES)] for i in range(len(block.series))]
    width, height = 480.0, 240.0
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 58, width - 60, height - 70
    chart.data = order([order(s.values) for s in block.series])
    labels = [kit.visual(c) for c in block.categories]
    chart.categoryAxis.categoryNames = order(labels)
    top = max((v for s in block.series for v in s.values), default=0)
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, max(1, top)
    chart.valueAxis.valueStep = max(1, math.ceil(top / 5))
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName, axis.labels.fontSize = REGULAR, 8
    widest = max(kit.typesetter.width(label, REGULAR) * 8 for label in labels)
    if widest > chart.width / len(labels) - 4:  # labels wider than their group: slanted, the chart raised
        chart.categoryAxis.labels.angle = 30
        chart.categoryAxis.labels.boxAnchor = "ne"
        lift = min(widest * 0.5, 60.0)
        chart.y, chart.height = chart.y + lift, chart.height - lift
    if kit.rtl:
        chart.valueAxis.joinAxisMode = "right"
        chart.valueAxis.labels.boxAnchor, chart.valueAxis.labels.dx = "w", 6
    for i, colour in enumerate(order(colours)):
        chart.bars[i].fillColor, chart.bars[i].strokeColor = colour, None
    legend = Legend()
    legend.colorNamePairs = order([(colours[i], kit.visual(s.name)) for i, s in enumerate(block.series)])
    legend.fontName, legend.fontSize, legend.dy, legend.dx = REGULAR, 8.5, 7, 7
    legend.columnMaximum, legend.deltax, legend.y = 1, 90, 24
    legend.boxAnchor, legend.x = ("ne", width - 30) if kit.rtl else ("nw", 30)
    legend.alignment = "left" if kit.rtl else "right"
    drawing = Drawing(width, height)
    drawing.add(chart)
    drawing.add(legend)
    drawing.hAlign = "RIGHT" if kit.rtl else "LEFT"
    return [title, drawing, Spacer(1, 8)]


def _finding(kit: Kit, block: FindingCard) -> list[Flowable]:
    band = Band(
        kit.text(block.heading, kit.style(10.5, bold=True, color=white)), fill=TONES[block.tone], rule=None
    )
    out: list[Flowable] = [band, *kit.fields(block.fields, size=9.5)]
    caption = kit.style(8, color=MUTED)
    pairs = [block.photos[i : i + 2] for i in range(0, len(block.photos), 2)]
    for pair in pairs:
        photos = [(p.sha256, kit.text(p.caption, replace(caption, align="center"))) for p in pair]
        out += [Spacer(1, 6), PhotoRow(photos, kit.images, max_height=190, rtl=kit.rtl)]
    return [*out, Spacer(1, 14)]


def _signatures(kit: Kit, block: Signatures) -> list[Flowable]:
    name, small = kit.style(9.5, bold=True), kit.style(8.5, color=MUTED)
    cells = []
    for item in block.items:
        lines = [kit.text(item.name, name), kit.text(item.role, small), kit.text(item.signed_at, small)]
        if item.image is None and item.note:
            lines.append(kit.text(item.note, kit.style(8.5, color=TONES["nc_minor"])))
        cells.append(SignatureCell(item.image, lines))
    rows = [cells[i : i + 2] for i in range(0, len(cells), 2)]
    return [SignatureRow(row, kit.images, rtl=kit.rtl, frame=RULE) for row in rows] + [Spacer(1, 8)]


def block_flowables(kit: Kit, block: Block) -> list[Flowable]:
    if isinstance(block, Para):
        return _para(kit, block)
    if isinstance(block, Fields):
        return [*kit.fields(block.items), Spacer(1, 8)]
    if isinstance(block, TableBlock):
        return _table(kit, block)
    if isinstance(block, Chart):
        return _chart(kit, block)
    if isinstance(block, FindingCard):
        return _finding(kit, block)
    return _signatures(kit, block)

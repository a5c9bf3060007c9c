"""The charts of the management-review PDF: grouped bars and a pie, with ReportLab's graphics, mirrored
in Arabic (categories, the bars of a group and the legend start on the right, the value axis stands on
the right).

Every label is shaped and put in display order by the signed reports' typesetter before ReportLab sees
it, which draws strings as they are: a category name wraps to at most three lines under its group and
ends in an ellipsis past that. Values are whole counts, written above their bars in Latin digits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, TypeVar

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, Group, Rect, String
from reportlab.lib.colors import Color, HexColor, white

from server.reports.blocks import INK, MUTED, SERIES
from server.reports.fonts import BOLD, REGULAR

if TYPE_CHECKING:
    from collections.abc import Sequence

    from server.reports.blocks import Kit

__all__ = ["PREVIOUS", "ChartSeries", "bar_chart", "pie_chart"]

_T = TypeVar("_T")

PREVIOUS: Final = HexColor("#A9B4C2")
"""The previous period's bars: grey beside the current period's colour."""
_LABEL_SIZE: Final = 7.5
_LABEL_LINES: Final = 3
_LEGEND_SIZE: Final = 8.0


@dataclass(frozen=True)
class ChartSeries:
    """One series of bars: its legend text, one value per category, and its colour."""

    name: str
    values: Sequence[int]
    colour: Color


def _mirrored(items: Sequence[_T], rtl: bool) -> list[_T]:
    return list(items)[::-1] if rtl else list(items)


def _category_label(kit: Kit, text: str, width: float) -> str:
    """A category's name in display order, broken to ``width`` on at most three lines (ReportLab draws a
    label's lines one under the other, each centred); the last line ends with an ellipsis when cut."""
    lines = kit.typesetter.lines(text, REGULAR, _LABEL_SIZE, max(width, 20.0), kit.rtl)
    shown = [line.text for line in lines[:_LABEL_LINES]]
    if len(lines) > _LABEL_LINES:
        # The end of a right-to-left line is its left end, in display order.
        shown[-1] = f"…{shown[-1]}" if kit.rtl else f"{shown[-1]}…"
    return "\n".join(shown)


def _value_text(value: float) -> str:
    """A bar's count above it; nothing over an empty bar (a row of zeros is noise)."""
    return str(int(value)) if value else ""


def _legend(kit: Kit, pairs: Sequence[tuple[Color, str]], *, x: float, y: float, vertical: bool) -> Group:
    """Swatches with their names from ``x`` (the reading-start edge: the right one in Arabic), in a row
    or one under the other. Drawn by hand: ReportLab's legend lays columns out left to right only."""
    group = Group()
    cursor = x
    for index, (colour, name) in enumerate(pairs):
        text = kit.visual(name)
        top = y - index * (_LEGEND_SIZE + 6) if vertical else y
        swatch_x, text_x = (cursor - 8, cursor - 12) if kit.rtl else (cursor, cursor + 12)
        group.add(Rect(swatch_x, top, 8, 8, fillColor=colour, strokeColor=None))
        anchor = "end" if kit.rtl else "start"
        group.add(
            String(
                text_x,
                top + 1,
                text,
                fontName=REGULAR,
                fontSize=_LEGEND_SIZE,
                fillColor=INK,
                textAnchor=anchor,
            )
        )
        if not vertical:
            step = 12 + kit.typesetter.width(text, REGULAR) * _LEGEND_SIZE + 18
            cursor = cursor - step if kit.rtl else cursor + step
    return group


def _value_axis(chart: VerticalBarChart, top: int, rtl: bool) -> None:
    step = max(1, math.ceil(top / 5))
    chart.valueAxis.valueMin, chart.valueAxis.valueStep = 0, step
    chart.valueAxis.valueMax = max(step, math.ceil(top * 1.15 / step) * step)
    chart.valueAxis.labelTextFormat = "%d"
    chart.valueAxis.visibleGrid, chart.valueAxis.gridStrokeColor = 1, HexColor("#E3E8EE")
    chart.valueAxis.gridStrokeWidth = 0.4
    if rtl:
        chart.valueAxis.joinAxisMode = "right"
        chart.valueAxis.labels.boxAnchor, chart.valueAxis.labels.dx = "w", 6


def bar_chart(
    kit: Kit,
    categories: Sequence[str],
    series: Sequence[ChartSeries],
    *,
    width: float,
    height: float = 165.0,
) -> Drawing:
    """Grouped vertical bars, one group per category, one bar per series, the count above each bar and
    a legend below."""
    chart = VerticalBarChart()
    group = (width - 60) / max(1, len(categories))
    label_lines = [_category_label(kit, c, group - 6) for c in categories]
    label_height = max((label.count("\n") + 1 for label in label_lines), default=1) * _LABEL_SIZE * 1.25
    bottom = 22 + label_height + 6
    chart.x, chart.y, chart.width, chart.height = 30, bottom, width - 60, height - bottom - 12
    chart.data = _mirrored([_mirrored(s.values, kit.rtl) for s in series], kit.rtl)
    chart.categoryAxis.categoryNames = _mirrored(label_lines, kit.rtl)
    chart.categoryAxis.labels.fontName, chart.categoryAxis.labels.fontSize = REGULAR, _LABEL_SIZE
    chart.categoryAxis.labels.boxAnchor, chart.categoryAxis.labels.dy = "n", -3
    chart.categoryAxis.labels.leading = _LABEL_SIZE * 1.25
    chart.valueAxis.labels.fontName, chart.valueAxis.labels.fontSize = REGULAR, _LABEL_SIZE
    _value_axis(chart, max((int(v) for s in series for v in s.values), default=0), kit.rtl)
    chart.groupSpacing, chart.barSpacing = max(4.0, group * 0.2), 1
    for index, item in enumerate(_mirrored(series, kit.rtl)):
        chart.bars[index].fillColor, chart.bars[index].strokeColor = item.colour, None
    chart.barLabelFormat = _value_text
    chart.barLabels.fontName, chart.barLabels.fontSize = BOLD, 7
    chart.barLabels.fillColor, chart.barLabels.nudge = MUTED, 5
    drawing = Drawing(width, height)
    drawing.add(chart)
    pairs = [(s.colour, s.name) for s in series]
    drawing.add(_legend(kit, pairs, x=width - 30 if kit.rtl else 30, y=6, vertical=False))
    return drawing


def pie_chart(
    kit: Kit, slices: Sequence[tuple[str, int, Color]], *, width: float, height: float = 150.0
) -> Drawing:
    """A pie of the non-empty slices, its legend (name and count) beside it on the reading-end side. An
    all-empty pie is drawn as one grey disc."""
    shown = [s for s in slices if s[1] > 0]
    size = height - 20
    pie = Pie()
    pie.width = pie.height = size
    pie.x = width - size - 10 if kit.rtl else 10
    pie.y = 10
    pie.data = [count for _, count, _ in shown] or [1]
    pie.labels = None
    pie.slices.strokeColor, pie.slices.strokeWidth = white, 1
    for index, (_, _, colour) in enumerate(shown):
        pie.slices[index].fillColor = colour
    if not shown:
        pie.slices[0].fillColor = HexColor("#E3E8EE")
    pie.direction, pie.startAngle = ("anticlockwise", 90) if kit.rtl else ("clockwise", 90)
    drawing = Drawing(width, height)
    drawing.add(pie)
    pairs = [(colour, f"{name} ({count})") for name, count, colour in slices]
    x = width - size - 40 if kit.rtl else size + 40
    drawing.add(_legend(kit, pairs, x=x, y=height - 30, vertical=True))
    return drawing


def series_colour(index: int) -> Color:
    """The reports' palette, in order."""
    return SERIES[index % len(SERIES)]


__all__ += ["series_colour"]

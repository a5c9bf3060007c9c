"""The annual programme as a PDF (ReportLab, landscape A4), in Arabic (right to left) or French.

Sections: the title block (organisation, year, version, status, cycle), the month grid with its notes on
independence overrides and its legend, the risk table, the clause coverage matrix, and the history of
versions and decisions. Arabic is shaped and laid out by the signed reports' machinery
(``server.reports``: Amiri, the :class:`~server.reports.textlayout.Typesetter`, ``BidiText``); tables put
their first column, and month 1, on the right. Every page carries the organisation, the title and
"page X of Y". A programme not yet approved says so across every page.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from io import BytesIO
from typing import TYPE_CHECKING, Any

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, SimpleDocTemplate, Spacer

from server.lib.i18n import N_
from server.programme.pdf_tables import (
    Footnote,
    aligned_text,
    coverage_table,
    footnote_text,
    grid_table,
    history_table,
    initials_legend,
    marks_legend,
    mirrored_table,
    risk_table,
)
from server.reports.blocks import INK, MUTED, RULE, Kit
from server.reports.flowables import TextStyle, draw_lines
from server.reports.fonts import BOLD, REGULAR, missing_glyphs, register_fonts
from server.reports.images import ImageStore
from server.reports.pagecanvas import PageCountingCanvas
from server.reports.textlayout import Line, Typesetter
from server.reports.wording import DASH

if TYPE_CHECKING:
    from server.programme.export_model import ExportDoc

__all__ = ["PAGE_SIZE", "render_programme_pdf"]

PAGE_SIZE = landscape(A4)
MARGIN = 1.5 * cm
_TOP, _BOTTOM = 2.2 * cm, 1.9 * cm
_WIDTH = PAGE_SIZE[0] - 2 * MARGIN - 12
"""The frame's width: the page's less the margins and the frame's own padding (6 points a side)."""
_RULED = PAGE_SIZE[0] - 2 * MARGIN
_WATERMARK = HexColor("#E4E8EE")


@dataclass
class _Furniture:
    """Header, footer and (before approval) the status across the page, mirrored in Arabic."""

    doc: ExportDoc
    typesetter: Typesetter
    title: str

    def _line(self, canv: Canvas, text: str, style: TextStyle, x: float, top: float, width: float) -> None:
        lines = self.typesetter.lines(text, style.font, style.size, width, style.rtl)
        draw_lines(canv, lines[:1], style, x, top, width)

    def draw(self, canv: Canvas, page: int, pages: int) -> None:
        doc, rtl = self.doc, self.doc.rtl
        width, height = PAGE_SIZE
        half = _RULED / 2 - 6
        start_x, end_x = (MARGIN + _RULED - half, MARGIN) if rtl else (MARGIN, MARGIN + _RULED - half)
        strong = TextStyle(BOLD, 8.5, 13.0, INK, rtl, "start")
        small, end = (
            replace(strong, font=REGULAR, color=MUTED),
            TextStyle(REGULAR, 8.5, 13.0, MUTED, rtl, "end"),
        )
        header_top, footer_top = height - 1.0 * cm, 1.3 * cm
        self._line(canv, doc.organisation, strong, start_x, header_top, half)
        self._line(canv, self.title, end, end_x, header_top, half)
        version = doc.label(N_("Version {number}"), number=doc.programme.version)
        self._line(canv, f"{version} — {doc.programme_status()}", small, start_x, footer_top, half)
        label = doc.label(N_("Page {page} of {pages}"), page=page, pages=pages)
        self._line(canv, label, end, end_x, footer_top, half)
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(MARGIN, header_top - 15, width - MARGIN, header_top - 15)
        canv.line(MARGIN, footer_top + 2, width - MARGIN, footer_top + 2)
        if doc.programme.status != "approved":
            self._watermark(canv, doc.programme_status())

    def _watermark(self, canv: Canvas, text: str) -> None:
        """The status in large pale letters across the page, under nothing that matters (drawn last, but
        pale enough to read through)."""
        size = 96.0
        line = self.typesetter.lines(text, BOLD, size, PAGE_SIZE[0], self.doc.rtl)[0]
        canv.saveState()
        canv.translate(PAGE_SIZE[0] / 2, PAGE_SIZE[1] / 2)
        canv.rotate(25)
        canv.setFillColor(_WATERMARK, alpha=0.55)
        canv.setFont(BOLD, size)
        canv.drawString(-line.width / 2, -size / 3, line.text)
        canv.restoreState()


class _LenientTypesetter(Typesetter):
    """The reports' typesetter, with each character its font lacks replaced by ``?`` before layout."""

    def lines(self, text: str, font: str, size: float, width: float, rtl: bool) -> list[Line]:
        missing = missing_glyphs(text, BOLD if font == BOLD else REGULAR)
        if missing:
            text = text.translate({ord(char): "?" for char in missing})
        return super().lines(text, font, size, width, rtl)


def _title_block(kit: Kit, doc: ExportDoc, title: str) -> list[Flowable]:
    """Organisation and title, then version, status, cycle, audits, months without audits and date, as
    label/value pairs two to a row."""
    programme = doc.programme
    blocked = [
        f"{doc.month_name(b.month)} ({b.label.ar if doc.lang == 'ar' else b.label.fr})"
        for b in sorted(programme.blocked_months, key=lambda b: b.month)
    ]
    pairs = [
        (N_("Version"), str(programme.version)),
        (N_("Status"), doc.programme_status()),
        (N_("Certification cycle"), doc.cycle_text()),
        (N_("Planned audits"), str(len(programme.entries))),
        (N_("Months without audits"), doc.joined(blocked) or DASH),
        (N_("Printed on"), doc.words.moment(doc.generated_at)),
    ]
    label, value = kit.style(9, bold=True, color=MUTED), kit.style(9)
    rows: list[list[Any]] = []
    for i in range(0, len(pairs), 2):
        row: list[Any] = []
        for msgid, text in pairs[i : i + 2]:
            row += [aligned_text(kit, doc.labels(msgid), label), aligned_text(kit, text, value)]
        rows.append(row)
    half = _WIDTH / 2
    fields = mirrored_table(rows, [half * 0.3, half * 0.7] * 2, [], rtl=kit.rtl, header=0, lined=False)
    return [
        aligned_text(kit, doc.organisation, kit.style(13, bold=True, color=MUTED)),
        aligned_text(kit, title, kit.style(20, bold=True)),
        Spacer(1, 4),
        fields,
        Spacer(1, 8),
    ]


def _grid_section(kit: Kit, doc: ExportDoc) -> list[Flowable]:
    grid, footnotes = grid_table(kit, doc, _WIDTH)
    legend = [
        aligned_text(kit, doc.labels(N_("Legend")), kit.style(9.5, bold=True)),
        marks_legend(kit, doc, _WIDTH),
        Spacer(1, 3),
        *initials_legend(kit, doc, _WIDTH),
    ]
    title = kit.section_title(doc.labels(N_("Audits by month")))
    # Not kept with the grid: kept together, a grid taller than the rest of the page would all move on.
    title.keepWithNext = 0
    out: list[Flowable] = [CondPageBreak(5 * cm), title, grid, Spacer(1, 6)]
    return [*out, KeepTogether(legend), Spacer(1, 8), *_footnotes(kit, doc, footnotes)]


def _footnotes(kit: Kit, doc: ExportDoc, footnotes: list[Footnote]) -> list[Flowable]:
    """Each independence override with its reason, numbered as in the grid."""
    if not footnotes:
        return []
    heading = doc.labels(N_("Independence overrides (a team member from the audited unit or above)"))
    out: list[Flowable] = [aligned_text(kit, heading, kit.style(9.5, bold=True, color=HexColor("#8A4B00")))]
    out += [aligned_text(kit, footnote_text(doc, note), kit.style(9)) for note in footnotes]
    return [*out, Spacer(1, 8)]


def _story(kit: Kit, doc: ExportDoc, title: str) -> list[Flowable]:
    story = [*_title_block(kit, doc, title), *_grid_section(kit, doc), PageBreak()]
    story += [kit.section_title(doc.labels(N_("Risk assessment"))), risk_table(kit, doc, _WIDTH), PageBreak()]
    coverage_note = doc.labels(
        N_("A mark shows the month of an audit that covers the clause. Shaded: covered earlier in the cycle.")
    )
    story += [
        kit.section_title(doc.labels(N_("Clause coverage"))),
        aligned_text(kit, coverage_note, kit.style(8.5, color=MUTED)),
        Spacer(1, 4),
        coverage_table(kit, doc, _WIDTH),
        Spacer(1, 12),
        CondPageBreak(4 * cm),
        kit.section_title(doc.labels(N_("Versions and decisions"))),
    ]
    if doc.programme.history:
        story.append(history_table(kit, doc, _WIDTH))
    else:
        story.append(aligned_text(kit, doc.labels(N_("Not submitted yet.")), kit.style(9, color=MUTED)))
    return story


def render_programme_pdf(doc: ExportDoc) -> bytes:
    """The programme as PDF bytes; the same document gives the same bytes. A character the font cannot
    print (an emoji in a typed reason) comes out as ``?``: unlike a signed report, a plan is no record
    whose every character must survive, and its download should not fail for one."""
    metrics = register_fonts()
    typesetter = _LenientTypesetter(
        lambda text, font: pdfmetrics.stringWidth(text, font, 1.0),
        {face: m.cmap for face, m in metrics.items()},
    )
    kit = Kit(typesetter, ImageStore({}), doc.rtl)
    title = doc.label(N_("Annual audit programme {year}"), year=doc.programme.year)
    furniture = _Furniture(doc, typesetter, title)
    out = BytesIO()
    template = SimpleDocTemplate(
        out,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=_TOP,
        bottomMargin=_BOTTOM,
        title=f"{title} — {doc.organisation}",
        author=doc.organisation,
        creator="Tadqiq",
        lang=doc.lang,
        invariant=1,
    )

    def canvas(*args: Any, **kwargs: Any) -> PageCountingCanvas:
        return PageCountingCanvas(*args, furniture=furniture, **kwargs)

    template.build(_story(kit, doc, title), canvasmaker=canvas)
    return out.getvalue()

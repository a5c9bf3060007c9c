"""Drawing a :class:`ReportModel` as a PDF with ReportLab, in Arabic (right to left) or French.

A pure function of the model and the images: the same input gives the same bytes (ReportLab's
``invariant`` mode fixes the dates and the document id). Every page carries the header (organisation,
title) and the footer (report reference, "page X of Y"); the page count is known only at the end, so the
canvas keeps its pages and draws the furniture on each when the document is saved. The last page keeps a
box for the visible digital signature, whose place is returned for signing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO
from typing import TYPE_CHECKING, Any

import msgspec
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, PageBreak, SimpleDocTemplate, Spacer

from server.reports.blocks import INK, MUTED, RULE, Kit, block_flowables
from server.reports.flowables import ApprovalBox, QrBlock, TextStyle, draw_lines
from server.reports.fonts import BOLD, REGULAR, register_fonts
from server.reports.images import ImageStore
from server.reports.model import RenderedReport, ReportModel
from server.reports.pagecanvas import PageCountingCanvas
from server.reports.textlayout import Typesetter

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

__all__ = ["MARGIN", "PAGE_SIZE", "render_report"]

PAGE_SIZE = A4
MARGIN = 2.0 * cm
_TOP, _BOTTOM = 2.6 * cm, 2.2 * cm

# Binary streams: ReportLab's default wraps every stream (photos too) in ASCII85, in pure Python unless
# its C accelerator is built: 14 s for 50 photos, and a quarter more bytes, for nothing a PDF reader needs.
rl_config.useA85 = 0


@dataclass
class _Furniture:
    """Header and footer of every page, mirrored in Arabic."""

    model: ReportModel
    typesetter: Typesetter
    pages: int = 0

    def _line(
        self, canv: Canvas, text: str, style: TextStyle, x: float, baseline_top: float, width: float
    ) -> None:
        lines = self.typesetter.lines(text, style.font, style.size, width, style.rtl)
        draw_lines(canv, lines[:1], style, x, baseline_top, width)

    def draw(self, canv: Canvas, page: int, pages: int) -> None:
        self.pages = pages
        model, rtl = self.model, self.model.direction == "rtl"
        width, height = PAGE_SIZE
        inner = width - 2 * MARGIN
        half = inner / 2 - 6
        start_x, end_x = (MARGIN + inner - half, MARGIN) if rtl else (MARGIN, MARGIN + inner - half)
        small = TextStyle(REGULAR, 8.5, 13.0, MUTED, rtl, "start")
        strong = TextStyle(BOLD, 8.5, 13.0, INK, rtl, "start")
        end = TextStyle(REGULAR, 8.5, 13.0, MUTED, rtl, "end")
        header_top = height - 1.2 * cm
        self._line(canv, model.organisation, strong, start_x, header_top, half)
        self._line(canv, model.title, end, end_x, header_top, half)
        footer_top = 1.55 * cm
        self._line(canv, model.reference, small, start_x, footer_top, half)
        label = model.page_label.replace("{page}", str(page)).replace("{pages}", str(pages))
        self._line(canv, label, end, end_x, footer_top, half)
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(MARGIN, header_top - 15, width - MARGIN, header_top - 15)
        canv.line(MARGIN, footer_top + 2, width - MARGIN, footer_top + 2)


@dataclass
class _Story:
    flowables: list[Flowable] = field(default_factory=list)

    def page_break(self) -> None:
        if self.flowables and not isinstance(self.flowables[-1], PageBreak):
            self.flowables.append(PageBreak())


def _cover(kit: Kit, model: ReportModel) -> list[Flowable]:
    title = kit.style(24, bold=True)
    return [
        Spacer(1, 1.2 * cm),
        kit.text(model.title, TextStyle(title.font, title.size, 38, INK, kit.rtl, "center")),
        Spacer(1, 6),
        kit.text(model.organisation, TextStyle(BOLD, 15, 26, INK, kit.rtl, "center")),
        Spacer(1, 4),
        kit.text(model.subtitle, TextStyle(REGULAR, 13, 22, MUTED, kit.rtl, "center")),
        Spacer(1, 1.1 * cm),
        *kit.fields(model.cover),
        Spacer(1, 1.0 * cm),
        QrBlock(
            model.verification_url,
            [
                kit.text(model.verification_label, kit.style(10, bold=True)),
                # An address reads left to right in Arabic too; it sits under its label.
                kit.text(
                    model.verification_url,
                    TextStyle(REGULAR, 10, 16, INK, False, "end" if kit.rtl else "start"),
                ),
            ],
            rtl=kit.rtl,
        ),
    ]


def _story(kit: Kit, model: ReportModel, approval: ApprovalBox) -> list[Flowable]:
    story = _Story(_cover(kit, model))
    story.page_break()
    for section in model.sections:
        if section.new_page:
            story.page_break()
        story.flowables.append(kit.section_title(section.title))
        for block in section.blocks:
            story.flowables += block_flowables(kit, block)
    story.flowables.append(approval)
    return story.flowables


def _texts(value: object) -> Iterator[str]:
    """Every string of the model (as built-ins), for the glyph check."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)


def render_report(model: ReportModel, images: Mapping[str, bytes]) -> RenderedReport:
    """The report as PDF bytes, its page count and where the visible signature goes.

    Raises :class:`~server.reports.textlayout.MissingGlyphsError` when some text has a character the
    font cannot print, and ``KeyError`` when a photo or signature named by the model is not in
    ``images``."""
    metrics = register_fonts()
    rtl = model.direction == "rtl"
    typesetter = Typesetter(
        lambda text, font: pdfmetrics.stringWidth(text, font, 1.0),
        {face: m.cmap for face, m in metrics.items()},
    )
    for text in _texts(msgspec.to_builtins(model)):
        typesetter.check(text, (REGULAR, BOLD))
    kit = Kit(typesetter, ImageStore(images), rtl)
    approval = ApprovalBox(
        kit.text(model.approval_label, TextStyle(BOLD, 10.5, 17, INK, rtl, "end")), rtl=rtl, frame=RULE
    )
    furniture = _Furniture(model, typesetter)
    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=_TOP,
        bottomMargin=_BOTTOM,
        title=model.title,
        author=model.organisation,
        subject=model.reference,
        creator="Tadqiq",
        lang=model.lang,
        invariant=1,
    )

    def canvas(*args: Any, **kwargs: Any) -> PageCountingCanvas:
        return PageCountingCanvas(*args, furniture=furniture, **kwargs)

    doc.build(_story(kit, model, approval), canvasmaker=canvas)
    if approval.placed is None:
        raise RuntimeError("the signature box was not placed")
    return RenderedReport(pdf=out.getvalue(), pages=furniture.pages, signature_box=approval.placed)

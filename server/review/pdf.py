"""The management-review pack as a PDF (ReportLab, A4), in Arabic (right to left) or French.

Entry point, for ``handlers.py``/``service.py``::

    render_pack_pdf(pack: ReviewPack, lang: Literal["ar", "fr"], *, organisation: str,
                    timezone: str = "Africa/Casablanca",
                    labels: Callable[[str], str] | None = None) -> RenderedReport

It returns :class:`~server.reports.model.RenderedReport` (``pdf`` bytes, ``pages``, ``signature_box``):
sign ``rendered.pdf`` with ``server.reports.signing.sign_pdf(rendered.pdf, key, rendered.signature_box,
reason=..., location=...)`` as the reports do. ``organisation`` is the organisation's name in ``lang``
(the pack does not carry it); ``labels`` replaces the catalog's ``gettext`` (tests).

Sections: the title block (organisation, period, previous period, as of, generated at, the key figures),
then one per table of the pack, each with a table (a total row where a sum means something: the same
sums as the workbook's, in Latin digits) and a chart where it helps; the last page keeps the box of the
visible digital signature. Arabic is shaped and laid out by the signed reports' machinery, as the
programme's PDF does; tables put their first column on the right in Arabic.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from io import BytesIO
from typing import TYPE_CHECKING, Any, Final, Literal
from zoneinfo import ZoneInfo

from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, SimpleDocTemplate, Spacer

from server.lib.i18n import N_, translate
from server.programme.pdf_tables import aligned_text, mirrored_table
from server.reports.blocks import ACCENT, INK, MUTED, RULE, Kit
from server.reports.flowables import ApprovalBox, TextStyle, draw_lines
from server.reports.fonts import BOLD, REGULAR, missing_glyphs, register_fonts
from server.reports.images import ImageStore
from server.reports.model import Field, RenderedReport
from server.reports.pagecanvas import PageCountingCanvas
from server.reports.render import MARGIN, PAGE_SIZE
from server.reports.textlayout import Line, Typesetter
from server.reports.wording import Words
from server.review import pdf_sections as sections
from server.review.pdf_tables import Cell, PackDoc, centred

if TYPE_CHECKING:
    from collections.abc import Callable

    from reportlab.pdfgen.canvas import Canvas

    from server.review.model import ReviewPack

__all__ = ["render_pack_pdf"]

Lang = Literal["ar", "fr"]
_TOP, _BOTTOM = 2.6 * 72 / 2.54, 2.2 * 72 / 2.54
WIDTH: Final = PAGE_SIZE[0] - 2 * MARGIN - 12
"""The frame's width: the page's less the margins and the frame's own padding (6 points a side)."""


class _LenientTypesetter(Typesetter):
    """The reports' typesetter, with each character its font lacks (an emoji typed in a statement)
    replaced by ``?``: the pack quotes what people typed and must not fail to print for one."""

    def lines(self, text: str, font: str, size: float, width: float, rtl: bool) -> list[Line]:
        missing = missing_glyphs(text, BOLD if font == BOLD else REGULAR)
        if missing:
            text = text.translate({ord(char): "?" for char in missing})
        return super().lines(text, font, size, width, rtl)


@dataclass
class _Furniture:
    """Header (organisation, title) and footer (period, "page X of Y") of every page, mirrored in Arabic."""

    doc: PackDoc
    typesetter: Typesetter

    def _line(self, canv: Canvas, text: str, style: TextStyle, x: float, top: float, width: float) -> None:
        lines = self.typesetter.lines(text, style.font, style.size, width, style.rtl)
        draw_lines(canv, lines[:1], style, x, top, width)

    def draw(self, canv: Canvas, page: int, pages: int) -> None:
        doc, rtl = self.doc, self.doc.rtl
        width, height = PAGE_SIZE
        inner = width - 2 * MARGIN
        half = inner / 2 - 6
        start_x, end_x = (MARGIN + inner - half, MARGIN) if rtl else (MARGIN, MARGIN + inner - half)
        strong = TextStyle(BOLD, 8.5, 13.0, INK, rtl, "start")
        small = replace(strong, font=REGULAR, color=MUTED)
        end = replace(small, align="end")
        header_top, footer_top = height - 1.2 * 72 / 2.54, 1.55 * 72 / 2.54
        self._line(canv, doc.organisation, strong, start_x, header_top, half)
        self._line(canv, doc.title, end, end_x, header_top, half)
        self._line(canv, doc.period_text(), small, start_x, footer_top, half)
        self._line(
            canv, doc.t(N_("Page {page} of {pages}"), page=page, pages=pages), end, end_x, footer_top, half
        )
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(MARGIN, header_top - 15, width - MARGIN, header_top - 15)
        canv.line(MARGIN, footer_top + 2, width - MARGIN, footer_top + 2)


def _period(doc: PackDoc, label: str, start: Any, end: Any) -> str:
    return f"{label} ({doc.words.period(start, end)})"


def _title_block(kit: Kit, doc: PackDoc, width: float) -> list[Flowable]:
    """Organisation and title; period, previous period, as of, generated on; then the key figures."""
    pack, totals = doc.pack, doc.pack.totals
    fields = [
        Field(
            label=doc.t(N_("Period")),
            value=_period(doc, pack.period.label, pack.period.start, pack.period.end),
        ),
        Field(
            label=doc.t(N_("Previous period")),
            value=_period(doc, pack.previous.label, pack.previous.start, pack.previous.end),
        ),
        Field(label=doc.t(N_("Figures as of")), value=doc.words.day(pack.as_of)),
        Field(label=doc.t(N_("Generated on")), value=doc.words.moment(pack.generated_at)),
    ]
    figures = [
        (N_("Audits planned"), str(totals.audits_planned)),
        (N_("Audits done"), str(totals.audits_done)),
        (N_("Audits cancelled"), str(totals.audits_cancelled)),
        (N_("Realisation rate"), doc.rate(totals.realisation_rate)),
        (N_("Findings"), str(totals.findings)),
        (N_("Findings in the previous period"), str(totals.previous_findings)),
        (N_("Nonconformities opened"), str(totals.nonconformities_opened)),
        (N_("Nonconformities not closed"), str(totals.nonconformities_open)),
        (N_("Overdue actions"), str(totals.overdue_actions)),
        (N_("Effectiveness of actions"), doc.rate(pack.effectiveness.rate)),
    ]
    label = kit.style(9, color=MUTED)
    rows: list[list[Cell]] = []
    for i in range(0, len(figures), 2):
        row: list[Cell] = []
        for msgid, value in figures[i : i + 2]:
            row += [aligned_text(kit, doc.t(msgid), label), centred(kit, value, bold=True, size=10)]
        rows.append(row)
    half = width / 2
    key = mirrored_table(rows, [half * 0.72, half * 0.28] * 2, [], rtl=kit.rtl, header=0)
    return [
        aligned_text(kit, doc.organisation, kit.style(13, bold=True, color=MUTED)),
        aligned_text(kit, doc.title, kit.style(20, bold=True)),
        Spacer(1, 6),
        *kit.fields(fields, size=9.5),
        Spacer(1, 12),
        aligned_text(kit, doc.t(N_("Key figures")), kit.style(10.5, bold=True, color=ACCENT)),
        Spacer(1, 3),
        key,
        Spacer(1, 8),
    ]


def _story(kit: Kit, doc: PackDoc, approval: ApprovalBox) -> list[Flowable]:
    story: list[Flowable] = _title_block(kit, doc, WIDTH)
    for build in sections.SECTIONS:
        # A section that fits on a page is not split (its chart stays with its table); a longer one
        # starts where its title and the start of its table fit.
        story += [CondPageBreak(6 * 72 / 2.54), KeepTogether(build(kit, doc, WIDTH)), Spacer(1, 10)]
    return [*story, KeepTogether([Spacer(1, 12), approval])]


def render_pack_pdf(
    pack: ReviewPack,
    lang: Lang,
    *,
    organisation: str,
    timezone: str = "Africa/Casablanca",
    labels: Callable[[str], str] | None = None,
) -> RenderedReport:
    """The pack as PDF bytes, its page count and where the visible signature goes; the same pack gives
    the same bytes."""
    metrics = register_fonts()
    typesetter = _LenientTypesetter(
        lambda text, font: pdfmetrics.stringWidth(text, font, 1.0),
        {face: m.cmap for face, m in metrics.items()},
    )
    kit = Kit(typesetter, ImageStore({}), lang == "ar")
    gettext = labels or (lambda message: translate(lang, message))
    doc = PackDoc(pack, lang, organisation, gettext, Words(lang, ZoneInfo(timezone)))
    approval = ApprovalBox(
        aligned_text(
            kit, doc.t(N_("Electronic signature")), TextStyle(BOLD, 10.5, 17, ACCENT, kit.rtl, "end")
        ),
        rtl=kit.rtl,
        frame=RULE,
    )
    furniture = _Furniture(doc, typesetter)
    out = BytesIO()
    template = SimpleDocTemplate(
        out,
        pagesize=PAGE_SIZE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=_TOP,
        bottomMargin=_BOTTOM,
        title=f"{doc.title} — {organisation}",
        author=organisation,
        subject=doc.period_text(),
        creator="Tadqiq",
        lang=lang,
        invariant=1,
    )
    canvases: list[PageCountingCanvas] = []

    def canvas(*args: Any, **kwargs: Any) -> PageCountingCanvas:
        canvases.append(PageCountingCanvas(*args, furniture=furniture, **kwargs))
        return canvases[-1]

    template.build(_story(kit, doc, approval), canvasmaker=canvas)
    if approval.placed is None:
        raise RuntimeError("the signature box was not placed")
    return RenderedReport(pdf=out.getvalue(), pages=canvases[-1].pages, signature_box=approval.placed)

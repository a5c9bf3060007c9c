"""ReportLab flowables for bidi text: a paragraph that splits across pages, label/value rows, heading bands,
rows of photos and of signatures, the QR block and the box kept for the digital signature.

Each draws lines the :class:`~server.reports.textlayout.Typesetter` has already broken in logical order
and put in display order; "start" is the reading-start side (right in Arabic, left in French).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import Color
from reportlab.platypus import Flowable

from server.reports.model import SignatureBox

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reportlab.pdfgen.canvas import Canvas

    from server.reports.images import ImageStore
    from server.reports.textlayout import Line, Typesetter

__all__ = [
    "ApprovalBox",
    "Band",
    "BidiText",
    "FieldRow",
    "PhotoRow",
    "QrBlock",
    "SignatureCell",
    "SignatureRow",
    "TextStyle",
    "draw_lines",
]

Align = Literal["start", "end", "center"]


@dataclass(frozen=True)
class TextStyle:
    font: str
    size: float
    leading: float
    color: Color
    rtl: bool
    align: Align = "start"


def _line_x(style: TextStyle, line: Line, width: float) -> float:
    if style.align == "center":
        return (width - line.width) / 2
    at_right = (style.align == "start") == style.rtl
    return width - line.width if at_right else 0.0


def draw_lines(
    canv: Canvas, lines: Sequence[Line], style: TextStyle, x: float, top: float, width: float
) -> None:
    """Lines from ``top`` down, each aligned in ``[x, x + width]``; the baseline sits 0.38 of the leading
    above the bottom of its line (Amiri's descenders are deep)."""
    if not lines:
        return
    text = canv.beginText()
    text.setFont(style.font, style.size)
    text.setFillColor(style.color)
    for i, line in enumerate(lines):
        text.setTextOrigin(
            x + _line_x(style, line, width), top - (i + 1) * style.leading + 0.38 * style.leading
        )
        text.textOut(line.text)
    canv.drawText(text)


class BidiText(Flowable):  # type: ignore[misc]
    """A paragraph broken in logical order, drawn line by line; splits between lines across pages."""

    def __init__(
        self, text: str, style: TextStyle, typesetter: Typesetter, *, lines: list[Line] | None = None
    ):
        super().__init__()
        self.text = text
        self.style = style
        self._typesetter = typesetter
        self._lines: list[Line] = lines or []
        self._fixed = lines is not None
        """Lines given by a split: they were broken for this width, and stay."""
        self._wrapped_at = -1.0

    def lines_for(self, width: float) -> list[Line]:
        if not self._fixed and self._wrapped_at != width:
            style = self.style
            self._lines = self._typesetter.lines(self.text, style.font, style.size, width, style.rtl)
            self._wrapped_at = width
        return self._lines

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        self.height = len(self.lines_for(avail_width)) * self.style.leading
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        lines = self.lines_for(avail_width)
        fit = int(avail_height // self.style.leading)
        if len(lines) >= 4:
            fit = min(fit, len(lines) - 2)  # neither a widow nor an orphan line
            fit = fit if fit >= 2 else 0
        if fit <= 0 or fit >= len(lines):
            return []
        return [self._part(lines[:fit]), self._part(lines[fit:])]

    def _part(self, lines: list[Line]) -> BidiText:
        return BidiText(self.text, self.style, self._typesetter, lines=lines)

    def draw(self) -> None:
        draw_lines(self.canv, self.lines_for(self.width), self.style, 0.0, self.height, self.width)


class Band(Flowable):  # type: ignore[misc]
    """A heading: text on a coloured band (a finding's class) or over a rule (a section title)."""

    def __init__(self, text: BidiText, *, fill: Color | None, rule: Color | None, pad: float = 4.0):
        super().__init__()
        self._text = text
        self._fill = fill
        self._rule = rule
        self._pad = pad
        self.keepWithNext = 1

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        _, text_height = self._text.wrap(avail_width - 2 * self._pad, avail_height)
        self.width, self.height = avail_width, text_height + 2 * self._pad
        return self.width, self.height

    def draw(self) -> None:
        canv = self.canv
        if self._fill is not None:
            canv.setFillColor(self._fill)
            canv.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        if self._rule is not None:
            canv.setStrokeColor(self._rule)
            canv.setLineWidth(1.2)
            canv.line(0, 0, self.width, 0)
        self._text.drawOn(canv, self._pad, self._pad)


class FieldRow(Flowable):  # type: ignore[misc]
    """A label beside its value (the label on the reading-start side); splits between value lines."""

    def __init__(self, label: BidiText, value: BidiText, *, label_share: float = 0.27, rule: Color | None):
        super().__init__()
        self._label = label
        self._value = value
        self._share = label_share
        self._rule = rule
        self._gap, self._pad = 10.0, 3.0

    def _columns(self, width: float) -> tuple[float, float]:
        label_width = max(70.0, width * self._share)
        return label_width, width - label_width - self._gap

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        label_width, value_width = self._columns(avail_width)
        _, label_height = self._label.wrap(label_width, avail_height)
        _, value_height = self._value.wrap(value_width, avail_height)
        self.width, self.height = avail_width, max(label_height, value_height) + 2 * self._pad
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        label_width, value_width = self._columns(avail_width)
        self._label.wrap(label_width, avail_height)
        parts = self._value.split(value_width, avail_height - 2 * self._pad)
        if len(parts) != 2 or parts[0].wrap(value_width, avail_height)[1] < self._label.height:
            return []
        blank = BidiText("", self._label.style, self._label._typesetter)
        return [
            FieldRow(self._label, parts[0], label_share=self._share, rule=None),
            FieldRow(blank, parts[1], label_share=self._share, rule=self._rule),
        ]

    def draw(self) -> None:
        label_width = self._columns(self.width)[0]
        rtl = self._label.style.rtl  # the report's direction: a value may read the other way
        label_x = self.width - label_width if rtl else 0.0
        value_x = 0.0 if rtl else label_width + self._gap
        self._label.drawOn(self.canv, label_x, self.height - self._pad - self._label.height)
        self._value.drawOn(self.canv, value_x, self.height - self._pad - self._value.height)
        if self._rule is not None:
            self.canv.setStrokeColor(self._rule)
            self.canv.setLineWidth(0.4)
            self.canv.line(0, 0, self.width, 0)


class PhotoRow(Flowable):  # type: ignore[misc]
    """Up to two photos side by side (the first on the reading-start side), each captioned below."""

    def __init__(
        self, photos: list[tuple[str, BidiText]], store: ImageStore, *, max_height: float, rtl: bool
    ):
        super().__init__()
        self._photos, self._store, self._max_height, self._rtl = photos, store, max_height, rtl
        self._gap = 12.0

    def _cell(self, width: float) -> float:
        return (width - self._gap) / 2

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        cell = self._cell(avail_width)
        self._image_h = max(self._store.fitted_height(sha, cell, self._max_height) for sha, _ in self._photos)
        self._caption_h = max(caption.wrap(cell, avail_height)[1] for _, caption in self._photos)
        self.width, self.height = avail_width, self._image_h + 4 + self._caption_h + 6
        return self.width, self.height

    def draw(self) -> None:
        cell = self._cell(self.width)
        for i, (sha, caption) in enumerate(self._photos):
            x = (self.width - cell) * (1 - i) if self._rtl else (cell + self._gap) * i
            top = self.height
            self._store.draw(self.canv, sha, x, top - self._image_h, cell, self._image_h)
            caption.drawOn(self.canv, x, top - self._image_h - 4 - caption.height)


@dataclass(frozen=True)
class SignatureCell:
    image: str | None
    lines: list[BidiText]
    """Name, role, time (and the note when there is no image)."""


class SignatureRow(Flowable):  # type: ignore[misc]
    """Up to two drawn signatures side by side, each above its signer's name, role and time."""

    def __init__(self, cells: list[SignatureCell], store: ImageStore, *, rtl: bool, frame: Color):
        super().__init__()
        self._cells, self._store, self._rtl, self._border = cells, store, rtl, frame
        self._box_h, self._gap = 64.0, 16.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        cell = (avail_width - self._gap) / 2
        self._text_h = max(sum(t.wrap(cell, avail_height)[1] for t in c.lines) for c in self._cells)
        self.width, self.height = avail_width, self._box_h + 4 + self._text_h + 8
        return self.width, self.height

    def draw(self) -> None:
        cell = (self.width - self._gap) / 2
        for i, item in enumerate(self._cells):
            x = (self.width - cell) * (1 - i) if self._rtl else (cell + self._gap) * i
            box_y = self.height - self._box_h
            if item.image is not None:
                self._store.draw(self.canv, item.image, x, box_y, cell, self._box_h)
            else:
                self.canv.setStrokeColor(self._border)
                self.canv.setDash(3, 2)
                self.canv.rect(x, box_y, cell, self._box_h, stroke=1, fill=0)
                self.canv.setDash()
            y = box_y - 4
            for text in item.lines:
                y -= text.height
                text.drawOn(self.canv, x, y)


class QrBlock(Flowable):  # type: ignore[misc]
    """The verification QR code on the reading-start side, its label and address beside it."""

    def __init__(self, url: str, texts: list[BidiText], *, rtl: bool, size: float = 92.0):
        super().__init__()
        self._url, self._texts, self._rtl, self._size = url, texts, rtl, size
        self._gap = 14.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        text_width = avail_width - self._size - self._gap
        text_h = sum(t.wrap(text_width, avail_height)[1] for t in self._texts)
        self.width, self.height = avail_width, max(self._size, text_h)
        return self.width, self.height

    def draw(self) -> None:
        widget = QrCodeWidget(self._url, barLevel="M")
        x1, y1, x2, y2 = widget.getBounds()
        drawing = Drawing(
            self._size, self._size, transform=[self._size / (x2 - x1), 0, 0, self._size / (y2 - y1), 0, 0]
        )
        drawing.add(widget)
        qr_x = self.width - self._size if self._rtl else 0.0
        drawing.drawOn(self.canv, qr_x, self.height - self._size)
        text_x = 0.0 if self._rtl else self._size + self._gap
        y = self.height - (self._size - sum(t.height for t in self._texts)) / 2
        for text in self._texts:
            y -= text.height
            text.drawOn(self.canv, text_x, y)


class ApprovalBox(Flowable):  # type: ignore[misc]
    """The approval label (aligned to the reading end) and below it, on the reading-end side, the empty box
    where signing draws the visible digital signature. Where it lands is recorded for the signer."""

    def __init__(self, label: BidiText, *, rtl: bool, frame: Color, box: tuple[float, float] = (250.0, 84.0)):
        super().__init__()
        self._label, self._rtl, self._border, self._box = label, rtl, frame, box
        self.placed: SignatureBox | None = None

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        _, label_h = self._label.wrap(avail_width, avail_height)
        self.width, self.height = avail_width, 18 + label_h + 6 + self._box[1]
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        return []

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802, N803
        box_w, box_h = self._box
        left = x if self._rtl else x + self.width - box_w
        self.placed = SignatureBox(canvas.getPageNumber() - 1, left, y, left + box_w, y + box_h)
        super().drawOn(canvas, x, y, _sW)

    def draw(self) -> None:
        box_w, box_h = self._box
        self._label.drawOn(self.canv, 0, box_h + 6)
        self.canv.setStrokeColor(self._border)
        self.canv.setLineWidth(0.5)
        left = 0.0 if self._rtl else self.width - box_w
        self.canv.rect(left, 0, box_w, box_h, stroke=1, fill=0)

"""The report model: what an audit report says, already worded in its language, with no drawing in it.

``logic.build_report`` makes it from the audit's facts (pure); ``render.render_report`` draws it with
ReportLab. Every string here is final text in the report's language: the renderer translates nothing and
decides nothing about content, it only lays out blocks (mirrored for right-to-left). Images are named by
their SHA-256; the renderer gets their bytes beside the model.
"""

from __future__ import annotations

from typing import Literal

import msgspec

__all__ = [
    "Block",
    "Chart",
    "ChartSeries",
    "Field",
    "Fields",
    "FindingCard",
    "Para",
    "Photo",
    "RenderedReport",
    "ReportModel",
    "Section",
    "SignatureBox",
    "SignatureItem",
    "Signatures",
    "Table",
]

Tone = Literal["nc_major", "nc_minor", "observation", "improvement", "strong_point", "neutral"]
"""The class of a finding, for its colour band; ``neutral`` for anything else."""


class Field(msgspec.Struct, frozen=True, kw_only=True):
    label: str
    value: str


class Para(msgspec.Struct, frozen=True, kw_only=True, tag="para"):
    text: str
    """May hold line breaks (``\\n``): each starts a new line of the same paragraph."""
    style: Literal["body", "note", "emphasis"] = "body"


class Fields(msgspec.Struct, frozen=True, kw_only=True, tag="fields"):
    """Label / value pairs, as a two-column table (labels on the reading-start side)."""

    items: list[Field]


class Table(msgspec.Struct, frozen=True, kw_only=True, tag="table"):
    columns: list[str]
    """Column headings in logical order (the first is drawn on the right in Arabic)."""
    rows: list[list[str]]
    widths: list[float]
    """Relative widths in logical order, one per column (they need not sum to 1)."""


class ChartSeries(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    """The legend label (a standard: ISO 9001)."""
    values: list[int]
    """One per category."""


class Chart(msgspec.Struct, frozen=True, kw_only=True, tag="chart"):
    """Grouped bars: findings per clause group (categories), one series per standard."""

    title: str
    categories: list[str]
    series: list[ChartSeries]


class Photo(msgspec.Struct, frozen=True, kw_only=True):
    sha256: str
    caption: str
    """Already worded: 'Photo 3 — SHA-256 4f2a9c01…, taken 12/03/2026 10:41'."""


class FindingCard(msgspec.Struct, frozen=True, kw_only=True, tag="finding"):
    heading: str
    """'NC-01 — Major nonconformity — ISO 9001 8.5.1, ISO 14001 8.1'."""
    tone: Tone
    fields: list[Field]
    """Statement, evidence, auditee response, question, place: only those that have text."""
    photos: list[Photo] = []


class SignatureItem(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    role: str
    signed_at: str
    """Already worded (a date and time in the report's language)."""
    image: str | None = None
    """SHA-256 of the drawn signature (a PNG); None when the person did not sign."""
    note: str = ""
    """Why there is no signature, in words, when ``image`` is None."""


class Signatures(msgspec.Struct, frozen=True, kw_only=True, tag="signatures"):
    items: list[SignatureItem]


Block = Para | Fields | Table | Chart | FindingCard | Signatures


class Section(msgspec.Struct, frozen=True, kw_only=True):
    title: str
    blocks: list[Block]
    new_page: bool = False
    """Start the section on a new page (findings, annex)."""


class ReportModel(msgspec.Struct, frozen=True, kw_only=True):
    lang: Literal["ar", "fr"]
    direction: Literal["rtl", "ltr"]
    title: str
    """'Internal audit report', in the report's language."""
    reference: str
    """The report's reference, printed on every page: AI-2026-014-R2-AR."""
    organisation: str
    subtitle: str
    """The audit's title."""
    cover: list[Field]
    """Audit reference, process, units, sites, dates, lead auditor, report version, language, issue date."""
    verification_url: str
    """What the cover's QR code encodes, also printed under it."""
    verification_label: str
    """'Check this report at:'."""
    page_label: str
    """'Page {page} of {pages}': the renderer fills ``{page}`` and ``{pages}``."""
    sections: list[Section]
    approval_label: str
    """Printed above the box of the digital signature on the last page ('Approved and signed by …')."""


class SignatureBox(msgspec.Struct, frozen=True):
    """Where the visible digital signature goes: the last page (0-based) and a box in PDF points."""

    page: int
    x1: float
    y1: float
    x2: float
    y2: float


class RenderedReport(msgspec.Struct, frozen=True):
    pdf: bytes
    pages: int
    signature_box: SignatureBox

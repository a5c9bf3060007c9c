"""The report's fonts: Amiri (OFL, from the ``fontpkg-amiri`` dependency) for Arabic and French alike.

Nothing comes from the system and nothing is downloaded: the TrueType files ship inside the Python
package, ReportLab embeds the subset it uses. ReportLab applies no OpenType shaping, so Arabic is printed
in its presentation forms (see ``textlayout``); :func:`missing_glyphs` checks every such character has a
glyph, since a missing one would silently print as an empty box in a signed record.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import fontpkg_amiri
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from server.reports.textlayout import INVISIBLE, MissingGlyphsError, display_forms

__all__ = [
    "BOLD",
    "REGULAR",
    "FontFace",
    "FontMetrics",
    "MissingGlyphsError",
    "font_file",
    "missing_glyphs",
    "register_fonts",
]

FontFace = Literal["Amiri", "Amiri-Bold"]
REGULAR: FontFace = "Amiri"
BOLD: FontFace = "Amiri-Bold"
_FILES: dict[FontFace, str] = {REGULAR: "Amiri-Regular.ttf", BOLD: "Amiri-Bold.ttf"}


@dataclass(frozen=True)
class FontMetrics:
    cmap: frozenset[int]
    ascent: float
    """Of the font's bounding box, per point of size (Amiri: 1.124)."""
    descent: float
    """Positive, per point of size (Amiri: 0.634)."""


def font_file(face: FontFace) -> Path:
    return Path(fontpkg_amiri.ROOT) / "files" / _FILES[face]


@cache
def register_fonts() -> dict[FontFace, FontMetrics]:
    """Register both faces with ReportLab once per process; their metrics and character maps."""
    metrics: dict[FontFace, FontMetrics] = {}
    for face in _FILES:
        font = TTFont(face, str(font_file(face)))
        pdfmetrics.registerFont(font)
        metrics[face] = FontMetrics(
            cmap=frozenset(font.face.charToGlyph),
            ascent=font.face.ascent / 1000,
            descent=-font.face.descent / 1000,
        )
    return metrics


def missing_glyphs(text: str, face: FontFace = REGULAR) -> str:
    """The characters of ``text`` that ``face`` cannot draw once shaped, in order of first use
    (empty when all are covered). Bidi controls are never drawn, so they need no glyph."""
    cmap = register_fonts()[face].cmap
    seen: dict[str, None] = {}
    for char in display_forms(text):
        if char not in INVISIBLE and not char.isspace() and ord(char) not in cmap:
            seen[char] = None
    return "".join(seen)

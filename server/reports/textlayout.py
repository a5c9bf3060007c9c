"""Arabic and French text as lines ready to draw: shaping, line breaking in logical order, bidi per line.

ReportLab draws a string glyph after glyph from left to right, with no shaping. So Arabic is first
shaped into its presentation forms (``arabic_reshaper``: joined letters, lam-alef), then each *line* is
put in display order (``python-bidi``) with the paragraph's base direction. The order of the steps
matters: lines are broken on the logical text, with each word measured in its shaped form; only then is
each line reordered on its own. Reordering a whole paragraph before breaking it would put its last words
on the first line. Mixed runs (``ISO 9001:2015``, clause ``6.1.2``, a French name inside Arabic) come out
right because each line is a bidi paragraph of its own with the report's base direction.

No ReportLab here: widths come from a ``measure`` callable, so this module is tested on its own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import NamedTuple

from arabic_reshaper import ArabicReshaper
from bidi import get_display
from bidi.mirror import MIRRORED

__all__ = [
    "INVISIBLE",
    "Line",
    "MissingGlyphsError",
    "Typesetter",
    "display_forms",
    "mostly_rtl",
    "reorder_line",
    "shape_word",
    "visual_line",
]

INVISIBLE = frozenset(
    "\u200c\u200d\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
)
"""Joiner and bidi controls: they steer shaping and ordering, and are never drawn (Babel's Arabic dates
carry RLM marks)."""

_RESHAPER = ArabicReshaper(
    configuration={
        # Harakat are kept: the text extracted from the PDF must be the source text, shadda and all.
        "delete_harakat": False,
        # Only the lam-alef ligatures, which Arabic requires; word ligatures (Allah) would change words.
        "ARABIC LIGATURE ALLAH": False,
    }
)
_STRIP_INVISIBLE = {ord(c): None for c in INVISIBLE}
_NUMBER = re.compile(r"\d+")


def mostly_rtl(text: str, default: bool) -> bool:
    """The base direction of a text typed by someone: right to left when most of its strong letters are
    Arabic. A French statement inside an Arabic report reads left to right (its full stop at its end),
    an Arabic sentence that starts with ``ISO 14001:2015`` still reads right to left; ``default`` when
    the text has no letters (a number, a date)."""
    rtl = ltr = 0
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            rtl += 1
        elif kind == "L":
            ltr += 1
    if rtl == ltr:
        return default
    return rtl > ltr


class MissingGlyphsError(ValueError):
    """Text of the report uses characters the font cannot print (``missing``)."""

    def __init__(self, message: str, missing: str = "") -> None:
        super().__init__(message)  # one positional argument: ReportLab re-raises it annotated
        self.missing = missing

    @classmethod
    def of(cls, font: str, missing: str, sample: str) -> MissingGlyphsError:
        codes = ", ".join(f"U+{ord(c):04X} {c!r}" for c in missing)
        return cls(f"the font {font} has no glyph for {codes} (in {sample[:80]!r})", missing)


class Line(NamedTuple):
    text: str
    """In display order, ready for ``drawString`` (left to right)."""
    width: float
    """In points."""


@lru_cache(maxsize=65536)
def shape_word(word: str) -> str:
    """A word in presentation forms, still in logical order (joining never crosses a space)."""
    if word.isascii():
        return word
    return str(_RESHAPER.reshape(word))


def display_forms(text: str) -> str:
    """Every character ``text`` is printed with (shaped), for glyph checks; not in display order."""
    return " ".join(shape_word(word) for word in text.split())


def _char_levels(line: str, base: str) -> list[int]:
    """Resolved embedding levels (rules X1 to I2), one per character, from python-bidi's Rust core.

    Its ``debug`` answer is the only way it gives levels: a dump with one level per UTF-8 byte."""
    dump = str(get_display(line, base_dir=base, debug=True))
    start = dump.find("levels: [")
    end = dump.find("]", start)
    byte_levels = list(map(int, _NUMBER.findall(dump, start, end))) if start >= 0 else []
    if len(byte_levels) != len(line.encode()):
        raise RuntimeError("python-bidi's debug output changed: cannot read the embedding levels")
    levels, offset = [], 0
    for char in line:
        levels.append(byte_levels[offset])
        offset += len(char.encode())
    return levels


def reorder_line(line: str, base: str) -> str:
    """Rules L1, L2 and L4 of UAX #9 over one line: display order, with mirrored brackets in RTL runs.

    python-bidi's ``get_display`` does not mirror (its ``(`` stays ``(`` in an Arabic run), so lines that
    hold a mirrored character come here; ``visual_line`` sends the others to ``get_display`` itself."""
    base_level = 1 if base == "R" else 0
    levels = _char_levels(line, base)
    end = len(line)
    while end and line[end - 1].isspace():  # L1: trailing whitespace takes the paragraph level
        end -= 1
        levels[end] = base_level
    chars = [
        MIRRORED.get(char, char) if level % 2 else char for char, level in zip(line, levels, strict=True)
    ]
    highest = max(levels, default=0)
    lowest_odd = min((lv for lv in levels if lv % 2), default=highest + 1)
    for level in range(highest, lowest_odd - 1, -1):  # L2: reverse every run at this level or above
        i = 0
        while i < len(chars):
            if levels[i] < level:
                i += 1
                continue
            j = i
            while j < len(chars) and levels[j] >= level:
                j += 1
            chars[i:j] = chars[i:j][::-1]
            levels[i:j] = levels[i:j][::-1]
            i = j
    return "".join(chars)


@lru_cache(maxsize=65536)
def visual_line(shaped: str, rtl: bool) -> str:
    """One line of shaped text in display order, for a paragraph whose base direction is RTL or not.
    Joiner and bidi controls are dropped once they have done their work."""
    if not rtl and all(ord(c) < 0x0590 for c in shaped):
        return shaped  # nothing right-to-left in a left-to-right paragraph: logical order is display order
    base = "R" if rtl else "L"
    if any(c in MIRRORED for c in shaped):
        ordered = reorder_line(shaped, base)
    else:
        ordered = str(get_display(shaped, base_dir=base))
    return ordered.translate(_STRIP_INVISIBLE)


class Typesetter:
    """Breaks text into lines with measured shaped widths; caches words per font.

    ``measure(text, font)`` is the width of ``text`` in ``font`` at size 1; ``cmaps`` the code points each
    font has a glyph for. A word with a character missing from its font raises
    :class:`MissingGlyphsError` the first time it is measured."""

    def __init__(self, measure: Callable[[str, str], float], cmaps: Mapping[str, frozenset[int]]) -> None:
        self._measure = measure
        self._cmaps = cmaps
        self._widths: dict[tuple[str, str], float] = {}
        self._checked: set[tuple[str, str]] = set()

    def check(self, text: str, fonts: Iterable[str]) -> None:
        """Raise :class:`MissingGlyphsError` if a character of ``text``, once shaped, is not in one of
        ``fonts``: the renderer checks all its text before drawing any."""
        for word in text.split():
            shaped = shape_word(word)
            for font in fonts:
                if (shaped, font) not in self._checked:
                    self._check_word(shaped, font)
                    self._checked.add((shaped, font))

    def _check_word(self, shaped: str, font: str) -> None:
        cmap = self._cmaps[font]
        missing = "".join(dict.fromkeys(c for c in shaped if ord(c) not in cmap and c not in INVISIBLE))
        if missing:
            raise MissingGlyphsError.of(font, missing, shaped)

    def width(self, shaped: str, font: str) -> float:
        """Unit width of a shaped word (or line), once its glyphs are checked."""
        key = (shaped, font)
        width = self._widths.get(key)
        if width is None:
            if (shaped, font) not in self._checked and shaped != " ":
                self._check_word(shaped, font)
                self._checked.add((shaped, font))
            width = self._widths[key] = self._measure(shaped.translate(_STRIP_INVISIBLE), font)
        return width

    def lines(self, text: str, font: str, size: float, width: float, rtl: bool) -> list[Line]:
        """``text`` broken to ``width`` points; each ``\\n`` starts a new line, an empty one included."""
        space = self.width(" ", font) * size
        result: list[Line] = []
        for segment in text.split("\n"):
            logical: list[list[str]] = []
            current: list[str] = []
            used = 0.0
            for word in self._fitting_words(segment.split(), font, size, width):
                word_width = self.width(word, font) * size
                if current and used + space + word_width > width:
                    logical.append(current)
                    current, used = [], 0.0
                used += word_width + (space if current else 0.0)
                current.append(word)
            logical.append(current)
            for words in logical:
                shaped = " ".join(words)
                line_width = sum(self.width(w, font) for w in words) * size + space * max(len(words) - 1, 0)
                result.append(Line(visual_line(shaped, rtl), line_width))
        return result

    def _fitting_words(self, words: Iterable[str], font: str, size: float, width: float) -> Iterable[str]:
        """Shaped words; one wider than the line (a SHA-256, a long address) is cut into pieces that fit."""
        for word in words:
            shaped = shape_word(word)
            if self.width(shaped, font) * size <= width:
                yield shaped
                continue
            piece = ""
            for char in shaped:
                if piece and self.width(piece + char, font) * size > width:
                    yield piece
                    piece = ""
                piece += char
            if piece:
                yield piece

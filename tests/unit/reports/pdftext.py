"""Reading a PDF back with poppler (``pdftotext``, ``pdftotext -bbox``, ``pdfimages``), for report tests.

pdftotext prints Arabic in presentation forms (NFKC folds them back) and wraps right-to-left and
left-to-right runs in bidi controls; its placement of punctuation beside a run of the other direction is
its own guess. So texts are compared on their letters, digits and marks (:func:`letters`), in order.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from html import unescape
from pathlib import Path

from tests.conftest import missing_tool

__all__ = [
    "Word",
    "letters",
    "lines_of",
    "need_poppler",
    "page_texts",
    "pdf_images",
    "pdf_words",
    "reading_order",
]

_PAGE = re.compile(r"<page [^>]*>(.*?)</page>", re.DOTALL)
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


@dataclass(frozen=True)
class Word:
    page: int
    """0-based."""
    x1: float
    y1: float
    """From the top of the page, as poppler gives it."""
    x2: float
    y2: float
    text: str
    """In logical order, NFKC (an Arabic word is drawn with its characters reversed)."""


def need_poppler() -> None:
    for tool in ("pdftotext", "pdftoppm", "pdfimages"):
        if shutil.which(tool) is None:
            missing_tool(f"{tool} (poppler-utils) is not installed")


def _run(args: list[str], pdf: bytes, *, to_stdout: bool = True) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.pdf"
        path.write_bytes(pdf)
        done = subprocess.run(
            [*args, str(path), *(["-"] if to_stdout else [])], capture_output=True, check=True
        )
    return done.stdout.decode()


def letters(text: str) -> str:
    """Letters, digits and marks only, NFKC: what order checks compare."""
    return "".join(c for c in unicodedata.normalize("NFKC", text) if unicodedata.category(c)[0] in "LNM")


def page_texts(pdf: bytes) -> list[str]:
    """``pdftotext`` of each page, NFKC, without bidi controls."""
    text = unicodedata.normalize("NFKC", _run(["pdftotext"], pdf))
    text = "".join(c for c in text if unicodedata.category(c) != "Cf" or c == "\f")
    return text.split("\f")[:-1]


def _logical(word: str) -> str:
    rtl = any(unicodedata.bidirectional(c) in ("R", "AL") for c in word)
    return unicodedata.normalize("NFKC", word[::-1] if rtl else word)


def pdf_words(pdf: bytes) -> list[Word]:
    html = _run(["pdftotext", "-bbox"], pdf)
    return [
        Word(page, float(x1), float(y1), float(x2), float(y2), _logical(unescape(text)))
        for page, body in enumerate(_PAGE.findall(html))
        for x1, y1, x2, y2, text in _WORD.findall(body)
    ]


def lines_of(words: list[Word], tolerance: float = 2.0) -> list[list[Word]]:
    """Words grouped into lines (same page, tops within ``tolerance``), top to bottom."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.page, w.y1)):
        if lines and lines[-1][0].page == word.page and abs(lines[-1][0].y1 - word.y1) <= tolerance:
            lines[-1].append(word)
        else:
            lines.append([word])
    return lines


def reading_order(words: list[Word], rtl: bool) -> list[Word]:
    """Line after line, each from its reading-start side (right in Arabic)."""
    return [w for line in lines_of(words) for w in sorted(line, key=lambda w: -w.x2 if rtl else w.x1)]


def pdf_images(pdf: bytes) -> list[dict[str, str]]:
    """``pdfimages -list``: one row per image drawn (page, type, width, height, enc, object id…)."""
    lines = _run(["pdfimages", "-list"], pdf, to_stdout=False).splitlines()
    header = lines[0].split()
    return [dict(zip(header, line.split(), strict=False)) for line in lines[2:]]

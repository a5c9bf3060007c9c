"""Amiri, from its Python package, has a glyph for every character the reports print (once shaped)."""

from __future__ import annotations

from pathlib import Path

import fontpkg_amiri
import msgspec
import pytest

from server.checklists.library import load_library
from server.reports.fonts import BOLD, REGULAR, FontFace, font_file, missing_glyphs, register_fonts
from tests.unit.reports.samples import sample_report

ROOT = Path(__file__).resolve().parents[3]
FACES: list[FontFace] = [REGULAR, BOLD]


def _library_texts(lang: str) -> list[str]:
    library, problems = load_library(ROOT / "checklists")
    assert not problems
    texts: list[str] = []
    for question in library.questions:
        texts += [getattr(question.text, lang), getattr(question.guidance, lang)]
    for standard in library.standards.values():
        texts += [getattr(standard.title, lang), *(getattr(c.title, lang) for c in standard.clauses)]
    texts += [getattr(value, lang) for value in library.placeholders.values()]
    return texts


def _model_texts(lang: str) -> list[str]:
    model, _ = sample_report(lang)  # type: ignore[arg-type]
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    walk(msgspec.to_builtins(model))
    return found


def test_fonts_come_from_the_python_package() -> None:
    for face in FACES:
        assert font_file(face).is_file()
        assert Path(fontpkg_amiri.ROOT) in font_file(face).parents
    assert set(register_fonts()) == set(FACES)


@pytest.mark.parametrize("face", FACES)
@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_every_character_of_the_checklist_library_has_a_glyph(face: FontFace, lang: str) -> None:
    texts = _library_texts(lang)
    assert len(texts) > 500
    assert missing_glyphs("\n".join(texts), face) == ""


@pytest.mark.parametrize("face", FACES)
@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_every_character_of_a_sample_report_has_a_glyph(face: FontFace, lang: str) -> None:
    assert missing_glyphs("\n".join(_model_texts(lang)), face) == ""


def test_the_check_finds_what_the_font_lacks() -> None:
    assert missing_glyphs("تقرير 😀 ✓ audit 😀") == "😀✓"
    assert missing_glyphs("12\u200f/3\u200f/2026") == ""  # bidi marks are never drawn

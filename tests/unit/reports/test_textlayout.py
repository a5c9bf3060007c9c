"""Shaping, line breaking in logical order and bidi per line, with a fake measure (no PDF)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bidi import get_display
from bidi.mirror import MIRRORED

from server.checklists.library import load_library
from server.reports.textlayout import (
    INVISIBLE,
    MissingGlyphsError,
    Typesetter,
    display_forms,
    reorder_line,
    shape_word,
    visual_line,
)
from tests.unit.reports.samples import LONG_STATEMENT

ROOT = Path(__file__).resolve().parents[3]
ALL = frozenset(range(0x110000))


def _typesetter(cmap: frozenset[int] = ALL) -> Typesetter:
    return Typesetter(lambda text, font: float(len(text)), {"F": cmap})


def _flip(word: str) -> str:
    """A shaped Arabic word as display order writes it (characters reversed)."""
    return word[::-1]


def test_a_wrapped_arabic_paragraph_keeps_its_words_in_logical_order_line_after_line() -> None:
    words = LONG_STATEMENT["ar"].split()
    lines = _typesetter().lines(LONG_STATEMENT["ar"], "F", 1.0, 60.0, rtl=True)
    assert len(lines) >= 5
    read_back: list[str] = []
    for line in lines:
        assert line.width <= 60.0
        # Display order of a pure Arabic line: words from right to left, each word's characters reversed.
        read_back += [_flip(w) for w in reversed(line.text.split(" "))]
    assert read_back == [shape_word(w) for w in words]


def test_the_first_line_holds_the_first_words_not_the_last() -> None:
    lines = _typesetter().lines(LONG_STATEMENT["ar"], "F", 1.0, 60.0, rtl=True)
    first_word = shape_word(LONG_STATEMENT["ar"].split()[0])
    assert lines[0].text.endswith(_flip(first_word))  # the rightmost word of the top line
    assert _flip(first_word) not in lines[-1].text.split(" ")


def test_mixed_runs_keep_their_order_inside_arabic() -> None:
    line = visual_line(display_forms("المعيار ISO 9001:2015 البند 6.1.2 والسيد Jean-Pierre Dubois"), rtl=True)
    expected = [
        "Jean-Pierre Dubois",
        _flip(shape_word("والسيد")),
        "6.1.2",
        _flip(shape_word("البند")),
        "ISO 9001:2015",
        _flip(shape_word("المعيار")),
    ]
    assert line == " ".join(expected)


def test_brackets_are_mirrored_in_right_to_left_runs_only() -> None:
    line = visual_line(display_forms("تبيّنوا (مثلاً SWOT) آخر"), rtl=True)
    flipped = {w: _flip(shape_word(w)) for w in ("تبيّنوا", "مثلاً", "آخر")}
    # Drawn left to right: the closing bracket's glyph "(" on the left, the opening one ")" on the right.
    assert line == f"{flipped['آخر']} (SWOT {flipped['مثلاً']}) {flipped['تبيّنوا']}"
    assert visual_line(display_forms("ISO 9001 (2015) البند"), rtl=True).endswith("ISO 9001 (2015)")
    assert visual_line("Le Conseil (SWOT)", rtl=False) == "Le Conseil (SWOT)"


def test_own_reordering_matches_python_bidi_where_no_character_is_mirrored() -> None:
    library, _ = load_library(ROOT / "checklists")
    checked = 0
    for question in library.questions:
        for text in (question.text.ar, question.guidance.ar, question.text.fr):
            shaped = display_forms(text)
            if any(c in MIRRORED for c in shaped):
                continue
            for base in ("R", "L"):
                assert reorder_line(shaped, base) == get_display(shaped, base_dir=base)
            checked += 1
    assert checked > 100


def test_bidi_controls_steer_the_order_and_are_not_drawn() -> None:
    date = "12\u200f/3\u200f/2026"  # how Babel (CLDR ar_MA) writes a short date
    line = visual_line(display_forms(f"بتاريخ {date}"), rtl=True)
    assert not INVISIBLE & set(line)
    # The right-to-left marks make the date read day first from the right, as CLDR means it to.
    assert line == f"2026/3/12 {_flip(shape_word('بتاريخ'))}"
    assert visual_line(display_forms("بتاريخ 12/3/2026"), rtl=True).startswith("12/3/2026 ")


def test_harakat_are_kept() -> None:
    assert "\u064f" in shape_word("أُنجز") and "\u0651" in shape_word("تبيّنوا")


def test_a_word_wider_than_the_line_is_cut_into_pieces_that_fit() -> None:
    sha = "563a05ab3960cd64c865f63b568ad146595d4e611be644e990df836a03400ed0"
    lines = _typesetter().lines(f"SHA-256 {sha}", "F", 1.0, 20.0, rtl=False)
    assert all(line.width <= 20.0 for line in lines)
    assert "".join(line.text for line in lines[1:]) == sha


def test_line_breaks_in_the_text_start_new_lines_blank_ones_included() -> None:
    lines = _typesetter().lines("un\n\ndeux trois", "F", 1.0, 100.0, rtl=False)
    assert [line.text for line in lines] == ["un", "", "deux trois"]


def test_a_character_the_font_lacks_is_refused() -> None:
    cmap = frozenset(ord(c) for c in display_forms("تقرير التدقيق ")) | {ord(" ")}
    typesetter = _typesetter(cmap)
    typesetter.lines("تقرير التدقيق", "F", 1.0, 100.0, rtl=True)
    with pytest.raises(MissingGlyphsError, match="U\\+1F600"):
        typesetter.lines("تقرير 😀", "F", 1.0, 100.0, rtl=True)


def test_a_paragraph_reads_in_the_direction_of_most_of_its_letters() -> None:
    from server.reports.textlayout import mostly_rtl

    assert not mostly_rtl("Les fiches de données de sécurité ne sont pas disponibles sur place.", True)
    assert mostly_rtl("ISO 14001:2015 البند 6.1.3 المتعلقة بالالتزامات الواجب الامتثال لها", False)
    assert mostly_rtl("12/11/2026", True) and not mostly_rtl("12/11/2026", False), "no letters: the default"
    assert mostly_rtl("السيد محمد الإدريسي", False)

"""The programme's PDF read back with poppler: Arabic extractable in logical order and laid out right to
left (month 1 on the right), French left to right, "page X of Y" on every page, an independence override
flagged in the grid and explained in its note, coverage gaps said, a draft marked as such.

Page images of the sample programme (ar, fr, and a draft) are written to tests/programme/pages/ (not
committed) for a person to look at."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path

import msgspec
import pytest
from babel.messages.extract import extract_from_file

from server.programme.pdf import render_programme_pdf
from server.programme.pdf_tables import OVERRIDE_MARK
from server.settings import PROJECT_ROOT
from tests.unit.programme.export_samples import (
    OVERRIDE_REASON,
    SAMPLE_LABELS,
    Lang,
    revised,
    sample_doc,
)
from tests.unit.reports.pdftext import Word, letters, need_poppler, page_texts, pdf_words

PAGES_DIR = Path(__file__).resolve().parents[2] / "programme" / "pages"
EXPORT_MODULES = ("export_model", "ics", "xlsx", "pdf", "pdf_tables")


def _write_pages(name: str, pdf: bytes) -> None:
    PAGES_DIR.mkdir(parents=True, exist_ok=True)
    for old in PAGES_DIR.glob(f"{name}-*.png"):
        old.unlink()
    path = PAGES_DIR / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(path), str(PAGES_DIR / name)], check=True)


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    need_poppler()
    out = {lang: render_programme_pdf(sample_doc(lang)) for lang in ("ar", "fr")}
    out["draft"] = render_programme_pdf(revised(sample_doc("fr")))
    for name, pdf in out.items():
        _write_pages(name, pdf)
    return out


@pytest.fixture(params=["ar", "fr"])
def lang(request: pytest.FixtureRequest) -> Lang:
    value: Lang = request.param
    return value


def _word(words: list[Word], text: str, page: int = 0) -> Word:
    found = [w for w in words if w.page == page and letters(w.text) == letters(text)]
    assert found, f"{text!r} not on page {page + 1}"
    return found[0]


def test_page_images_are_written(pdfs: dict[str, bytes]) -> None:
    for name, pdf in pdfs.items():
        assert len(list(PAGES_DIR.glob(f"{name}-*.png"))) == len(page_texts(pdf)) >= 3


def test_every_page_has_page_x_of_y_and_the_organisation(pdfs: dict[str, bytes], lang: Lang) -> None:
    doc = sample_doc(lang)
    texts = page_texts(pdfs[lang])
    for number, text in enumerate(texts, start=1):
        label = doc.label("Page {page} of {pages}", page=number, pages=len(texts))
        assert letters(label) in letters(text), f"page {number}"
        assert letters(doc.organisation) in letters(text), f"page {number}"


def test_arabic_is_extractable_in_logical_order(pdfs: dict[str, bytes]) -> None:
    doc = sample_doc("ar")
    text = letters("".join(page_texts(pdfs["ar"])))
    wanted = [
        doc.organisation,
        doc.label("Annual audit programme {year}", year=2026),
        OVERRIDE_REASON["ar"],
        "يجب تدقيق الأوراش قبل فصل الصيف",  # the manager's comment on version 1
        "الإجراءات المتعلقة بالمخاطر والفرص",  # a clause title
        doc.person("p-nadia"),
    ]
    for sentence in wanted:
        assert letters(sentence) in text, sentence


def test_the_arabic_grid_runs_right_to_left_and_the_french_left_to_right(
    pdfs: dict[str, bytes], lang: Lang
) -> None:
    doc = sample_doc(lang)
    words = pdf_words(pdfs[lang])
    january, december = _word(words, doc.month_name(1)), _word(words, doc.month_name(12))
    process = _word(words, doc.labels("Process"))
    if lang == "ar":
        assert process.x1 > january.x2 > january.x1 > december.x2
    else:
        assert process.x2 < january.x1 < december.x1


def test_an_override_is_flagged_in_the_grid_and_explained_in_a_note(
    pdfs: dict[str, bytes], lang: Lang
) -> None:
    doc = sample_doc(lang)
    words = pdf_words(pdfs[lang])
    marks = [w for w in words if w.text == f"{OVERRIDE_MARK}1"]
    assert len(marks) == 3  # the grid's cell, the legend's sample, the note

    def line_of(mark: Word) -> set[str]:
        return {w.text for w in words if w.page == mark.page and abs(w.y1 - mark.y1) < 2}

    cell = next(m for m in marks if "NEF" in line_of(m))
    assert {"KA", "NEF"} <= line_of(cell)  # the team of the May audit of DEC
    may = _word(words, doc.month_name(5))
    assert may.x1 - 30 < cell.x1 < may.x2 + 30  # under May
    note = marks[-1]
    assert "DEC" in line_of(note)
    text = letters("".join(page_texts(pdfs[lang])))
    assert letters(OVERRIDE_REASON[lang]) in text
    heading = doc.labels("Independence overrides (a team member from the audited unit or above)")
    assert letters(heading) in text


def test_the_coverage_matrix_says_gaps_and_what_was_covered_before(
    pdfs: dict[str, bytes], lang: Lang
) -> None:
    doc = sample_doc(lang)
    text = letters("".join(page_texts(pdfs[lang])))
    for msgid in ("Gap: not covered in the cycle", "No question covers it", "Covered earlier in the cycle"):
        assert letters(doc.labels(msgid)) in text
    assert letters("ISO 45001 5.4") in text


def test_a_draft_says_so_on_every_page(pdfs: dict[str, bytes]) -> None:
    texts = page_texts(pdfs["draft"])
    assert all(letters(SAMPLE_LABELS["fr"]["Draft"]) in letters(t) for t in texts)
    assert letters("Version 3") in letters(texts[0])
    assert all(letters("Brouillon") not in letters(t) for t in page_texts(pdfs["fr"]))


def test_a_character_the_font_lacks_prints_as_a_question_mark() -> None:
    doc = sample_doc("fr")
    entries = [
        msgspec.structs.replace(e, override_reason=e.override_reason + " 🙂") if e.override_reason else e
        for e in doc.programme.entries
    ]
    people = {**doc.people, "p-omar": "Omar ⚡ Mansouri"}
    changed = replace(doc, programme=msgspec.structs.replace(doc.programme, entries=entries), people=people)
    text = "".join(page_texts(render_programme_pdf(changed)))
    assert "Omar ? Mansouri" in text and "environnement ?" in text


def test_the_same_document_gives_the_same_bytes() -> None:
    assert render_programme_pdf(sample_doc("ar")) == render_programme_pdf(sample_doc("ar"))


def test_the_sample_labels_cover_every_label_of_the_exports() -> None:
    """The fixtures' wording covers every msgid, so the page images show no English."""
    folder = PROJECT_ROOT / "server" / "programme"
    msgids = {
        message
        for name in EXPORT_MODULES
        for _, message, _, _ in extract_from_file("python", str(folder / f"{name}.py"), keywords={"N_": None})
        if isinstance(message, str)
    }
    assert msgids
    for lang_ in ("ar", "fr"):
        assert sorted(msgids - set(SAMPLE_LABELS[lang_])) == [], lang_


def test_a_new_draft_without_audits_or_history_renders() -> None:
    doc = sample_doc("ar")
    empty = msgspec.structs.replace(doc.programme, entries=[], history=[], coverage=[], status="draft")
    texts = page_texts(render_programme_pdf(replace(doc, programme=empty)))
    assert letters(SAMPLE_LABELS["ar"]["Not submitted yet."]) in letters("".join(texts))

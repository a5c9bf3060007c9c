"""The rendered report read back with poppler: Arabic in logical order and right to left, French left to
right, mirrored tables and furniture, page X of Y, the signature box, images embedded once.

Page images of both sample reports are written to tests/reports/pages/ (not committed) for a look."""

from __future__ import annotations

import subprocess
from pathlib import Path

import msgspec
import pytest

from server.reports.model import FindingCard, RenderedReport, ReportModel, Section, Table
from server.reports.render import PAGE_SIZE, render_report
from server.reports.textlayout import MissingGlyphsError
from tests.unit.reports.pdftext import (
    Word,
    letters,
    lines_of,
    need_poppler,
    page_texts,
    pdf_images,
    pdf_words,
    reading_order,
)
from tests.unit.reports.samples import LONG_STATEMENT, MIXED_EVIDENCE, Lang, sample_report

PAGES_DIR = Path(__file__).resolve().parents[2] / "reports" / "pages"


Rendered = tuple[ReportModel, RenderedReport]


def _render_sample(lang: Lang) -> Rendered:
    """A sample report, its PDF and page images written under tests/reports/pages/."""
    model, images = sample_report(lang)
    result = render_report(model, images)
    PAGES_DIR.mkdir(parents=True, exist_ok=True)
    for old in PAGES_DIR.glob(f"{lang}-*.png"):
        old.unlink()
    pdf = PAGES_DIR / f"{lang}.pdf"
    pdf.write_bytes(result.pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(PAGES_DIR / lang)], check=True)
    return model, result


@pytest.fixture(scope="module")
def samples() -> dict[Lang, Rendered]:
    need_poppler()
    return {"ar": _render_sample("ar"), "fr": _render_sample("fr")}


@pytest.fixture(params=["ar", "fr"])
def rendered(request: pytest.FixtureRequest, samples: dict[Lang, Rendered]) -> Rendered:
    return samples[request.param]


@pytest.fixture
def arabic(samples: dict[Lang, Rendered]) -> Rendered:
    return samples["ar"]


@pytest.fixture
def french(samples: dict[Lang, Rendered]) -> Rendered:
    return samples["fr"]


def _findings(model: ReportModel) -> list[FindingCard]:
    return [b for s in model.sections for b in s.blocks if isinstance(b, FindingCard)]


def _find_run(words: list[Word], text: str) -> list[Word]:
    """The words of ``text`` as a contiguous run of ``words`` (compared on letters), else fail."""
    wanted = [letters(w) for w in text.split() if letters(w)]
    words = [w for w in words if letters(w.text)]  # a lone colon or dash is no word
    seen = [letters(w.text) for w in words]
    for i in range(len(seen) - len(wanted) + 1):
        if seen[i : i + len(wanted)] == wanted:
            return words[i : i + len(wanted)]
    pytest.fail(f"not found in reading order: {text[:60]}…")


def test_page_images_are_written(rendered: Rendered) -> None:
    model, result = rendered
    assert len(list(PAGES_DIR.glob(f"{model.lang}-*.png"))) == result.pages


def test_every_page_has_its_number_of_the_total_and_the_reference(
    rendered: Rendered,
) -> None:
    model, result = rendered
    texts = page_texts(result.pdf)
    assert len(texts) == result.pages > 3
    for number, text in enumerate(texts, start=1):
        label = model.page_label.replace("{page}", str(number)).replace("{pages}", str(result.pages))
        assert letters(label) in letters(text), f"page {number}"
        assert letters(model.reference) in letters(text), f"page {number}"
        assert letters(model.organisation) in letters(text), f"page {number}"


def test_page_furniture_is_mirrored_in_arabic(rendered: Rendered) -> None:
    model, result = rendered
    rtl = model.direction == "rtl"
    words = [w for w in pdf_words(result.pdf) if w.page == 1]
    lines = lines_of(words)
    header, footer = reading_order(lines[0], rtl), reading_order(lines[-1], rtl)
    label = model.page_label.replace("{page}", "2").replace("{pages}", str(result.pages))
    pairs = [
        (_find_run(header, model.organisation), _find_run(header, model.title)),
        (_find_run(footer, model.reference), _find_run(footer, label)),
    ]
    for start, end in pairs:  # what is read first sits on the reading-start side
        if rtl:
            assert min(w.x1 for w in start) > max(w.x2 for w in end)
        else:
            assert max(w.x2 for w in start) < min(w.x1 for w in end)


def test_arabic_statements_read_in_logical_order(arabic: Rendered) -> None:
    """pdftotext's own reading order; other fields, whose lines may start with a left-to-right run that
    poppler moves out of its paragraph, are checked on coordinates below."""
    model, result = arabic
    text = letters("".join(page_texts(result.pdf)))
    findings = _findings(model)
    assert len(findings) == 5
    for card in findings:
        statement = card.fields[0].value
        assert letters(statement) in text, statement[:60]


def test_a_wrapped_arabic_paragraph_has_its_lines_top_down_and_its_words_right_to_left(
    arabic: Rendered,
) -> None:
    _, result = arabic
    run = _find_run(reading_order(pdf_words(result.pdf), rtl=True), LONG_STATEMENT["ar"])
    lines = lines_of(run)
    assert len(lines) >= 4
    tops = [line[0].y1 for line in lines]
    assert tops == sorted(tops) and len(set(tops)) == len(tops)
    position = {id(w): i for i, w in enumerate(run)}
    for line in lines:
        logical = sorted(line, key=lambda w: position[id(w)])
        rights = [w.x2 for w in logical]
        assert rights == sorted(rights, reverse=True), "the first logical word of a line is rightmost"
    assert lines[0][0] is run[0]


def test_mixed_runs_come_out_whole_and_in_place(arabic: Rendered) -> None:
    _, result = arabic
    text = "".join(page_texts(result.pdf))
    assert "ISO 9001:2015" in text and "6.1.2" in text
    words = pdf_words(result.pdf)
    assert MIXED_EVIDENCE["ar"].startswith("المعيار ISO 9001:2015 البند 6.1.2 ")
    first_line = _find_run(reading_order(words, rtl=True), "المعيار 9001:2015 ISO البند 6.1.2")
    by_text = {w.text: w for w in first_line}
    iso, year, clause = by_text["ISO"], by_text["9001:2015"], by_text["6.1.2"]
    standard, article = first_line[0], first_line[3]  # read from the right, a left-to-right run is reversed
    assert letters(standard.text) == letters("المعيار") and letters(article.text) == letters("البند")
    # Right to left: المعيار, then the left-to-right run "ISO 9001:2015", then البند, then 6.1.2.
    assert standard.x1 > year.x2 and iso.x2 < year.x1 and article.x2 < iso.x1 and clause.x2 < article.x1
    assert len({w.y1 for w in (standard, iso, year, article, clause)}) == 1


def _heading_x(words: list[Word], *texts: str) -> list[float]:
    found = {t: [w for w in words if letters(w.text) == letters(t)] for t in texts}
    for first in found[texts[0]]:
        row = [
            next((w for w in found[t] if w.page == first.page and abs(w.y1 - first.y1) < 1), None)
            for t in texts
        ]
        if all(row):
            return [w.x1 for w in row if w]
    pytest.fail(f"no table heading row {texts}")


def test_tables_and_labels_are_mirrored_in_arabic(rendered: Rendered) -> None:
    model, result = rendered
    words = pdf_words(result.pdf)
    team = next(b for b in model.sections[1].blocks if isinstance(b, Table))
    columns = [c.split()[0] for c in team.columns]
    xs = _heading_x(words, *columns)
    rtl = model.direction == "rtl"
    assert xs == sorted(xs, reverse=rtl), "the first column is on the reading-start side"
    label = _heading_x(words, model.cover[0].label.split()[0])[0]
    value = _heading_x(words, model.cover[0].value)[0]
    assert (label > value) if rtl else (label < value), "a field's label is on the reading-start side"


def test_french_reads_left_to_right_with_its_accents(french: Rendered) -> None:
    _, result = french
    text = "".join(page_texts(result.pdf))
    for phrase in ("Non-conformité majeure", "réorganisation des directions", "Réponse de l'audité", "Drâa"):
        assert phrase in text
    run = _find_run(reading_order(pdf_words(result.pdf), rtl=False), LONG_STATEMENT["fr"])
    lines = lines_of(run)
    assert len(lines) >= 3 and lines[0][0] is run[0]
    assert run[0].x1 == min(w.x1 for w in lines[0]), "the first word is leftmost"
    arabic_name = _find_run(reading_order(pdf_words(result.pdf), rtl=True), "السيد محمد الإدريسي")
    assert arabic_name[0].x1 > arabic_name[1].x1 > arabic_name[2].x1, "an Arabic name stays right to left"


def test_the_signature_box_is_on_the_last_page_below_its_label_and_empty(
    rendered: Rendered,
) -> None:
    model, result = rendered
    box, (width, height) = result.signature_box, PAGE_SIZE
    assert box.page == result.pages - 1
    assert 0 < box.x1 < box.x2 <= width and 0 < box.y1 < box.y2 <= height
    assert box.x2 - box.x1 >= 200 and box.y2 - box.y1 >= 60
    last = [w for w in pdf_words(result.pdf) if w.page == box.page]
    label = _find_run(reading_order(last, model.direction == "rtl"), model.approval_label)
    assert all(height - w.y2 > box.y2 for w in label), "the approval label is above the box"
    inside = [
        w
        for w in last
        if box.x1 < w.x2 and w.x1 < box.x2 and box.y1 < height - w.y1 and height - w.y2 < box.y2
    ]
    assert inside == []


def test_photos_are_embedded_once_each_and_as_jpeg(arabic: Rendered) -> None:
    model = arabic[0]
    _, images = sample_report("ar")
    cards = _findings(model)
    twice = msgspec.structs.replace(cards[1], photos=cards[0].photos)  # the same photos on a second card
    sections = [
        msgspec.structs.replace(s, blocks=[twice if b is cards[1] else b for b in s.blocks])
        for s in model.sections
    ]
    again = render_report(msgspec.structs.replace(model, sections=sections), images)
    listed = [row for row in pdf_images(again.pdf) if row["type"] == "image"]
    assert len(listed) == 7  # three photos drawn twice, one signature
    assert len({row["object"] for row in listed}) == 4
    assert sorted(row["enc"] for row in listed).count("jpeg") == 6


def test_the_same_input_gives_the_same_bytes() -> None:
    model, images = sample_report("fr")
    assert render_report(model, images).pdf == render_report(model, images).pdf


def test_text_the_font_cannot_print_is_refused() -> None:
    model, images = sample_report("ar")
    extra = Section(title="ملحق 😀", blocks=[])
    with pytest.raises(MissingGlyphsError, match="U\\+1F600"):
        render_report(msgspec.structs.replace(model, sections=[*model.sections, extra]), images)


def test_a_photo_missing_from_the_images_is_refused() -> None:
    model, images = sample_report("fr")
    photo = _findings(model)[0].photos[0].sha256
    with pytest.raises(KeyError, match=photo):
        render_report(model, {k: v for k, v in images.items() if k != photo})

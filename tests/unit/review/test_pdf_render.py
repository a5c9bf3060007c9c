"""The management-review PDF from a pack built by hand, read back with poppler: every total row holds the
sums of its table in Latin digits, Arabic tables run right to left, "page X of Y" on every page, the
signature box on the last page, an empty period renders. Page images are written to tests/review/pages/
(not committed) for a person to look at."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

import msgspec
import pytest

from server.lib.i18n import translate
from server.reports.model import RenderedReport
from server.review.model import (
    AgeingRow,
    CountRow,
    Effectiveness,
    Names,
    NotableFinding,
    OverdueAction,
    Period,
    QuarterRow,
    RecurringClause,
    ReviewPack,
    SeverityRow,
    StatusRow,
    Totals,
)
from server.review.pdf import render_pack_pdf
from tests.unit.reports.pdftext import (
    Word,
    letters,
    lines_of,
    need_poppler,
    page_texts,
    pdf_words,
    reading_order,
)

Lang = Literal["ar", "fr"]
PAGES_DIR = Path(__file__).resolve().parents[2] / "review" / "pages"
ORGANISATION = {"ar": "مجلس جهة بني ملال خنيفرة", "fr": "Conseil de la région Béni Mellal-Khénifra"}


def _names(ar: str, fr: str) -> Names:
    return Names(ar=ar, fr=fr)


def _count(key: str, label: Names, counts: tuple[int, int, int, int], previous: int) -> CountRow:
    major, minor, observation, improvement = counts
    total = major + minor + observation + improvement
    return CountRow(
        key=key, label=label, major=major, minor=minor, observation=observation,
        improvement=improvement, total=total, previous_total=previous,
    )  # fmt: skip


def sample_pack() -> ReviewPack:
    """A year of a fictional council: three quarters audited, findings in three standards and five
    processes, nonconformities at every stage, two overdue actions."""
    realisation = (
        QuarterRow(year=2026, quarter=1, planned=4, done=3, in_progress=0, not_started=0, cancelled=1),
        QuarterRow(year=2026, quarter=2, planned=5, done=4, in_progress=1, not_started=0, cancelled=0),
        QuarterRow(year=2026, quarter=3, planned=3, done=1, in_progress=1, not_started=1, cancelled=0),
        QuarterRow(year=2026, quarter=4, planned=2, done=0, in_progress=0, not_started=2, cancelled=0),
    )
    standards = (
        _count("iso9001", _names("ISO 9001", "ISO 9001"), (2, 5, 4, 3), 11),
        _count("iso14001", _names("ISO 14001", "ISO 14001"), (1, 3, 2, 1), 9),
        _count("iso45001", _names("ISO 45001", "ISO 45001"), (0, 2, 3, 2), 4),
    )
    groups = (
        _count("6", _names("التخطيط", "Planification"), (0, 2, 1, 1), 3),
        _count("7", _names("الدعم", "Support"), (1, 3, 2, 2), 6),
        _count("8", _names("العمليات", "Activités opérationnelles"), (2, 4, 3, 1), 10),
        _count("9", _names("تقييم الأداء", "Évaluation des performances"), (0, 1, 2, 1), 2),
    )
    processes = (
        _count("p1", _names("تدبير الصفقات العمومية", "Gestion des marchés publics"), (1, 3, 2, 1), 5),
        _count("p2", _names("تدبير الموارد البشرية", "Gestion des ressources humaines"), (0, 2, 2, 1), 4),
        _count(
            "p3",
            _names("صيانة الطرق والمنشآت الفنية", "Entretien des routes et ouvrages d'art"),
            (1, 2, 1, 2),
            6,
        ),
        _count("p4", _names("تدبير النفايات", "Gestion des déchets"), (1, 1, 2, 0), 3),
        _count("", _names("", ""), (0, 1, 0, 1), 0),
    )
    return ReviewPack(
        period=Period(start=date(2026, 1, 1), end=date(2026, 12, 31), label="2026"),
        previous=Period(start=date(2025, 1, 1), end=date(2025, 12, 31), label="2025"),
        as_of=date(2026, 10, 15),
        generated_at=datetime(2026, 10, 15, 9, 30, tzinfo=UTC),
        realisation=realisation,
        findings_by_standard=standards,
        findings_by_clause_group=groups,
        findings_by_process=processes,
        findings_by_severity=(
            SeverityRow(severity="major", current=3, previous=2),
            SeverityRow(severity="minor", current=9, previous=12),
            SeverityRow(severity="observation", current=8, previous=7),
            SeverityRow(severity="improvement", current=5, previous=3),
        ),
        recurring_clauses=(
            RecurringClause(
                clause="iso9001:7.5.3",
                label=_names("التحكم في المعلومات الموثقة", "Maîtrise des informations documentées"),
                audits=3,
                findings=4,
                audit_codes=("AI-2026-002", "AI-2026-005", "AI-2026-007"),
            ),
            RecurringClause(
                clause="iso45001:8.1.4",
                label=None,
                audits=2,
                findings=2,
                audit_codes=("AI-2026-003", "AI-2026-006"),
            ),
        ),
        nc_status=(
            StatusRow(status="open", major=1, minor=1, observation=0, total=2),
            StatusRow(status="action_plan", major=0, minor=3, observation=1, total=4),
            StatusRow(status="in_progress", major=1, minor=2, observation=0, total=3),
            StatusRow(status="verification", major=0, minor=1, observation=1, total=2),
            StatusRow(status="closed", major=1, minor=2, observation=1, total=4),
        ),
        nc_ageing=(
            AgeingRow(bucket="0-30", major=1, minor=2, observation=0, total=3),
            AgeingRow(bucket="31-90", major=0, minor=3, observation=1, total=4),
            AgeingRow(bucket="91-180", major=1, minor=1, observation=1, total=3),
            AgeingRow(bucket=">180", major=0, minor=1, observation=0, total=1),
        ),
        overdue_actions=(
            OverdueAction(
                nc_id="nc1",
                action_id="a1",
                audit_code="AI-2026-002",
                unit=_names("قسم الصفقات", "Division des marchés"),
                owner=_names("سعاد العلمي", "Souad Alami"),
                type="corrective",
                due=date(2026, 8, 31),
                days_late=45,
                description="Mettre à jour la procédure d'archivage des pièces des marchés.",
            ),
            OverdueAction(
                nc_id="nc2",
                action_id="a2",
                audit_code="AI-2026-005",
                unit=_names("مصلحة الطرق", "Service des routes"),
                owner=_names("كريم بناني", "Karim Bennani"),
                type="correction",
                due=date(2026, 9, 30),
                days_late=15,
                description="وضع علامات التشوير حول الورش قبل استئناف الأشغال",
            ),
        ),
        effectiveness=Effectiveness(verified=6, effective=4, ineffective=2, rate=4 / 6),
        notable=(
            NotableFinding(
                finding_id="f1",
                audit_code="AI-2026-002",
                clauses=("iso9001:7.5.3", "iso14001:7.5.3"),
                severity="major",
                statement="لا تتم أرشفة محاضر فتح الأظرفة وفق المسطرة المعتمدة، وثلاثة محاضر مفقودة.",
                unit=_names("قسم الصفقات", "Division des marchés"),
                process=_names("تدبير الصفقات العمومية", "Gestion des marchés publics"),
            ),
            NotableFinding(
                finding_id="f2",
                audit_code="AI-2026-006",
                clauses=("iso45001:8.1.4",),
                severity="minor",
                statement="Sous-traitants du chantier de la RR 304 sans consignes de sécurité.",
                unit=None,
                process=_names("صيانة الطرق والمنشآت الفنية", "Entretien des routes et ouvrages d'art"),
            ),
        ),
        totals=Totals(
            audits_planned=14,
            audits_done=8,
            audits_cancelled=1,
            realisation_rate=8 / 13,
            findings=25,
            previous_findings=24,
            nonconformities_opened=15,
            nonconformities_open=11,
            overdue_actions=2,
        ),
    )


def empty_pack() -> ReviewPack:
    """A period without audits, findings, records or verifications."""
    pack = sample_pack()
    zero = Totals(
        audits_planned=0, audits_done=0, audits_cancelled=0, realisation_rate=None, findings=0,
        previous_findings=0, nonconformities_opened=0, nonconformities_open=0, overdue_actions=0,
    )  # fmt: skip
    return msgspec.structs.replace(
        pack,
        realisation=(), findings_by_standard=(), findings_by_clause_group=(), findings_by_process=(),
        findings_by_severity=(), recurring_clauses=(), nc_status=(), nc_ageing=(), overdue_actions=(),
        effectiveness=Effectiveness(verified=0, effective=0, ineffective=0, rate=None), notable=(),
        totals=zero,
    )  # fmt: skip


def expected_totals(pack: ReviewPack) -> list[list[int]]:
    """The total rows the pack's tables should end with, in the order of the document: the sum of
    every count column."""

    def sums(rows: list[list[int]]) -> list[int]:
        return [sum(column) for column in zip(*rows, strict=True)]

    def counts(rows: tuple[CountRow, ...]) -> list[list[int]]:
        return [[r.major, r.minor, r.observation, r.improvement, r.total, r.previous_total] for r in rows]

    e = pack.effectiveness
    tables = [
        [[r.planned, r.done, r.in_progress, r.not_started, r.cancelled] for r in pack.realisation],
        [[r.current, r.previous] for r in pack.findings_by_severity],
        counts(pack.findings_by_standard),
        counts(pack.findings_by_clause_group),
        counts(pack.findings_by_process),
        [[r.major, r.minor, r.observation, r.total] for r in pack.nc_status],
        [[r.major, r.minor, r.observation, r.total] for r in pack.nc_ageing],
        [[e.effective], [e.ineffective]],
    ]
    return [sums(rows) for rows in tables if rows]


def pdf_total_rows(pdf: bytes, total_label: str, rtl: bool) -> list[list[int]]:
    """The numbers on each line that starts with the total label (read with ``pdftotext -bbox``), in
    reading order: a table's total row. Header lines (a "Total" column among other words) are not."""
    rows = []
    for line in lines_of(pdf_words(pdf)):
        words = sorted(line, key=lambda w: -w.x2 if rtl else w.x1)
        if letters(words[0].text) == letters(total_label) and all(w.text.isdigit() for w in words[1:]):
            rows.append([int(w.text) for w in words[1:]])
    return rows


def write_pages(name: str, pdf: bytes) -> None:
    """The PDF and its page images under tests/review/pages/, for a person to look at."""
    PAGES_DIR.mkdir(parents=True, exist_ok=True)
    for old in PAGES_DIR.glob(f"{name}-*.png"):
        old.unlink()
    path = PAGES_DIR / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "70", "-png", str(path), str(PAGES_DIR / name)], check=True)


def _render(pack: ReviewPack, lang: Lang) -> RenderedReport:
    return render_pack_pdf(pack, lang, organisation=ORGANISATION[lang])


@pytest.fixture(scope="module")
def rendered() -> dict[str, RenderedReport]:
    need_poppler()
    out = {lang: _render(sample_pack(), lang) for lang in ("ar", "fr")}
    out["empty-ar"] = _render(empty_pack(), "ar")
    for name, report in out.items():
        write_pages(f"unit-{name}", report.pdf)
    return out


@pytest.fixture(params=["ar", "fr"])
def lang(request: pytest.FixtureRequest) -> Lang:
    value: Lang = request.param
    return value


def test_page_images_are_written(rendered: dict[str, RenderedReport]) -> None:
    for name, report in rendered.items():
        images = list(PAGES_DIR.glob(f"unit-{name}-*.png"))
        assert len(images) == report.pages == len(page_texts(report.pdf)), name


def test_every_total_row_holds_the_sums_of_its_table(rendered: dict[str, RenderedReport], lang: Lang) -> None:
    total = translate(lang, "Total")
    found = pdf_total_rows(rendered[lang].pdf, total, rtl=lang == "ar")
    assert found == expected_totals(sample_pack())


def test_numbers_are_latin_digits(rendered: dict[str, RenderedReport]) -> None:
    text = "".join(page_texts(rendered["ar"].pdf))
    assert not any("\u0660" <= c <= "\u0669" or "\u06f0" <= c <= "\u06f9" for c in text)
    assert "66,7" in text and "61,5" in text  # the effectiveness and realisation rates


def test_every_page_says_page_x_of_y_and_the_organisation(
    rendered: dict[str, RenderedReport], lang: Lang
) -> None:
    texts = page_texts(rendered[lang].pdf)
    for number, text in enumerate(texts, start=1):
        label = translate(lang, "Page {page} of {pages}", page=number, pages=len(texts))
        assert letters(label) in letters(text), f"page {number}"
        assert letters(ORGANISATION[lang]) in letters(text), f"page {number}"


def _first(words: list[Word], text: str) -> Word:
    found = [w for w in words if letters(w.text) == letters(text)]
    assert found, text
    return found[0]


def test_arabic_tables_start_on_the_right_and_french_on_the_left(
    rendered: dict[str, RenderedReport], lang: Lang
) -> None:
    words = pdf_words(rendered[lang].pdf)
    label = _first(words, translate(lang, "Total"))
    numbers = [w for w in words if w.page == label.page and abs(w.y1 - label.y1) < 2 and w.text.isdigit()]
    assert numbers
    if lang == "ar":
        assert all(label.x1 > n.x2 for n in numbers)
    else:
        assert all(label.x2 < n.x1 for n in numbers)


def test_arabic_text_reads_in_logical_order(rendered: dict[str, RenderedReport]) -> None:
    pdf = rendered["ar"].pdf
    text = letters("".join(page_texts(pdf)))
    for sentence in (ORGANISATION["ar"], "التحكم في المعلومات الموثقة", "ISO 9001 7.5.3"):
        assert letters(sentence) in text, sentence
    # The statement wraps in the notable findings' last column, on the left in Arabic: its words, line
    # after line from the right, read as typed.
    words = pdf_words(pdf)
    page = max(w.page for w in words)  # the notable findings come last
    column = [w for w in words if w.page == page and w.x2 < 595 / 2 - 40]
    statement = sample_pack().notable[0].statement
    assert letters(statement) in letters("".join(w.text for w in reading_order(column, rtl=True)))


def test_the_signature_box_is_on_the_last_page(rendered: dict[str, RenderedReport], lang: Lang) -> None:
    report = rendered[lang]
    box = report.signature_box
    assert box.page == report.pages - 1
    assert 0 < box.x1 < box.x2 < 595 and 0 < box.y1 < box.y2 < 842


def test_an_empty_period_renders_without_totals(rendered: dict[str, RenderedReport]) -> None:
    report = rendered["empty-ar"]
    assert pdf_total_rows(report.pdf, translate("ar", "Total"), rtl=True) == [[0]]  # the verdicts
    text = letters("".join(page_texts(report.pdf)))
    assert letters(translate("ar", "No audit in the period.")) in text


def test_the_same_pack_gives_the_same_bytes() -> None:
    assert _render(sample_pack(), "ar").pdf == _render(sample_pack(), "ar").pdf


def test_a_character_the_font_lacks_prints_as_a_question_mark() -> None:
    need_poppler()
    pack = sample_pack()
    odd = msgspec.structs.replace(pack.notable[1], statement="Consignes absentes 🙂 sur le chantier.")
    pdf = _render(msgspec.structs.replace(pack, notable=(pack.notable[0], odd)), "fr").pdf
    assert "Consignes absentes ? sur le chantier." in "".join(page_texts(pdf))

"""The demo's completed audit as data: its days in the previous quarter, its YAML against the checklist
library, and its drawn photos and signatures (no database)."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date

import pytest
from PIL import Image

from server.checklists.library import load_library
from server.demo.completed_spec import audit_days, read_completed_audit
from server.demo.images import SCENES, draw_photo, draw_signature
from server.demo.loader import read_demo
from server.settings import load_settings


@pytest.mark.parametrize(
    ("today", "first", "last"),
    [
        (date(2026, 12, 2), date(2026, 7, 1), date(2026, 9, 30)),
        (date(2027, 1, 5), date(2026, 10, 1), date(2026, 12, 31)),
        (date(2027, 3, 31), date(2026, 10, 1), date(2026, 12, 31)),
        (date(2027, 4, 1), date(2027, 1, 1), date(2027, 3, 31)),
    ],
)
def test_the_audit_takes_a_tuesday_and_wednesday_of_the_previous_quarter(
    today: date, first: date, last: date
) -> None:
    start, end = audit_days(today, [])
    assert first <= start < end <= last
    assert (start.weekday(), (end - start).days) == (1, 1)


def test_the_audit_days_avoid_the_teams_unavailable_periods() -> None:
    free = audit_days(date(2027, 10, 4), [])
    busy = [(date(2027, 8, 2), date(2027, 8, 27))]  # the demo lead's leave that summer
    start, end = audit_days(date(2027, 10, 4), busy)
    assert free != (start, end)
    assert end < busy[0][0] or start > busy[0][1]
    assert date(2027, 7, 1) <= start and end <= date(2027, 9, 30)
    with pytest.raises(RuntimeError):
        audit_days(date(2027, 10, 4), [(date(2027, 7, 1), date(2027, 9, 30))])


def test_the_findings_answer_distinct_questions_of_the_library_as_the_sync_allows() -> None:
    spec = read_completed_audit()
    library = load_library(load_settings().checklists_dir)[0]
    questions = {q.id: q for q in library.questions}
    process = next(p for p in read_demo().processes if p.code == spec.process)
    assert len({f.question for f in spec.findings}) == len(spec.findings)
    for finding in spec.findings:
        question = questions[finding.question]
        # the tablet lists a tagged question only for a process with one of its tags
        assert not question.tags or set(question.tags) & set(process.tags), finding.question
        if finding.verdict in ("nc_major", "nc_minor"):
            assert question.basis != "good_practice", finding.question
        if finding.verdict in ("nc_major", "nc_minor", "observation"):
            assert finding.evidence.strip(), finding.question
        assert all(photo.scene in SCENES for photo in finding.photos)
    verdicts = Counter(f.verdict for f in spec.findings)
    assert (verdicts["nc_major"], verdicts["nc_minor"]) == (2, 4)
    assert 25 <= len(spec.findings) <= 40


def test_photos_are_camera_sized_jpegs_without_exif_the_same_for_the_same_seed() -> None:
    photo = draw_photo("trench", "RR AÏT M'HAMED|PK 7+350", 7)
    assert photo == draw_photo("trench", "RR AÏT M'HAMED|PK 7+350", 7)
    assert photo != draw_photo("trench", "RR AÏT M'HAMED|PK 7+350", 8)
    image = Image.open(io.BytesIO(photo))
    assert (image.format, image.size) == ("JPEG", (1200, 900))
    assert not image.getexif()


def test_signatures_are_white_pngs_with_ink_one_per_signer() -> None:
    first, second = draw_signature(1), draw_signature(2)
    assert first != second and first == draw_signature(1)
    image = Image.open(io.BytesIO(first))
    assert (image.format, image.size) == ("PNG", (600, 220))
    histogram = image.convert("L").histogram()
    assert histogram[255] > sum(histogram) * 0.8  # mostly white paper
    assert sum(histogram[:100]) > 500  # and a pen stroke

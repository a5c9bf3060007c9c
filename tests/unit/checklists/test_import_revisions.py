"""Each workbook row of an organisation question carries the revision it was exported with: the import
plan never lets an old export undo a later change."""

from __future__ import annotations

from dataclasses import replace

import pytest

from server.checklists.library import load_library
from server.checklists.logic import OrgQuestion, WorkbookRow, plan_import
from server.checklists.schemas import Texts
from server.settings import PROJECT_ROOT

LIBRARY, _ = load_library(PROJECT_ROOT / "checklists")
EDITED_REV = "the revision column was edited; it must hold the number written at export"
T = Texts(ar="سؤال", fr="Question", en="")
STORED = OrgQuestion(
    id="q1",
    code="org-001",
    clauses=("iso9001:4.1",),
    text=T,
    guidance=Texts(ar="", fr="", en=""),
    tags=(),
    process_ids=(),
    rev=3,
    retired=False,
)


def _row(rev: str | None, text_fr: str = "Question modifiée") -> WorkbookRow:
    values = {"id": "org-001", "clauses": "iso9001:4.1", "text_ar": "سؤال", "text_fr": text_fr}
    if rev is not None:
        values["rev"] = rev
    return WorkbookRow(sheet="ISO 9001", row=7, values=values)


def _plan(row: WorkbookRow, stored: OrgQuestion = STORED) -> tuple[str, list[tuple[str, str]]]:
    plan = plan_import([row], LIBRARY, {"org-001": stored}, {})
    (_, _, action, reasons) = plan.reports[0]
    return action, reasons


def test_a_row_exported_at_the_current_revision_changes_the_question() -> None:
    plan = plan_import([_row("3")], LIBRARY, {"org-001": STORED}, {})
    assert [action for _, _, action, _ in plan.reports] == ["changed"]
    assert plan.revs == {"org-001": 3}


def test_a_row_of_a_question_changed_since_the_export_is_refused_with_both_revisions() -> None:
    action, reasons = _plan(_row("2"))
    assert action == "refused"
    assert reasons[0][0].startswith("someone changed this question after this workbook was exported")
    assert reasons[0][1] == "2 → 3"


def test_an_unedited_row_of_a_question_changed_since_stays_unchanged() -> None:
    assert _plan(_row("2", text_fr="Question"))[0] == "unchanged"


@pytest.mark.parametrize("rev", [None, ""])
def test_a_row_without_revision_is_refused_as_an_older_export(rev: str | None) -> None:
    action, reasons = _plan(_row(rev, text_fr="Question"))
    assert action == "refused"
    assert reasons[0][0].startswith("this row has no revision")


@pytest.mark.parametrize("rev", ["٣", "３", "³", "3.0", "-3", " 3x", "1234567890"])
def test_a_revision_that_is_not_ascii_digits_is_refused_not_read_as_a_number(rev: str) -> None:
    action, reasons = _plan(_row(rev))
    assert action == "refused"
    assert reasons == [(EDITED_REV, rev[:20])]


def test_new_rows_and_retired_questions_do_not_need_a_revision() -> None:
    new_row = WorkbookRow(
        sheet="ISO 9001", row=8, values={"id": "", "clauses": "iso9001:4.1", "text_ar": "س", "text_fr": "Q"}
    )
    plan = plan_import([new_row, _row(None)], LIBRARY, {"org-001": replace(STORED, retired=True)}, {})
    assert [(action, [m for m, _ in reasons]) for _, _, action, reasons in plan.reports] == [
        ("added", []),
        ("refused", ["this question is retired"]),
    ]

from __future__ import annotations

from server.checklists.library import load_library
from server.checklists.logic import OrgQuestion, ProcessView, WorkbookRow, compose, next_code, plan_import
from server.checklists.schemas import Texts
from server.settings import PROJECT_ROOT

LIBRARY, _ = load_library(PROJECT_ROOT / "checklists")
T = Texts(ar="سؤال", fr="Question", en="Question")


def _org(
    code: str, clauses: tuple[str, ...], process_ids: tuple[str, ...] = (), retired: bool = False
) -> OrgQuestion:
    return OrgQuestion(
        id=code,
        code=code,
        clauses=clauses,
        text=T,
        guidance=T,
        tags=(),
        process_ids=process_ids,
        rev=1,
        retired=retired,
    )


def test_integrated_question_is_asked_once_and_names_the_chosen_standards() -> None:
    items = compose(LIBRARY, [], standards=["iso9001", "iso14001"], lang="fr")
    ids = [i.id for i in items]
    assert len(ids) == len(set(ids))
    audit_question = next(i for i in items if "iso9001:9.2.1" in i.clauses and "iso14001:9.2.1" in i.clauses)
    assert not any(ref.startswith("iso45001") for ref in audit_question.clauses)


def test_items_are_ordered_by_clause() -> None:
    items = compose(LIBRARY, [], standards=["iso45001"], lang="ar")
    keys = [min(tuple(map(int, r.split(":")[1].split("."))) for r in i.clauses) for i in items]
    assert keys == sorted(keys)
    assert items[0].text and items[0].guidance  # Arabic texts


def test_clause_prefix_limits_to_that_part_of_the_tree() -> None:
    items = compose(LIBRARY, [], standards=["iso9001"], lang="fr", clause_prefix="7.5")
    assert items and all(any(r.split(":")[1].startswith("7.5") for r in i.clauses) for i in items)


def test_process_leaves_out_questions_tagged_for_other_processes() -> None:
    fleet = ProcessView(id="p1", code="P-FLT", standards=("iso9001",), tags=("vehicle_fleet",))
    everything = compose(LIBRARY, [], standards=["iso9001"], lang="fr")
    for_fleet = compose(LIBRARY, [], standards=["iso9001"], lang="fr", process=fleet)
    assert len(for_fleet) < len(everything)
    assert all(not i.tags or "vehicle_fleet" in i.tags for i in for_fleet)


def test_organisation_questions_join_by_clause_unless_retired_or_for_another_process() -> None:
    process = ProcessView(id="p1", code="P-1", standards=("iso9001",), tags=())
    org = [
        _org("org-001", ("iso9001:7.5.3.2",)),
        _org("org-002", ("iso9001:7.5.3.2",), retired=True),
        _org("org-003", ("iso9001:4.1",), process_ids=("p2",)),
    ]
    items = compose(LIBRARY, org, standards=["iso9001"], lang="fr", process=process)
    codes = [i.id for i in items if i.source == "organisation"]
    assert codes == ["org-001"]
    position = [i.id for i in items].index("org-001")
    assert (
        "iso9001:7.5.3.2" in items[position - 1].clauses or "iso9001:7.5.3.1" in items[position - 1].clauses
    )


def test_next_code_follows_the_highest() -> None:
    assert next_code([]) == "org-001"
    assert next_code(["org-009", "org-010", "other"]) == "org-011"


def _row(number: int, **values: str) -> WorkbookRow:
    return WorkbookRow(sheet="ISO 9001", row=number, values=values)


def test_import_plan_reports_each_row() -> None:
    existing = {"org-001": _org("org-001", ("iso9001:4.1",))}
    library_question = LIBRARY.questions[0]
    rows = [
        _row(2, id="", clauses="iso9001:7.2", text_ar="سؤال جديد", text_fr="Nouvelle question"),
        _row(
            3,
            id="org-001",
            clauses="iso9001:4.1 iso9001:4.2",
            text_ar="سؤال",
            text_fr="Question",
            text_en="Question",
            guidance_ar="سؤال",
            guidance_fr="Question",
            guidance_en="Question",
            rev="1",
        ),
        _row(
            4,
            id="",
            clauses="iso9001:7.9",
            text_ar="",
            text_fr="Sans arabe",
            tags="bikes",
            processes="P-NONE",
        ),
        _row(5, id=library_question.id, text_fr="Réécrite"),
    ]
    plan = plan_import(rows, LIBRARY, existing, {"P-1": "p1"})
    actions = [(r.row, action) for r, _, action, _ in plan.reports]
    assert actions == [(2, "added"), (3, "changed"), (4, "refused"), (5, "refused")]
    refused = plan.reports[2][3]
    assert {msgid for msgid, _ in refused} >= {"unknown clause reference", "unknown tag", "unknown process"}
    assert ("the question text is missing in this language", "ar") in refused
    assert plan.refused == 2

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from server.checklists.library import (
    clause_key,
    coverage,
    leaf_numbers,
    load_library,
    parse_library,
    read_library_files,
)
from server.cli import main
from server.lib.standards import STANDARDS
from server.settings import PROJECT_ROOT

LIBRARY_DIR = PROJECT_ROOT / "checklists"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "checklists"
    shutil.copytree(LIBRARY_DIR, target)
    return target


def test_shipped_library_has_no_problems_and_enough_questions() -> None:
    library, problems = load_library(LIBRARY_DIR)
    assert problems == []
    stats = coverage(library)
    assert stats.total_questions >= 220
    assert all(stats.languages_complete.values())


def test_every_leaf_clause_of_every_standard_has_a_question() -> None:
    library, _ = load_library(LIBRARY_DIR)
    cited = {ref for question in library.questions for ref in question.clauses}
    for standard in STANDARDS:
        numbers = [c.number for c in library.standards[standard].clauses]
        leaves = leaf_numbers(numbers)
        assert len(leaves) >= 30
        for number in leaves:
            assert f"{standard}:{number}" in cited, f"{standard} {number} has no question"


def test_standard_specific_clauses_have_their_own_questions() -> None:
    library, _ = load_library(LIBRARY_DIR)
    for ref in (
        "iso14001:6.1.2",
        "iso14001:6.1.3",
        "iso14001:8.2",
        "iso45001:5.4",
        "iso45001:6.1.2.1",
        "iso45001:8.1.2",
        "iso45001:8.1.4.2",
        "iso9001:7.1.5.1",
        "iso9001:8.3.2",
        "iso9001:8.5.3",
    ):
        own = [
            q
            for q in library.questions
            if ref in q.clauses and all(r.startswith(ref.split(":")[0]) for r in q.clauses)
        ]
        assert own, ref


def test_integrated_questions_cite_the_three_standards() -> None:
    library, _ = load_library(LIBRARY_DIR)
    integrated = [q for q in library.questions if {r.split(":")[0] for r in q.clauses} == set(STANDARDS)]
    assert len(integrated) >= 30
    assert any({"iso9001:9.2.1", "iso14001:9.2.1", "iso45001:9.2.1"} <= set(q.clauses) for q in integrated)


def test_removed_translation_is_reported_with_file_line_and_field(copy: Path) -> None:
    path = copy / "questions" / "07-support.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip().startswith("fr:"))
    del lines[index]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _, problems = parse_library(read_library_files(copy))
    assert len(problems) == 1
    problem = problems[0]
    assert problem.file == "questions/07-support.yaml"
    assert problem.field == "[0].text"
    assert "missing required field `fr`" in problem.message
    assert lines[problem.line - 1].strip() == "text:"  # the mapping that lacks `fr`


def test_emptied_translation_is_a_missing_translation(copy: Path) -> None:
    path = copy / "questions" / "09-performance.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("    en: ")
    end = text.index("\n", start)
    path.write_text(text[:start] + '    en: ""' + text[end:], encoding="utf-8")
    _, problems = parse_library(read_library_files(copy))
    assert [(p.file, p.field, p.message) for p in problems] == [
        ("questions/09-performance.yaml", "[0].text.en", "missing translation")
    ]
    assert problems[0].line == text[:start].count("\n") + 1


def test_duplicate_ids_unknown_clauses_and_uncovered_clauses_are_errors(copy: Path) -> None:
    path = copy / "questions" / "10-improvement.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("id: imp-002", "id: imp-001", 1)
    path.write_text(text, encoding="utf-8")
    ops = copy / "questions" / "08-operation-quality.yaml"
    ops.write_text(
        ops.read_text(encoding="utf-8").replace("iso9001:8.5.3", "iso9001:8.5.9"), encoding="utf-8"
    )
    _, problems = parse_library(read_library_files(copy))
    messages = [str(p) for p in problems]
    assert any("duplicate id imp-001" in m for m in messages)
    assert any("iso9001:8.5.9 is not a leaf clause" in m for m in messages)
    assert any(m.startswith("standards/iso9001.yaml:0: 8.5.3: leaf clause has no question") for m in messages)


def test_check_command_fails_on_a_broken_copy_and_passes_on_the_library(
    copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["checklists", "check"]) == 0
    out = capsys.readouterr().out
    assert "iso45001" in out and "languages: ar complete, fr complete, en complete" in out
    path = copy / "standards" / "iso14001.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('number: "6.1.2"', 'number: "6.1.2"\n    colour: "red"', 1)
    )
    assert main(["checklists", "check", "--path", str(copy)]) == 1
    err = capsys.readouterr().err
    assert "standards/iso14001.yaml:" in err and "unknown field `colour`" in err


def test_version_is_the_content_hash(copy: Path) -> None:
    first, _ = parse_library(read_library_files(copy))
    again, _ = parse_library(read_library_files(copy))
    assert first.version == again.version
    path = copy / "questions" / "04-context.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("SWOT", "SWOT ", 1), encoding="utf-8")
    changed, _ = parse_library(read_library_files(copy))
    assert changed.version != first.version


def test_clause_numbers_sort_naturally() -> None:
    assert sorted(["10.1", "9.3", "7.5.3.2", "7.5.3", "7.10"], key=clause_key) == [
        "7.5.3",
        "7.5.3.2",
        "7.10",
        "9.3",
        "10.1",
    ]

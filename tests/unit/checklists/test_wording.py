"""The glossary and question-form rules of ``tadqiq checklists check``."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from server.checklists.library import read_library_files
from server.checklists.wording import GLOSSARY_FILE, parse_glossary, wording_problems
from server.cli import main
from server.settings import PROJECT_ROOT

LIBRARY_DIR = PROJECT_ROOT / "checklists"
GLOSSARY = (LIBRARY_DIR / GLOSSARY_FILE).read_text(encoding="utf-8")


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    target = tmp_path / "checklists"
    shutil.copytree(LIBRARY_DIR, target)
    return target


def _question_file(root: Path, question_id: str) -> tuple[Path, list[str], int]:
    """The file holding ``question_id``, its lines, and the index of its ``id:`` line."""
    for path in sorted((root / "questions").glob("*.yaml")):
        lines = path.read_text(encoding="utf-8").split("\n")
        for index, line in enumerate(lines):
            if line.strip() == f"- id: {question_id}":
                return path, lines, index
    raise AssertionError(question_id)


def _replace_in(root: Path, question_id: str, key: str, old: str, new: str) -> tuple[str, int]:
    """Replace ``old`` by ``new`` in the ``key`` line (``ar:`` of text, say) of one question; returns
    the file (relative to the library) and the 1-based line changed."""
    path, lines, start = _question_file(root, question_id)
    for index in range(start, len(lines)):
        if lines[index].strip().startswith(key) and old in lines[index]:
            lines[index] = lines[index].replace(old, new, 1)
            path.write_text("\n".join(lines), encoding="utf-8")
            return path.relative_to(root).as_posix(), index + 1
    raise AssertionError(f"{old!r} not found in {question_id}")


def _ar_text_line(root: Path, question_id: str) -> tuple[str, int, str]:
    path, lines, start = _question_file(root, question_id)
    for index in range(start + 1, len(lines)):
        if lines[index].strip().startswith("ar:"):
            return path.relative_to(root).as_posix(), index + 1, lines[index]
    raise AssertionError(question_id)


def test_the_glossary_parses_and_settles_the_reviewed_terms() -> None:
    terms, problems = parse_glossary(GLOSSARY)
    assert problems == []
    ids = {t.id for t in terms}
    for notion in (
        "process_owner",
        "vehicle",
        "hazard",
        "significant_aspect",
        "supplier",
        "expectations",
        "special_specifications",
        "compliance_obligations",
        "law_number",
        "complaints_portal",
        "council",
        "near_miss",
        "work_accident",
        "acceptance_reservations",
        "address_auditee",
        "interview",
        "management_system",
        "awareness",
        "updating",
        "customer",
    ):
        assert notion in ids, notion


def test_the_shipped_library_is_clean_under_strict(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checklists", "check", "--strict"]) == 0, capsys.readouterr().err
    files = read_library_files(LIBRARY_DIR)
    assert wording_problems(files, GLOSSARY) == []


def test_a_replaced_variant_put_back_is_reported_with_file_line_and_term(
    copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file, line, text = _ar_text_line(copy, "perf-001")
    path = copy / file
    lines = path.read_text(encoding="utf-8").split("\n")
    # Put the variant at the end of the Arabic question: "... (مسؤول المسار)؟"
    lines[line - 1] = text.replace('؟"', ' يحددها مسؤول المسار؟"', 1)
    assert lines[line - 1] != text
    path.write_text("\n".join(lines), encoding="utf-8")

    assert main(["checklists", "check", "--path", str(copy)]) == 0  # a warning only
    err = capsys.readouterr().err
    assert f"warning: checklists/{file}:{line}: perf-001.text.ar: glossary term process_owner" in err
    assert "«مسؤول المسار»" in err and "«قائد المسار»" in err

    assert main(["checklists", "check", "--path", str(copy), "--strict"]) == 1
    err = capsys.readouterr().err
    assert f"error: checklists/{file}:{line}: perf-001.text.ar: glossary term process_owner" in err


def test_french_and_english_variants_are_whole_words(copy: Path) -> None:
    file, line = _replace_in(copy, "perf-005", "fr:", "le Conseil", "le conseil")
    files = read_library_files(copy)
    found = [str(p) for p in wording_problems(files, GLOSSARY)]
    assert any(f"{file}:{line}: perf-005.text.fr: glossary term council" in p for p in found), found
    # "conseils régionaux" (other councils, plural) is not the audited body.
    assert not any("conseils" in p for p in found)


def test_arabic_variants_respect_word_starts_and_allowed_phrases() -> None:
    glossary_terms, _ = parse_glossary(GLOSSARY)
    assert glossary_terms

    def found(ar: str) -> list[str]:
        question = (
            "- id: tst-001\n  clauses: [iso9001:7.2]\n"
            f'  text: {{ar: "{ar}", fr: "Question ?", en: "Question?"}}\n'
            '  guidance: {ar: "اطلب.", fr: "Demander.", en: "Ask."}\n'
        )
        return [p.message for p in wording_problems({"questions/t.yaml": question}, GLOSSARY)]

    assert any("vehicle" in m for m in found("هل تتوفر السيارات على تأمين؟"))
    assert not any("vehicle" in m for m in found("من يسير حظيرة السيارات؟"))  # the fleet's own name
    assert any("address_auditee" in m for m in found("أرني سجل التكوين؟"))
    assert any("address_auditee" in m for m in found("قدّم لنا السجل؟"))
    # "يقدّم" (he presents) is not the imperative قدّم.
    assert not any("address_auditee" in m for m in found("من يقدّم السجل للجنة؟"))
    assert any("hazard" in m for m in found("هل حُددت الأخطار؟"))
    assert any("supplier" in m for m in found("كيف يُقيَّم الممونون؟"))
    assert not any("supplier" in m for m in found("كيف يُتتبع نائل الصفقة؟"))  # contract holder


def test_a_french_danger_needs_an_arabic_hazard() -> None:
    question = (
        "- id: tst-002\n  clauses: [iso45001:6.1.2.1]\n"
        '  text: {ar: "هل حُددت المخاطر في الورش؟", fr: "Les dangers du chantier sont-ils identifiés ?", '
        'en: "Are the hazards of the site identified?"}\n'
        '  guidance: {ar: "اطلب.", fr: "Demander.", en: "Ask."}\n'
    )
    problems = wording_problems({"questions/t.yaml": question}, GLOSSARY)
    assert [(p.line, p.field) for p in problems] == [(3, "tst-002.text.ar")]
    assert "hazard" in problems[0].message


def test_a_question_is_a_question_in_every_language() -> None:
    question = (
        "- id: tst-003\n  clauses: [iso9001:7.2]\n"
        "  text:\n"
        '    ar: "هل يتوفر المكونون على تكوين؟"\n'
        '    fr: "Vérifier la formation des formateurs."\n'
        '    en: "Are trainers trained?"\n'
        '  guidance: {ar: "اطلب.", fr: "Demander.", en: "Ask."}\n'
    )
    problems = wording_problems({"questions/t.yaml": question}, GLOSSARY)
    assert [(p.line, p.field) for p in problems] == [(5, "tst-003.text.fr")]
    assert "question mark" in problems[0].message


def test_unknown_or_unmatched_placeholders_are_check_errors(
    copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file, line, text = _ar_text_line(copy, "perf-001")
    path = copy / file
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[line - 1] = text.replace('؟"', ' في {provincez}؟"', 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    assert main(["checklists", "check", "--path", str(copy)]) == 1
    err = capsys.readouterr().err
    assert f"checklists/{file}:{line}: perf-001.text.ar: unknown placeholder {{provincez}}" in err
    assert "placeholders differ between languages" in err


def test_glossary_regular_expressions_compile() -> None:
    for term in parse_glossary(GLOSSARY)[0]:
        for rules in term.rules.values():
            for rule in rules:
                assert isinstance(rule.pattern, re.Pattern)

"""The checklist library as data: reading its YAML files, validating them, and its coverage.

Parsing is pure (it takes file texts); only :func:`read_library_files` touches the disk.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import msgspec
import yaml

from server.lib.standards import STANDARDS, Basis, Standard, Tag

__all__ = [
    "PLACEHOLDER",
    "ClauseEntry",
    "Coverage",
    "Library",
    "Localized3",
    "PlaceholderEntry",
    "Problem",
    "QuestionEntry",
    "StandardFile",
    "clause_key",
    "parse_library",
    "read_library_files",
]

LANGS = ("ar", "fr", "en")
ClauseNumber = Annotated[str, msgspec.Meta(pattern=r"^[0-9]+(\.[0-9]+)*$", max_length=16)]
ClauseRef = Annotated[str, msgspec.Meta(pattern=r"^(iso9001|iso14001|iso45001):[0-9]+(\.[0-9]+)*$")]
QuestionId = Annotated[str, msgspec.Meta(pattern=r"^[a-z]{2,8}-[0-9]{3}$")]
Text = Annotated[str, msgspec.Meta(max_length=2000)]


class Localized3(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    ar: Text
    fr: Text
    en: Text


class ClauseEntry(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    number: ClauseNumber
    title: Localized3
    descriptive: bool = False
    """The standard gives this sub-clause no title of its own: ``title`` is our descriptive label,
    shown in parentheses ("9.2.2 — (programme)") so nobody takes it for the official title."""


class StandardFile(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    standard: Standard
    edition: str
    title: Localized3
    clauses: list[ClauseEntry]


PlaceholderName = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z_]{1,30}$")]


class QuestionEntry(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    id: QuestionId
    clauses: Annotated[list[ClauseRef], msgspec.Meta(min_length=1, max_length=12)]
    text: Localized3
    guidance: Localized3
    tags: list[Tag] = []
    basis: Basis = "requirement"
    """``good_practice``: the question goes beyond what the cited clauses require, so a gap is an
    opportunity for improvement, never a nonconformity."""


class PlaceholderEntry(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    name: PlaceholderName
    note: str
    default: Localized3


PLACEHOLDER = re.compile(r"\{([^{}\s]{1,40})\}")
"""``{provinces}`` in a question text or guidance: a fact of the organisation."""


class Problem(msgspec.Struct, frozen=True):
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


@dataclass(frozen=True)
class Coverage:
    clauses: dict[str, int]
    leaves: dict[str, int]
    covered_leaves: dict[str, int]
    questions: dict[str, int]
    total_questions: int
    languages_complete: dict[str, bool]


@dataclass(frozen=True)
class Library:
    version: str
    standards: dict[str, StandardFile]
    questions: list[QuestionEntry]
    leaves: dict[str, frozenset[str]] = field(default_factory=dict)
    placeholders: dict[str, Localized3] = field(default_factory=dict)
    """Placeholder name → its default value, used where the organisation gives none."""

    def clause_title(self, ref: str) -> Localized3 | None:
        standard, _, number = ref.partition(":")
        for clause in self.standards[standard].clauses if standard in self.standards else []:
            if clause.number == number:
                return clause.title
        return None


def clause_key(number: str) -> tuple[int, ...]:
    """Natural order of clause numbers: 7.5.3.2 after 7.5.3, 10.1 after 9.3."""
    return tuple(int(part) for part in number.split("."))


def leaf_numbers(numbers: list[str]) -> frozenset[str]:
    return frozenset(n for n in numbers if not any(other.startswith(n + ".") for other in numbers))


# ------------------------------------------------------------------ YAML with line numbers

_LINES = "__lines__"
_LINE = "__line__"


class _LineLoader(yaml.SafeLoader):
    pass


def _mapping_with_lines(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping: dict[str, Any] = dict(loader.construct_mapping(node, deep=True))  # type: ignore[arg-type]
    mapping[_LINES] = {str(key.value): key.start_mark.line + 1 for key, _ in node.value}
    mapping[_LINE] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_lines)


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in (_LINES, _LINE)}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


_AT = re.compile(r"`\$(?P<path>[^`]*)`")
_AT_SUFFIX = re.compile(r"\s*-\s*at\s*`\$[^`]*`\s*$")
_UNKNOWN = re.compile(r"unknown field `(?P<name>[^`]+)`")
_STEP = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def _locate(raw: Any, message: str, default_line: int) -> tuple[str, int]:
    """The field path and best line for a msgspec error message ``... - at `$.text.ar```."""
    match = _AT.search(message)
    path = match.group("path") if match else ""
    line, node = default_line, raw
    for name, index in _STEP.findall(path):
        if name and isinstance(node, dict):
            line = node.get(_LINES, {}).get(name, line)
            node = node.get(name)
        elif index and isinstance(node, list) and int(index) < len(node):
            node = node[int(index)]
            if isinstance(node, dict):
                line = node.get(_LINE, line)
        else:
            break
    unknown = _UNKNOWN.search(message)
    if unknown and isinstance(node, dict):
        line = node.get(_LINES, {}).get(unknown.group("name"), line)
    return (path.lstrip(".") or "(item)"), line


def _convert(
    raw: Any, kind: type[Any], file: str, line: int, problems: list[Problem], prefix: str = ""
) -> Any:
    try:
        return msgspec.convert(_strip(raw), kind)
    except msgspec.ValidationError as exc:
        message = str(exc)
        path, at = _locate(raw, message, line)
        problems.append(Problem(file, at, f"{prefix}{path}", _AT_SUFFIX.sub("", message)))
        return None


def field_line(item: Any, part: str, lang: str | None = None) -> int:
    """The line of ``part`` (and of its ``lang`` key) in a mapping loaded by :func:`load_yaml`."""
    if not isinstance(item, dict):
        return 1
    line: int = item.get(_LINES, {}).get(part, item.get(_LINE, 1))
    inner = item.get(part)
    if lang is not None and isinstance(inner, dict):
        line = inner.get(_LINES, {}).get(lang, line)
    return line


def load_yaml(file: str, text: str, problems: list[Problem]) -> Any:
    """YAML whose mappings remember their lines (read them with :func:`field_line`)."""
    return _load_yaml(file, text, problems)


def _load_yaml(file: str, text: str, problems: list[Problem]) -> Any:
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        problems.append(Problem(file, (mark.line + 1) if mark else 0, "(yaml)", str(exc.problem)))
        return None


# ------------------------------------------------------------------ parsing and checks


def library_version(files: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return digest.hexdigest()


def _missing_translations(
    entry: QuestionEntry | ClauseEntry, raw: Any, file: str, prefix: str
) -> list[Problem]:
    problems = []
    parts = (
        {"title": entry.title}
        if isinstance(entry, ClauseEntry)
        else {"text": entry.text, "guidance": entry.guidance}
    )
    for part, texts in parts.items():
        for lang in LANGS:
            if not getattr(texts, lang).strip():
                field_path = f"{prefix}{part}.{lang}"
                _, line = _locate(
                    raw, f"`$.{part}.{lang}`", raw.get(_LINE, 0) if isinstance(raw, dict) else 0
                )
                problems.append(Problem(file, line, field_path, "missing translation"))
    return problems


def _parse_standards(files: dict[str, str], problems: list[Problem]) -> dict[str, StandardFile]:
    standards: dict[str, StandardFile] = {}
    for name in sorted(n for n in files if n.startswith("standards/")):
        raw = _load_yaml(name, files[name], problems)
        parsed = _convert(raw, StandardFile, name, 1, problems) if raw is not None else None
        if parsed is None:
            continue
        if parsed.standard in standards:
            problems.append(Problem(name, 1, "standard", f"{parsed.standard} is defined twice"))
        seen: set[str] = set()
        for index, clause in enumerate(parsed.clauses):
            line = raw["clauses"][index].get(_LINE, 1)
            if clause.number in seen:
                problems.append(
                    Problem(name, line, f"clauses[{index}].number", f"duplicate clause {clause.number}")
                )
            parent = clause.number.rpartition(".")[0]
            if parent and parent not in seen:
                problems.append(
                    Problem(name, line, f"clauses[{index}].number", f"parent clause {parent} missing")
                )
            seen.add(clause.number)
            problems.extend(_missing_translations(clause, raw["clauses"][index], name, f"clauses[{index}]."))
        standards[parsed.standard] = parsed
    for standard in STANDARDS:
        if standard not in standards:
            problems.append(Problem("standards/", 0, "standard", f"no clause tree for {standard}"))
    return standards


PLACEHOLDERS_FILE = "placeholders.yaml"


def _parse_placeholders(files: dict[str, str], problems: list[Problem]) -> dict[str, Localized3]:
    if PLACEHOLDERS_FILE not in files:
        return {}
    raw = _load_yaml(PLACEHOLDERS_FILE, files[PLACEHOLDERS_FILE], problems)
    if not isinstance(raw, list):
        if raw is not None:
            problems.append(Problem(PLACEHOLDERS_FILE, 1, "(file)", "expected a list of placeholders"))
        return {}
    result: dict[str, Localized3] = {}
    for index, item in enumerate(raw):
        line = item.get(_LINE, 1) if isinstance(item, dict) else 1
        entry = _convert(item, PlaceholderEntry, PLACEHOLDERS_FILE, line, problems, prefix=f"[{index}].")
        if entry is None:
            continue
        if entry.name in result:
            problems.append(Problem(PLACEHOLDERS_FILE, line, "name", f"duplicate placeholder {entry.name}"))
        result[entry.name] = entry.default
    return result


def _placeholder_problems(
    question: QuestionEntry, item: dict[str, Any], file: str, known: dict[str, Localized3]
) -> list[Problem]:
    """Unknown placeholders, and a placeholder used in one language of a field but not another."""
    problems = []
    for part in ("text", "guidance"):
        texts = getattr(question, part)
        line = field_line(item, part)
        used = {lang: set(PLACEHOLDER.findall(getattr(texts, lang))) for lang in LANGS}
        for lang in LANGS:
            for name in sorted(used[lang] - known.keys()):
                problems.append(
                    Problem(
                        file,
                        field_line(item, part, lang),
                        f"{question.id}.{part}.{lang}",
                        f"unknown placeholder {{{name}}} (declared: {', '.join(sorted(known)) or 'none'})",
                    )
                )
        if len({frozenset(names) for names in used.values()}) > 1:
            listing = "; ".join(f"{lang}: {sorted(used[lang])}" for lang in LANGS)
            problems.append(
                Problem(
                    file, line, f"{question.id}.{part}", f"placeholders differ between languages ({listing})"
                )
            )
    return problems


def _parse_questions(
    files: dict[str, str],
    leaves: dict[str, frozenset[str]],
    problems: list[Problem],
    placeholders: dict[str, Localized3] | None = None,
) -> list[QuestionEntry]:
    questions: list[QuestionEntry] = []
    first_seen: dict[str, str] = {}
    for name in sorted(n for n in files if n.startswith("questions/")):
        raw = _load_yaml(name, files[name], problems)
        if raw is None:
            continue
        if not isinstance(raw, list):
            problems.append(Problem(name, 1, "(file)", "expected a list of questions"))
            continue
        for index, item in enumerate(raw):
            line = item.get(_LINE, 1) if isinstance(item, dict) else 1
            question = _convert(item, QuestionEntry, name, line, problems, prefix=f"[{index}].")
            if question is None:
                continue
            if question.id in first_seen:
                problems.append(
                    Problem(
                        name, line, "id", f"duplicate id {question.id} (first in {first_seen[question.id]})"
                    )
                )
                continue
            first_seen[question.id] = name
            clause_line = item.get(_LINES, {}).get("clauses", line)
            for ref in question.clauses:
                standard, _, number = ref.partition(":")
                if number not in leaves.get(standard, frozenset()):
                    problems.append(
                        Problem(name, clause_line, "clauses", f"{ref} is not a leaf clause of {standard}")
                    )
            problems.extend(_missing_translations(question, item, name, f"[{index}]."))
            problems.extend(_placeholder_problems(question, item, name, placeholders or {}))
            questions.append(question)
    return questions


def parse_library(files: dict[str, str]) -> tuple[Library, list[Problem]]:
    """The library from its files (path relative to the library root → text), with every problem."""
    problems: list[Problem] = []
    standards = _parse_standards(files, problems)
    leaves = {s: leaf_numbers([c.number for c in f.clauses]) for s, f in standards.items()}
    placeholders = _parse_placeholders(files, problems)
    questions = _parse_questions(files, leaves, problems, placeholders)
    cited = {ref for q in questions for ref in q.clauses}
    for standard, numbers in sorted(leaves.items()):
        for number in sorted(
            numbers - {ref.partition(":")[2] for ref in cited if ref.startswith(standard + ":")},
            key=clause_key,
        ):
            problems.append(Problem(f"standards/{standard}.yaml", 0, number, "leaf clause has no question"))
    library = Library(
        version=library_version(files),
        standards=standards,
        questions=questions,
        leaves=leaves,
        placeholders=placeholders,
    )
    return library, problems


def coverage(library: Library) -> Coverage:
    counts = {
        s: sum(any(r.startswith(s + ":") for r in q.clauses) for q in library.questions)
        for s in library.standards
    }
    cited = {ref for q in library.questions for ref in q.clauses}
    return Coverage(
        clauses={s: len(f.clauses) for s, f in library.standards.items()},
        leaves={s: len(n) for s, n in library.leaves.items()},
        covered_leaves={s: sum(f"{s}:{n}" in cited for n in nums) for s, nums in library.leaves.items()},
        questions=counts,
        total_questions=len(library.questions),
        languages_complete={
            lang: all(
                getattr(q.text, lang).strip() and getattr(q.guidance, lang).strip() for q in library.questions
            )
            for lang in LANGS
        },
    )


def read_library_files(root: Path) -> dict[str, str]:
    """Every YAML file of the library, keyed by its path relative to ``root``."""
    files = {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(root.glob("*/*.yaml"))
        if path.parent.name in ("standards", "questions")
    }
    placeholders = root / PLACEHOLDERS_FILE
    if placeholders.is_file():
        files[PLACEHOLDERS_FILE] = placeholders.read_text(encoding="utf-8")
    return files


__all__ += ["LANGS", "coverage", "field_line", "leaf_numbers", "library_version", "load_yaml"]


_CACHE: dict[str, tuple[tuple[tuple[str, int], ...], Library, list[Problem]]] = {}


def load_library(root: Path) -> tuple[Library, list[Problem]]:
    """The library under ``root``, parsed once and again only when one of its files changes."""
    paths = [*sorted(root.glob("*/*.yaml")), *sorted(root.glob("*.yaml"))]
    stamp = tuple((p.as_posix(), p.stat().st_mtime_ns) for p in paths)
    cached = _CACHE.get(str(root))
    if cached is None or cached[0] != stamp:
        library, problems = parse_library(read_library_files(root))
        cached = (stamp, library, problems)
        _CACHE[str(root)] = cached
    return cached[1], cached[2]


__all__ += ["load_library"]

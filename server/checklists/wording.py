"""Wording rules of the checklist library: the glossary and the form of a question.

``tadqiq checklists check`` reports what these rules find as warnings; with ``--strict`` (as
``make test`` runs it) they fail the check. Pure: it takes file texts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import msgspec

from server.checklists.library import LANGS, Problem, field_line, load_yaml

__all__ = ["GLOSSARY_FILE", "Term", "parse_glossary", "wording_problems"]

GLOSSARY_FILE = "glossary.yaml"
FIELDS = ("text", "guidance", "title")

_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
"""Arabic short vowels, shadda, sukun and tatweel: the same word with or without them."""
_PREFIXES = frozenset(
    {"", "و", "ف", "ب", "ل", "ك", "ال", "وال", "فال", "بال", "كال", "لل", "ولل", "وب", "ول", "فب", "فل"}
)
"""What may stand before an Arabic term inside a word (conjunctions, prepositions, the article)."""
_ARABIC_LETTER = re.compile("[\u0621-\u064a]")


def normalize(text: str) -> str:
    return _MARKS.sub("", text)


class _Pattern(msgspec.Struct, forbid_unknown_fields=True):
    re: str


_Variant = str | _Pattern


class _Language(msgspec.Struct, forbid_unknown_fields=True):
    use: str
    replaces: list[_Variant] = []
    allow: list[str] = []


class _Paired(msgspec.Struct, forbid_unknown_fields=True):
    source: str
    """When this language's text matches its pattern, the other languages' must match theirs."""
    patterns: dict[str, _Pattern]


class _TermEntry(msgspec.Struct, forbid_unknown_fields=True):
    id: str
    ar: _Language
    fr: _Language
    en: _Language
    note: str = ""
    fields: list[str] = msgspec.field(default_factory=lambda: list(FIELDS))
    paired: _Paired | None = None


class _GlossaryFile(msgspec.Struct, forbid_unknown_fields=True):
    terms: list[_TermEntry]


@dataclass(frozen=True)
class _Rule:
    shown: str
    pattern: re.Pattern[str]
    arabic_word: bool
    """A plain Arabic variant: found anywhere after one of the allowed prefixes."""


@dataclass(frozen=True)
class Term:
    id: str
    fields: frozenset[str]
    use: dict[str, str]
    rules: dict[str, tuple[_Rule, ...]]
    allow: dict[str, tuple[str, ...]]
    paired_source: str
    paired: dict[str, re.Pattern[str]]


def _rule(lang: str, variant: _Variant) -> _Rule:
    if isinstance(variant, _Pattern):
        return _Rule(variant.re, re.compile(variant.re), False)
    if lang == "ar":
        return _Rule(variant, re.compile(re.escape(normalize(variant))), True)
    return _Rule(variant, re.compile(rf"(?<!\w){re.escape(variant)}(?!\w)"), False)


def parse_glossary(text: str) -> tuple[list[Term], list[Problem]]:
    problems: list[Problem] = []
    raw = load_yaml(GLOSSARY_FILE, text, problems)
    if raw is None:
        return [], problems
    try:
        parsed = msgspec.convert(_strip(raw), _GlossaryFile)
    except msgspec.ValidationError as exc:
        return [], [*problems, Problem(GLOSSARY_FILE, 1, "(glossary)", str(exc))]
    terms = []
    for index, entry in enumerate(parsed.terms):
        line = raw["terms"][index].get("__line__", 1)
        unknown = set(entry.fields) - set(FIELDS)
        if unknown:
            problems.append(
                Problem(GLOSSARY_FILE, line, f"{entry.id}.fields", f"unknown fields {sorted(unknown)}")
            )
        try:
            langs: dict[str, _Language] = {lang: getattr(entry, lang) for lang in LANGS}
            pairs = entry.paired.patterns if entry.paired else {}
            terms.append(
                Term(
                    id=entry.id,
                    fields=frozenset(entry.fields),
                    use={lang: spec.use for lang, spec in langs.items()},
                    rules={
                        lang: tuple(_rule(lang, v) for v in spec.replaces) for lang, spec in langs.items()
                    },
                    allow={lang: tuple(normalize(a) for a in spec.allow) for lang, spec in langs.items()},
                    paired_source=entry.paired.source if entry.paired else "",
                    paired={lang: re.compile(p.re) for lang, p in pairs.items()},
                )
            )
        except re.error as exc:
            problems.append(Problem(GLOSSARY_FILE, line, entry.id, f"bad regular expression: {exc}"))
    return terms, problems


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if not str(k).startswith("__")}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


# ------------------------------------------------------------------ the texts of the library


@dataclass(frozen=True)
class _Field:
    file: str
    item: Any
    owner: str
    """Question id or clause number."""
    part: str
    texts: dict[str, str]


def _fields(files: dict[str, str], problems: list[Problem]) -> Iterator[_Field]:
    for name in sorted(files):
        if not name.startswith(("questions/", "standards/")):
            continue
        raw = load_yaml(name, files[name], problems)
        if name.startswith("questions/") and isinstance(raw, list):
            for item in raw:
                if isinstance(item, dict):
                    for part in ("text", "guidance"):
                        if isinstance(item.get(part), dict):
                            yield _Field(name, item, str(item.get("id")), part, item[part])
        elif isinstance(raw, dict) and isinstance(raw.get("clauses"), list):
            for item in raw["clauses"]:
                if isinstance(item, dict) and isinstance(item.get("title"), dict):
                    yield _Field(name, item, str(item.get("number")), "title", item["title"])


def _allowed_spans(text: str, phrases: tuple[str, ...]) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for phrase in phrases for m in re.finditer(re.escape(phrase), text)]


def _matches(rule: _Rule, text: str, allowed: list[tuple[int, int]]) -> bool:
    for match in rule.pattern.finditer(text):
        start, end = match.span()
        if any(a <= start and end <= b for a, b in allowed):
            continue
        if rule.arabic_word:
            word_start = start
            while word_start > 0 and _ARABIC_LETTER.match(text[word_start - 1]):
                word_start -= 1
            if text[word_start:start] not in _PREFIXES:
                continue
        return True
    return False


def _term_problems(field: _Field, terms: list[Term]) -> Iterator[Problem]:
    for term in terms:
        if field.part not in term.fields:
            continue
        for lang in LANGS:
            raw_text = field.texts.get(lang)
            if not isinstance(raw_text, str):
                continue
            text = normalize(raw_text) if lang == "ar" else raw_text
            allowed = _allowed_spans(text, term.allow[lang])
            for rule in term.rules[lang]:
                if _matches(rule, text, allowed):
                    yield Problem(
                        field.file,
                        field_line(field.item, field.part, lang),
                        f"{field.owner}.{field.part}.{lang}",
                        f"glossary term {term.id}: replace «{rule.shown}» with «{term.use[lang]}»",
                    )
                    break
        yield from _pair_problems(field, term)


def _pair_problems(field: _Field, term: Term) -> Iterator[Problem]:
    source = term.paired.get(term.paired_source)
    if source is None or not source.search(normalize(str(field.texts.get(term.paired_source, "")))):
        return
    for lang, pattern in term.paired.items():
        if lang != term.paired_source and not pattern.search(normalize(str(field.texts.get(lang, "")))):
            yield Problem(
                field.file,
                field_line(field.item, field.part, lang),
                f"{field.owner}.{field.part}.{lang}",
                f"glossary term {term.id}: the {term.paired_source} text names it, this one does not "
                f"(use «{term.use[lang]}»)",
            )


_QUESTION_END = {"ar": ("؟", "?"), "fr": ("?",), "en": ("?",)}


def _form_problems(field: _Field) -> Iterator[Problem]:
    """A question is asked as a question in every language; instructions to the auditor belong in
    the guidance."""
    if field.part != "text" or not field.file.startswith("questions/"):
        return
    for lang in LANGS:
        text = field.texts.get(lang)
        if isinstance(text, str) and text.strip() and not text.strip().endswith(_QUESTION_END[lang]):
            yield Problem(
                field.file,
                field_line(field.item, "text", lang),
                f"{field.owner}.text.{lang}",
                "a question must end with a question mark in every language "
                "(move instructions for the auditor to the guidance)",
            )


def wording_problems(files: dict[str, str], glossary_text: str | None) -> list[Problem]:
    """Every glossary and question-form problem of the library's files."""
    problems: list[Problem] = []
    terms: list[Term] = []
    if glossary_text is not None:
        terms, problems = parse_glossary(glossary_text)
    ignored: list[Problem] = []  # YAML errors are reported by parse_library already
    for field in _fields(files, ignored):
        problems.extend(_term_problems(field, terms))
        problems.extend(_form_problems(field))
    return problems

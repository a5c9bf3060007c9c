"""Composing checklists, versioning them and planning an Excel import: pure functions."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import msgspec

from server.checklists.library import LANGS, PLACEHOLDER, Library, Localized3, QuestionEntry, clause_key
from server.checklists.schemas import ChecklistItemOut, ClauseOut, StandardOut, Texts
from server.lib.errors import AppError, ErrorCode
from server.lib.i18n import N_
from server.lib.standards import STANDARDS, TAGS

__all__ = [
    "ImportPlan",
    "OrgQuestion",
    "ProcessView",
    "Reason",
    "WorkbookRow",
    "check_clause_refs",
    "checklist_version",
    "clause_label",
    "compose",
    "fill",
    "library_from_snapshot",
    "next_code",
    "plan_import",
    "resolve_facts",
    "snapshot_content",
    "standards_tree",
]


@dataclass(frozen=True)
class OrgQuestion:
    id: str
    code: str
    clauses: tuple[str, ...]
    text: Texts
    guidance: Texts
    tags: tuple[str, ...]
    process_ids: tuple[str, ...]
    rev: int
    retired: bool


@dataclass(frozen=True)
class ProcessView:
    id: str
    code: str
    standards: tuple[str, ...]
    tags: tuple[str, ...]


# ------------------------------------------------------------------ standards and composition


def standards_tree(library: Library) -> list[StandardOut]:
    result = []
    for standard in STANDARDS:
        parsed = library.standards[standard]
        nodes: dict[str, ClauseOut] = {}
        roots: list[ClauseOut] = []
        for clause in parsed.clauses:
            node = ClauseOut(
                number=clause.number,
                title=Texts(**msgspec.structs.asdict(clause.title)),
                children=[],
                descriptive=clause.descriptive,
            )
            nodes[clause.number] = node
            parent = clause.number.rpartition(".")[0]
            (nodes[parent].children if parent in nodes else roots).append(node)
        result.append(
            StandardOut(
                standard=standard,
                edition=parsed.edition,
                title=Texts(**msgspec.structs.asdict(parsed.title)),
                clauses=roots,
            )
        )
    return result


def clause_label(number: str, title: str, descriptive: bool) -> str:
    """How a clause is shown: "9.1.2 — Customer satisfaction", or "9.2.2 — (programme)" when the
    standard gives the sub-clause no title and ours is only a description."""
    return f"{number} — ({title})" if descriptive else f"{number} — {title}"


# ------------------------------------------------------------------ organisation facts

Facts = Mapping[str, Localized3]
"""Placeholder name → its value in every language."""


def resolve_facts(library: Library, given: Mapping[str, Mapping[str, str]]) -> dict[str, Localized3]:
    """The value of each placeholder the library declares: the organisation's when it gives one (its
    English falling back to French), else the library's default."""
    resolved = {}
    for name, default in sorted(library.placeholders.items()):
        value = given.get(name)
        if value and value.get("ar") and value.get("fr"):
            resolved[name] = Localized3(ar=value["ar"], fr=value["fr"], en=value.get("en") or value["fr"])
        else:
            resolved[name] = default
    return resolved


def fill(text: str, facts: Facts, lang: str) -> str:
    """``text`` with each ``{placeholder}`` replaced by the organisation's fact in ``lang``."""

    def value(match: re.Match[str]) -> str:
        fact = facts.get(match.group(1))
        return getattr(fact, lang) if fact is not None else match.group(0)

    return PLACEHOLDER.sub(value, text)


def _order(refs: Sequence[str], standards: Sequence[str]) -> tuple[tuple[int, ...], int]:
    keys = [(clause_key(r.partition(":")[2]), standards.index(r.partition(":")[0])) for r in refs]
    return min(keys) if keys else ((999,), 0)


def _matches_prefix(refs: Iterable[str], prefix: str | None) -> bool:
    if not prefix:
        return True
    return any(
        number == prefix or number.startswith(prefix + ".") for number in (r.partition(":")[2] for r in refs)
    )


def compose(
    library: Library,
    org_questions: Sequence[OrgQuestion],
    *,
    standards: Sequence[str],
    lang: str,
    process: ProcessView | None = None,
    clause_prefix: str | None = None,
    facts: Facts | None = None,
) -> list[ChecklistItemOut]:
    """Library and organisation questions for the chosen standards, ordered by clause.

    Library texts name the organisation's facts through placeholders: they are filled from ``facts``,
    or from the library's own values (a pinned library holds the facts it was pinned with).

    With a process, questions tagged for other kinds of process and organisation questions limited
    to other processes are left out. A question keeps only the clause references of the chosen
    standards, so an integrated question is asked once and names what it covers.
    """
    wanted = [s for s in STANDARDS if s in standards]
    values = library.placeholders if facts is None else facts
    process_tags = set(process.tags) if process else set()
    rows: list[tuple[tuple[tuple[int, ...], int], str, ChecklistItemOut]] = []

    def keep(refs: Iterable[str], tags: Iterable[str]) -> list[str]:
        chosen = [r for r in refs if r.partition(":")[0] in wanted]
        tag_set = set(tags)
        if not chosen or not _matches_prefix(chosen, clause_prefix):
            return []
        if process is not None and tag_set and not tag_set & process_tags:
            return []
        return chosen

    for question in library.questions:
        refs = keep(question.clauses, question.tags)
        if refs:
            item = ChecklistItemOut(
                id=question.id,
                source="library",
                clauses=refs,
                text=fill(getattr(question.text, lang), values, lang),
                guidance=fill(getattr(question.guidance, lang), values, lang),
                tags=list(question.tags),
                basis=question.basis,
            )
            rows.append((_order(refs, wanted), question.id, item))
    for org in org_questions:
        if org.retired or (process is not None and org.process_ids and process.id not in org.process_ids):
            continue
        refs = keep(org.clauses, org.tags)
        if refs:
            item = ChecklistItemOut(
                id=org.code,
                source="organisation",
                clauses=refs,
                text=getattr(org.text, lang) or org.text.fr,
                guidance=getattr(org.guidance, lang) or org.guidance.fr,
                tags=list(org.tags),  # type: ignore[arg-type]
                process_ids=list(org.process_ids),
            )
            rows.append((_order(refs, wanted), org.code, item))
    rows.sort(key=lambda row: (row[0], row[1]))
    return [row[2] for row in rows]


def check_clause_refs(library: Library, refs: Iterable[str]) -> None:
    for ref in refs:
        standard, _, number = ref.partition(":")
        if number not in library.leaves.get(standard, frozenset()):
            raise AppError(
                ErrorCode.CHECKLIST_UNKNOWN_CLAUSE,
                params={"ref": ref},
                details={"field": "clauses", "ref": ref},
            )


# ------------------------------------------------------------------ versions


def _org_payload(org_questions: Sequence[OrgQuestion]) -> list[dict[str, object]]:
    return [
        {
            "code": q.code,
            "clauses": list(q.clauses),
            "text": msgspec.structs.asdict(q.text),
            "guidance": msgspec.structs.asdict(q.guidance),
            "tags": list(q.tags),
            "processIds": list(q.process_ids),
        }
        for q in sorted(org_questions, key=lambda q: q.code)
        if not q.retired
    ]


def snapshot_content(library: Library, org_questions: Sequence[OrgQuestion], facts: Facts) -> bytes:
    """The whole composed library, every language, as pinned by an audit (canonical JSON), with the
    organisation's facts its questions name, so a pinned checklist never changes afterwards."""
    library_questions = [msgspec.to_builtins(q) for q in library.questions]
    content: dict[str, object] = {
        "libraryVersion": library.version,
        "questions": library_questions,
        "organisationQuestions": _org_payload(org_questions),
    }
    if facts:
        content["facts"] = {name: msgspec.to_builtins(value) for name, value in facts.items()}
    return msgspec.json.encode(content, order="sorted")


def checklist_version(library: Library, org_questions: Sequence[OrgQuestion], facts: Facts) -> str:
    return hashlib.sha256(snapshot_content(library, org_questions, facts)).hexdigest()


def next_code(existing: Iterable[str]) -> str:
    numbers = [int(m.group(1)) for code in existing if (m := re.fullmatch(r"org-([0-9]+)", code))]
    return f"org-{max(numbers, default=0) + 1:03d}"


# ------------------------------------------------------------------ Excel import


Reason = tuple[str, str]
"""Why a row is refused: a msgid (translated when reported) and the offending value."""


@dataclass(frozen=True)
class WorkbookRow:
    sheet: str
    row: int
    values: dict[str, str]


@dataclass
class Draft:
    clauses: tuple[str, ...]
    text: Texts
    guidance: Texts
    tags: tuple[str, ...]
    process_ids: tuple[str, ...]


@dataclass
class ImportPlan:
    reports: list[tuple[WorkbookRow, str | None, str, list[Reason]]] = field(default_factory=list)
    added: list[Draft] = field(default_factory=list)
    changed: dict[str, Draft] = field(default_factory=dict)
    revs: dict[str, int] = field(default_factory=dict)
    """The revision each changed question had when the workbook was exported (checked again on write)."""

    @property
    def refused(self) -> int:
        return sum(1 for _, _, action, _ in self.reports if action == "refused")


_SPLIT = re.compile(r"[\s,;]+")
_REV = re.compile(r"[0-9]{1,9}")
_NO_REV = N_(
    "this row has no revision: the workbook comes from an older export. "
    "Export the checklist again and redo the change"
)
_BAD_REV = N_("the revision column was edited; it must hold the number written at export")
_STALE = N_(
    "someone changed this question after this workbook was exported; export again and redo the change. "
    "Revision in the workbook → now"
)


def _exported_rev(row: WorkbookRow) -> tuple[int | None, list[Reason]]:
    """The revision written in the row at export, or why it cannot be trusted."""
    raw = row.values.get("rev", "")
    if not raw:
        return None, [(_NO_REV, "")]
    if _REV.fullmatch(raw) is None:
        return None, [(_BAD_REV, raw[:20])]
    return int(raw), []


def _draft(
    row: WorkbookRow, library: Library, process_codes: dict[str, str]
) -> tuple[Draft | None, list[Reason]]:
    v = row.values
    reasons: list[Reason] = []
    refs = tuple(r for r in _SPLIT.split(v.get("clauses", "").strip()) if r)
    if not refs:
        reasons.append((N_("at least one clause reference is required"), ""))
    for ref in refs:
        standard, _, number = ref.partition(":")
        if number not in library.leaves.get(standard, frozenset()):
            reasons.append((N_("unknown clause reference"), ref))
    for lang in ("ar", "fr"):
        if not v.get(f"text_{lang}", "").strip():
            reasons.append((N_("the question text is missing in this language"), lang))
    for key in (f"text_{lang}" for lang in LANGS):
        if len(v.get(key, "")) > 1000:
            reasons.append((N_("text longer than 1000 characters"), key))
    for key in (f"guidance_{lang}" for lang in LANGS):
        if len(v.get(key, "")) > 2000:
            reasons.append((N_("text longer than 2000 characters"), key))
    tags = tuple(t for t in _SPLIT.split(v.get("tags", "").strip()) if t)
    reasons.extend((N_("unknown tag"), t) for t in tags if t not in TAGS)
    codes = [c for c in _SPLIT.split(v.get("processes", "").strip()) if c]
    reasons.extend((N_("unknown process"), c) for c in codes if c not in process_codes)
    if reasons:
        return None, reasons
    draft = Draft(
        clauses=tuple(dict.fromkeys(refs)),
        text=Texts(**{lang: v.get(f"text_{lang}", "").strip() for lang in LANGS}),
        guidance=Texts(**{lang: v.get(f"guidance_{lang}", "").strip() for lang in LANGS}),
        tags=tuple(dict.fromkeys(tags)),
        process_ids=tuple(sorted({process_codes[c] for c in codes})),
    )
    return draft, []


def _same(draft: Draft, org: OrgQuestion) -> bool:
    return (
        set(draft.clauses) == set(org.clauses)
        and draft.text == org.text
        and draft.guidance == org.guidance
        and set(draft.tags) == set(org.tags)
        and set(draft.process_ids) == set(org.process_ids)
    )


def _library_row_edited(row: WorkbookRow, question: QuestionEntry) -> bool:
    return any(
        row.values.get(f"{part}_{lang}", "").strip() != getattr(getattr(question, part), lang).strip()
        for part in ("text", "guidance")
        for lang in LANGS
        if f"{part}_{lang}" in row.values
    )


def plan_import(
    rows: Sequence[WorkbookRow],
    library: Library,
    existing: dict[str, OrgQuestion],
    process_codes: dict[str, str],
) -> ImportPlan:
    """What an edited workbook would add or change, row by row; nothing is applied here.

    Each row of an organisation question carries the revision it had at export: a row without one
    (an older export) or with an edited one is refused, and so is a row that would change a question
    someone else changed since the export.
    """
    plan = ImportPlan()
    library_by_id = {q.id: q for q in library.questions}
    seen: dict[str, Draft] = {}
    for row in rows:
        code = row.values.get("id", "").strip()
        if code in library_by_id:
            if _library_row_edited(row, library_by_id[code]):
                plan.reports.append(
                    (row, code, "refused", [(N_("library questions cannot be edited by import"), "")])
                )
            continue
        draft, reasons = _draft(row, library, process_codes)
        exported_rev: int | None = None
        if code and code not in existing:
            reasons.append((N_("unknown question id; leave the id empty to add a new question"), code))
        elif code and existing[code].retired:
            reasons.append((N_("this question is retired"), code))
        elif code:
            exported_rev, rev_reasons = _exported_rev(row)
            reasons.extend(rev_reasons)
        if reasons or draft is None:
            plan.reports.append((row, code or None, "refused", reasons))
            continue
        if not code:
            plan.added.append(draft)
            plan.reports.append((row, None, "added", []))
        elif code in seen and seen[code] != draft:
            plan.reports.append(
                (row, code, "refused", [(N_("the same question differs between sheets"), "")])
            )
        elif _same(draft, existing[code]):
            seen[code] = draft
            plan.reports.append((row, code, "unchanged", []))
        elif exported_rev != existing[code].rev:
            # Writing this row would silently undo the later change.
            plan.reports.append((row, code, "refused", [(_STALE, f"{exported_rev} → {existing[code].rev}")]))
        else:
            seen[code] = draft
            plan.changed[code] = draft
            plan.revs[code] = existing[code].rev
            plan.reports.append((row, code, "changed", []))
    return plan


def library_from_snapshot(content: bytes, current: Library) -> tuple[Library, list[OrgQuestion]]:
    """The pinned library and organisation questions of a snapshot; clause trees come from ``current``
    (numbers and titles of the standards do not change between library versions). The pinned
    library's placeholders hold the facts the snapshot was pinned with (none in older snapshots,
    whose texts name no placeholder)."""
    raw = msgspec.json.decode(content)
    questions = msgspec.convert(raw["questions"], list[QuestionEntry])
    org = [
        OrgQuestion(
            id=item["code"],
            code=item["code"],
            clauses=tuple(item["clauses"]),
            text=msgspec.convert(item["text"], Texts),
            guidance=msgspec.convert(item["guidance"], Texts),
            tags=tuple(item["tags"]),
            process_ids=tuple(item["processIds"]),
            rev=0,
            retired=False,
        )
        for item in raw["organisationQuestions"]
    ]
    facts = msgspec.convert(raw.get("facts", {}), dict[str, Localized3])
    pinned = Library(
        version=raw["libraryVersion"],
        standards=current.standards,
        questions=questions,
        leaves=current.leaves,
        placeholders=facts,
    )
    return pinned, org

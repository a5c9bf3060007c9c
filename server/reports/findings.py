"""The report's findings: their order and numbering, and section 4, a card per finding.

Nonconformities come first, major then minor, then observations, opportunities for improvement and
strong points; within a class, clause order. Cards are numbered per prefix (NC-01, OBS-01…), the NC
numbers running over major then minor. Questions not applicable are a table; conforming answers without
a statement are only counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from server.lib.i18n import N_
from server.reports.facts import (
    FindingClass,
    FindingFacts,
    QuestionFacts,
    ReportFacts,
    clause_key,
    clause_label,
    finding_class,
    finding_clauses,
    in_language,
)
from server.reports.model import Block, FindingCard, Para, Photo, Section
from server.reports.wording import CLASS_LABELS, DASH, heading, labelled, table

if TYPE_CHECKING:
    from server.reports.model import Tone
    from server.reports.wording import Words

__all__ = ["CLASS_ORDER", "Finding", "findings_section", "sorted_findings"]

CLASS_ORDER: Final[tuple[FindingClass, ...]] = (
    "nc_major",
    "nc_minor",
    "observation",
    "improvement",
    "strong_point",
    "conform",
    "not_applicable",
)
_PREFIXES: Final[dict[str, str]] = {
    "nc_major": "NC",
    "nc_minor": "NC",
    "observation": "OBS",
    "improvement": "OFI",
    "strong_point": "SP",
}
_TONES: Final[dict[str, Tone]] = {
    "nc_major": "nc_major",
    "nc_minor": "nc_minor",
    "observation": "observation",
    "improvement": "improvement",
    "strong_point": "strong_point",
}
_DOWNGRADED: Final = N_(
    "Recorded as a nonconformity on a good-practice question, so presented as an observation."
)
_CARD_GROUPS: Final = (
    (("nc_major", "nc_minor"), N_("Nonconformities")),
    (("observation",), N_("Observations")),
    (("improvement",), N_("Opportunities for improvement")),
    (("strong_point",), N_("Strong points")),
)


@dataclass(frozen=True)
class Finding:
    """A finding as the report presents it: its class, its clauses, its question and its number."""

    facts: FindingFacts
    cls: FindingClass
    clauses: list[str]
    question: QuestionFacts | None
    number: str
    """NC-01, OBS-02…; empty for what the report does not present as a card."""


def sorted_findings(facts: ReportFacts) -> list[Finding]:
    """Class order, then clause order; cards numbered per prefix (NC numbers run over major then minor)."""
    rows: list[tuple[FindingFacts, FindingClass, list[str], QuestionFacts | None]] = []
    for finding in facts.findings:
        question = facts.questions.get(finding.question_id) if finding.question_id else None
        rows.append((finding, finding_class(finding, question), finding_clauses(facts, finding), question))
    rows.sort(key=lambda r: (CLASS_ORDER.index(r[1]), [clause_key(c) for c in r[2]], r[0].statement, r[0].id))
    counters: dict[str, int] = {}
    result: list[Finding] = []
    for finding, cls, clauses, question in rows:
        prefix = _PREFIXES.get(cls)
        number = ""
        if prefix:
            counters[prefix] = counters.get(prefix, 0) + 1
            number = f"{prefix}-{counters[prefix]:02d}"
        result.append(Finding(finding, cls, clauses, question, number))
    return result


def _photo_files(facts: ReportFacts) -> dict[str, bool]:
    """SHA-256 → whether the stored file is an image; a file without metadata is a photo when it has a
    capture time."""
    return {f.sha256: f.media_type.startswith("image/") for f in facts.evidence_files}


def _card(facts: ReportFacts, item: Finding, words: Words, first_photo: int) -> FindingCard:
    finding, question = item.facts, item.question
    clauses = words.joined([clause_label(c) for c in item.clauses])
    title = " — ".join(part for part in (item.number, words(CLASS_LABELS[item.cls]), clauses) if part)
    place = [words.name(n) for n in (finding.process, finding.unit, finding.site) if n is not None]
    question_text = f"{finding.question_id} — {in_language(question.text, words.lang)}" if question else ""
    kinds = _photo_files(facts)
    photos = [s for s in finding.attachments if kinds.get(s, s in finding.photos_taken_at)]
    documents = [s for s in finding.attachments if s not in photos]
    values = [
        (N_("Clauses concerned"), "\n".join(words.clause(facts, c) for c in item.clauses)),
        (N_("Statement"), finding.statement.strip()),
        (N_("Objective evidence"), finding.evidence.strip()),
        (N_("Auditee's response"), finding.auditee_response.strip()),
        (N_("Question"), question_text),
        (N_("Basis"), words(N_("Good practice")) if question and question.basis == "good_practice" else ""),
        (N_("Note"), words(_DOWNGRADED) if item.cls == "observation" != finding.verdict else ""),
        (N_("Place"), words.joined(place)),
        (N_("Attached documents"), "\n".join(f"SHA-256 {s}" for s in documents)),
    ]
    return FindingCard(
        heading=title,
        tone=_TONES.get(item.cls, "neutral"),
        fields=labelled(words, values),
        photos=[_photo(finding, sha, first_photo + i, words) for i, sha in enumerate(photos)],
    )


def _photo(finding: FindingFacts, sha: str, number: int, words: Words) -> Photo:
    taken = finding.photos_taken_at.get(sha)
    prefix, shown = sha[:12], words.number(number)
    caption = (
        words(
            N_("Photo {number} — SHA-256 {sha}…, taken {time}"),
            number=shown,
            sha=prefix,
            time=words.moment(taken),
        )
        if taken
        else words(N_("Photo {number} — SHA-256 {sha}…"), number=shown, sha=prefix)
    )
    return Photo(sha256=sha, caption=caption)


def _not_applicable_blocks(findings: list[Finding], words: Words) -> list[Block]:
    not_applicable = [f for f in findings if f.cls == "not_applicable"]
    if not not_applicable:
        return []
    rows = [
        [
            f.facts.question_id or DASH,
            words.joined([clause_label(c) for c in f.clauses]) or DASH,
            f.facts.statement.strip() or DASH,
        ]
        for f in not_applicable
    ]
    return [
        heading(words, N_("Questions not applicable")),
        table(words, [N_("Question"), N_("Clauses"), N_("Reason")], rows, [1.5, 2.5, 5]),
    ]


def findings_section(facts: ReportFacts, findings: list[Finding], words: Words) -> Section:
    blocks: list[Block] = []
    photo_number = 1
    for classes, title in _CARD_GROUPS:
        group = [f for f in findings if f.cls in classes]
        if group:
            blocks.append(heading(words, title))
        for item in group:
            card = _card(facts, item, words, photo_number)
            photo_number += len(card.photos)
            blocks.append(card)
    blocks.extend(_not_applicable_blocks(findings, words))
    if any(f.cls == "conform" for f in findings):
        note = N_("Questions answered as conforming without a statement are counted above, not listed.")
        blocks.append(Para(text=words(note), style="note"))
    if not blocks:
        blocks.append(Para(text=words(N_("No finding was recorded."))))
    return Section(title=words(N_("Findings")), blocks=blocks, new_page=True)

"""What a report says, as facts: the audit, its findings, meetings and conclusion, already resolved to names.

The report service fills :class:`ReportFacts` from the database, the register and the checklist; the pure
builder (``logic.build_report``) and the completeness gate (``gate.missing_items``) read nothing else. No
I/O here. Names the organisation keeps in Arabic and French come as :class:`LocalizedName` (or
:class:`Wording` for longer texts); text typed on a tablet (statements, evidence, meeting notes, attendee
and signer names) is kept as written, in one language.

Beside the Structs, a few derivations that the builder and the gate share: a finding's class (a gap on a
good-practice question is never a nonconformity), the clauses it concerns, and clause labels.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final, Literal, Protocol

import msgspec

from server.audits.schemas import AuditStatus
from server.lib.standards import STANDARDS, Basis, Standard
from server.lib.structs import LocalizedName
from server.sync.schemas import ConclusionData, Verdict

__all__ = [
    "DEFAULT_EDITIONS",
    "STANDARD_LABELS",
    "AttendeeFacts",
    "AuditPlan",
    "AuditeeFacts",
    "EvidenceFile",
    "FindingClass",
    "FindingFacts",
    "MeetingFacts",
    "QuestionFacts",
    "ReportFacts",
    "ReportIssue",
    "SiteFacts",
    "TeamMemberFacts",
    "Wording",
    "clause_key",
    "clause_label",
    "finding_class",
    "finding_clauses",
    "in_language",
    "standard_of",
]

STANDARD_LABELS: Final[dict[str, str]] = {
    "iso9001": "ISO 9001",
    "iso14001": "ISO 14001",
    "iso45001": "ISO 45001",
}
DEFAULT_EDITIONS: Final[dict[str, str]] = {"iso9001": "2015", "iso14001": "2015", "iso45001": "2018"}
_STANDARD_ORDER: Final[dict[str, int]] = {standard: index for index, standard in enumerate(STANDARDS)}

FindingClass = Literal[
    "nc_major", "nc_minor", "observation", "improvement", "strong_point", "conform", "not_applicable"
]
"""How the report presents a finding: its verdict, except that a ``conform`` with a statement is a
``strong_point`` and a nonconformity on a good-practice question is an ``observation``."""


class Wording(msgspec.Struct, frozen=True):
    """A text in Arabic and French (a question, a clause title); either may be empty (the other stands in)."""

    ar: str
    fr: str


class AuditPlan(msgspec.Struct, frozen=True, kw_only=True):
    """The audit and its plan (ISO 19011 6.3.2), as the audit register holds them."""

    id: str
    code: str
    """The audit's reference (AI-2026-014), printed on the cover."""
    title: LocalizedName
    status: AuditStatus
    objectives: str = ""
    standards: list[Standard] = []
    """The standards audited against, in the audit's order."""
    clauses: list[str] = []
    """The clause scope as prefixes (``iso9001:8.5`` covers 8.5.1…); empty: every clause of the standards."""
    criteria: list[str] = []
    """The criteria documents beside the standards (procedures, legal texts), one per entry."""
    planned_start: date | None = None
    planned_end: date | None = None
    agenda: str = ""


class SiteFacts(msgspec.Struct, frozen=True, kw_only=True):
    name: LocalizedName
    province: LocalizedName | None = None
    """The province's name from the organisation's profile; None when the profile does not name it."""


class TeamMemberFacts(msgspec.Struct, frozen=True, kw_only=True):
    name: LocalizedName
    role: Literal["lead", "auditor"]
    qualifications: list[Standard] = []
    """The standards the person is qualified for; empty when unknown (the column then shows a dash)."""


class AuditeeFacts(msgspec.Struct, frozen=True, kw_only=True):
    name: LocalizedName
    unit: LocalizedName | None = None
    """The unit the auditee belongs to."""


class FindingFacts(msgspec.Struct, frozen=True, kw_only=True):
    """A live finding as the server holds it (``FindingData``), with its process, unit and site named."""

    id: str
    verdict: Verdict
    question_id: str | None = None
    """The checklist question answered; None for a finding tied to no question."""
    statement: str = ""
    evidence: str = ""
    clause_refs: list[str] = []
    """``iso9001:8.5.1``…; empty for a finding on a question: the question's clauses stand in."""
    process: LocalizedName | None = None
    unit: LocalizedName | None = None
    site: LocalizedName | None = None
    auditee_response: str = ""
    attachments: list[str] = []
    """SHA-256 of each attached file (photos and documents), in the order attached."""
    photos_taken_at: dict[str, datetime] = {}
    """SHA-256 → when the photo was taken (aware), for the photos whose time is known."""


class QuestionFacts(msgspec.Struct, frozen=True, kw_only=True):
    """A checklist question answered by at least one finding, from the pinned checklist version."""

    text: Wording
    basis: Basis = "requirement"
    clauses: list[str] = []
    """The clauses the question concerns (``iso9001:7.5.3``…)."""


class AttendeeFacts(msgspec.Struct, frozen=True, kw_only=True):
    """An attendee of a meeting (``Attendee``), with their unit named."""

    name: str
    role: str = ""
    """Their position, as the attendance sheet gives it."""
    unit: LocalizedName | None = None
    organisation: str = ""
    """The outside organisation they come from, for someone not of the council."""
    present: bool = True


class MeetingFacts(msgspec.Struct, frozen=True, kw_only=True):
    """The opening or the closing meeting (``MeetingData``)."""

    held_at: datetime
    """Aware; shown in the report's time zone."""
    place: str = ""
    attendees: list[AttendeeFacts] = []
    notes: str = ""


class EvidenceFile(msgspec.Struct, frozen=True, kw_only=True):
    """A stored file that a finding attaches or that holds a drawn signature. Where each is used is
    derived from the findings and the conclusion, so it is not repeated here."""

    sha256: str
    media_type: str
    """``image/jpeg``, ``image/png``, ``image/webp`` or ``application/pdf``: images are shown as photos."""
    size: int
    """In bytes."""


class ReportIssue(msgspec.Struct, frozen=True, kw_only=True):
    """The report's own facts, decided by the service when it issues the report. The language is the
    one ``build_report`` is called with (the reference usually names it too)."""

    version: int
    """1 for the first report of an audit, then 2, 3… for each re-issue."""
    supersedes: str | None = None
    """The reference of the version this one replaces; None for version 1."""
    reference: str
    """Printed on every page: AI-2026-014-R2-AR."""
    issued_at: datetime
    """Aware."""
    verification_url: str
    """The short public URL the cover's QR code encodes."""
    issuer: LocalizedName
    """Who approves and issues it (their digital signature)."""
    issuer_role: Literal["lead_auditor", "audit_lead"] = "lead_auditor"
    """The audit's lead auditor, or the audit programme's lead issuing in their place."""
    timezone: str = "Africa/Casablanca"
    """IANA time zone every time in the report is shown in (devices send times with their own offset)."""


class ReportFacts(msgspec.Struct, frozen=True, kw_only=True):
    """Everything an audit report needs (ISO 19011 6.5.1), gathered by the service."""

    organisation: LocalizedName
    audit: AuditPlan
    report: ReportIssue
    process: LocalizedName | None = None
    """The audited process; None for an audit of units only."""
    units: list[LocalizedName] = []
    """The audited units."""
    sites: list[SiteFacts] = []
    team: list[TeamMemberFacts] = []
    """The lead first is not required: the role says who leads."""
    auditees: list[AuditeeFacts] = []
    findings: list[FindingFacts] = []
    """The audit's live findings (no deleted ones), in any order: the builder sorts them."""
    questions: dict[str, QuestionFacts] = {}
    """question_id → the question, for every question the findings answer."""
    clause_titles: dict[str, Wording] = {}
    """``iso9001:8.5.1`` → its short title, for the findings' and the questions' clauses, the clause scope,
    and the clause groups ``iso9001:4`` … ``iso9001:10`` of each standard (the chart's categories)."""
    opening: MeetingFacts | None = None
    closing: MeetingFacts | None = None
    conclusion: ConclusionData | None = None
    """The audit's conclusion as synced from the tablet (ISO 19011 6.4.9, 6.4.10); None if none yet."""
    evidence_files: list[EvidenceFile] = []
    """Every file the findings attach and every drawn signature of the conclusion."""
    checklist_version: str | None = None
    """The checklist version pinned for the audit."""
    editions: dict[str, str] = msgspec.field(default_factory=lambda: dict(DEFAULT_EDITIONS))
    """Standard → edition year, as the checklist library gives it."""


class _Bilingual(Protocol):
    @property
    def ar(self) -> str: ...

    @property
    def fr(self) -> str: ...


def in_language(text: _Bilingual, lang: Literal["ar", "fr"]) -> str:
    """The text in ``lang``, or in the other language when it has none in ``lang``."""
    first, other = (text.ar, text.fr) if lang == "ar" else (text.fr, text.ar)
    return first if first.strip() else other


def standard_of(ref: str) -> str:
    return ref.partition(":")[0]


def clause_key(ref: str) -> tuple[int, tuple[int, ...]]:
    """Natural order of clause references: by standard (9001, 14001, 45001), then 7.5.3.2 after 7.5.3."""
    standard, _, number = ref.partition(":")
    order = _STANDARD_ORDER.get(standard, len(_STANDARD_ORDER))
    digits = tuple(int(part) for part in number.split(".") if part.isdigit())
    return order, digits


def clause_label(ref: str) -> str:
    """``iso9001:8.5.1`` → ``ISO 9001 8.5.1``; the same in every language."""
    standard, _, number = ref.partition(":")
    return f"{STANDARD_LABELS.get(standard, standard)} {number}".strip()


def finding_class(finding: FindingFacts, question: QuestionFacts | None) -> FindingClass:
    """The class the report presents: a nonconformity recorded on a good-practice question (older data:
    the server refuses it now) is shown as an observation, never as a nonconformity."""
    verdict = finding.verdict
    if verdict in ("nc_major", "nc_minor") and question is not None and question.basis == "good_practice":
        return "observation"
    if verdict == "conform":
        return "strong_point" if finding.statement.strip() else "conform"
    return verdict


def finding_clauses(facts: ReportFacts, finding: FindingFacts) -> list[str]:
    """The clauses a finding concerns, in natural order: its own references, else its question's; only
    those of the audit's standards when any of them are (an integrated question cites all three)."""
    question = facts.questions.get(finding.question_id) if finding.question_id else None
    refs = finding.clause_refs or (question.clauses if question else [])
    in_scope = [ref for ref in refs if standard_of(ref) in facts.audit.standards]
    return sorted(set(in_scope or refs), key=clause_key)

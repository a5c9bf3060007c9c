"""The completeness gate: what ISO 19011 6.5.1 needs and an audit's facts still lack, before issuing.

:func:`missing_items` lists each gap as a stable code with its parameters (locale-free, so a client can
branch on it and the service can log it); :func:`missing_message` words one for the person who can fill
it, in their language. An empty list means the report may be issued.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal

import msgspec

from server.lib.i18n import N_, translate
from server.reports.facts import STANDARD_LABELS, clause_label, finding_clauses

if TYPE_CHECKING:
    from server.lib.i18n import Locale
    from server.reports.facts import FindingFacts, ReportFacts

__all__ = ["MissingCode", "MissingItem", "missing_items", "missing_message"]

MissingCode = Literal[
    "report.missing.objectives",
    "report.missing.scope",
    "report.missing.criteria",
    "report.missing.evidence",
    "report.missing.closing_meeting",
    "report.missing.conclusion",
    "report.missing.conclusions_text",
    "report.missing.degree",
    "report.missing.lead_auditor_signature",
    "report.missing.auditee_signature",
]

_STATEMENT_START: Final = 60
"""How much of a statement names its finding in a message."""


class MissingItem(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One thing the report cannot be issued without."""

    code: MissingCode
    params: dict[str, str] = {}
    """What the message names: ``finding_id``, ``statement`` (its start, possibly empty), ``clauses``
    for a nonconformity; ``standard`` (ISO 9001) for a degree."""


_MESSAGES: Final[dict[str, str]] = {
    "report.missing.objectives": N_("The audit plan states no objectives: write them in the audit plan."),
    "report.missing.scope": N_(
        "The audit scope is incomplete: the audit plan needs at least one standard, and a process or "
        "audited units."
    ),
    "report.missing.criteria": N_(
        "The audit plan names no criteria documents: add the procedures and legal requirements the audit "
        "checked against."
    ),
    "report.missing.closing_meeting": N_("No closing meeting is recorded: record it on the tablet and sync."),
    "report.missing.conclusion": N_(
        "No conclusion is recorded: at the closing meeting, write the conclusions, the degree for each "
        "standard and the signatures on the tablet, then sync."
    ),
    "report.missing.conclusions_text": N_(
        "The lead auditor's conclusions are empty: write them in the conclusion on the tablet and sync."
    ),
    "report.missing.degree": N_(
        "No degree of fulfilment is given for {standard}: choose it in the conclusion on the tablet and sync."
    ),
    "report.missing.lead_auditor_signature": N_(
        "The lead auditor has not signed the conclusion: sign it on the tablet and sync."
    ),
    "report.missing.auditee_signature": N_(
        "The auditee's representative has not signed the conclusion and no reason is written: have them "
        "sign, or write why they did not, on the tablet, then sync."
    ),
}
_EVIDENCE_NAMED: Final = N_(
    "Nonconformity «{statement}» ({clauses}) has no evidence: add the evidence on the tablet and sync."
)
_EVIDENCE_UNNAMED: Final = N_(
    "A nonconformity ({clauses}) has no statement and no evidence: complete it on the tablet and sync."
)


def missing_items(facts: ReportFacts) -> list[MissingItem]:
    """Every gap, in the report's order (plan, findings, closing meeting, conclusion); [] when complete."""
    audit = facts.audit
    items: list[MissingItem] = []
    if not audit.objectives.strip():
        items.append(MissingItem(code="report.missing.objectives"))
    if not audit.standards or (facts.process is None and not facts.units):
        items.append(MissingItem(code="report.missing.scope"))
    if not any(c.strip() for c in audit.criteria):
        items.append(MissingItem(code="report.missing.criteria"))
    items.extend(
        _missing_evidence(facts, f)
        for f in facts.findings
        if f.verdict in ("nc_major", "nc_minor") and not f.evidence.strip()
    )
    if facts.closing is None:
        items.append(MissingItem(code="report.missing.closing_meeting"))
    items.extend(_missing_in_conclusion(facts))
    return items


def _missing_evidence(facts: ReportFacts, finding: FindingFacts) -> MissingItem:
    statement = " ".join(finding.statement.split())
    if len(statement) > _STATEMENT_START:
        statement = statement[:_STATEMENT_START].rstrip() + "…"
    labels = ", ".join(clause_label(c) for c in finding_clauses(facts, finding))
    clauses = labels or finding.question_id or "—"
    return MissingItem(
        code="report.missing.evidence",
        params={"finding_id": finding.id, "statement": statement, "clauses": clauses},
    )


def _missing_in_conclusion(facts: ReportFacts) -> list[MissingItem]:
    conclusion = facts.conclusion
    if conclusion is None:
        return [MissingItem(code="report.missing.conclusion")]
    items: list[MissingItem] = []
    if not conclusion.conclusions.strip():
        items.append(MissingItem(code="report.missing.conclusions_text"))
    given = {d.standard for d in conclusion.degrees}
    items.extend(
        MissingItem(code="report.missing.degree", params={"standard": STANDARD_LABELS[s]})
        for s in facts.audit.standards
        if s not in given
    )
    roles = {s.role for s in conclusion.signatures}
    if "lead_auditor" not in roles:
        items.append(MissingItem(code="report.missing.lead_auditor_signature"))
    if "auditee_representative" not in roles and not conclusion.auditee_unsigned_reason.strip():
        items.append(MissingItem(code="report.missing.auditee_signature"))
    return items


def missing_message(item: MissingItem, locale: Locale) -> str:
    """The item worded for someone who can act on it, in ``locale``."""
    if item.code == "report.missing.evidence":
        message = _EVIDENCE_NAMED if item.params.get("statement") else _EVIDENCE_UNNAMED
        return translate(locale, message, **item.params)
    return translate(locale, _MESSAGES[item.code], **item.params)

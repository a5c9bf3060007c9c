"""Section 7 of the report, the annex: every evidence file with where it is used, and the checklist
version."""

from __future__ import annotations

from typing import TYPE_CHECKING

from server.lib.i18n import N_
from server.reports.model import Block, Fields, Para, Section
from server.reports.wording import CLASS_LABELS, DASH, SIGNER_LABELS, heading, labelled, table

if TYPE_CHECKING:
    from server.reports.facts import ReportFacts
    from server.reports.findings import Finding
    from server.reports.wording import Words

__all__ = ["annex_section"]


def _uses(facts: ReportFacts, findings: list[Finding], words: Words) -> dict[str, list[str]]:
    """SHA-256 → where the file is used, in the report's order: finding numbers, then signatures."""
    uses: dict[str, list[str]] = {}
    for item in findings:
        where = item.number or f"{words(CLASS_LABELS[item.cls])} ({item.facts.question_id or DASH})"
        for sha in item.facts.attachments:
            uses.setdefault(sha, []).append(where)
    for signature in facts.conclusion.signatures if facts.conclusion else []:
        label = words(SIGNER_LABELS[signature.role])
        uses.setdefault(signature.attachment, []).append(
            words(N_("Signature of {name} ({role})"), name=signature.signer_name, role=label)
        )
    return uses


def annex_section(facts: ReportFacts, findings: list[Finding], words: Words) -> Section:
    uses = _uses(facts, findings, words)
    known = {f.sha256: f for f in facts.evidence_files}
    order = list(uses) + sorted(sha for sha in known if sha not in uses)
    rows = []
    for index, sha in enumerate(order, start=1):
        file = known.get(sha)
        rows.append(
            [
                words.number(index),
                sha,
                file.media_type if file else DASH,
                words.size(file.size) if file else DASH,
                words.joined(uses.get(sha, [])) or DASH,
            ]
        )
    columns = [N_("No."), "SHA-256", N_("Type"), N_("Size"), N_("Used in")]
    blocks: list[Block] = [
        heading(words, N_("Evidence files")),
        table(words, columns, rows, [0.6, 5, 1.6, 1.2, 2])
        if rows
        else Para(text=words(N_("No evidence file."))),
        Fields(items=labelled(words, [(N_("Checklist version"), facts.checklist_version or DASH)])),
    ]
    return Section(title=words(N_("Annex: evidence files and checklist")), blocks=blocks, new_page=True)

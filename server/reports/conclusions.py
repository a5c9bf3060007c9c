"""Sections 5 and 6 of the report: the conclusions (counts, degrees per standard, diverging opinions, the
sampling statement), then the opening and closing meetings and the signatures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from server.lib.i18n import N_
from server.reports.facts import STANDARD_LABELS
from server.reports.findings import CLASS_ORDER
from server.reports.model import Block, Fields, Para, Section, SignatureItem, Signatures
from server.reports.wording import (
    CLASS_PLURAL_LABELS,
    DASH,
    DEGREE_LABELS,
    SIGNER_LABELS,
    heading,
    labelled,
    table,
)

if TYPE_CHECKING:
    from server.reports.facts import MeetingFacts, ReportFacts
    from server.reports.findings import Finding
    from server.reports.wording import Words

__all__ = ["conclusions_section", "meetings_section"]


def conclusions_section(facts: ReportFacts, findings: list[Finding], words: Words) -> Section:
    conclusion = facts.conclusion
    counts = "\n".join(
        words(
            N_("{label}: {count}"),
            label=words(CLASS_PLURAL_LABELS[cls]),
            count=words.number(sum(1 for f in findings if f.cls == cls)),
        )
        for cls in CLASS_ORDER[:5]
    )
    degrees = {d.standard: d for d in conclusion.degrees} if conclusion else {}
    rows = []
    for standard in facts.audit.standards:
        given = degrees.get(standard)
        degree = words(DEGREE_LABELS[given.degree]) if given else words(N_("Not assessed"))
        rows.append([STANDARD_LABELS[standard], degree, (given.comment.strip() if given else "") or DASH])
    diverging = conclusion.diverging_opinions.strip() if conclusion else ""
    summary = conclusion.summary.strip() if conclusion else ""
    sampling = N_(
        "An audit examines a sample of the information available, not all of it: its findings and "
        "conclusions rest on that sample, so some uncertainty remains."
    )
    blocks: list[Block] = [
        heading(words, N_("The lead auditor's conclusions")),
        Para(text=(conclusion.conclusions.strip() if conclusion else "") or words(N_("Not recorded."))),
        heading(words, N_("Findings summary")),
        Para(text=counts),
        *([Para(text=summary)] if summary else []),
        heading(words, N_("How far each standard's criteria are met")),
        table(words, [N_("Standard"), N_("Degree"), N_("Comment")], rows, [2, 2, 5]),
        heading(words, N_("Diverging opinions")),
        Para(text=diverging or words(N_("No unresolved diverging opinion."))),
        heading(words, N_("Audit sampling")),
        Para(text=words(sampling)),
    ]
    return Section(title=words(N_("Conclusions")), blocks=blocks)


def _meeting_blocks(meeting: MeetingFacts | None, title: str, words: Words) -> list[Block]:
    if meeting is None:
        return [heading(words, title), Para(text=words(N_("Not recorded.")))]
    present = sum(1 for a in meeting.attendees if a.present)
    attendance = words(
        N_("{present} present of {invited} invited"),
        present=words.number(present),
        invited=words.number(len(meeting.attendees)),
    )
    fields = [
        (N_("Date and time"), words.moment(meeting.held_at)),
        (N_("Place"), meeting.place.strip() or DASH),
        (N_("Attendance"), attendance),
        (N_("Notes"), meeting.notes.strip()),
    ]
    blocks: list[Block] = [heading(words, title), Fields(items=labelled(words, fields))]
    if meeting.attendees:
        yes, no = words(N_("Yes")), words(N_("No"))
        rows = [
            [
                a.name,
                a.role or DASH,
                words.name(a.unit) if a.unit else a.organisation or DASH,
                yes if a.present else no,
            ]
            for a in meeting.attendees
        ]
        columns = [N_("Name"), N_("Position"), N_("Unit or organisation"), N_("Present")]
        blocks.append(table(words, columns, rows, [3, 2.5, 3, 1.2]))
    return blocks


def _signature_items(facts: ReportFacts, words: Words) -> list[SignatureItem]:
    conclusion = facts.conclusion
    signed = {s.role: s for s in conclusion.signatures} if conclusion else {}
    items = []
    for role, label in SIGNER_LABELS.items():
        signature = signed.get(role)
        if signature is not None:
            title, position = words(label), signature.signer_role.strip()
            if position and position.casefold() != title.casefold():
                title = f"{title} — {position}"
            moment = words.moment(signature.signed_at)
            items.append(
                SignatureItem(
                    name=signature.signer_name, role=title, signed_at=moment, image=signature.attachment
                )
            )
            continue
        reason = conclusion.auditee_unsigned_reason.strip() if conclusion and role != "lead_auditor" else ""
        note = words(N_("Did not sign: {reason}"), reason=reason) if reason else words(N_("Not signed."))
        name = words.lead_auditor(facts) if role == "lead_auditor" else DASH
        items.append(SignatureItem(name=name, role=words(label), signed_at="", note=note))
    return items


def meetings_section(facts: ReportFacts, words: Words) -> Section:
    blocks = [
        *_meeting_blocks(facts.opening, N_("Opening meeting"), words),
        *_meeting_blocks(facts.closing, N_("Closing meeting"), words),
        heading(words, N_("Signatures")),
        Signatures(items=_signature_items(facts, words)),
    ]
    return Section(title=words(N_("Meetings and signatures")), blocks=blocks)

"""Gathers a report's facts from the audits, org, checklists, sync and attachments domains, in one read.

The result is :class:`ReportFacts` (what the pure builder and the gate read) and the bytes of every
image the report shows (photos and drawn signatures), by SHA-256.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from server.attachments.service import stored_attachment
from server.audits.service import audited_units
from server.checklists import store as checklists_store
from server.checklists.library import Library, load_library
from server.checklists.logic import OrgQuestion, ProcessView, compose, library_from_snapshot
from server.lib.standards import STANDARDS
from server.lib.structs import LocalizedName
from server.org import people_store
from server.org import service as org_service
from server.org import store as org_store
from server.reports.facts import (
    AttendeeFacts,
    AuditeeFacts,
    AuditPlan,
    EvidenceFile,
    FindingFacts,
    MeetingFacts,
    QuestionFacts,
    ReportFacts,
    ReportIssue,
    SiteFacts,
    TeamMemberFacts,
    Wording,
)
from server.sync import changes_store, records_changes
from server.sync.schemas import ConclusionOut, FindingOut, MeetingData, MeetingOut

if TYPE_CHECKING:
    from server.audits.schemas import AuditOut
    from server.org.schemas import SiteOut
    from server.settings import Settings

__all__ = ["Gathered", "gather_facts"]

_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


@dataclass(frozen=True)
class Gathered:
    facts: ReportFacts
    images: dict[str, bytes]
    """SHA-256 → bytes of every image the report shows (photos, signatures)."""
    head: int
    """The change sequence read before the facts: a later change to the audit means the facts are stale."""


async def _questions_and_titles(
    audit: AuditOut, library: Library, question_ids: set[str], process: ProcessView | None
) -> tuple[dict[str, QuestionFacts], dict[str, Wording], dict[str, str]]:
    pinned: Library = library
    org: list[OrgQuestion] = []
    if audit.checklist_version:
        pinned, org = library_from_snapshot(
            await checklists_store.get_snapshot(audit.checklist_version), library
        )
    composed = {
        lang: {
            item.id: item
            for item in compose(pinned, org, standards=audit.standards, lang=lang, process=process)
        }
        for lang in ("ar", "fr")
    }
    questions = {
        qid: QuestionFacts(
            text=Wording(ar=composed["ar"][qid].text, fr=composed["fr"][qid].text),
            basis=composed["fr"][qid].basis,
            clauses=list(composed["fr"][qid].clauses),
        )
        for qid in sorted(question_ids)
        if qid in composed["fr"]
    }
    titles: dict[str, Wording] = {}
    for standard in STANDARDS:
        entry = library.standards.get(standard)
        for clause in entry.clauses if entry else []:
            titles[f"{standard}:{clause.number}"] = Wording(ar=clause.title.ar, fr=clause.title.fr)
    editions = {standard: entry.edition for standard, entry in library.standards.items()}
    return questions, titles, editions


def _meeting(out: MeetingOut | None, units: dict[str, LocalizedName]) -> MeetingFacts | None:
    if out is None or out.deleted or not isinstance(out.data, MeetingData):
        return None
    return MeetingFacts(
        held_at=out.data.held_at,
        place=out.data.place,
        notes=out.data.notes,
        attendees=[
            AttendeeFacts(
                name=a.name,
                role=a.role,
                unit=units.get(a.unit_id) if a.unit_id else None,
                organisation=a.organisation,
                present=a.present,
            )
            for a in out.data.attendees
        ],
    )


def _findings(
    live: list[FindingOut],
    units: dict[str, LocalizedName],
    sites: dict[str, SiteOut],
    processes: dict[str, LocalizedName],
) -> list[FindingFacts]:
    return [
        FindingFacts(
            id=f.id,
            verdict=f.data.verdict,
            question_id=f.data.question_id,
            statement=f.data.statement,
            evidence=f.data.evidence,
            clause_refs=list(f.data.clause_refs),
            process=processes.get(f.data.process_id) if f.data.process_id else None,
            unit=units.get(f.data.unit_id) if f.data.unit_id else None,
            site=sites[f.data.site_id].name if f.data.site_id in sites else None,
            auditee_response=f.data.auditee_response,
            attachments=list(f.data.attachments),
            photos_taken_at=dict(f.data.photos_taken_at),
        )
        for f in live
        if f.data is not None
    ]


async def _evidence(
    settings: Settings, findings: list[FindingFacts], conclusion: ConclusionOut | None
) -> tuple[list[EvidenceFile], dict[str, bytes]]:
    """Every attached file and drawn signature, and the bytes of those that are images."""
    signatures = [s.attachment for s in conclusion.data.signatures] if conclusion and conclusion.data else []
    hashes = list(dict.fromkeys([*(h for f in findings for h in f.attachments), *signatures]))
    files: list[EvidenceFile] = []
    images: dict[str, bytes] = {}
    for sha in hashes:
        stored = await stored_attachment(settings, sha)
        if stored is None or stored.content is None:
            continue
        files.append(EvidenceFile(sha256=sha, media_type=stored.media_type, size=len(stored.content)))
        if stored.media_type in _IMAGE_TYPES:
            images[sha] = stored.content
    return files, images


async def gather_facts(settings: Settings, audit: AuditOut, issue: ReportIssue) -> Gathered:
    """Everything the report of ``audit`` needs; call it inside one read (``read_snapshot``)."""
    head = await changes_store.current_sequence()
    library = load_library(settings.checklists_dir)[0]
    profile = await org_service.get_profile()
    process = await org_store.get_process(audit.process_id) if audit.process_id else None
    units = {u.id: u.name for u in await org_store.list_units()}
    processes = {p.id: p.name for p in await org_store.list_processes()}
    provinces = {p.code: LocalizedName(ar=p.name.ar, fr=p.name.fr) for p in profile.provinces}
    sites = {s.id: s for s in await org_store.list_sites()}
    people = {p.id: p for p in await people_store.list_people(None)}
    changes, _ = await changes_store.findings_since([audit.id], 0, 1_000_000)
    live = [f for f in changes if not f.deleted and f.data is not None]
    records, _ = await records_changes.records_since([audit.id], 0, 100_000)
    meetings = {r.data.kind: r for r in records if isinstance(r, MeetingOut) and r.data and not r.deleted}
    conclusion = next((r for r in records if isinstance(r, ConclusionOut) and r.data), None)
    view = (
        ProcessView(process.id, process.code, tuple(process.standards), tuple(process.tags))
        if process
        else None
    )
    questions, titles, editions = await _questions_and_titles(
        audit, library, {f.data.question_id for f in live if f.data and f.data.question_id}, view
    )
    findings = _findings(live, units, sites, processes)
    files, images = await _evidence(settings, findings, conclusion)
    audited = set(await audited_units(audit))
    facts = ReportFacts(
        organisation=LocalizedName(ar=profile.name.ar, fr=profile.name.fr),
        audit=AuditPlan(
            id=audit.id,
            code=audit.code,
            title=audit.title,
            status=audit.status,
            objectives=audit.objectives,
            standards=list(audit.standards),
            clauses=list(audit.clauses),
            criteria=list(audit.criteria),
            planned_start=audit.planned_start,
            planned_end=audit.planned_end,
            agenda=audit.agenda,
        ),
        report=issue,
        process=process.name if process else None,
        units=[units[u] for u in (audit.unit_ids or sorted(audited)) if u in units],
        sites=[
            SiteFacts(name=sites[s].name, province=provinces.get(sites[s].province))
            for s in audit.site_ids
            if s in sites
        ],
        team=[
            TeamMemberFacts(
                name=people[m.person_id].full_name,
                role=m.role,
                qualifications=[q.standard for q in people[m.person_id].qualifications or []],
            )
            for m in audit.team
            if m.person_id in people
        ],
        auditees=[
            AuditeeFacts(name=people[pid].full_name, unit=units.get(people[pid].unit_id))
            for pid in audit.auditee_ids
            if pid in people
        ],
        findings=findings,
        questions=questions,
        clause_titles=titles,
        opening=_meeting(meetings.get("opening"), units),
        closing=_meeting(meetings.get("closing"), units),
        conclusion=conclusion.data if conclusion else None,
        evidence_files=files,
        checklist_version=audit.checklist_version,
        editions=editions,
    )
    return Gathered(facts=facts, images=images, head=head)

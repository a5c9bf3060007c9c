"""What a programme is built from, read from the other domains (organisation, audits, findings, the
checklist library) and turned into the plain facts of ``universe.py``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from server.audits import store as audits_store
from server.checklists.library import load_library
from server.org import people_store
from server.org import store as org_store
from server.programme.universe import PastAudit, PersonFacts, ProcessFacts
from server.sync import changes_store

if TYPE_CHECKING:
    from pathlib import Path

    from server.audits.schemas import AuditOut
    from server.checklists.library import Library, Localized3
    from server.org.schemas import PersonOut, ProcessOut, UnitOut

__all__ = ["OrgFacts", "gather_org", "library_facts", "past_audits"]


@dataclass(frozen=True)
class OrgFacts:
    processes: list[ProcessOut]
    """Active processes: the audit universe."""
    people: list[PersonOut]
    units: list[UnitOut]
    parent_of: dict[str, str | None]

    def process_facts(self) -> list[ProcessFacts]:
        return [
            ProcessFacts(p.id, p.owner_unit_id, tuple(p.standards), tuple(p.tags))
            for p in sorted(self.processes, key=lambda p: p.code)
        ]

    def person_facts(self) -> list[PersonFacts]:
        return [
            PersonFacts(
                id=p.id,
                unit_id=p.unit_id,
                standards=frozenset(q.standard for q in p.qualifications or []),
                lead=p.lead_auditor,
                leave=tuple((a.start, a.end) for a in p.availability or [] if not a.available),
            )
            for p in self.people
            if p.archived_at is None
        ]


async def gather_org() -> OrgFacts:
    return OrgFacts(
        processes=await org_store.list_processes(include_archived=False),
        people=await people_store.list_people(None),
        units=await org_store.list_units(),
        parent_of=await org_store.unit_parents(),
    )


async def past_audits(
    exclude_entry_ids: frozenset[str] = frozenset(),
) -> tuple[list[PastAudit], list[AuditOut]]:
    """Every audit not created by the given programme entries, with its nonconformity counts; and
    every audit."""
    every = await audits_store.list_audits()
    audits = [a for a in every if a.programme_entry_id not in exclude_entry_ids]
    counts = await changes_store.verdict_counts([a.id for a in audits])
    past = [
        PastAudit(
            id=a.id,
            status=a.status,
            process_id=a.process_id,
            standards=tuple(a.standards),
            scope=tuple(a.clauses),
            start=a.planned_start,
            nc_major=counts.get(a.id, {}).get("nc_major", 0),
            nc_minor=counts.get(a.id, {}).get("nc_minor", 0),
        )
        for a in audits
    ]
    return past, every


def library_facts(
    checklists_dir: Path,
) -> tuple[frozenset[str], list[tuple[list[str], list[str]]], dict[str, Localized3]]:
    """The auditable (leaf) clauses of the library's standards, its questions as (clause refs, tags),
    and each clause's title."""
    library: Library = load_library(checklists_dir)[0]
    clauses = frozenset(f"{s}:{n}" for s, numbers in library.leaves.items() for n in numbers)
    questions: list[tuple[list[str], list[str]]] = [
        (list(q.clauses), [str(t) for t in q.tags]) for q in library.questions
    ]
    titles = {f"{s}:{c.number}": c.title for s, f in library.standards.items() for c in f.clauses}
    return clauses, questions, titles

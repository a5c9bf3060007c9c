"""The offline package of an audit, assembled from the audits, org, checklists and sync stores: the plan,
the checklist, the findings, the meetings and the conclusion.

``parts="plan"`` is the first step of a download that survives a weak link: the plan, team and checklist
with the ``cursor`` and ``changeCount``, and no findings, meetings or conclusion. The tablet then pages
those from the pull feed (``since=0``, each page stored with its cursor, so a dropped link resumes from
the last page) and holds the audit as complete once the feed has no more and it has received at least
``changeCount`` changes: the feed from 0 brings every record the audit holds (tombstones included) at
least once (a record changed meanwhile comes again, a new one adds to the count), so fewer means a page
was lost."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import msgspec

from server.audits.schemas import AuditOut
from server.audits.service import audited_units
from server.checklists import store as checklists_store
from server.checklists.library import load_library
from server.checklists.logic import ProcessView, compose, library_from_snapshot
from server.lib.i18n import Locale
from server.org import people_store
from server.org import store as org_store
from server.sync import changes_store, records_changes
from server.sync.schemas import ConclusionOut, MeetingOut, PackageOut

__all__ = ["Parts", "build_package"]

Parts = Literal["all", "plan"]


async def build_package(
    audit: AuditOut, lang: Locale, checklists_dir: Path, parts: Parts = "all"
) -> PackageOut:
    """The package of a visible audit; call it inside one read (``store.read_snapshot``)."""
    cursor = await changes_store.current_sequence()  # read first: a change made meanwhile is pulled again
    process = await org_store.get_process(audit.process_id) if audit.process_id else None
    units = set(await audited_units(audit))
    people = {p.id: p for p in await people_store.list_people(None)}
    team = [
        {
            "personId": m.person_id,
            "role": m.role,
            "fullName": msgspec.to_builtins(people[m.person_id].full_name),
            "unitId": people[m.person_id].unit_id,
        }
        for m in audit.team
        if m.person_id in people
    ]
    auditees = [
        {
            "personId": pid,
            "fullName": msgspec.to_builtins(people[pid].full_name),
            "unitId": people[pid].unit_id,
        }
        for pid in audit.auditee_ids
        if pid in people
    ]
    checklist: list[Any] = []
    if audit.checklist_version:
        current = load_library(checklists_dir)[0]
        pinned, org = library_from_snapshot(
            await checklists_store.get_snapshot(audit.checklist_version), current
        )
        view = (
            ProcessView(process.id, process.code, tuple(process.standards), tuple(process.tags))
            if process
            else None
        )
        checklist = [
            msgspec.to_builtins(i)
            for i in compose(pinned, org, standards=audit.standards, lang=lang, process=view)
        ]
    changes, _ = await changes_store.findings_since([audit.id], 0, 100_000)
    records, _ = await records_changes.records_since([audit.id], 0, 100_000)
    plan_only = parts == "plan"
    return PackageOut(
        audit=msgspec.to_builtins(audit),
        team=team,
        auditees=auditees,
        process=msgspec.to_builtins(process) if process else None,
        units=[msgspec.to_builtins(u) for u in await org_store.list_units() if u.id in units],
        sites=[msgspec.to_builtins(s) for s in await org_store.list_sites() if s.id in set(audit.site_ids)],
        checklist_version=audit.checklist_version,
        checklist=checklist,
        findings=[] if plan_only else changes,
        meetings=[] if plan_only else [r for r in records if isinstance(r, MeetingOut)],
        conclusion=None if plan_only else next((r for r in records if isinstance(r, ConclusionOut)), None),
        cursor=str(cursor),
        change_count=len(changes) + len(records) if plan_only else msgspec.UNSET,
    )

"""Demo audits: prepared audits of the coming weeks, each demo auditor on at least one team."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from server.audits import store as audits_store
from server.audits.logic import Member, PersonFacts, check_team, is_conflicted
from server.audits.schemas import AuditIn
from server.checklists.library import load_library
from server.checklists.service import pin_composed
from server.lib.structs import LocalizedName
from server.org import people_store
from server.org import store as org_store

__all__ = ["load_demo_audits"]

CRITERIA = ["Manuel du système de management intégré QSE (MQ-01)", "Procédure d'audit interne (PR-AUD-01)"]


async def load_demo_audits(checklists_dir: Path, today: date) -> int:
    """Plan, staff and prepare one audit per process until every auditor is on a team."""
    library = load_library(checklists_dir)[0]
    version = await pin_composed(library)
    parents = await org_store.unit_parents()
    people = [p for p in await people_store.list_people(None) if "auditor" in p.roles]
    facts = {
        p.id: PersonFacts(p.unit_id, frozenset(q.standard for q in p.qualifications or []), p.lead_auditor)
        for p in people
    }
    unassigned = {p.id for p in people}
    created = 0
    year = today.year
    for index, process in enumerate(await org_store.list_processes()):
        if not unassigned and created >= 6:
            break
        standards: list[str] = list(process.standards)

        def eligible(pid: str, std: list[str] = standards, owner: str = process.owner_unit_id) -> bool:
            person = facts[pid]
            return bool(person.standards & set(std)) and not is_conflicted(person.unit_id, [owner], parents)

        leads = sorted(
            (p for p in facts if facts[p].lead_auditor and eligible(p)), key=lambda p: p not in unassigned
        )
        if not leads:
            continue
        lead = leads[0]
        others = sorted(
            (p for p in facts if p != lead and eligible(p)), key=lambda p: (p not in unassigned, p)
        )[:2]
        members = [Member(lead, "lead"), *(Member(p, "auditor") for p in others)]
        check_team(
            members, facts, audited_units=[process.owner_unit_id], parent_of=parents, standards=standards
        )
        start = today + timedelta(days=7 * (index + 1))
        audit = await audits_store.create_audit(
            None,
            AuditIn(
                code=f"AI-{year}-{index + 1:03d}",
                title=LocalizedName(
                    ar=f"تدقيق داخلي: {process.name.ar}", fr=f"Audit interne : {process.name.fr}"
                ),
                standards=process.standards,
                process_id=process.id,
                unit_ids=[process.owner_unit_id],
                site_ids=process.site_ids[:2],
                criteria=CRITERIA,
                objectives="Vérifier la conformité du processus aux exigences du SMI-QSE et son efficacité.",
                planned_start=start,
                planned_end=start + timedelta(days=1),
                agenda="09:00 réunion d'ouverture · 09:30 entretiens et visite · 15:30 réunion de clôture",
            ),
        )
        staffed = await audits_store.replace_team(None, audit, members)
        await audits_store.set_status(None, staffed, "prepared", checklist_version=version)
        unassigned -= {m.person_id for m in members}
        created += 1
    return created

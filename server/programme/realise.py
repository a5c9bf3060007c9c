"""Approval turns the programme's entries into planned audits, through the audits domain's own use
cases (so an audit made from the programme obeys the same rules as one planned by hand):

- an entry without an audit gets a new ``planned`` audit with its team;
- an entry whose audit is still ``planned`` or ``prepared`` gets its dates and team updated;
- an entry whose audit has started is never touched (the solver kept it where it was);
- an entry a revision dropped has its not-yet-started audit cancelled, with the reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from server.audits import service as audits_service
from server.audits import store as audits_store
from server.audits.logic import EDITABLE, is_conflicted
from server.audits.schemas import AuditIn, TeamIn, TeamMemberIn
from server.lib.i18n import N_, translate
from server.lib.structs import LocalizedName
from server.programme import store
from server.programme.wording import standard_label

if TYPE_CHECKING:
    from collections.abc import Sequence

    from server.audits.schemas import AuditOut
    from server.lib.principal import Principal
    from server.org.schemas import ProcessOut
    from server.programme.service import State

__all__ = ["realise_programme"]

_TITLE = N_("Internal audit of the process {process}")
_OBJECTIVES = N_(
    "Check that the process {process} conforms to the requirements of {standards} and to the council's "
    "own arrangements, and that it is effective (annual programme {year}, version {version})."
)
_DROPPED = N_("Removed from the annual programme {year} in version {version}.")


def _audit_in(state: State, entry: store.EntryRow, process: ProcessOut, code: str) -> AuditIn:
    standards = ", ".join(standard_label(s) for s in entry.standards)

    def text(message: str, lang: Literal["ar", "fr"], limit: int) -> str:
        name = f"{process.code} {getattr(process.name, lang)}"
        value = translate(
            lang,
            message,
            process=name,
            standards=standards,
            year=state.row.year,
            version=state.row.version,
        )
        return value[:limit]

    return AuditIn(
        code=code,
        title=LocalizedName(ar=text(_TITLE, "ar", 200), fr=text(_TITLE, "fr", 200)),
        standards=list(entry.standards),  # type: ignore[arg-type]
        process_id=process.id,
        programme_entry_id=entry.id,
        site_ids=list(process.site_ids),
        criteria=[f"{standard_label(s)}" for s in entry.standards],
        objectives=text(_OBJECTIVES, "fr", 4000) + "\n" + text(_OBJECTIVES, "ar", 4000),
        planned_start=entry.start,
        planned_end=entry.end,
    )


def _team(state: State, entry: store.EntryRow, owner_unit: str) -> TeamIn:
    units = {p.id: p.unit_id for p in state.org.people}

    def member(person_id: str, role: str) -> TeamMemberIn:
        conflicted = is_conflicted(units.get(person_id, ""), [owner_unit], state.org.parent_of)
        return TeamMemberIn(
            person_id=person_id,
            role=role,  # type: ignore[arg-type]
            override_reason=entry.override_reason if conflicted else "",
        )

    return TeamIn(members=[member(entry.lead_id, "lead"), *(member(a, "auditor") for a in entry.auditor_ids)])


def _same_team(audit: AuditOut, team: TeamIn) -> bool:
    return sorted((m.person_id, m.role) for m in audit.team) == sorted(
        (m.person_id, m.role) for m in team.members
    )


async def _free_code(year: int, process_code: str, occurrence: int) -> str:
    base = f"AI-{year}-{process_code}-{occurrence + 1}"[:22]
    taken = {a.code for a in await audits_store.list_audits()}
    code, suffix = base, 1
    while code in taken:
        suffix += 1
        code = f"{base}-{suffix}"[:24]
    return code


async def _update(principal: Principal, state: State, entry: store.EntryRow, audit: AuditOut) -> None:
    """New dates and team for a not-yet-started audit; the rest of its plan (the lead may have edited
    it) stays."""
    process = next(p for p in state.org.processes if p.id == entry.process_id)
    if (audit.planned_start, audit.planned_end) != (entry.start, entry.end):
        plan = AuditIn(
            code=audit.code,
            title=audit.title,
            standards=audit.standards,
            process_id=audit.process_id,
            programme_entry_id=audit.programme_entry_id,
            unit_ids=audit.unit_ids,
            site_ids=audit.site_ids,
            clauses=audit.clauses,
            criteria=audit.criteria,
            objectives=audit.objectives,
            auditee_ids=audit.auditee_ids,
            planned_start=entry.start,
            planned_end=entry.end,
            agenda=audit.agenda,
        )
        audit = await audits_service.update_plan(principal, audit.id, plan, [audit.rev])
    team = _team(state, entry, process.owner_unit_id)
    if not _same_team(audit, team):
        await audits_service.set_team(principal, audit.id, team, [audit.rev])


async def realise_programme(principal: Principal, state: State, dropped: Sequence[store.EntryRow]) -> None:
    """Create or update the planned audits of ``state``'s entries; cancel those of ``dropped`` entries
    that have not started. Runs inside the approval's transaction."""
    audits = {a.id: a for a in await audits_store.list_audits()}
    created: list[tuple[str, str]] = []
    for entry in state.entries:
        audit = audits.get(entry.audit_id or "")
        if audit is not None:
            if audit.status in EDITABLE:
                await _update(principal, state, entry, audit)
            continue
        process = next(p for p in state.org.processes if p.id == entry.process_id)
        code = await _free_code(state.row.year, process.code, entry.occurrence)
        new = await audits_service.create_audit(principal, _audit_in(state, entry, process, code))
        await audits_service.set_team(
            principal, new.id, _team(state, entry, process.owner_unit_id), [new.rev]
        )
        created.append((entry.id, new.id))
    await store.set_entry_audits(created)
    for entry in dropped:
        audit = audits.get(entry.audit_id or "")
        if audit is not None and audit.status in EDITABLE:
            reason = translate("fr", _DROPPED, year=state.row.year, version=state.row.version)
            await audits_store.set_status(principal, audit, "cancelled", cancel_reason=reason)

"""Audit use cases that handlers and other domains call: who may see which audit, what it audits, and
the writes of the audit lead (plan, team, status), each checked and stored in one transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from server.audits import store
from server.audits.logic import (
    Member,
    PersonFacts,
    check_editable,
    check_plan,
    check_revision,
    check_team,
    check_transition,
    override_scope,
)
from server.auth.policy import AuditView, may_read_audit
from server.checklists.library import load_library
from server.checklists.service import pin_composed
from server.lib.db import write_transaction
from server.lib.errors import AppError, ErrorCode
from server.org import people_store
from server.org import store as org_store
from server.org.service import check_usable_references
from server.programme import store as programme_store

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from server.audits.schemas import AuditIn, AuditOut, TeamIn, TransitionIn
    from server.lib.principal import Principal

__all__ = [
    "audit_view",
    "audited_units",
    "create_audit",
    "list_visible_audits",
    "set_team",
    "transition_audit",
    "update_plan",
    "visible_audit",
]


async def _scope_units(process_id: str | None, unit_ids: Sequence[str]) -> list[str]:
    units = list(unit_ids)
    if process_id:
        units.append((await org_store.get_process(process_id)).owner_unit_id)
    return units


async def audited_units(audit: AuditOut) -> list[str]:
    """The audited units and the unit owning the audited process."""
    return await _scope_units(audit.process_id, audit.unit_ids)


def audit_view(audit: AuditOut, audited: list[str]) -> AuditView:
    return AuditView(
        status=audit.status,
        team=tuple(m.person_id for m in audit.team),
        auditee_ids=tuple(audit.auditee_ids),
        audited_units=tuple(audited),
    )


async def _principal_unit(principal: Principal) -> str | None:
    if principal.person_id is None:
        return None
    return (await people_store.person_units()).get(principal.person_id)


async def visible_audit(principal: Principal, audit_id: str) -> AuditOut:
    """The audit if the caller may read it (``may_read_audit``); 404 otherwise, so that its existence
    is not revealed."""
    audit = await store.get_audit(audit_id)
    view = audit_view(audit, await audited_units(audit))
    if not may_read_audit(principal, view, await _principal_unit(principal)):
        raise AppError(ErrorCode.NOT_FOUND, details={"entity": "audit", "id": audit_id})
    return audit


async def list_visible_audits(principal: Principal) -> list[AuditOut]:
    """Every audit the caller may read, in planned order."""
    owners = {p.id: p.owner_unit_id for p in await org_store.list_processes()}
    unit = await _principal_unit(principal)
    return [
        audit
        for audit in await store.list_audits()
        if may_read_audit(
            principal,
            audit_view(
                audit,
                [*audit.unit_ids, *([owners[audit.process_id]] if audit.process_id in owners else [])],
            ),
            unit,
        )
    ]


# ---------------------------------------------------------------- the audit lead's writes


async def _check_new_references(data: AuditIn, before: AuditOut | None) -> None:
    """The org objects the plan adds must exist and not be archived (those already in the stored plan
    were checked when they were added, and stay usable even if archived since)."""
    check_plan(data.planned_start, data.planned_end)
    entry = data.programme_entry_id
    is_new = entry is not None and (before is None or entry != before.programme_entry_id)
    if entry is not None and is_new and not await programme_store.entry_exists(entry):
        raise AppError(
            ErrorCode.UNKNOWN_REFERENCE,
            params={"field": "programmeEntryId"},
            details={"field": "programmeEntryId"},
        )

    def added(ids: Sequence[str], kept: Sequence[str]) -> list[str]:
        already = set(kept)
        return [i for i in ids if i not in already]

    await check_usable_references(
        process_id=data.process_id if before is None or data.process_id != before.process_id else None,
        unit_ids=added(data.unit_ids, before.unit_ids if before else ()),
        site_ids=added(data.site_ids, before.site_ids if before else ()),
        person_ids=added(data.auditee_ids, before.auditee_ids if before else ()),
        field_names={"people": "auditeeIds"},
    )


async def _check_members(
    members: Sequence[Member], *, audited: Sequence[str], standards: Sequence[str]
) -> None:
    """The team rules (``check_team``) against the people as they are now; each member must also be
    someone who can take on new work (exists, not archived)."""
    for index, member in enumerate(members):
        await check_usable_references(
            person_ids=[member.person_id], field_names={"people": f"members[{index}].personId"}
        )
    people = {
        p.id: PersonFacts(
            unit_id=p.unit_id,
            standards=frozenset(q.standard for q in p.qualifications or []),
            lead_auditor=p.lead_auditor,
        )
        for p in await people_store.list_people(None)
    }
    check_team(
        members,
        people,
        audited_units=audited,
        parent_of=await org_store.unit_parents(),
        standards=standards,
    )


async def create_audit(principal: Principal, data: AuditIn) -> AuditOut:
    """A new ``planned`` audit whose references exist."""
    async with write_transaction():
        await _check_new_references(data, None)
        return await store.create_audit(principal, data)


async def update_plan(
    principal: Principal, audit_id: str, data: AuditIn, revisions: Sequence[int]
) -> AuditOut:
    """Change the plan of a planned or prepared audit; ``revisions`` are the ones the client says it
    read (If-Match, rev field). The team is checked again against the new scope and standards: an
    override written for another scope no longer counts."""
    async with write_transaction():
        before = await store.get_audit(audit_id)
        check_revision(revisions, before.rev, before.status)
        check_editable(before.status)
        await _check_new_references(data, before)
        if before.team:
            await _check_members(
                store.audit_facts(before).team,
                audited=await _scope_units(data.process_id, data.unit_ids),
                standards=data.standards,
            )
        return await store.update_audit(principal, before, data)


async def set_team(principal: Principal, audit_id: str, data: TeamIn, revisions: Sequence[int]) -> AuditOut:
    """Replace the team of a planned or prepared audit, read at ``revisions``. Each override reason is
    recorded for the audit's current scope."""
    async with write_transaction():
        before = await store.get_audit(audit_id)
        check_revision(revisions, before.rev, before.status)
        check_editable(before.status)
        audited = await audited_units(before)
        scope = override_scope(audited)
        members = [
            Member(m.person_id, m.role, m.override_reason, scope if m.override_reason.strip() else ())
            for m in data.members
        ]
        await _check_members(members, audited=audited, standards=before.standards)
        return await store.replace_team(principal, before, members)


async def transition_audit(
    principal: Principal,
    audit_id: str,
    data: TransitionIn,
    revisions: Sequence[int],
    *,
    checklists_dir: Path,
) -> AuditOut:
    """Move an audit the caller may see, read at ``revisions``, to ``data.to``. Preparing checks the
    team again (people, qualifications and units may have changed since it was set) and pins the
    checklist version the audit will use."""
    # Parsed (or taken from the cache) before the transaction: file reading holds no database lock.
    library = load_library(checklists_dir)[0] if data.to == "prepared" else None
    async with write_transaction():
        audit = await visible_audit(principal, audit_id)
        check_revision(revisions, audit.rev, audit.status)
        facts = store.audit_facts(audit)
        check_transition(facts, data.to, principal, cancel_reason=data.reason)
        version = None
        if library is not None:
            await _check_members(facts.team, audited=await audited_units(audit), standards=audit.standards)
            version = await pin_composed(library)
        return await store.set_status(
            principal,
            audit,
            data.to,
            checklist_version=version,
            cancel_reason=data.reason if data.to == "cancelled" else "",
        )

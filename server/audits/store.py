"""Audits in the database (the only module touching audit tables)."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from typing import TYPE_CHECKING, Any, Literal

from server.audits.logic import AuditFacts, Member
from server.audits.schemas import AuditIn, AuditOut, TeamMemberOut
from server.audits.tables import Audit, AuditTeamMember
from server.lib.clock import utcnow
from server.lib.db import code_is_free, write_transaction
from server.lib.errors import AppError, ErrorCode
from server.lib.rows import json_list
from server.lib.structs import LocalizedName
from server.trail.store import record_change

if TYPE_CHECKING:
    from server.lib.principal import Principal

__all__ = [
    "audit_facts",
    "audits_referencing",
    "create_audit",
    "get_audit",
    "list_audits",
    "replace_team",
    "set_status",
    "update_audit",
]

_JSON_FIELDS = ("unit_ids", "site_ids", "standards", "clauses", "criteria", "auditee_ids")


def _out(row: dict[str, Any], team: list[dict[str, Any]]) -> AuditOut:
    return AuditOut(
        id=str(row["id"]),
        code=row["code"],
        title=LocalizedName(ar=row["title_ar"], fr=row["title_fr"]),
        status=row["status"],
        standards=json_list(row["standards"]),  # type: ignore[arg-type]
        process_id=str(row["process_id"]) if row["process_id"] else None,
        programme_entry_id=str(row["programme_entry_id"]) if row["programme_entry_id"] else None,
        unit_ids=json_list(row["unit_ids"]),
        site_ids=json_list(row["site_ids"]),
        clauses=json_list(row["clauses"]),
        criteria=json_list(row["criteria"]),
        objectives=row["objectives"],
        auditee_ids=json_list(row["auditee_ids"]),
        planned_start=row["planned_start"],
        planned_end=row["planned_end"],
        agenda=row["agenda"],
        checklist_version=row["checklist_version"],
        cancel_reason=row["cancel_reason"],
        team=[
            TeamMemberOut(
                person_id=str(m["person_id"]),
                role=m["role"],
                override_reason=m["override_reason"],
                override_by=m["override_by"],
                override_scope=json_list(m["override_scope"]),
            )
            for m in sorted(team, key=lambda m: (m["role"] != "lead", str(m["person_id"])))
        ],
        rev=row["rev"],
        updated_at=row["updated_at"],
    )


def audit_facts(audit: AuditOut) -> AuditFacts:
    return AuditFacts(
        status=audit.status,
        standards=tuple(audit.standards),
        process_id=audit.process_id,
        unit_ids=tuple(audit.unit_ids),
        criteria=tuple(audit.criteria),
        planned_start=audit.planned_start,
        planned_end=audit.planned_end,
        team=tuple(
            Member(m.person_id, m.role, m.override_reason, tuple(m.override_scope)) for m in audit.team
        ),
        auditee_ids=tuple(audit.auditee_ids),
    )


def _columns(data: AuditIn) -> dict[str, Any]:
    return {
        "code": data.code,
        "title_ar": data.title.ar,
        "title_fr": data.title.fr,
        "process_id": uuid.UUID(data.process_id) if data.process_id else None,
        "programme_entry_id": uuid.UUID(data.programme_entry_id) if data.programme_entry_id else None,
        **{
            name: json.dumps(sorted(set(getattr(data, name))) if name != "criteria" else data.criteria)
            for name in _JSON_FIELDS
        },
        "objectives": data.objectives,
        "planned_start": data.planned_start,
        "planned_end": data.planned_end,
        "agenda": data.agenda,
    }


async def _teams(audit_ids: list[uuid.UUID]) -> dict[str, list[dict[str, Any]]]:
    teams: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if audit_ids:
        for member in await AuditTeamMember.select().where(AuditTeamMember.audit.is_in(audit_ids)).run():
            teams[str(member["audit"])].append(member)
    return teams


async def get_audit(audit_id: str) -> AuditOut:
    row = await Audit.select().where(Audit.id == uuid.UUID(audit_id)).first().run()
    if row is None:
        raise AppError(ErrorCode.NOT_FOUND, details={"entity": "audit", "id": audit_id})
    return _out(row, (await _teams([row["id"]]))[audit_id])


async def list_audits(statuses: list[str] | None = None) -> list[AuditOut]:
    query = Audit.select().order_by(Audit.planned_start).order_by(Audit.code)
    if statuses:
        query = query.where(Audit.status.is_in(statuses))
    rows = await query.run()
    teams = await _teams([r["id"] for r in rows])
    return [_out(r, teams[str(r["id"])]) for r in rows]


async def create_audit(actor: Principal | None, data: AuditIn) -> AuditOut:
    async with write_transaction():
        await code_is_free(Audit, data.code, None)
        key = uuid.uuid4()
        now = utcnow()
        values = _columns(data)
        await Audit.insert(
            Audit(id=key, status="planned", rev=1, created_at=now, updated_at=now, **values)
        ).run()
        await record_change(actor, "create", "audit", str(key), None, values)
    return await get_audit(str(key))


async def update_audit(actor: Principal, before: AuditOut, data: AuditIn) -> AuditOut:
    """Store the new plan if the audit is still at ``before.rev`` (412 otherwise)."""
    async with write_transaction():
        await code_is_free(Audit, data.code, before.id)
        values = _columns(data)
        await _advance(before, {getattr(Audit, k): v for k, v in values.items()})
        await record_change(actor, "update", "audit", before.id, _trail(before), values)
    return await get_audit(before.id)


async def _advance(before: AuditOut, changes: dict[Any, Any]) -> None:
    """Write ``changes`` and the next ``rev`` only if the audit is still at ``before.rev``: one
    compare-and-set statement, so of two writers that read the same revision exactly one wins."""
    written = (
        await Audit.update({**changes, Audit.rev: before.rev + 1, Audit.updated_at: utcnow()})
        .where((Audit.id == uuid.UUID(before.id)) & (Audit.rev == before.rev))
        .returning(Audit.id)
        .run()
    )
    if not written:
        now = await get_audit(before.id)
        raise AppError(ErrorCode.PRECONDITION_FAILED, details={"currentRev": now.rev, "status": now.status})


def _trail(audit: AuditOut) -> dict[str, Any]:
    return {
        "code": audit.code,
        "title_ar": audit.title.ar,
        "title_fr": audit.title.fr,
        "process_id": audit.process_id,
        "objectives": audit.objectives,
        "planned_start": audit.planned_start,
        "planned_end": audit.planned_end,
        "agenda": audit.agenda,
        **{name: json.dumps(getattr(audit, name)) for name in _JSON_FIELDS},
    }


async def replace_team(actor: Principal | None, before: AuditOut, members: list[Member]) -> AuditOut:
    """Store the new team if the audit is still at ``before.rev`` (412 otherwise)."""
    async with write_transaction():
        key = uuid.UUID(before.id)
        await _advance(before, {})
        await AuditTeamMember.delete().where(AuditTeamMember.audit == key).run()
        by = actor.username if actor else "system"
        await AuditTeamMember.insert(
            *[
                AuditTeamMember(
                    audit=key,
                    person_id=uuid.UUID(m.person_id),
                    role=m.role,
                    override_reason=m.override_reason,
                    override_by=by if m.override_reason else "",
                    override_scope=json.dumps(list(m.override_scope) if m.override_reason else []),
                )
                for m in members
            ]
        ).run()
        await record_change(
            actor,
            "update",
            "audit_team",
            before.id,
            {"team": [[m.person_id, m.role, m.override_reason, m.override_scope] for m in before.team]},
            {"team": [[m.person_id, m.role, m.override_reason, list(m.override_scope)] for m in members]},
        )
    return await get_audit(before.id)


async def set_status(
    actor: Principal | None,
    before: AuditOut,
    target: str,
    *,
    checklist_version: str | None = None,
    cancel_reason: str = "",
) -> AuditOut:
    """Move to ``target`` if the audit is still at ``before.rev`` (412 otherwise: two leads acting on
    the same page cannot both win)."""
    async with write_transaction():
        changes: dict[Any, Any] = {Audit.status: target}
        if checklist_version is not None:
            changes[Audit.checklist_version] = checklist_version
        if cancel_reason:
            changes[Audit.cancel_reason] = cancel_reason
        await _advance(before, changes)
        await record_change(
            actor,
            "transition",
            "audit",
            before.id,
            {"status": before.status, "checklist_version": before.checklist_version},
            {
                "status": target,
                "checklist_version": checklist_version or before.checklist_version,
                **({"cancel_reason": cancel_reason} if cancel_reason else {}),
            },
        )
    return await get_audit(before.id)


async def audits_referencing(
    kind: Literal["process", "unit", "site", "person"], entity_id: str
) -> list[tuple[str, str]]:
    """(audit id, audit code), in code order, of every audit whatever its status (cancelled included)
    whose plan names the org object: its process, an audited unit, a visited site, a team member or an
    auditee. JSON lists are matched as text first (one query on SQLite and PostgreSQL alike), then
    confirmed in Python."""
    from piccolo.columns.combination import WhereRaw

    key = uuid.UUID(entity_id)
    if kind == "process":
        rows = await Audit.select(Audit.id, Audit.code).where(Audit.process_id == key).run()
        return sorted(((str(r["id"]), str(r["code"])) for r in rows), key=lambda found: found[1])
    column = {"unit": "unit_ids", "site": "site_ids", "person": "auditee_ids"}[kind]
    candidates = (
        await Audit.select(Audit.id, Audit.code, Audit._meta.get_column_by_name(column))
        .where(WhereRaw(f"LOWER(CAST({column} AS TEXT)) LIKE {{}}", f"%{key}%"))
        .run()
    )
    found = {
        str(r["id"]): str(r["code"])
        for r in candidates
        if any(item.strip().lower() == str(key) for item in json_list(r[column]))
    }
    if kind == "person":
        members = (
            await AuditTeamMember.select(AuditTeamMember.audit.id, AuditTeamMember.audit.code)
            .where(AuditTeamMember.person_id == key)
            .run()
        )
        found.update({str(m["audit.id"]): str(m["audit.code"]) for m in members})
    return sorted(found.items(), key=lambda item: item[1])

"""Reading and writing programmes (the only module of the domain that queries Piccolo).

Every write to a programme goes through ``advance``: one compare-and-set on its ``rev``, so of two
writers who read the same revision exactly one wins and the other gets 412."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import msgspec

from server.lib.clock import utcnow
from server.lib.errors import AppError, ErrorCode
from server.lib.rows import json_list, json_value
from server.programme.schemas import PolicyIO
from server.programme.tables import (
    CalendarLink,
    Programme,
    ProgrammeEntry,
    ProgrammePolicy,
    ProgrammeRisk,
    ProgrammeVersion,
)
from server.trail.store import record_change

if TYPE_CHECKING:
    from collections.abc import Sequence

    from server.lib.principal import Principal

__all__ = [
    "EntryRow",
    "EntryWrite",
    "ProgrammeRow",
    "RiskRow",
    "VersionRow",
    "active_link_person",
    "add_version",
    "advance",
    "create_programme",
    "decide_version",
    "entry_exists",
    "get_policy",
    "get_programme",
    "list_entries",
    "list_programmes",
    "list_risks",
    "list_versions",
    "replace_entries",
    "replace_link",
    "revoke_links",
    "save_policy",
    "set_entry_audits",
    "set_pin",
    "upsert_risk",
]


@dataclass(frozen=True)
class ProgrammeRow:
    id: str
    year: int
    status: str
    version: int
    rev: int
    last_solve: dict[str, Any] | None
    solved_rev: int
    revision_reason: str
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True)
class EntryRow:
    id: str
    process_id: str
    occurrence: int
    standards: tuple[str, ...]
    month: int
    start: date
    end: date
    lead_id: str
    auditor_ids: tuple[str, ...]
    pinned_month: bool
    pinned_team: bool
    override_reason: str
    sequence: int
    audit_id: str | None


@dataclass(frozen=True)
class EntryWrite:
    """An entry as a solve planned it (the store keeps the id of the same process and occurrence)."""

    process_id: str
    occurrence: int
    standards: tuple[str, ...]
    month: int
    start: date
    end: date
    lead_id: str
    auditor_ids: tuple[str, ...]


@dataclass(frozen=True)
class RiskRow:
    process_id: str
    criticality: int
    changes: int
    complaints: int
    open_actions: int
    note: str


@dataclass(frozen=True)
class VersionRow:
    number: int
    status: str
    reason: str
    comment: str
    snapshot: dict[str, Any]
    submitted_by: str
    submitted_at: datetime
    decided_by: str
    decided_at: datetime | None


def _not_found(entity: str, entity_id: str) -> AppError:
    return AppError(ErrorCode.NOT_FOUND, details={"entity": entity, "id": entity_id})


# ------------------------------------------------------------------ policy


async def get_policy() -> PolicyIO:
    row = await ProgrammePolicy.select().where(ProgrammePolicy.id == 1).first().run()
    if row is None:
        return PolicyIO()
    body = json_value(row["body"]) or {}
    return msgspec.convert({**body, "rev": row["rev"]}, PolicyIO)


async def save_policy(actor: Principal | None, data: PolicyIO, expected_rev: int) -> PolicyIO:
    """Store ``data`` if the policy is still at ``expected_rev`` (0: never saved); 412 otherwise."""
    before = await get_policy()
    body = msgspec.to_builtins(msgspec.structs.replace(data, rev=0))
    body.pop("rev", None)
    if expected_rev == 0:
        if before.rev != 0:
            raise AppError(ErrorCode.PRECONDITION_FAILED, details={"currentRev": before.rev})
        await ProgrammePolicy.insert(
            ProgrammePolicy(
                id=1,
                body=json.dumps(body),
                rev=1,
                updated_at=utcnow(),
                updated_by=actor.username if actor else "system",
            )
        ).run()
    else:
        written = (
            await ProgrammePolicy.update(
                {
                    ProgrammePolicy.body: json.dumps(body),
                    ProgrammePolicy.rev: expected_rev + 1,
                    ProgrammePolicy.updated_at: utcnow(),
                    ProgrammePolicy.updated_by: actor.username if actor else "system",
                }
            )
            .where((ProgrammePolicy.id == 1) & (ProgrammePolicy.rev == expected_rev))
            .returning(ProgrammePolicy.id)
            .run()
        )
        if not written:
            raise AppError(ErrorCode.PRECONDITION_FAILED, details={"currentRev": before.rev})
    before_body = msgspec.to_builtins(before)
    await record_change(actor, "update", "programme_policy", "1", before_body, body)
    return await get_policy()


# ------------------------------------------------------------------ programmes


def _programme(row: dict[str, Any]) -> ProgrammeRow:
    return ProgrammeRow(
        id=str(row["id"]),
        year=row["year"],
        status=row["status"],
        version=row["version"],
        rev=row["rev"],
        last_solve=json_value(row["last_solve"]),
        solved_rev=row["solved_rev"],
        revision_reason=row["revision_reason"],
        updated_at=row["updated_at"],
        updated_by=row["updated_by"],
    )


async def list_programmes() -> list[tuple[ProgrammeRow, int]]:
    """Every programme, latest year first, with its number of active entries."""
    rows = await Programme.select().order_by(Programme.year, ascending=False).run()
    counts: dict[str, int] = {}
    for entry in (
        await ProgrammeEntry.select(ProgrammeEntry.programme).where(ProgrammeEntry.active == True).run()  # noqa: E712
    ):
        key = str(entry["programme"])
        counts[key] = counts.get(key, 0) + 1
    return [(_programme(r), counts.get(str(r["id"]), 0)) for r in rows]


async def get_programme(programme_id: str) -> ProgrammeRow:
    row = await Programme.select().where(Programme.id == uuid.UUID(programme_id)).first().run()
    if row is None:
        raise _not_found("programme", programme_id)
    return _programme(row)


async def create_programme(actor: Principal, year: int, risks: Sequence[RiskRow]) -> str:
    if await Programme.exists().where(Programme.year == year).run():
        raise AppError(ErrorCode.PROGRAMME_YEAR_TAKEN, params={"year": year}, details={"year": year})
    key = uuid.uuid4()
    now = utcnow()
    await Programme.insert(
        Programme(
            id=key,
            year=year,
            status="draft",
            version=1,
            rev=1,
            created_at=now,
            updated_at=now,
            updated_by=actor.username,
        )
    ).run()
    for risk in risks:
        await _insert_risk(key, risk)
    await record_change(actor, "create", "programme", str(key), None, {"year": year, "status": "draft"})
    return str(key)


async def advance(actor: Principal, before: ProgrammeRow, **changes: Any) -> int:
    """Write ``changes`` (column name → value) and the next rev if the programme is still at
    ``before.rev``; 412 otherwise. Returns the new rev."""
    columns: dict[Any, Any] = {getattr(Programme, name): value for name, value in changes.items()}
    if "last_solve" in changes:
        columns[Programme.last_solve] = json.dumps(changes["last_solve"], default=str)
    written = (
        await Programme.update(
            {
                **columns,
                Programme.rev: before.rev + 1,
                Programme.updated_at: utcnow(),
                Programme.updated_by: actor.username,
            }
        )
        .where((Programme.id == uuid.UUID(before.id)) & (Programme.rev == before.rev))
        .returning(Programme.id)
        .run()
    )
    if not written:
        now = await get_programme(before.id)
        raise AppError(ErrorCode.PRECONDITION_FAILED, details={"currentRev": now.rev, "status": now.status})
    return before.rev + 1


# ------------------------------------------------------------------ entries


def _entry(row: dict[str, Any]) -> EntryRow:
    return EntryRow(
        id=str(row["id"]),
        process_id=str(row["process_id"]),
        occurrence=row["occurrence"],
        standards=tuple(json_list(row["standards"])),
        month=row["month"],
        start=row["start"],
        end=row["end"],
        lead_id=str(row["lead_id"]),
        auditor_ids=tuple(json_list(row["auditor_ids"])),
        pinned_month=row["pinned_month"],
        pinned_team=row["pinned_team"],
        override_reason=row["override_reason"],
        sequence=row["sequence"],
        audit_id=str(row["audit_id"]) if row["audit_id"] else None,
    )


async def list_entries(programme_id: str, *, active: bool = True) -> list[EntryRow]:
    rows = (
        await ProgrammeEntry.select()
        .where((ProgrammeEntry.programme == uuid.UUID(programme_id)) & (ProgrammeEntry.active == active))
        .order_by(ProgrammeEntry.month)
        .run()
    )
    return sorted((_entry(r) for r in rows), key=lambda e: (e.month, e.process_id, e.occurrence))


async def entry_exists(entry_id: str) -> bool:
    return bool(await ProgrammeEntry.exists().where(ProgrammeEntry.id == uuid.UUID(entry_id)).run())


def _moved(old: EntryRow, new: EntryWrite) -> bool:
    return (old.month, old.start, old.end, old.lead_id, tuple(sorted(old.auditor_ids))) != (
        new.month,
        new.start,
        new.end,
        new.lead_id,
        tuple(sorted(new.auditor_ids)),
    )


async def replace_entries(programme_id: str, planned: Sequence[EntryWrite]) -> None:
    """Make ``planned`` the active entries: the same process and occurrence keeps its id (and bumps
    its sequence when its dates or team changed); entries no longer planned become inactive, never
    deleted (an audit or a calendar may refer to them)."""
    key = uuid.UUID(programme_id)
    rows = await ProgrammeEntry.select().where(ProgrammeEntry.programme == key).run()
    existing = {(str(r["process_id"]), r["occurrence"]): (_entry(r), r["active"]) for r in rows}
    wanted = {(p.process_id, p.occurrence) for p in planned}
    for (process_id, occurrence), (old, active) in existing.items():
        if active and (process_id, occurrence) not in wanted:
            await (
                ProgrammeEntry.update(
                    {ProgrammeEntry.active: False, ProgrammeEntry.sequence: old.sequence + 1}
                )
                .where(ProgrammeEntry.id == uuid.UUID(old.id))
                .run()
            )
    for new in planned:
        values: dict[Any, Any] = {
            ProgrammeEntry.standards: json.dumps(list(new.standards)),
            ProgrammeEntry.month: new.month,
            ProgrammeEntry.start: new.start,
            ProgrammeEntry.end: new.end,
            ProgrammeEntry.lead_id: uuid.UUID(new.lead_id),
            ProgrammeEntry.auditor_ids: json.dumps(list(new.auditor_ids)),
            ProgrammeEntry.active: True,
        }
        found = existing.get((new.process_id, new.occurrence))
        if found is None:
            await ProgrammeEntry.insert(
                ProgrammeEntry(
                    programme=key,
                    process_id=uuid.UUID(new.process_id),
                    occurrence=new.occurrence,
                    **{column._meta.name: value for column, value in values.items()},
                )
            ).run()
            continue
        old, active = found
        bump = 1 if (not active or _moved(old, new)) else 0
        await (
            ProgrammeEntry.update({**values, ProgrammeEntry.sequence: old.sequence + bump})
            .where(ProgrammeEntry.id == uuid.UUID(old.id))
            .run()
        )


async def set_pin(
    entry_id: str,
    *,
    pinned_month: bool,
    pinned_team: bool,
    override_reason: str,
    month: int | None = None,
    lead_id: str | None = None,
    auditor_ids: Sequence[str] | None = None,
    start: date | None = None,
    end: date | None = None,
) -> None:
    """Pin (or unpin) an entry; given values replace its month, team and dates (a changed entry's
    sequence goes up, for calendars)."""
    values: dict[Any, Any] = {
        ProgrammeEntry.pinned_month: pinned_month,
        ProgrammeEntry.pinned_team: pinned_team,
        ProgrammeEntry.override_reason: override_reason,
    }
    if start is not None and end is not None:
        values[ProgrammeEntry.start] = start
        values[ProgrammeEntry.end] = end
        values[ProgrammeEntry.sequence] = ProgrammeEntry.sequence + 1
    if month is not None:
        values[ProgrammeEntry.month] = month
    if lead_id is not None:
        values[ProgrammeEntry.lead_id] = uuid.UUID(lead_id)
    if auditor_ids is not None:
        values[ProgrammeEntry.auditor_ids] = json.dumps(list(auditor_ids))
    await ProgrammeEntry.update(values).where(ProgrammeEntry.id == uuid.UUID(entry_id)).run()


async def set_entry_audits(audits: Sequence[tuple[str, str]]) -> None:
    """(entry id, audit id) pairs: the planned audits created for the entries."""
    for entry_id, audit_id in audits:
        await (
            ProgrammeEntry.update({ProgrammeEntry.audit_id: uuid.UUID(audit_id)})
            .where(ProgrammeEntry.id == uuid.UUID(entry_id))
            .run()
        )


# ------------------------------------------------------------------ risks


async def _insert_risk(programme: uuid.UUID, risk: RiskRow) -> None:
    await ProgrammeRisk.insert(
        ProgrammeRisk(
            programme=programme,
            process_id=uuid.UUID(risk.process_id),
            criticality=risk.criticality,
            changes=risk.changes,
            complaints=risk.complaints,
            open_actions=risk.open_actions,
            note=risk.note,
        )
    ).run()


async def list_risks(programme_id: str) -> dict[str, RiskRow]:
    rows = await ProgrammeRisk.select().where(ProgrammeRisk.programme == uuid.UUID(programme_id)).run()
    return {
        str(r["process_id"]): RiskRow(
            process_id=str(r["process_id"]),
            criticality=r["criticality"],
            changes=r["changes"],
            complaints=r["complaints"],
            open_actions=r["open_actions"],
            note=r["note"],
        )
        for r in rows
    }


async def upsert_risk(programme_id: str, risk: RiskRow) -> None:
    key = uuid.UUID(programme_id)
    where = (ProgrammeRisk.programme == key) & (ProgrammeRisk.process_id == uuid.UUID(risk.process_id))
    if await ProgrammeRisk.exists().where(where).run():
        await (
            ProgrammeRisk.update(
                {
                    ProgrammeRisk.criticality: risk.criticality,
                    ProgrammeRisk.changes: risk.changes,
                    ProgrammeRisk.complaints: risk.complaints,
                    ProgrammeRisk.open_actions: risk.open_actions,
                    ProgrammeRisk.note: risk.note,
                }
            )
            .where(where)
            .run()
        )
    else:
        await _insert_risk(key, risk)


# ------------------------------------------------------------------ versions


def _version(row: dict[str, Any]) -> VersionRow:
    return VersionRow(
        number=row["number"],
        status=row["status"],
        reason=row["reason"],
        comment=row["comment"],
        snapshot=json_value(row["snapshot"]),
        submitted_by=row["submitted_by"],
        submitted_at=row["submitted_at"],
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
    )


async def list_versions(programme_id: str) -> list[VersionRow]:
    rows = (
        await ProgrammeVersion.select()
        .where(ProgrammeVersion.programme == uuid.UUID(programme_id))
        .order_by(ProgrammeVersion.submitted_at)
        .run()
    )
    return [_version(r) for r in rows]


async def add_version(
    actor: Principal, programme_id: str, number: int, reason: str, snapshot: dict[str, Any]
) -> None:
    await ProgrammeVersion.insert(
        ProgrammeVersion(
            programme=uuid.UUID(programme_id),
            number=number,
            status="submitted",
            reason=reason,
            snapshot=json.dumps(snapshot, default=str, ensure_ascii=False),
            submitted_by=actor.username,
            submitted_at=utcnow(),
        )
    ).run()


async def decide_version(actor: Principal, programme_id: str, number: int, status: str, comment: str) -> None:
    await (
        ProgrammeVersion.update(
            {
                ProgrammeVersion.status: status,
                ProgrammeVersion.comment: comment,
                ProgrammeVersion.decided_by: actor.username,
                ProgrammeVersion.decided_at: utcnow(),
            }
        )
        .where(
            (ProgrammeVersion.programme == uuid.UUID(programme_id))
            & (ProgrammeVersion.number == number)
            & (ProgrammeVersion.status == "submitted")
        )
        .run()
    )


# ------------------------------------------------------------------ calendar links


async def replace_link(person_id: str, token_sha256: str) -> datetime:
    """The person's one live link becomes ``token_sha256``; older ones stop working."""
    await revoke_links(person_id)
    now = utcnow()
    await CalendarLink.insert(
        CalendarLink(person_id=uuid.UUID(person_id), token_sha256=token_sha256, created_at=now)
    ).run()
    return now


async def revoke_links(person_id: str) -> None:
    await (
        CalendarLink.update({CalendarLink.revoked_at: utcnow()})
        .where((CalendarLink.person_id == uuid.UUID(person_id)) & CalendarLink.revoked_at.is_null())
        .run()
    )


async def active_link_person(token_sha256: str) -> str | None:
    row = (
        await CalendarLink.select(CalendarLink.person_id)
        .where((CalendarLink.token_sha256 == token_sha256) & CalendarLink.revoked_at.is_null())
        .first()
        .run()
    )
    return str(row["person_id"]) if row else None

"""The programme's life after solving: pins, submission, the manager's decision, revisions, and the
planned audits that approval creates or updates (``realise.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from server.audits.logic import is_conflicted
from server.lib.db import write_transaction
from server.lib.errors import AppError, ErrorCode
from server.lib.i18n import N_, translate
from server.programme import store
from server.programme.calendar import place_audits
from server.programme.diff import EntryFacts, diff_entries
from server.programme.realise import realise_programme
from server.programme.schemas import ChangeOut, DecisionIn, PinIn, ProgrammeOut, ReasonIn
from server.programme.service import (
    Context,
    State,
    check_revision,
    load_state,
    read_programme,
    require_status,
)
from server.programme.views import snapshot
from server.programme.wording import period_label
from server.trail.store import record_change

if TYPE_CHECKING:
    from collections.abc import Sequence

    from server.lib.principal import Principal

__all__ = [
    "approve_programme",
    "diff_programme",
    "pin_entry",
    "read_version",
    "return_programme",
    "revise_programme",
    "submit_programme",
    "unpin_entry",
]


def _entry(state: State, entry_id: str) -> store.EntryRow:
    for entry in state.entries:
        if entry.id == entry_id:
            return entry
    raise AppError(ErrorCode.NOT_FOUND, details={"entity": "programme_entry", "id": entry_id})


def _pin_problem(ctx: Context, message: str, field: str, **params: object) -> AppError:
    return AppError(
        ErrorCode.PROGRAMME_PIN_INVALID,
        params={"problem": translate(ctx.locale, message, **params)},
        details={"field": field},
    )


def _check_pin(state: State, entry: store.EntryRow, data: PinIn, ctx: Context) -> None:
    """A pin must be possible on its own: an open month, a lead auditor, qualified people who cover
    every standard, available that month, and a written reason for anyone from the audited unit."""
    problem = state.universe.problem
    if entry.audit_id and state.audit_status.get(entry.audit_id) not in (None, "planned", "prepared"):
        raise _pin_problem(ctx, N_("its audit has already started, so it stays as it is"), "month")
    month = data.month or entry.month
    if data.month is not None and data.month in problem.blocked_months:
        raise _pin_problem(
            ctx,
            N_("no audits take place in {period}"),
            "month",
            period=period_label(ctx.locale, state.row.year, [data.month]),
        )
    if data.lead_id is None:
        if data.auditor_ids:
            raise _pin_problem(ctx, N_("a pinned team needs its lead auditor"), "leadId")
        return
    auditors = {a.id: a for a in problem.auditors}
    names = state.names(ctx.locale).people
    team = [data.lead_id, *(data.auditor_ids or [])]
    if len(set(team)) != len(team) or len(team) > problem.max_team_size:
        raise _pin_problem(
            ctx,
            N_("a person appears twice, or the team is larger than {size}"),
            "auditorIds",
            size=problem.max_team_size,
        )
    lead = auditors.get(data.lead_id)
    if lead is None or not lead.lead or not lead.standards & set(entry.standards):
        raise _pin_problem(
            ctx,
            N_("{name} is not a lead auditor qualified for this audit"),
            "leadId",
            name=names.get(data.lead_id, data.lead_id),
        )
    covered: set[str] = set()
    for index, person_id in enumerate(team):
        person = auditors.get(person_id)
        field = "leadId" if index == 0 else f"auditorIds[{index - 1}]"
        if person is None or not person.standards & set(entry.standards):
            raise _pin_problem(
                ctx,
                N_("{name} is not qualified for any standard of this audit"),
                field,
                name=names.get(person_id, person_id),
            )
        if month in person.unavailable_months:
            raise _pin_problem(
                ctx,
                N_("{name} is not available in {period}"),
                field,
                name=names[person_id],
                period=period_label(ctx.locale, state.row.year, [month]),
            )
        covered |= person.standards
        owner = next(d.owner_unit_id for d in problem.demands if d.process_id == entry.process_id)
        if is_conflicted(person.unit_id, [owner], problem.parent_of) and not data.override_reason.strip():
            raise AppError(
                ErrorCode.PROGRAMME_OVERRIDE_REQUIRED,
                params={"name": names[person_id]},
                details={"field": field, "personId": person_id},
            )
    if missing := set(entry.standards) - covered:
        raise _pin_problem(
            ctx,
            N_("nobody in this team is qualified for {standards}"),
            "auditorIds",
            standards=", ".join(sorted(missing)),
        )


async def pin_entry(
    principal: Principal, programme_id: str, entry_id: str, data: PinIn, stated: Sequence[int], ctx: Context
) -> ProgrammeOut:
    """Fix the month, the team or both of an entry; the rest of the programme is solved again around it."""
    state = await load_state(programme_id, ctx)
    check_revision([*stated, *([data.rev] if data.rev else [])], state.row.rev)
    require_status(state.row, "draft")
    entry = _entry(state, entry_id)
    _check_pin(state, entry, data, ctx)
    month = data.month or entry.month
    lead = data.lead_id or entry.lead_id
    auditors = tuple(data.auditor_ids or ()) if data.lead_id else entry.auditor_ids
    demand = next(d for d in state.universe.problem.demands if d.process_id == entry.process_id)
    leave = {p.id: p.leave for p in state.org.person_facts()}
    start, end = place_audits(state.row.year, [("pin", month, demand.days, (lead, *auditors))], leave)["pin"]
    async with write_transaction():
        row = await store.get_programme(programme_id)
        check_revision([state.row.rev], row.rev)
        await store.set_pin(
            entry_id,
            pinned_month=data.month is not None,
            pinned_team=data.lead_id is not None,
            override_reason=data.override_reason.strip() if data.lead_id else "",
            month=month,
            lead_id=lead,
            auditor_ids=auditors,
            start=start,
            end=end,
        )
        await store.advance(principal, row)
        await record_change(
            principal, "pin", "programme_entry", entry_id, _pin_view(entry), msgspec.to_builtins(data)
        )
    return await read_programme(programme_id, ctx)


def _pin_view(entry: store.EntryRow) -> dict[str, object]:
    return {
        "month": entry.month,
        "leadId": entry.lead_id,
        "auditorIds": list(entry.auditor_ids),
        "pinnedMonth": entry.pinned_month,
        "pinnedTeam": entry.pinned_team,
        "overrideReason": entry.override_reason,
    }


async def unpin_entry(
    principal: Principal, programme_id: str, entry_id: str, stated: Sequence[int], ctx: Context
) -> ProgrammeOut:
    async with write_transaction():
        row = await store.get_programme(programme_id)
        check_revision(stated, row.rev)
        require_status(row, "draft")
        entry = next((e for e in await store.list_entries(programme_id) if e.id == entry_id), None)
        if entry is None:
            raise AppError(ErrorCode.NOT_FOUND, details={"entity": "programme_entry", "id": entry_id})
        await store.set_pin(entry_id, pinned_month=False, pinned_team=False, override_reason="")
        await store.advance(principal, row)
        await record_change(principal, "unpin", "programme_entry", entry_id, _pin_view(entry), None)
    return await read_programme(programme_id, ctx)


# ------------------------------------------------------------------ submission and decision


async def submit_programme(
    principal: Principal, programme_id: str, data: ReasonIn, stated: Sequence[int], ctx: Context
) -> ProgrammeOut:
    state = await load_state(programme_id, ctx)
    check_revision(stated, state.row.rev)
    require_status(state.row, "draft")
    solved = (state.row.last_solve or {}).get("status") in ("optimal", "feasible")
    if not solved or state.row.solved_rev != state.row.rev or not state.entries:
        raise AppError(ErrorCode.PROGRAMME_NOT_SOLVED, details={"solvedRev": state.row.solved_rev})
    if state.row.version > 1 and not (data.reason.strip() or state.row.revision_reason):
        raise AppError(
            ErrorCode.PROGRAMME_REASON_REQUIRED,
            params={"what": translate(ctx.locale, N_("a revision"))},
            details={"field": "reason"},
        )
    versions = await store.list_versions(programme_id)
    body = snapshot(state.out(versions, ctx.locale))
    body["status"] = "submitted"
    async with write_transaction():
        row = await store.get_programme(programme_id)
        check_revision([state.row.rev], row.rev)
        reason = data.reason.strip() or row.revision_reason or _previous_reason(versions, row.version)
        await store.add_version(principal, programme_id, row.version, reason, body)
        await store.advance(principal, row, status="submitted")
        await record_change(
            principal,
            "submit",
            "programme",
            programme_id,
            {"status": "draft"},
            {"status": "submitted", "version": row.version, "reason": reason},
        )
    return await read_programme(programme_id, ctx)


def _previous_reason(versions: Sequence[store.VersionRow], number: int) -> str:
    """A draft returned by the manager and submitted again keeps the reason of its first submission."""
    return next((v.reason for v in reversed(versions) if v.number == number), "")


async def approve_programme(
    principal: Principal, programme_id: str, data: DecisionIn, stated: Sequence[int], ctx: Context
) -> ProgrammeOut:
    """The manager approves: the version is frozen and its entries become planned audits (created, or
    updated while not started; those started are never touched)."""
    state = await load_state(programme_id, ctx)
    check_revision(stated, state.row.rev)
    require_status(state.row, "submitted")
    async with write_transaction():
        row = await store.get_programme(programme_id)
        check_revision([state.row.rev], row.rev)
        await store.decide_version(principal, programme_id, row.version, "approved", data.comment.strip())
        await realise_programme(principal, state, await store.list_entries(programme_id, active=False))
        await store.advance(principal, row, status="approved")
        await record_change(
            principal,
            "approve",
            "programme",
            programme_id,
            {"status": "submitted"},
            {"status": "approved", "version": row.version, "comment": data.comment.strip()},
        )
    return await read_programme(programme_id, ctx)


async def return_programme(
    principal: Principal, programme_id: str, data: DecisionIn, stated: Sequence[int], ctx: Context
) -> ProgrammeOut:
    if not data.comment.strip():
        raise AppError(
            ErrorCode.PROGRAMME_REASON_REQUIRED,
            params={"what": translate(ctx.locale, N_("returning a programme"))},
            details={"field": "comment"},
        )
    async with write_transaction():
        row = await store.get_programme(programme_id)
        check_revision(stated, row.rev)
        require_status(row, "submitted")
        await store.decide_version(principal, programme_id, row.version, "returned", data.comment.strip())
        await store.advance(principal, row, status="draft")
        await record_change(
            principal,
            "return",
            "programme",
            programme_id,
            {"status": "submitted"},
            {"status": "draft", "comment": data.comment.strip()},
        )
    return await read_programme(programme_id, ctx)


async def revise_programme(
    principal: Principal, programme_id: str, data: ReasonIn, stated: Sequence[int], ctx: Context
) -> ProgrammeOut:
    """An approved programme becomes the draft of its next version; the approved one stays in history."""
    if not data.reason.strip():
        raise AppError(
            ErrorCode.PROGRAMME_REASON_REQUIRED,
            params={"what": translate(ctx.locale, N_("a revision"))},
            details={"field": "reason"},
        )
    async with write_transaction():
        row = await store.get_programme(programme_id)
        check_revision(stated, row.rev)
        require_status(row, "approved")
        await store.advance(
            principal, row, status="draft", version=row.version + 1, revision_reason=data.reason.strip()
        )
        await record_change(
            principal,
            "revise",
            "programme",
            programme_id,
            {"version": row.version},
            {"status": "draft", "version": row.version + 1, "reason": data.reason.strip()},
        )
    return await read_programme(programme_id, ctx)


# ------------------------------------------------------------------ history


async def read_version(programme_id: str, number: int, ctx: Context) -> ProgrammeOut:
    versions = await store.list_versions(programme_id)
    found = next((v for v in reversed(versions) if v.number == number), None)
    if found is None:
        raise AppError(ErrorCode.NOT_FOUND, details={"entity": "programme_version", "number": number})
    from server.programme.views import version_out

    body = {**found.snapshot, "history": [msgspec.to_builtins(version_out(v)) for v in versions]}
    return msgspec.convert(body, ProgrammeOut, strict=False)


def _facts(entries: Sequence[dict[str, object]]) -> list[EntryFacts]:
    return [
        EntryFacts(
            key=f"{e['processId']}#{e['occurrence']}",
            process_id=str(e["processId"]),
            occurrence=int(str(e["occurrence"])),
            month=int(str(e["month"])),
            lead_id=str(e["leadId"]),
            auditor_ids=tuple(str(a) for a in e["auditorIds"]),  # type: ignore[attr-defined]
            override_reason=str(e.get("overrideReason", "")),
        )
        for e in entries
    ]


async def diff_programme(programme_id: str, first: int, last: int | None, ctx: Context) -> list[ChangeOut]:
    """What changed from version ``first`` to version ``last`` (or to the programme as it is now)."""
    old = await read_version(programme_id, first, ctx)
    new = await (
        read_version(programme_id, last, ctx) if last is not None else read_programme(programme_id, ctx)
    )
    builtins = msgspec.to_builtins
    changes = diff_entries(_facts(builtins(old.entries)), _facts(builtins(new.entries)))
    return [
        ChangeOut(
            process_id=c.process_id, occurrence=c.occurrence, kind=c.kind, before=c.before, after=c.after
        )
        for c in changes
    ]

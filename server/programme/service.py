"""Programme use cases: create a year's programme, set risks, solve, pin, submit, approve or return,
revise; each write checked and stored in one transaction, with the programme's rev as compare-and-set.

Solving runs outside any transaction (it takes seconds): the programme is read, the solver runs in a
worker thread, and the result is written only if nobody changed the programme meanwhile (412 then)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from server.lib.db import write_transaction
from server.lib.errors import AppError, ErrorCode
from server.lib.i18n import N_
from server.programme import store
from server.programme.calendar import place_audits
from server.programme.export_model import PROGRAMME_STATUS_LABELS
from server.programme.gather import OrgFacts, gather_org, library_facts, past_audits
from server.programme.greedy import greedy_programme
from server.programme.model import Solution
from server.programme.schemas import PolicyIO, ProgrammeOut, ProgrammeSummaryOut, RiskIn
from server.programme.scoring import check_frequency, default_criticality
from server.programme.solver import schedule_programme
from server.programme.universe import PinFacts, RiskFacts, Universe, build_universe
from server.programme.views import programme_out
from server.programme.wording import Names

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from server.checklists.library import Localized3
    from server.lib.i18n import Locale
    from server.lib.principal import Principal

__all__ = [
    "Context",
    "State",
    "check_revision",
    "create_programme",
    "get_policy",
    "list_programmes",
    "load_state",
    "read_programme",
    "replace_policy",
    "require_status",
    "set_risk",
    "solve_programme",
]

_STARTED = frozenset({"in_progress", "reported", "signed", "closed"})


@dataclass(frozen=True)
class Context:
    checklists_dir: Path
    solve_seconds: float
    locale: Locale


@dataclass(frozen=True)
class State:
    """A programme with everything read around it."""

    row: store.ProgrammeRow
    entries: list[store.EntryRow]
    risks: dict[str, store.RiskRow]
    policy: PolicyIO
    org: OrgFacts
    universe: Universe
    titles: dict[str, Localized3]
    audit_status: dict[str, str]

    def names(self, locale: Locale) -> Names:
        lang = "ar" if locale == "ar" else "fr"
        return Names(
            processes={p.id: f"{p.code} {getattr(p.name, lang)}" for p in self.org.processes},
            units={u.id: getattr(u.name, lang) for u in self.org.units},
            people={p.id: getattr(p.full_name, lang) for p in self.org.people},
        )

    def out(self, versions: Sequence[store.VersionRow], locale: Locale) -> ProgrammeOut:
        return programme_out(
            row=self.row,
            entries=self.entries,
            universe=self.universe,
            processes=self.org.processes,
            notes=self.risks,
            titles=self.titles,
            versions=versions,
            audit_status=self.audit_status,
            policy=self.policy,
            locale=locale,
            names=self.names(locale),
        )


def check_revision(stated: Sequence[int], current: int) -> None:
    """428 when the client named no revision, 412 when the programme moved on since."""
    if not stated:
        raise AppError(ErrorCode.PRECONDITION_REQUIRED, details={"header": "If-Match", "field": "rev"})
    if any(rev != current for rev in stated):
        raise AppError(ErrorCode.PRECONDITION_FAILED, details={"currentRev": current})


def require_status(row: store.ProgrammeRow, wanted: str) -> None:
    if row.status == wanted:
        return
    code = {
        "draft": ErrorCode.PROGRAMME_NOT_DRAFT,
        "submitted": ErrorCode.PROGRAMME_NOT_SUBMITTED,
        "approved": ErrorCode.PROGRAMME_NOT_APPROVED,
    }[wanted]
    label = PROGRAMME_STATUS_LABELS.get(row.status, row.status)  # a msgid: the error translates it
    raise AppError(code, params={"status": label}, details={"status": row.status})


# ------------------------------------------------------------------ policy


async def get_policy() -> PolicyIO:
    return await store.get_policy()


def _check_policy(data: PolicyIO) -> None:
    try:
        check_frequency(
            {"high": data.frequency.high, "medium": data.frequency.medium, "low": data.frequency.low}
        )
    except ValueError as error:
        raise AppError(
            ErrorCode.PROGRAMME_POLICY_INVALID,
            params={"problem": N_("each level's frequency is 0.5 (every other year), 1 or 2 audits a year")},
            details={"field": "frequency", "reason": str(error)},
        ) from None
    if data.medium_from >= data.high_from:
        raise AppError(
            ErrorCode.PROGRAMME_POLICY_INVALID,
            params={"problem": N_("the medium-risk threshold must be below the high-risk one")},
            details={"field": "mediumFrom"},
        )
    if len({b.month for b in data.blocked_months}) != len(data.blocked_months):
        raise AppError(
            ErrorCode.PROGRAMME_POLICY_INVALID,
            params={"problem": N_("a month is listed twice among the blocked months")},
            details={"field": "blockedMonths"},
        )


async def replace_policy(principal: Principal, data: PolicyIO, stated: Sequence[int]) -> PolicyIO:
    _check_policy(data)
    async with write_transaction():
        current = await store.get_policy()
        if not stated:
            raise AppError(ErrorCode.PRECONDITION_REQUIRED, details={"header": "If-Match", "field": "rev"})
        if any(rev != current.rev for rev in stated):
            raise AppError(ErrorCode.PRECONDITION_FAILED, details={"currentRev": current.rev})
        return await store.save_policy(principal, data, current.rev)


# ------------------------------------------------------------------ reading


def _pins(entries: Sequence[store.EntryRow], audit_status: dict[str, str]) -> list[PinFacts]:
    """The audit lead's pins, and the entries whose audit has started (they can no longer move)."""
    pins = []
    for e in entries:
        started = e.audit_id is not None and audit_status.get(e.audit_id) in _STARTED
        if not (e.pinned_month or e.pinned_team or started):
            continue
        team = started or e.pinned_team
        pins.append(
            PinFacts(
                process_id=e.process_id,
                occurrence=e.occurrence,
                month=e.month if (e.pinned_month or started) else None,
                lead_id=e.lead_id if team else None,
                auditor_ids=tuple(e.auditor_ids) if team else None,
                override_reason=e.override_reason,
            )
        )
    return pins


async def load_state(programme_id: str, ctx: Context) -> State:
    row = await store.get_programme(programme_id)
    entries = await store.list_entries(programme_id)
    risks = await store.list_risks(programme_id)
    policy = await store.get_policy()
    org = await gather_org()
    entry_ids = frozenset(e.id for e in await store.list_entries(programme_id, active=False)) | {
        e.id for e in entries
    }
    past, audits = await past_audits(entry_ids)
    all_status: dict[str, str] = {a.id: a.status for a in audits}
    clauses, questions, titles = library_facts(ctx.checklists_dir)
    universe = build_universe(
        year=row.year,
        policy=policy,
        processes=org.process_facts(),
        risk_inputs={
            pid: RiskFacts(r.criticality, r.changes, r.complaints, r.open_actions) for pid, r in risks.items()
        },
        people=org.person_facts(),
        parent_of=org.parent_of,
        past=past,
        all_clauses=clauses,
        questions=questions,
        pins=_pins(entries, all_status),
    )
    return State(row, entries, risks, policy, org, universe, titles, all_status)


async def read_programme(programme_id: str, ctx: Context) -> ProgrammeOut:
    state = await load_state(programme_id, ctx)
    return state.out(await store.list_versions(programme_id), ctx.locale)


async def list_programmes() -> list[ProgrammeSummaryOut]:
    return [
        ProgrammeSummaryOut(
            id=row.id,
            year=row.year,
            status=row.status,  # type: ignore[arg-type]
            version=row.version,
            entries=count,
            updated_at=row.updated_at,
        )
        for row, count in await store.list_programmes()
    ]


# ------------------------------------------------------------------ the audit lead's writes


async def create_programme(principal: Principal, year: int, ctx: Context) -> ProgrammeOut:
    """A draft for ``year``: every active process with its criticality taken from the organisation."""
    org = await gather_org()
    risks = [store.RiskRow(p.id, default_criticality(p.criticality), 0, 0, 0, "") for p in org.processes]
    async with write_transaction():
        programme_id = await store.create_programme(principal, year, risks)
    return await read_programme(programme_id, ctx)


async def set_risk(
    principal: Principal,
    programme_id: str,
    process_id: str,
    data: RiskIn,
    stated: Sequence[int],
    ctx: Context,
) -> ProgrammeOut:
    from server.org import store as org_store
    from server.trail.store import record_change

    await org_store.get_process(process_id)
    async with write_transaction():
        row = await store.get_programme(programme_id)
        check_revision(stated, row.rev)
        require_status(row, "draft")
        risk = store.RiskRow(
            process_id, data.criticality, data.changes, data.complaints, data.open_actions, data.note
        )
        before = (await store.list_risks(programme_id)).get(process_id)
        await store.upsert_risk(programme_id, risk)
        await store.advance(principal, row)
        await record_change(
            principal,
            "update",
            "programme_risk",
            process_id,  # the trail's ids hold one UUID; the programme is named in the values
            {"programme_id": programme_id, **before.__dict__} if before else None,
            {"programme_id": programme_id, **risk.__dict__},
        )
    return await read_programme(programme_id, ctx)


def _placed(state: State, solution: Solution) -> list[store.EntryWrite]:
    demands = {d.process_id: d for d in state.universe.problem.demands}
    leave = {p.id: p.leave for p in state.org.person_facts()}
    items = [
        (f"{a.process_id}#{a.occurrence}", a.month, demands[a.process_id].days, (a.lead_id, *a.auditor_ids))
        for a in sorted(solution.audits, key=lambda a: (a.month, -demands[a.process_id].risk, a.process_id))
    ]
    dates = place_audits(state.row.year, items, leave)
    return [
        store.EntryWrite(
            process_id=a.process_id,
            occurrence=a.occurrence,
            standards=demands[a.process_id].standards,
            month=a.month,
            start=dates[f"{a.process_id}#{a.occurrence}"][0],
            end=dates[f"{a.process_id}#{a.occurrence}"][1],
            lead_id=a.lead_id,
            auditor_ids=a.auditor_ids,
        )
        for a in solution.audits
    ]


async def solve_programme(
    principal: Principal, programme_id: str, stated: Sequence[int], ctx: Context
) -> ProgrammeOut:
    """Build the year with the solver, keeping the pins. Infeasible: the entries stay as they were and
    ``lastSolve`` says why."""
    state = await load_state(programme_id, ctx)
    check_revision(stated, state.row.rev)
    require_status(state.row, "draft")
    problem = state.universe.problem
    solution = await asyncio.to_thread(schedule_programme, problem, time_limit_s=ctx.solve_seconds)
    greedy = await asyncio.to_thread(greedy_programme, problem)
    outcome: dict[str, Any] = {
        "status": solution.status,
        "objective": solution.objective,
        "greedy_objective": greedy.objective if greedy.status == "feasible" else None,
        "seconds": round(solution.seconds, 3),
        "solved_at": datetime.now(UTC).isoformat(),
        "blockers": [
            {k: list(v) if isinstance(v, tuple) else v for k, v in b.__dict__.items()}
            for b in solution.blockers
        ],
    }
    found = solution.status in ("optimal", "feasible")
    async with write_transaction():
        row = await store.get_programme(programme_id)
        check_revision([state.row.rev], row.rev)
        if found:
            await store.replace_entries(programme_id, _placed(state, solution))
        # solved_rev is the rev this write produces: any later change makes the solve stale.
        await store.advance(
            principal, row, last_solve=outcome, solved_rev=row.rev + 1 if found else row.solved_rev
        )
    return await read_programme(programme_id, ctx)

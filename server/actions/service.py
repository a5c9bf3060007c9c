"""Nonconformity follow-up use cases: records opened when a report is issued (or an observation
promoted), each step of the workflow applied with its rules, stored as one compare-and-set on the
record's rev together with its audit-trail row, and the lists each person works from.

Reads answer 404 for a record the caller may not see (its existence is not revealed); a step the rules
refuse answers the refusal's code and message in the caller's language."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date
from typing import TYPE_CHECKING, Any

from server.actions import store
from server.actions.model import Actor, DuePolicy, NcStatus, Nonconformity, Severity
from server.actions.views import Facts, may_read, nc_out, overdue_out
from server.actions.workflow import RefusalError, due_dates
from server.audits import store as audits_store
from server.lib.db import write_transaction
from server.lib.errors import AppError, ErrorCode, Phrase
from server.lib.i18n import N_
from server.org import people_store
from server.org import store as org_store
from server.org.logic import descendants
from server.sync import changes_store
from server.trail.store import record_change

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from server.actions.schemas import NcOut, OverdueOut
    from server.lib.principal import Principal

__all__ = [
    "STATUS_LABELS",
    "View",
    "actor_of",
    "apply_step",
    "list_ncs",
    "list_overdue",
    "open_for_audit",
    "promote_observation",
    "read_nc",
    "readable",
    "refusal",
]

STATUS_LABELS = {
    NcStatus.OPEN: N_("open"),
    NcStatus.ANALYSIS: N_("root-cause analysis"),
    NcStatus.ACTION_PLAN: N_("action plan"),
    NcStatus.IN_PROGRESS: N_("actions under way"),
    NcStatus.VERIFICATION: N_("verification"),
    NcStatus.CLOSED: N_("closed"),
    NcStatus.REJECTED: N_("rejected"),
}
_FIELDS = {
    "description": N_("its description is missing"),
    "owner": N_("its owner is missing"),
    "due": N_("its due date is before the nonconformity was opened"),
    "id": N_("it appears twice in the plan"),
}
_SEVERITY_OF_VERDICT = {"nc_major": Severity.MAJOR, "nc_minor": Severity.MINOR}
_ISSUED = frozenset({"signed", "closed"})
View = str  # "mine" | "verify" | "all"


# ------------------------------------------------------------------ who, and the facts around records


async def actor_of(principal: Principal) -> Actor:
    """The caller as the rules see them: their roles, and the units they answer for (their own unit
    and every unit below it)."""
    units: frozenset[str] = frozenset()
    if principal.person_id is not None:
        unit = (await people_store.person_units()).get(principal.person_id)
        if unit is not None:
            units = frozenset({unit, *descendants(unit, await org_store.unit_parents())})
    return Actor(principal.person_id, frozenset(r.value for r in principal.roles), units)


async def _facts(records: Iterable[Nonconformity]) -> Facts:
    records = list(records)
    audits = {a.id: a for a in await audits_store.list_audits()}
    findings = await changes_store.findings_by_ids(nc.finding_id for nc in records)
    return Facts(
        units={u.id: u.name for u in await org_store.list_units()},
        people={p.id: p.full_name for p in await people_store.list_people(None)},
        processes={p.id: p.name for p in await org_store.list_processes()},
        audit_codes={a.id: a.code for a in audits.values()},
        teams={a.id: frozenset(m.person_id for m in a.team) for a in audits.values()},
        statements={
            fid: (f.data.statement, f.data.evidence) if f.data else ("", "") for fid, f in findings.items()
        },
    )


def refusal(error: RefusalError, nc: Nonconformity | None = None, plan: Iterable[str] = ()) -> AppError:
    """The rules' refusal as the caller reads it: statuses and fields in words, an action by its number
    in the plan (1 for the first) rather than by its id."""
    code = ErrorCode(error.code)
    params: dict[str, object] = {}
    p = error.params
    if "status" in p:
        params["status"] = Phrase(STATUS_LABELS[NcStatus(p["status"])])
        params["expected"] = [Phrase(STATUS_LABELS[NcStatus(s)]) for s in p["expected"]]
    if "action" in p:
        order = [*plan, *(a.id for a in (nc.actions if nc else ()))]
        params["number"] = order.index(p["action"]) + 1 if p["action"] in order else "?"
    if "field" in p:
        params["field"] = Phrase(_FIELDS[p["field"]])
    for key in ("most", "count"):
        if key in p:
            params[key] = p[key]
    details = {k: v for k, v in p.items() if k in ("action", "field", "count", "actions")} or None
    return AppError(code, params=params, details=details)


# ------------------------------------------------------------------ reading


async def readable(principal: Principal, nc_id: str) -> tuple[Nonconformity, int, Actor, Facts]:
    try:
        found = await store.get(str(uuid.UUID(nc_id)))
    except ValueError:
        found = None
    actor = await actor_of(principal)
    if found is not None:
        facts = await _facts([found[0]])
        if may_read(found[0], actor, facts):
            return found[0], found[1], actor, facts
    raise AppError(ErrorCode.NOT_FOUND, details={"entity": "nonconformity", "id": nc_id})


async def read_nc(principal: Principal, nc_id: str, today: date) -> NcOut:
    nc, rev, actor, facts = await readable(principal, nc_id)
    return nc_out(nc, rev, actor, facts, today)


async def _visible(
    principal: Principal, statuses: list[str] | None, audit_id: str | None, unit_id: str | None
) -> tuple[list[tuple[Nonconformity, int]], Actor, Facts]:
    actor = await actor_of(principal)
    records = await store.list_records_with_revs(
        unit_ids=[unit_id] if unit_id else None, statuses=statuses, audit_id=audit_id
    )
    facts = await _facts(nc for nc, _ in records)
    return [(nc, rev) for nc, rev in records if may_read(nc, actor, facts)], actor, facts


async def list_ncs(
    principal: Principal,
    today: date,
    *,
    view: View = "all",
    statuses: list[str] | None = None,
    audit_id: str | None = None,
    unit_id: str | None = None,
) -> list[NcOut]:
    """``mine``: the records of the caller's units and the actions they own; ``verify``: the records
    the caller may verify now; ``all``: everything the caller may read. Oldest first."""
    records, actor, facts = await _visible(principal, statuses, audit_id, unit_id)
    out = [nc_out(nc, rev, actor, facts, today) for nc, rev in records]
    if view == "mine":
        mine = {nc.id for nc, _ in records if nc.unit_id in actor.units}
        return [o for o in out if o.id in mine or any(a.owner_id == actor.person_id for a in o.actions)]
    if view == "verify":
        return [o for o in out if o.may.verify]
    return out


async def list_overdue(principal: Principal, today: date) -> list[OverdueOut]:
    """Everything late among the records the caller may read, latest first (per unit and owner)."""
    records, _, facts = await _visible(principal, None, None, None)
    return overdue_out([nc for nc, _ in records], facts, today)


# ------------------------------------------------------------------ writing


def _trail_view(nc: Nonconformity) -> dict[str, Any]:
    return dataclasses.asdict(nc)


async def _store_step(
    principal: Principal, action: str, before: Nonconformity | None, after: Nonconformity, rev: int
) -> int:
    """Save ``after`` over revision ``rev`` with its trail row, in one transaction; 412 if it moved."""
    async with write_transaction():
        new_rev = await store.save(after, rev)
        if new_rev is None:
            raise AppError(ErrorCode.PRECONDITION_FAILED, details={"entity": "nonconformity"})
        await record_change(
            principal,
            action,
            "nonconformity",
            after.id,
            _trail_view(before) if before else None,
            _trail_view(after),
        )
    return new_rev


async def apply_step(
    principal: Principal,
    nc_id: str,
    rev: int,
    action: str,
    step: Callable[[Nonconformity, Actor], Nonconformity],
    today: date,
    plan: Iterable[str] = (),
) -> NcOut:
    """Read the record (404 if unreadable), apply ``step``: a forbidden step answers 403 at once, else
    a stale rev 412, else the rules' refusal; store the result with its trail row, answer the record."""
    nc, stored_rev, actor, facts = await readable(principal, nc_id)
    try:
        after, refused = step(nc, actor), None
    except RefusalError as error:
        if error.forbidden:  # who may act outranks when: a stale rev never hides a 403
            raise refusal(error, nc, plan) from None
        after, refused = nc, error
    if rev != stored_rev:
        raise AppError(
            ErrorCode.PRECONDITION_FAILED, details={"entity": "nonconformity", "currentRev": stored_rev}
        )
    if refused is not None:
        raise refusal(refused, nc, plan)
    new_rev = await _store_step(principal, action, nc, after, rev)
    return nc_out(after, new_rev, actor, facts, today)


# ------------------------------------------------------------------ opening records


async def _unit_of(finding_unit: str | None, process_id: str | None, audit_units: list[str]) -> str | None:
    if finding_unit:
        return finding_unit
    if process_id:
        return (await org_store.get_process(process_id)).owner_unit_id
    return audit_units[0] if audit_units else None


async def _open(
    principal: Principal | None,
    audit_id: str,
    finding_id: str,
    severity: Severity,
    policy: DuePolicy,
    today: date,
) -> Nonconformity | None:
    """A record for one finding, if it has none yet (then None). Inside the caller's transaction."""
    finding = (await changes_store.findings_by_ids([finding_id])).get(finding_id)
    audit = await audits_store.get_audit(audit_id)
    if finding is None or finding.data is None:
        return None
    process_id = finding.data.process_id or audit.process_id
    unit = await _unit_of(finding.data.unit_id, process_id, audit.unit_ids)
    if unit is None:
        return None
    plan_due, close_due = due_dates(policy, severity, today)
    nc = Nonconformity(
        id=str(uuid.uuid4()),
        audit_id=audit_id,
        finding_id=finding_id,
        severity=severity,
        unit_id=unit,
        clauses=tuple(finding.data.clause_refs),
        opened_on=today,
        plan_due=plan_due,
        close_due=close_due,
        process_id=process_id,
    )
    if not await store.insert(nc):
        return None
    await record_change(principal, "open", "nonconformity", nc.id, None, _trail_view(nc))
    return nc


async def open_for_audit(principal: Principal | None, audit_id: str, policy: DuePolicy, today: date) -> int:
    """Open a record for each major and minor nonconformity of the audit that has none yet (a report
    issued again opens nothing twice). Call it inside the transaction that issues the report."""
    changes, _ = await changes_store.findings_since([audit_id], 0, 1_000_000)
    opened = 0
    for finding in changes:
        severity = _SEVERITY_OF_VERDICT.get(finding.data.verdict) if finding.data else None
        if finding.deleted or severity is None:
            continue
        if await _open(principal, audit_id, finding.id, severity, policy, today) is not None:
            opened += 1
    return opened


async def promote_observation(
    principal: Principal, finding_id: str, policy: DuePolicy, today: date
) -> tuple[NcOut, bool]:
    """The audit lead makes an observation of an issued report a record of its own. (record, created):
    the existing record when the finding has one already."""
    audit_ids = await changes_store.finding_audit_ids([finding_id])
    if finding_id.lower() not in audit_ids:
        raise AppError(ErrorCode.NOT_FOUND, details={"entity": "finding", "id": finding_id})
    audit_id = audit_ids[finding_id.lower()]
    existing = await store.find_by_finding(finding_id.lower())
    if existing is not None:
        return await read_nc(principal, existing, today), False
    finding = (await changes_store.findings_by_ids([finding_id])).get(finding_id.lower())
    audit = await audits_store.get_audit(audit_id)
    verdict = finding.data.verdict if finding and finding.data and not finding.deleted else None
    if audit.status not in _ISSUED or verdict not in ("observation", *_SEVERITY_OF_VERDICT):
        raise AppError(ErrorCode.ACTIONS_NOT_PROMOTABLE)
    severity = _SEVERITY_OF_VERDICT.get(verdict, Severity.OBSERVATION)
    async with write_transaction():
        nc = await _open(principal, audit_id, finding_id.lower(), severity, policy, today)
    if nc is None:
        raise AppError(ErrorCode.ACTIONS_NOT_PROMOTABLE)
    return await read_nc(principal, nc.id, today), True

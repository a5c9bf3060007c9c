"""What a caller sees of a nonconformity record: the record with the names around it, what is late, and
what the caller may do with it now. Pure: the service reads the facts, this only arranges them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal, cast

from server.actions.model import Actor, NcStatus, Nonconformity
from server.actions.schemas import (
    ActionOut,
    LateOut,
    MayOut,
    NcOut,
    OverdueOut,
    RootCauseIO,
    VerificationOut,
)
from server.actions.workflow import LEAD, overdue

if TYPE_CHECKING:
    from collections.abc import Mapping

    from server.lib.structs import LocalizedName

__all__ = [
    "ANSWERING",
    "Facts",
    "may_answer",
    "may_read",
    "may_verify",
    "nc_out",
    "overdue_out",
]

ANSWERING = frozenset({NcStatus.OPEN, NcStatus.ANALYSIS, NcStatus.ACTION_PLAN, NcStatus.IN_PROGRESS})
_SEES_ALL = frozenset({LEAD, "admin", "manager"})
LateKind = Literal["plan", "action", "closure"]


@dataclass(frozen=True)
class Facts:
    """Names and links around the records, read once per request."""

    units: Mapping[str, LocalizedName]
    people: Mapping[str, LocalizedName]
    processes: Mapping[str, LocalizedName]
    audit_codes: Mapping[str, str]
    teams: Mapping[str, frozenset[str]]
    """audit id → person ids of its team."""
    statements: Mapping[str, tuple[str, str]]
    """finding id → (statement, objective evidence)."""


def may_answer(nc: Nonconformity, actor: Actor) -> bool:
    """The record's unit (or the audit lead) answers it while it is not with an auditor or finished."""
    answers = LEAD in actor.roles or ("auditee" in actor.roles and nc.unit_id in actor.units)
    return answers and nc.status in ANSWERING


def _owns_action(nc: Nonconformity, actor: Actor) -> bool:
    return actor.person_id is not None and any(a.owner_id == actor.person_id for a in nc.actions)


def may_verify(nc: Nonconformity, actor: Actor) -> bool:
    """An auditor from another unit, or the audit lead, while the record waits for verification."""
    verifier = LEAD in actor.roles or ("auditor" in actor.roles and actor.person_id is not None)
    return verifier and nc.unit_id not in actor.units and nc.status is NcStatus.VERIFICATION


def may_read(nc: Nonconformity, actor: Actor, facts: Facts) -> bool:
    """The audit lead, managers and admins read every record; others their units', the actions they
    own, the records they verified, and (auditors) their audits' and those they may verify now."""
    if actor.roles & _SEES_ALL or nc.unit_id in actor.units or _owns_action(nc, actor):
        return True
    if actor.person_id is not None and any(v.verifier_id == actor.person_id for v in nc.verifications):
        return True  # a verifier keeps the records they gave a verdict on
    if "auditor" not in actor.roles:
        return False
    return actor.person_id in facts.teams.get(nc.audit_id, frozenset()) or may_verify(nc, actor)


def _late(nc: Nonconformity, today: date) -> list[LateOut]:
    return [
        LateOut(kind=cast("LateKind", o.kind), action_id=o.action_id, due=o.due, days_late=o.days_late)
        for o in overdue([nc], today)
    ]


def nc_out(nc: Nonconformity, rev: int, actor: Actor, facts: Facts, today: date) -> NcOut:
    cause = nc.root_cause
    statement, evidence = facts.statements.get(nc.finding_id, ("", ""))
    return NcOut(
        id=nc.id,
        rev=rev,
        audit_id=nc.audit_id,
        audit_code=facts.audit_codes.get(nc.audit_id, ""),
        finding_id=nc.finding_id,
        severity=nc.severity.value,
        status=nc.status.value,
        unit_id=nc.unit_id,
        unit_name=facts.units.get(nc.unit_id),
        process_id=nc.process_id,
        process_name=facts.processes.get(nc.process_id) if nc.process_id else None,
        clauses=list(nc.clauses),
        statement=statement,
        evidence=evidence,
        opened_on=nc.opened_on,
        plan_due=nc.plan_due,
        close_due=nc.close_due,
        age_days=max(0, (today - nc.opened_on).days),
        correction=nc.correction,
        root_cause=None
        if cause is None
        else RootCauseIO(
            method=cause.method.value,
            cause=cause.cause,
            whys=list(cause.whys),
            categories=list(cause.categories),  # type: ignore[arg-type]
        ),
        actions=[
            ActionOut(
                id=a.id,
                type=a.type.value,
                description=a.description,
                owner_id=a.owner_id,
                owner_name=facts.people.get(a.owner_id),
                due=a.due,
                status=a.status.value,
                evidence=list(a.evidence),
                note=a.note,
            )
            for a in nc.actions
        ],
        verifications=[
            VerificationOut(
                verdict=v.verdict.value,
                verifier_id=v.verifier_id,
                verifier_name=facts.people.get(v.verifier_id),
                on=v.on,
                comment=v.comment,
                evidence=list(v.evidence),
            )
            for v in nc.verifications
        ],
        rejected_reason=nc.rejected_reason,
        late=_late(nc, today),
        may=MayOut(
            answer=may_answer(nc, actor),
            verify=may_verify(nc, actor),
            reject=LEAD in actor.roles and nc.status not in (NcStatus.CLOSED, NcStatus.REJECTED),
        ),
    )


def overdue_out(records: list[Nonconformity], facts: Facts, today: date) -> list[OverdueOut]:
    return [
        OverdueOut(
            kind=cast("LateKind", item.kind),
            nc_id=item.nc_id,
            audit_code=facts.audit_codes.get(next(r.audit_id for r in records if r.id == item.nc_id), ""),
            unit_id=item.unit_id,
            unit_name=facts.units.get(item.unit_id),
            owner_id=item.owner_id,
            owner_name=facts.people.get(item.owner_id) if item.owner_id else None,
            due=item.due,
            days_late=item.days_late,
        )
        for item in overdue(records, today)
    ]

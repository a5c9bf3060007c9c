"""Reading and writing nonconformity records (the only module of the domain that queries Piccolo).

A record is stored as its row, the ordered actions of its plan and its verifications. Every change goes
through ``save``: one compare-and-set on the record's ``rev``, so of two writers who read the same
revision exactly one wins, and the other writes nothing."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from server.actions.model import (
    Action,
    ActionStatus,
    ActionType,
    CauseMethod,
    NcStatus,
    Nonconformity,
    RootCause,
    Severity,
    Verdict,
    Verification,
)
from server.actions.tables import NcAction, NcDuePolicy, NcVerification
from server.actions.tables import Nonconformity as NcRow
from server.lib.clock import utcnow
from server.lib.db import write_transaction
from server.lib.rows import chunked, json_list, json_value

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

__all__ = [
    "evidence_references",
    "find_by_finding",
    "get",
    "get_due_policy",
    "insert",
    "list_records",
    "list_records_with_revs",
    "save",
    "save_due_policy",
]


def _uuid(value: str | None) -> uuid.UUID | None:
    return None if value is None else uuid.UUID(value)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


# ------------------------------------------------------------------ rows → model


def _root_cause(value: Any) -> RootCause | None:
    body = json_value(value)
    if not body:
        return None
    return RootCause(
        method=CauseMethod(body["method"]),
        cause=body["cause"],
        whys=tuple(body.get("whys", ())),
        categories=tuple(body.get("categories", ())),
    )


def _action(row: dict[str, Any]) -> Action:
    return Action(
        id=str(row["id"]),
        type=ActionType(row["type"]),
        description=row["description"],
        owner_id=str(row["owner_id"]),
        due=row["due"],
        status=ActionStatus(row["status"]),
        evidence=tuple(json_list(row["evidence"])),
        note=row["note"],
    )


def _verification(row: dict[str, Any]) -> Verification:
    return Verification(
        verdict=Verdict(row["verdict"]),
        verifier_id=str(row["verifier_id"]),
        on=row["verified_on"],
        comment=row["comment"],
        evidence=tuple(json_list(row["evidence"])),
    )


def _record(
    row: dict[str, Any], actions: Sequence[Action], verifications: Sequence[Verification]
) -> Nonconformity:
    return Nonconformity(
        id=str(row["id"]),
        audit_id=str(row["audit_id"]),
        finding_id=str(row["finding_id"]),
        severity=Severity(row["severity"]),
        unit_id=str(row["unit_id"]),
        clauses=tuple(json_list(row["clauses"])),
        opened_on=row["opened_on"],
        plan_due=row["plan_due"],
        close_due=row["close_due"],
        status=NcStatus(row["status"]),
        process_id=_text(row["process_id"]),
        correction=row["correction"],
        root_cause=_root_cause(row["root_cause"]),
        actions=tuple(actions),
        verifications=tuple(verifications),
        rejected_reason=row["rejected_reason"],
    )


async def _children(
    record_ids: Sequence[uuid.UUID],
) -> tuple[dict[str, list[Action]], dict[str, list[Verification]]]:
    """The actions and verifications of ``record_ids``, in order, by record id: two queries per chunk."""
    actions: dict[str, list[Action]] = {}
    verifications: dict[str, list[Verification]] = {}
    for chunk in chunked(record_ids):
        for row in await (
            NcAction.select()
            .where(NcAction.nonconformity.is_in(list(chunk)))
            .order_by(NcAction.position)
            .run()
        ):
            actions.setdefault(str(row["nonconformity"]), []).append(_action(row))
        for row in await (
            NcVerification.select()
            .where(NcVerification.nonconformity.is_in(list(chunk)))
            .order_by(NcVerification.position)
            .run()
        ):
            verifications.setdefault(str(row["nonconformity"]), []).append(_verification(row))
    return actions, verifications


# ------------------------------------------------------------------ model → rows


def _fields(nc: Nonconformity) -> dict[Any, Any]:
    """The columns a save rewrites (identity, finding and creation time never change)."""
    cause = nc.root_cause
    return {
        NcRow.severity: nc.severity.value,
        NcRow.unit_id: uuid.UUID(nc.unit_id),
        NcRow.process_id: _uuid(nc.process_id),
        NcRow.clauses: _json(list(nc.clauses)),
        NcRow.opened_on: nc.opened_on,
        NcRow.plan_due: nc.plan_due,
        NcRow.close_due: nc.close_due,
        NcRow.status: nc.status.value,
        NcRow.correction: nc.correction,
        NcRow.root_cause: None
        if cause is None
        else _json(
            {
                "method": cause.method.value,
                "cause": cause.cause,
                "whys": list(cause.whys),
                "categories": list(cause.categories),
            }
        ),
        NcRow.rejected_reason: nc.rejected_reason,
    }


async def _insert_actions(key: uuid.UUID, actions: Sequence[Action]) -> None:
    if not actions:
        return
    await NcAction.insert(
        *(
            NcAction(
                id=uuid.UUID(action.id),
                nonconformity=key,
                position=position,
                type=action.type.value,
                description=action.description,
                owner_id=uuid.UUID(action.owner_id),
                due=action.due,
                status=action.status.value,
                evidence=_json(list(action.evidence)),
                note=action.note,
            )
            for position, action in enumerate(actions)
        )
    ).run()


async def _append_verifications(key: uuid.UUID, verifications: Sequence[Verification], stored: int) -> None:
    """Store ``verifications[stored:]``: the ones before are stored already and never change."""
    if len(verifications) < stored:
        raise ValueError(f"a record loses stored verifications ({stored} stored, {len(verifications)} given)")
    now = utcnow()
    fresh = [
        NcVerification(
            nonconformity=key,
            position=position,
            verdict=verification.verdict.value,
            verifier_id=uuid.UUID(verification.verifier_id),
            verified_on=verification.on,
            comment=verification.comment,
            evidence=_json(list(verification.evidence)),
            created_at=now,
        )
        for position, verification in enumerate(verifications)
        if position >= stored
    ]
    if fresh:
        await NcVerification.insert(*fresh).run()


# ------------------------------------------------------------------ operations


async def insert(nc: Nonconformity) -> bool:
    """Store a new record at rev 1, with its actions and verifications if it has any. False, and nothing
    written, when a record for the same finding exists (a report issued twice opens one record)."""
    key = uuid.UUID(nc.id)
    now = utcnow()
    row = NcRow(
        id=key,
        audit_id=uuid.UUID(nc.audit_id),
        finding_id=uuid.UUID(nc.finding_id),
        rev=1,
        created_at=now,
        updated_at=now,
        **{column._meta.name: value for column, value in _fields(nc).items()},
    )
    async with write_transaction():
        written = (
            await NcRow.insert(row)
            .on_conflict(target=NcRow.finding_id, action="DO NOTHING")
            .returning(NcRow.id)
            .run()
        )
        if not written:
            return False
        await _insert_actions(key, nc.actions)
        await _append_verifications(key, nc.verifications, 0)
    return True


async def get(nc_id: str) -> tuple[Nonconformity, int] | None:
    """The record and its rev, or None when there is none with that id."""
    key = uuid.UUID(nc_id)
    row = await NcRow.select().where(NcRow.id == key).first().run()
    if row is None:
        return None
    actions, verifications = await _children([key])
    return _record(row, actions.get(nc_id, []), verifications.get(nc_id, [])), row["rev"]


async def save(nc: Nonconformity, expected_rev: int) -> int | None:
    """Write ``nc`` if its record is still at ``expected_rev``, in one transaction: its fields, its plan
    replaced (in order), its new verifications appended. Returns the new rev, or None, with nothing
    written, when the rev moved (or the record is gone)."""
    key = uuid.UUID(nc.id)
    async with write_transaction():
        written = (
            await NcRow.update({**_fields(nc), NcRow.rev: expected_rev + 1, NcRow.updated_at: utcnow()})
            .where((NcRow.id == key) & (NcRow.rev == expected_rev))
            .returning(NcRow.id)
            .run()
        )
        if not written:
            return None
        await NcAction.delete().where(NcAction.nonconformity == key).run()
        await _insert_actions(key, nc.actions)
        stored = await NcVerification.count().where(NcVerification.nonconformity == key).run()
        await _append_verifications(key, nc.verifications, stored)
    return expected_rev + 1


async def list_records_with_revs(
    *,
    unit_ids: Collection[str] | None = None,
    statuses: Collection[str] | None = None,
    audit_id: str | None = None,
) -> list[tuple[Nonconformity, int]]:
    """Records and their revs by opening date then id, with their actions and verifications. A filter
    left out (None) lets everything through; an empty one lets nothing through."""
    if (unit_ids is not None and not unit_ids) or (statuses is not None and not statuses):
        return []
    query = NcRow.select()
    if unit_ids is not None:
        query = query.where(NcRow.unit_id.is_in([uuid.UUID(u) for u in unit_ids]))
    if statuses is not None:
        query = query.where(NcRow.status.is_in([str(s) for s in statuses]))
    if audit_id is not None:
        query = query.where(NcRow.audit_id == uuid.UUID(audit_id))
    rows = await query.order_by(NcRow.opened_on, NcRow.id).run()
    actions, verifications = await _children([row["id"] for row in rows])
    return [
        (
            _record(row, actions.get(str(row["id"]), []), verifications.get(str(row["id"]), [])),
            int(row["rev"]),
        )
        for row in rows
    ]


async def list_records(
    *,
    unit_ids: Collection[str] | None = None,
    statuses: Collection[str] | None = None,
    audit_id: str | None = None,
) -> list[Nonconformity]:
    """As :func:`list_records_with_revs`, without the revs."""
    found = await list_records_with_revs(unit_ids=unit_ids, statuses=statuses, audit_id=audit_id)
    return [nc for nc, _ in found]


async def find_by_finding(finding_id: str) -> str | None:
    """The id of the record opened for ``finding_id``, if any."""
    row = await NcRow.select(NcRow.id).where(NcRow.finding_id == uuid.UUID(finding_id)).first().run()
    return None if row is None else str(row["id"])


async def evidence_references(sha256: str | None = None) -> set[tuple[str, str]]:
    """(audit id, hash) for every attachment an action or a verification holds as evidence; only those
    of ``sha256`` (a checked hash) when given. Matched as text, then confirmed on the decoded list."""
    pattern = f"%{sha256}%" if sha256 else "%"
    found: set[tuple[str, str]] = set()
    for table in ("nc_action", "nc_verification"):
        rows = await NcRow.raw(
            f"SELECT n.audit_id AS audit_id, c.evidence AS evidence FROM {table} c "  # noqa: S608 - fixed names
            "JOIN nonconformity n ON n.id = c.nonconformity WHERE CAST(c.evidence AS TEXT) LIKE {}",
            pattern,
        ).run()
        for row in rows:
            for item in json_list(row["evidence"]):
                if sha256 is None or item == sha256:
                    found.add((str(row["audit_id"]), str(item)))
    return found


# ------------------------------------------------------------------ the due policy


async def get_due_policy() -> tuple[dict[str, Any], int]:
    """The stored policy's body and rev; ({}, 0) while it was never changed."""
    row = await NcDuePolicy.select().where(NcDuePolicy.id == 1).first().run()
    if row is None:
        return {}, 0
    return json_value(row["body"]) or {}, int(row["rev"])


async def save_due_policy(username: str, body: dict[str, Any], expected_rev: int) -> int | None:
    """Store ``body`` if the policy is still at ``expected_rev`` (0: never saved): the new rev, or None
    with nothing written. Call inside the transaction that also writes the trail row."""
    now = utcnow()
    if expected_rev == 0:
        written = (
            await NcDuePolicy.insert(
                NcDuePolicy(id=1, body=_json(body), rev=1, updated_at=now, updated_by=username)
            )
            .on_conflict(target=NcDuePolicy.id, action="DO NOTHING")
            .returning(NcDuePolicy.id)
            .run()
        )
    else:
        written = (
            await NcDuePolicy.update(
                {
                    NcDuePolicy.body: _json(body),
                    NcDuePolicy.rev: expected_rev + 1,
                    NcDuePolicy.updated_at: now,
                    NcDuePolicy.updated_by: username,
                }
            )
            .where((NcDuePolicy.id == 1) & (NcDuePolicy.rev == expected_rev))
            .returning(NcDuePolicy.id)
            .run()
        )
    return expected_rev + 1 if written else None

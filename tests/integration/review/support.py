"""Data for the review pack's tests, written behind the API's back on top of the demo council: a second
done audit in the demo year (a nonconformity on a clause the completed audit also cites, so a clause
recurs), an audit of the year before (the previous period), a cancelled one, a deleted and a conform
finding (neither counts), and nonconformity records in several states with actions and verifications."""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import asyncpg

from server.actions import store as actions_store
from server.actions.model import (
    Action,
    ActionStatus,
    ActionType,
    NcStatus,
    Nonconformity,
    Severity,
    Verdict,
    Verification,
)
from server.audits.tables import Audit
from server.lib.rows import json_list
from server.org.tables import Person
from server.sync.tables import Finding

if TYPE_CHECKING:
    from server.settings import Settings

__all__ = ["YEAR", "reader", "seed"]

YEAR = 2026
_NOW = datetime(2026, 11, 30, 9, tzinfo=UTC)


def reader(settings: Settings) -> Callable[[str], Awaitable[list[dict[str, Any]]]]:
    """Raw queries of the test's own, on a connection of its own (not the app's engine, which runs in the
    test client's event loop): no parameters, literal dates and statuses only."""

    async def read(sql: str) -> list[dict[str, Any]]:
        if settings.database_kind == "sqlite":
            with sqlite3.connect(settings.sqlite_path) as conn:
                conn.row_factory = sqlite3.Row
                return [dict(row) for row in conn.execute(sql).fetchall()]
        conn = await asyncpg.connect(settings.database_url)
        try:
            return [dict(row) for row in await conn.fetch(sql)]
        finally:
            await conn.close()

    return read


async def _audit(code: str, status: str, start: date, process_id: Any, unit_id: str) -> str:
    audit_id = uuid.uuid4()
    await Audit.insert(
        Audit(
            id=audit_id,
            code=code,
            title_ar=code,
            title_fr=code,
            status=status,
            process_id=process_id,
            unit_ids=json.dumps([unit_id]),
            site_ids="[]",
            standards=json.dumps(["iso9001", "iso14001"]),
            clauses="[]",
            criteria="[]",
            auditee_ids="[]",
            planned_start=start,
            planned_end=start + timedelta(days=2),
            created_at=_NOW,
            updated_at=_NOW,
        )
    ).run()
    return str(audit_id)


async def _finding(audit_id: str, verdict: str, refs: list[str], *, deleted: bool = False) -> str:
    finding_id = uuid.uuid4()
    await Finding.insert(
        Finding(
            id=finding_id,
            audit_id=uuid.UUID(audit_id),
            verdict=verdict,
            statement=f"Constat {verdict} {refs}",
            clause_refs=json.dumps(refs),
            attachments="[]",
            photos_taken_at="{}",
            rev=1,
            deleted=deleted,
            seq=0,
            content_hash="0" * 64,
            updated_at=_NOW,
        )
    ).run()
    return str(finding_id)


def _record(audit_id: str, unit_id: str, opened: date, **changes: Any) -> Nonconformity:
    base: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "audit_id": audit_id,
        "finding_id": str(uuid.uuid4()),
        "severity": Severity.MINOR,
        "unit_id": unit_id,
        "clauses": ("iso9001:8.4.1",),
        "opened_on": opened,
        "plan_due": opened + timedelta(days=30),
        "close_due": opened + timedelta(days=180),
    }
    return Nonconformity(**{**base, **changes})


def _action(owner: str, due: date, status: ActionStatus, text: str) -> Action:
    return Action(str(uuid.uuid4()), ActionType.CORRECTIVE, text, owner, due, status)


async def seed() -> dict[str, str]:
    """Writes the data; returns the ids the tests name."""
    done = (
        await Audit.select(Audit.id, Audit.process_id, Audit.unit_ids).where(Audit.status == "signed").run()
    )
    process_id, unit = done[0]["process_id"], json_list(done[0]["unit_ids"])[0]
    owner = str((await Person.select(Person.id).limit(1).run())[0]["id"])
    second = await _audit("AI-2026-R01", "closed", date(YEAR, 5, 12), process_id, unit)
    before = await _audit("AI-2025-R01", "closed", date(YEAR - 1, 10, 7), process_id, unit)
    await _audit("AI-2026-R02", "cancelled", date(YEAR, 2, 3), process_id, unit)
    await _finding(second, "nc_minor", ["iso9001:8.4.1", "iso9001:8.4.2"])
    major = await _finding(second, "nc_major", ["iso9001:7.1.5.2", "iso45001:7.1"])
    await _finding(second, "improvement", [])
    await _finding(second, "conform", ["iso9001:7.1"])
    await _finding(second, "nc_major", ["iso9001:9.2"], deleted=True)
    await _finding(before, "nc_minor", ["iso9001:8.4.1"])
    await _finding(before, "observation", ["iso14001:6.1.2"])
    records = [
        _record(second, unit, date(YEAR, 5, 20), finding_id=major, severity=Severity.MAJOR),
        _record(
            second,
            unit,
            date(YEAR, 5, 20),
            status=NcStatus.IN_PROGRESS,
            actions=(
                _action(owner, date(YEAR, 7, 1), ActionStatus.IN_PROGRESS, "Réviser la procédure"),
                _action(owner, date(YEAR, 8, 1), ActionStatus.DONE, "Former les agents"),
                _action(owner, date(2999, 1, 1), ActionStatus.PLANNED, "Pas encore dû"),
            ),
        ),
        _record(
            second,
            unit,
            date(YEAR, 3, 2),
            status=NcStatus.CLOSED,
            actions=(_action(owner, date(YEAR, 4, 1), ActionStatus.PLANNED, "Clos: ne compte pas"),),
            verifications=(
                Verification(Verdict.INEFFECTIVE, owner, date(YEAR, 4, 20), "Pas encore"),
                Verification(Verdict.EFFECTIVE, owner, date(YEAR, 6, 2), "Efficace"),
            ),
        ),
        _record(
            before,
            unit,
            date(YEAR - 1, 10, 20),
            status=NcStatus.VERIFICATION,
            severity=Severity.OBSERVATION,
            verifications=(Verification(Verdict.EFFECTIVE, owner, date(YEAR - 1, 12, 1), "Hors période"),),
        ),
        _record(before, unit, date(YEAR - 1, 11, 2), status=NcStatus.REJECTED),
    ]
    for nc in records:
        assert await actions_store.insert(nc)
    return {"second": second, "before": before, "unit": unit, "owner": owner}

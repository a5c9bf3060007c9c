"""After the demo loads, the completed audit's nonconformity records are at the stages its people took
them to through the actions service (with a trail row for each step): one under way with a five-whys
analysis and four actions, one with its plan drafted, one in analysis, the others open; the day's
digest tells the unit's auditee and an action owner what falls due (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from server.actions import steps
from server.actions import store as nc_store
from server.actions.digest import compose_digests
from server.actions.digest_gather import gather
from server.actions.model import ActionStatus, ActionType, CauseMethod, NcStatus, Nonconformity, Severity
from server.audits import store as audits_store
from server.demo.completed_audit import COMPLETED_CODE
from server.demo.nonconformities import advance_demo_nonconformities
from server.lib import db
from server.org import people_store
from server.settings import Settings
from server.trail.store import list_entries


@pytest.fixture
async def started(settings: Settings) -> AsyncIterator[str]:
    """The demo database's engine, started; yields the completed audit's id."""
    engine = db.make_engine(settings)
    await db.start_engine(engine)
    try:
        audits = await audits_store.list_audits()
        yield next(a.id for a in audits if COMPLETED_CODE.match(a.code))
    finally:
        await db.stop_engine(engine)


async def usernames() -> dict[str, str]:
    return {p.id: p.username or "" for p in await people_store.list_people(None)}


def by_clause(records: list[Nonconformity], clause: str) -> Nonconformity:
    return next(nc for nc in records if clause in nc.clauses)


async def test_the_records_are_at_the_stages_of_a_follow_up_under_way(
    settings: Settings, started: str
) -> None:
    records = await nc_store.list_records(audit_id=started)
    assert Counter(nc.severity for nc in records) == {Severity.MAJOR: 2, Severity.MINOR: 4}
    assert Counter(nc.status for nc in records) == {
        NcStatus.OPEN: 3,
        NcStatus.ANALYSIS: 1,
        NcStatus.ACTION_PLAN: 1,
        NcStatus.IN_PROGRESS: 1,
    }
    names = await usernames()
    today = steps.today(settings)

    trench = by_clause(records, "iso45001:8.1.4.2")
    assert trench.status is NcStatus.IN_PROGRESS and trench.correction
    assert trench.root_cause is not None and trench.root_cause.method is CauseMethod.FIVE_WHYS
    assert len(trench.root_cause.whys) == 5
    assert [(a.type, names[a.owner_id], a.status) for a in trench.actions] == [
        (ActionType.CORRECTION, "auditee3", ActionStatus.IN_PROGRESS),
        (ActionType.CORRECTIVE, "auditee3", ActionStatus.PLANNED),
        (ActionType.CORRECTIVE, "auditee8", ActionStatus.PLANNED),
        (ActionType.PREVENTIVE, "auditee8", ActionStatus.IN_PROGRESS),
    ]
    assert all(trench.opened_on <= a.due <= today + timedelta(days=60) for a in trench.actions)

    watch = by_clause(records, "iso14001:6.1.3")
    assert watch.status is NcStatus.ACTION_PLAN
    assert watch.root_cause is not None and watch.root_cause.method is CauseMethod.CATEGORIES
    assert [names[a.owner_id] for a in watch.actions] == ["auditee7", "auditee3"]

    evaluation = by_clause(records, "iso9001:8.4.1")
    assert evaluation.status is NcStatus.ANALYSIS and evaluation.correction and evaluation.root_cause is None

    page = await list_entries(
        entity="nonconformity", entity_id=trench.id, since=None, until=None, before_id=None, limit=50
    )
    steps_taken = Counter((e.action, e.actor_username) for e in page.items)
    assert steps_taken[("start_analysis", "auditee3")] == 1
    assert steps_taken[("start_actions", "auditee3")] == 1
    assert steps_taken[("update_action", "auditee8")] == 1  # the owner started their own action


async def test_answering_again_moves_nothing(settings: Settings, started: str) -> None:
    before = await nc_store.list_records(audit_id=started)
    assert await advance_demo_nonconformities(settings, started) == 0
    assert await nc_store.list_records(audit_id=started) == before


async def test_the_days_digest_tells_the_auditee_and_the_owner_what_falls_due(
    settings: Settings, started: str
) -> None:
    records, facts = await gather()
    today = steps.today(settings)
    digests = {d.username: d for d in compose_digests(records, facts, today)}
    assert set(digests) == {"auditee3", "auditee8"}  # nothing late on the day the records opened
    assert (digests["auditee3"].late, digests["auditee3"].soon) == (0, 1)
    assert digests["auditee3"].locale == "ar"
    later = {d.username for d in compose_digests(records, facts, today + timedelta(days=40))}
    assert {"auditee3", "auditee8", "lead"} <= later

"""The nonconformity store on SQLite and PostgreSQL: records read back as they were written, one record
per finding, the rev's compare-and-set, the plan replaced in order, and the list's filters."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from server.actions import store
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
from server.lib import db
from server.settings import Settings

UNIT, OTHER_UNIT = str(uuid.uuid4()), str(uuid.uuid4())
AUDIT, OTHER_AUDIT = str(uuid.uuid4()), str(uuid.uuid4())
OWNER, VERIFIER = str(uuid.uuid4()), str(uuid.uuid4())
SHA = "0" * 63 + "1"


@pytest.fixture
async def started(settings: Settings) -> AsyncIterator[None]:
    engine = db.make_engine(settings)
    await db.start_engine(engine)
    try:
        yield
    finally:
        await db.stop_engine(engine)


def _id() -> str:
    return str(uuid.uuid4())


def record(**changes: Any) -> Nonconformity:
    nc = Nonconformity(
        id=_id(),
        audit_id=AUDIT,
        finding_id=_id(),
        severity=Severity.MAJOR,
        unit_id=UNIT,
        clauses=("iso9001:8.4.2", "iso9001:7.5.3"),
        opened_on=date(2026, 3, 2),
        plan_due=date(2026, 3, 17),
        close_due=date(2026, 5, 31),
    )
    return replace(nc, **changes)


def action(description: str, **changes: Any) -> Action:
    made = Action(_id(), ActionType.CORRECTIVE, description, OWNER, date(2026, 4, 15))
    return replace(made, **changes)


def full_record() -> Nonconformity:
    """A record at verification's end: analysed, two actions, verified twice (the second time closed)."""
    return record(
        status=NcStatus.CLOSED,
        process_id=_id(),
        correction="Certificats expirés retirés du stock",
        root_cause=RootCause(
            CauseMethod.FIVE_WHYS,
            "Pas de contrôle des certificats à la réception",
            whys=("Certificat expiré accepté", "Personne ne l'a vérifié"),
            categories=("method",),
        ),
        actions=(
            action(
                "Liste de contrôle à la réception", status=ActionStatus.DONE, evidence=(SHA,), note="fait"
            ),
            action("Former les magasiniers", type=ActionType.PREVENTIVE, status=ActionStatus.CANCELLED),
        ),
        verifications=(
            Verification(Verdict.INEFFECTIVE, VERIFIER, date(2026, 5, 4), "Liste non utilisée"),
            Verification(Verdict.EFFECTIVE, VERIFIER, date(2026, 5, 20), "Appliquée", evidence=(SHA,)),
        ),
    )


@pytest.mark.usefixtures("started")
async def test_a_full_record_reads_back_equal_after_insert_and_after_save() -> None:
    nc = full_record()
    assert await store.insert(nc)
    assert await store.get(nc.id) == (nc, 1)

    opened = record()
    assert await store.insert(opened)
    assert await store.get(opened.id) == (opened, 1)
    filled = replace(full_record(), id=opened.id, finding_id=opened.finding_id)
    assert await store.save(filled, 1) == 2
    assert await store.get(opened.id) == (filled, 2)
    assert await store.get(_id()) is None


@pytest.mark.usefixtures("started")
async def test_a_second_record_for_the_same_finding_is_not_stored() -> None:
    first = record()
    assert await store.insert(first)
    again = record(finding_id=first.finding_id, actions=(action("doublon"),))
    assert not await store.insert(again)
    assert await store.get(again.id) is None
    assert await store.list_records(audit_id=AUDIT) == [first]


@pytest.mark.usefixtures("started")
async def test_a_save_at_a_stale_rev_writes_nothing() -> None:
    nc = full_record()
    assert await store.insert(replace(nc, status=NcStatus.VERIFICATION, verifications=nc.verifications[:1]))
    current = replace(
        nc, status=NcStatus.VERIFICATION, correction="corrigé", verifications=nc.verifications[:1]
    )
    assert await store.save(current, 1) == 2
    stale = replace(nc, actions=(action("autre"),), rejected_reason="x")
    assert await store.save(stale, 1) is None
    assert await store.get(nc.id) == (current, 2)


@pytest.mark.usefixtures("started")
async def test_of_two_saves_at_the_same_rev_exactly_one_is_written() -> None:
    nc = record(status=NcStatus.ACTION_PLAN)
    assert await store.insert(nc)
    mine = replace(nc, actions=(action("mine"),))
    theirs = replace(nc, actions=(action("theirs"), action("theirs too")))
    results = await asyncio.gather(store.save(mine, 1), store.save(theirs, 1))
    assert sorted(results, key=str) == [2, None]
    assert await store.get(nc.id) == ((mine if results[0] == 2 else theirs), 2)


@pytest.mark.usefixtures("started")
async def test_stored_verifications_are_never_removed() -> None:
    nc = full_record()
    assert await store.insert(nc)
    with pytest.raises(ValueError, match="loses stored verifications"):
        await store.save(replace(nc, correction="changé", verifications=()), 1)
    assert await store.get(nc.id) == (nc, 1)


@pytest.mark.usefixtures("started")
async def test_an_action_removed_from_the_plan_is_gone_and_the_order_is_kept() -> None:
    first, second, third = action("un"), action("deux"), action("trois")
    nc = record(status=NcStatus.ACTION_PLAN, actions=(first, second, third))
    assert await store.insert(nc)
    replanned = replace(nc, actions=(third, replace(first, status=ActionStatus.IN_PROGRESS)))
    assert await store.save(replanned, 1) == 2
    stored = await store.get(nc.id)
    assert stored is not None
    assert [a.description for a in stored[0].actions] == ["trois", "un"]
    assert stored == (replanned, 2)


@pytest.mark.usefixtures("started")
async def test_the_list_filters_by_units_statuses_and_audit_in_opening_order() -> None:
    late = record(opened_on=date(2026, 4, 1), actions=(action("a"),))
    early = record(opened_on=date(2026, 2, 1), status=NcStatus.ANALYSIS)
    other_unit = record(
        unit_id=OTHER_UNIT,
        opened_on=date(2026, 2, 15),
        status=NcStatus.CLOSED,
        verifications=full_record().verifications,
    )
    other_audit = record(audit_id=OTHER_AUDIT, opened_on=date(2026, 2, 20), status=NcStatus.ANALYSIS)
    same_day = sorted([record(), record()], key=lambda nc: nc.id)  # same date: by id
    for nc in (late, *reversed(same_day), early, other_unit, other_audit):
        assert await store.insert(nc)

    ours = {nc.id for nc in (late, *same_day, early, other_unit, other_audit)}  # the demo has records too
    everything = [nc for nc in await store.list_records() if nc.id in ours]
    assert everything == [early, other_unit, other_audit, *same_day, late]
    assert await store.list_records(unit_ids=[OTHER_UNIT]) == [other_unit]
    assert await store.list_records(unit_ids={UNIT, OTHER_UNIT}) == everything
    analysing = await store.list_records(statuses=[NcStatus.ANALYSIS])
    assert [nc for nc in analysing if nc.id in ours] == [early, other_audit]
    assert await store.list_records(statuses=["closed", "analysis"], unit_ids=[UNIT]) == [early, other_audit]
    assert await store.list_records(audit_id=OTHER_AUDIT) == [other_audit]
    assert await store.list_records(audit_id=AUDIT, statuses=["open"]) == [*same_day, late]
    assert await store.list_records(unit_ids=[]) == []
    assert await store.list_records(statuses=()) == []

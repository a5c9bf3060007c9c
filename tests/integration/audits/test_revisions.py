"""Writes to an audit name the revision they were decided on: missing → 428, moved on → 412 and
nothing changed, current → applied; of two leads acting on the same revision exactly one wins."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from server.audits import store
from server.lib import db
from server.lib.errors import AppError, ErrorCode
from server.settings import Settings
from tests.conftest import login
from tests.integration.audits.support import Client, if_match, plan_body


async def _prepared_audit(client: Client, lead: dict[str, str]) -> dict[str, Any]:
    audits = (await client.get("/api/v1/audits", headers=lead)).json()
    return dict(next(a for a in audits if a["status"] == "prepared"))


def _team_body(audit: dict[str, Any]) -> dict[str, Any]:
    return {
        "members": [
            {"personId": m["personId"], "role": m["role"], "overrideReason": m["overrideReason"]}
            for m in audit["team"]
        ]
    }


def _writes(audit: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    url = f"/api/v1/audits/{audit['id']}"
    return [
        ("POST", f"{url}/transitions", {"to": "in_progress"}),
        ("PUT", url, plan_body(audit, agenda="Nouvel ordre du jour")),
        ("PUT", f"{url}/team", _team_body(audit)),
    ]


async def test_get_audit_answers_its_revision_as_etag(client: Client) -> None:
    lead = await login(client, "lead")
    audit = await _prepared_audit(client, lead)
    response = await client.get(f"/api/v1/audits/{audit['id']}", headers=lead)
    assert response.headers["ETag"] == f'"{audit["rev"]}"'


async def test_a_write_without_the_revision_read_is_refused_with_428(client: Client) -> None:
    lead = await login(client, "lead")
    audit = await _prepared_audit(client, lead)
    for method, url, body in _writes(audit):
        response = await client.request(method, url, json=body, headers=lead)
        assert response.status_code == 428, (url, response.text)
        assert response.json()["code"] == "request.precondition_required"
    after = (await client.get(f"/api/v1/audits/{audit['id']}", headers=lead)).json()
    assert after == audit


async def test_a_write_on_a_stale_revision_is_refused_with_412_and_changes_nothing(client: Client) -> None:
    lead = await login(client, "lead")
    stale = await _prepared_audit(client, lead)
    url = f"/api/v1/audits/{stale['id']}"
    newer = await client.put(
        url, json=plan_body(stale, objectives="Objectifs revus"), headers={**lead, **if_match(stale)}
    )
    assert newer.status_code == 200, newer.text
    current = newer.json()
    assert current["rev"] == stale["rev"] + 1
    for method, target, body in _writes(stale):
        response = await client.request(method, target, json=body, headers={**lead, **if_match(stale)})
        assert response.status_code == 412, (target, response.text)
        assert response.json()["code"] == "request.precondition_failed"
        assert response.json()["details"] == {"currentRev": current["rev"], "status": "prepared"}
    assert (await client.get(url, headers=lead)).json() == current


@pytest.mark.parametrize("form", ['"{rev}"', 'W/"{rev}"', "{rev}", "field"])
async def test_the_current_revision_is_accepted_as_if_match_or_as_a_rev_field(
    client: Client, form: str
) -> None:
    lead = await login(client, "lead")
    audit = await _prepared_audit(client, lead)
    headers = dict(lead)
    body: dict[str, Any] = {"to": "in_progress"}
    if form == "field":
        body["rev"] = audit["rev"]
    else:
        headers["If-Match"] = form.format(rev=audit["rev"])
    moved = await client.post(f"/api/v1/audits/{audit['id']}/transitions", json=body, headers=headers)
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "in_progress" and moved.json()["rev"] == audit["rev"] + 1
    assert moved.headers["ETag"] == f'"{audit["rev"] + 1}"'


async def test_plan_and_team_writes_on_the_current_revision_are_applied(client: Client) -> None:
    lead = await login(client, "lead")
    audit = await _prepared_audit(client, lead)
    url = f"/api/v1/audits/{audit['id']}"
    planned = await client.put(
        url, json={**plan_body(audit, agenda="Ordre du jour"), "rev": audit["rev"]}, headers=lead
    )
    assert planned.status_code == 200, planned.text
    assert planned.json()["agenda"] == "Ordre du jour"
    staffed = await client.put(
        f"{url}/team", json=_team_body(audit), headers={**lead, **if_match(planned.json())}
    )
    assert staffed.status_code == 200, staffed.text
    assert staffed.json()["rev"] == audit["rev"] + 2


async def test_if_match_and_a_rev_field_that_disagree_are_412(client: Client) -> None:
    lead = await login(client, "lead")
    audit = await _prepared_audit(client, lead)
    response = await client.post(
        f"/api/v1/audits/{audit['id']}/transitions",
        json={"to": "in_progress", "rev": audit["rev"] - 1},
        headers={**lead, **if_match(audit)},
    )
    assert response.status_code == 412 and response.json()["code"] == "request.precondition_failed"


async def test_an_if_match_that_names_no_revision_is_400(client: Client) -> None:
    lead = await login(client, "lead")
    audit = await _prepared_audit(client, lead)
    response = await client.post(
        f"/api/v1/audits/{audit['id']}/transitions",
        json={"to": "in_progress"},
        headers={**lead, "If-Match": "*"},
    )
    assert response.status_code == 400 and response.json()["code"] == "request.validation_failed"


async def test_of_two_leads_acting_on_the_same_revision_exactly_one_wins(client: Client) -> None:
    lead, admin = await login(client, "lead"), await login(client, "admin")
    audit = await _prepared_audit(client, lead)
    url = f"/api/v1/audits/{audit['id']}/transitions"
    start = client.post(url, json={"to": "in_progress"}, headers={**lead, **if_match(audit)})
    cancel = client.post(
        url, json={"to": "cancelled", "reason": "Reporté"}, headers={**admin, **if_match(audit)}
    )
    answers = await asyncio.gather(start, cancel)
    assert sorted(a.status_code for a in answers) == [200, 412], [a.text for a in answers]
    winner = next(a.json() for a in answers if a.status_code == 200)
    after = (await client.get(f"/api/v1/audits/{audit['id']}", headers=lead)).json()
    assert after["status"] == winner["status"] and after["rev"] == audit["rev"] + 1


async def test_the_store_writes_only_on_the_revision_it_was_given(settings: Settings) -> None:
    """The compare-and-set itself: two writers holding the same revision, both past every check; the
    database lets exactly one of them write."""
    engine = db.make_engine(settings)
    await db.start_engine(engine)
    try:
        before = next(a for a in await store.list_audits() if a.status == "prepared")
        answers = await asyncio.gather(
            store.set_status(None, before, "in_progress"),
            store.set_status(None, before, "cancelled", cancel_reason="Reporté"),
            return_exceptions=True,
        )
        refused = [a for a in answers if isinstance(a, BaseException)]
        assert len(refused) == 1 and isinstance(refused[0], AppError), answers
        assert refused[0].code is ErrorCode.PRECONDITION_FAILED
        after = await store.get_audit(before.id)
        assert refused[0].details == {"currentRev": before.rev + 1, "status": after.status}
        with pytest.raises(AppError) as stale:
            await store.replace_team(None, before, list(store.audit_facts(before).team))
        assert stale.value.code is ErrorCode.PRECONDITION_FAILED
        assert (await store.get_audit(before.id)) == after
    finally:
        await db.stop_engine(engine)

"""The demo organisation's programme end to end through the API: created, solved (every hard rule met,
checked by the independent checker), pinned and solved again, submitted, approved by a manager (its
entries become planned audits with their teams), revised (audits not started follow, the history and the
differences stay readable)."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from server.programme.checker import check_programme
from server.programme.model import PlannedAudit
from server.programme.service import Context, load_state
from server.settings import Settings
from tests.conftest import login
from tests.integration.programme.support import (
    YEAR,
    Client,
    approved,
    created,
    if_match,
    solved,
    submitted,
)


async def _violations(client: Client, settings: Settings, programme: dict[str, Any]) -> list[Any]:
    """What the independent checker finds wrong with the programme as the API returns it. The problem is
    read in the app's own event loop (its database pool belongs there)."""
    ctx = Context(settings.checklists_dir, 5.0, "fr")
    state = await asyncio.to_thread(client.blocking_portal.call, load_state, programme["id"], ctx)
    audits = [
        PlannedAudit(
            process_id=e["processId"],
            occurrence=e["occurrence"],
            month=e["month"],
            lead_id=e["leadId"],
            auditor_ids=tuple(e["auditorIds"]),
            pinned=e["pinnedMonth"] or e["pinnedTeam"],
            override_reason=e["overrideReason"],
        )
        for e in programme["entries"]
    ]
    return check_programme(state.universe.problem, audits)


async def test_a_new_programme_lists_the_universe_with_its_risks_and_clauses(client: Client) -> None:
    programme, _ = await created(client)
    assert programme["status"] == "draft" and programme["version"] == 1 and programme["entries"] == []
    risks = {r["code"]: r for r in programme["risks"]}
    assert len(risks) == 15
    # The demo's high-criticality processes were never audited: high risk, audited twice.
    assert risks["P-ACH"]["criticality"] == 5 and risks["P-ACH"]["level"] == "high"
    assert (risks["P-ACH"]["auditsMin"], risks["P-ACH"]["auditsMax"]) == (2, 2)
    assert risks["P-ACH"]["monthsSinceLastAudit"] is None
    assert {r["standard"] for r in programme["coverage"]} == {"iso9001", "iso14001", "iso45001"}
    assert all(not r["months"] for r in programme["coverage"])


async def test_the_demo_programme_is_feasible_and_passes_the_independent_checker(
    client: Client, settings: Settings
) -> None:
    programme, lead = await created(client)
    done = await solved(client, programme, lead)
    risks = {r["processId"]: r for r in done["risks"]}
    counts = Counter(e["processId"] for e in done["entries"])
    for process_id, risk in risks.items():
        assert risk["auditsMin"] <= counts[process_id] <= max(risk["auditsMax"], 1)
    assert await _violations(client, settings, done) == []
    # Every clause the universe can cover is covered this year (the cycle has just begun).
    assert [r["clause"] for r in done["coverage"] if r["gap"]] == []
    assert done["lastSolve"]["explanations"] == []
    people = {p["id"]: p for p in (await client.get("/api/v1/people", headers=lead)).json()}
    for entry in done["entries"]:
        assert entry["start"] <= entry["end"] and int(entry["start"][5:7]) == entry["month"]
        for person in (entry["leadId"], *entry["auditorIds"]):
            for leave in people[person]["availability"] or []:
                away = (
                    not leave["available"]
                    and leave["start"] <= entry["end"]
                    and entry["start"] <= leave["end"]
                )
                assert not away, (entry, people[person]["fullName"], leave)


async def test_a_pinned_month_holds_when_the_rest_is_solved_again(client: Client, settings: Settings) -> None:
    programme, lead = await created(client)
    done = await solved(client, programme, lead)
    single = [p for p, n in Counter(e["processId"] for e in done["entries"]).items() if n == 1]
    entry = next(e for e in done["entries"] if e["month"] != 11 and e["processId"] in single)
    pinned = await client.put(
        f"/api/v1/programmes/{done['id']}/entries/{entry['id']}/pin",
        json={"month": 11},
        headers={**lead, **if_match(done)},
    )
    assert pinned.status_code == 200, pinned.text
    after_pin = pinned.json()
    again = await solved(client, after_pin, lead)
    kept = next(e for e in again["entries"] if e["id"] == entry["id"])
    assert kept["month"] == 11 and kept["pinnedMonth"] and not kept["pinnedTeam"]
    assert await _violations(client, settings, again) == []


async def test_submitting_needs_a_solve_after_the_last_change(client: Client) -> None:
    programme, lead = await created(client)
    refused = await client.post(
        f"/api/v1/programmes/{programme['id']}/submit", json={}, headers={**lead, **if_match(programme)}
    )
    assert refused.status_code == 409 and refused.json()["code"] == "programme.not_solved"
    done = await solved(client, programme, lead)
    risk = done["risks"][0]
    changed = await client.put(
        f"/api/v1/programmes/{done['id']}/risks/{risk['processId']}",
        json={"criticality": 1, "changes": 0, "complaints": 0},
        headers={**lead, **if_match(done)},
    )
    assert changed.status_code == 200, changed.text
    stale = await client.post(
        f"/api/v1/programmes/{done['id']}/submit", json={}, headers={**lead, **if_match(changed.json())}
    )
    assert stale.status_code == 409 and stale.json()["code"] == "programme.not_solved"


async def test_approval_turns_entries_into_planned_audits_with_their_teams(client: Client) -> None:
    programme, lead = await created(client)
    sent = await submitted(client, await solved(client, programme, lead), lead)
    lead_cannot_approve = await client.post(
        f"/api/v1/programmes/{sent['id']}/approve", json={}, headers={**lead, **if_match(sent)}
    )
    assert lead_cannot_approve.status_code == 403
    done = await approved(client, sent, "Programme conforme aux orientations du comité de direction.")
    assert done["history"][0]["status"] == "approved" and done["history"][0]["decidedBy"] == "manager"
    for entry in done["entries"]:
        assert entry["auditId"] and entry["auditStatus"] == "planned"
        audit = (await client.get(f"/api/v1/audits/{entry['auditId']}", headers=lead)).json()
        assert audit["programmeEntryId"] == entry["id"] and audit["processId"] == entry["processId"]
        assert audit["plannedStart"] == entry["start"] and audit["plannedEnd"] == entry["end"]
        team = {(m["personId"], m["role"]) for m in audit["team"]}
        assert team == {(entry["leadId"], "lead"), *((a, "auditor") for a in entry["auditorIds"])}
        assert audit["code"].startswith(f"AI-{YEAR}-")


async def test_a_manager_returns_a_programme_with_a_comment_only(client: Client) -> None:
    programme, lead = await created(client)
    sent = await submitted(client, await solved(client, programme, lead), lead)
    manager = await login(client, "manager")
    url = f"/api/v1/programmes/{sent['id']}/return"
    silent = await client.post(url, json={"comment": " "}, headers={**manager, **if_match(sent)})
    assert silent.status_code == 422 and silent.json()["code"] == "programme.reason_required"
    back = await client.post(
        url, json={"comment": "Ajouter un audit du parc en été."}, headers={**manager, **if_match(sent)}
    )
    assert back.status_code == 200, back.text
    assert back.json()["status"] == "draft" and back.json()["history"][0]["status"] == "returned"
    assert back.json()["history"][0]["comment"] == "Ajouter un audit du parc en été."


async def test_a_revision_moves_audits_not_started_and_shows_what_changed(client: Client) -> None:
    programme, lead = await created(client)
    first = await approved(client, await submitted(client, await solved(client, programme, lead), lead))
    url = f"/api/v1/programmes/{first['id']}"
    no_reason = await client.post(f"{url}/revise", json={"reason": ""}, headers={**lead, **if_match(first)})
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "programme.reason_required"
    revised = await client.post(
        f"{url}/revise",
        json={"reason": "Réorganisation de la Direction du patrimoine au 1er avril."},
        headers={**lead, **if_match(first)},
    )
    assert revised.status_code == 200 and revised.json()["version"] == 2, revised.text
    draft = revised.json()
    single = [p for p, n in Counter(e["processId"] for e in draft["entries"]).items() if n == 1]
    entry = next(e for e in draft["entries"] if e["month"] != 12 and e["processId"] in single)
    pinned = await client.put(
        f"{url}/entries/{entry['id']}/pin", json={"month": 12}, headers={**lead, **if_match(draft)}
    )
    assert pinned.status_code == 200, pinned.text
    second = await approved(client, await submitted(client, await solved(client, pinned.json(), lead), lead))
    moved = next(e for e in second["entries"] if e["id"] == entry["id"])
    assert (
        moved["month"] == 12
        and moved["auditId"] == entry["auditId"]
        and moved["sequence"] > entry["sequence"]
    )
    audit = (await client.get(f"/api/v1/audits/{moved['auditId']}", headers=lead)).json()
    assert audit["plannedStart"] == moved["start"] and audit["status"] == "planned"
    assert [v["number"] for v in second["history"]] == [1, 2]
    assert second["history"][1]["reason"] == "Réorganisation de la Direction du patrimoine au 1er avril."
    changes = (await client.get(f"{url}/diff", params={"from": 1, "to": 2}, headers=lead)).json()
    assert {
        "processId": entry["processId"],
        "occurrence": entry["occurrence"],
        "kind": "moved",
        "before": str(entry["month"]),
        "after": "12",
    } in changes
    old = (await client.get(f"{url}/versions/1", headers=lead)).json()
    assert next(e for e in old["entries"] if e["id"] == entry["id"])["month"] == entry["month"]


async def test_who_may_do_what(client: Client) -> None:
    programme, lead = await created(client)
    for user in ("auditor1", "auditee1"):
        headers = await login(client, user)
        assert (await client.get("/api/v1/programmes", headers=headers)).status_code == 403
        assert (
            await client.post("/api/v1/programmes", json={"year": 2031}, headers=headers)
        ).status_code == 403
    manager = await login(client, "manager")
    assert (await client.get(f"/api/v1/programmes/{programme['id']}", headers=manager)).status_code == 200
    solve = await client.post(
        f"/api/v1/programmes/{programme['id']}/solve", json={}, headers={**manager, **if_match(programme)}
    )
    assert solve.status_code == 403
    again = await client.post("/api/v1/programmes", json={"year": YEAR}, headers=lead)
    assert again.status_code == 409 and again.json()["code"] == "programme.year_taken"
    no_rev = await client.post(f"/api/v1/programmes/{programme['id']}/solve", json={}, headers=lead)
    assert no_rev.status_code == 428


async def _start(client: Client, lead: dict[str, str], audit_id: str) -> dict[str, Any]:
    """Prepare, then start the audit (the audit lead may do both)."""
    for target in ("prepared", "in_progress"):
        audit = (await client.get(f"/api/v1/audits/{audit_id}", headers=lead)).json()
        moved = await client.post(
            f"/api/v1/audits/{audit_id}/transitions", json={"to": target, "rev": audit["rev"]}, headers=lead
        )
        assert moved.status_code == 200, moved.text
    started: dict[str, Any] = moved.json()
    return started


async def test_a_revision_never_touches_a_started_audit_and_cancels_dropped_ones(client: Client) -> None:
    programme, lead = await created(client)
    first = await approved(client, await submitted(client, await solved(client, programme, lead), lead))
    url = f"/api/v1/programmes/{first['id']}"
    started_entry = min(first["entries"], key=lambda e: e["start"])
    started = await _start(client, lead, started_entry["auditId"])
    twice = [p for p, n in Counter(e["processId"] for e in first["entries"]).items() if n == 2]
    dropped_process = next(p for p in twice if p != started_entry["processId"])
    dropped = next(e for e in first["entries"] if e["processId"] == dropped_process and e["occurrence"] == 1)
    draft = (
        await client.post(
            f"{url}/revise", json={"reason": "Criticité revue"}, headers={**lead, **if_match(first)}
        )
    ).json()
    refused = await client.put(
        f"{url}/entries/{started_entry['id']}/pin", json={"month": 12}, headers={**lead, **if_match(draft)}
    )
    assert refused.status_code == 422 and refused.json()["code"] == "programme.pin_invalid", refused.text
    # The process at stake becomes low risk: audited once this year, so its second audit goes.
    lowered = await client.put(
        f"{url}/risks/{dropped_process}", json={"criticality": 1}, headers={**lead, **if_match(draft)}
    )
    assert lowered.status_code == 200, lowered.text
    second = await approved(client, await submitted(client, await solved(client, lowered.json(), lead), lead))
    kept = next(e for e in second["entries"] if e["id"] == started_entry["id"])
    assert (kept["month"], kept["leadId"], kept["auditorIds"]) == (
        started_entry["month"],
        started_entry["leadId"],
        started_entry["auditorIds"],
    )
    after = (await client.get(f"/api/v1/audits/{started['id']}", headers=lead)).json()
    assert (after["status"], after["rev"], after["plannedStart"]) == (
        "in_progress",
        started["rev"],
        started["plannedStart"],
    )
    assert dropped["id"] not in {e["id"] for e in second["entries"]}
    cancelled = (await client.get(f"/api/v1/audits/{dropped['auditId']}", headers=lead)).json()
    assert cancelled["status"] == "cancelled" and "version 2" in cancelled["cancelReason"]
    changes = (await client.get(f"{url}/diff", params={"from": 1}, headers=lead)).json()
    assert any(c["kind"] == "removed" and c["processId"] == dropped_process for c in changes)

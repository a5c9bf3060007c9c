"""What the programme gives out, through the API: calendars that re-import as updates (stable UIDs, a
higher SEQUENCE after a revision), each auditor's subscription and own programme, the workbook, the PDF
in both languages; the explanation of an infeasible programme; an impartiality override flagged."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from openpyxl import load_workbook

from tests.conftest import login, missing_tool
from tests.integration.programme.support import (
    Client,
    approved,
    by_code,
    created,
    if_match,
    solved,
    submitted,
)

PAGES = Path(__file__).resolve().parents[2] / "programme" / "pages"


def _events(content: bytes) -> dict[str, Any]:
    calendar = Calendar.from_ical(content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


async def _approved_programme(client: Client) -> tuple[dict[str, Any], dict[str, str]]:
    programme, lead = await created(client)
    return await approved(client, await submitted(client, await solved(client, programme, lead), lead)), lead


async def test_the_calendar_reimports_as_updates_after_a_revision(client: Client) -> None:
    first, lead = await _approved_programme(client)
    url = f"/api/v1/programmes/{first['id']}"
    before = await client.get(f"{url}/calendar.ics", headers=lead)
    assert before.status_code == 200 and before.headers["content-type"].startswith("text/calendar")
    events = _events(before.content)
    assert set(events) == {f"{e['id']}@tadqiq" for e in first["entries"]}
    single = [p for p, n in Counter(e["processId"] for e in first["entries"]).items() if n == 1]
    entry = next(e for e in first["entries"] if e["processId"] in single and e["month"] != 12)
    event = events[f"{entry['id']}@tadqiq"]
    assert str(event.decoded("DTSTART")) == entry["start"]
    assert int(event["SEQUENCE"]) == entry["sequence"]
    revised = (
        await client.post(
            f"{url}/revise", json={"reason": "Mission d'inspection"}, headers={**lead, **if_match(first)}
        )
    ).json()
    pinned = await client.put(
        f"{url}/entries/{entry['id']}/pin", json={"month": 12}, headers={**lead, **if_match(revised)}
    )
    assert pinned.status_code == 200, pinned.text
    second = await approved(client, await submitted(client, await solved(client, pinned.json(), lead), lead))
    after = _events((await client.get(f"{url}/calendar.ics", headers=lead)).content)
    assert set(after) == {f"{e['id']}@tadqiq" for e in second["entries"]}
    assert set(after) & set(events), "the same audits keep their UIDs"
    for uid in set(after) & set(events):
        new = next(e for e in second["entries"] if f"{e['id']}@tadqiq" == uid)
        assert int(after[uid]["SEQUENCE"]) == new["sequence"] >= int(events[uid]["SEQUENCE"])
        if str(after[uid].decoded("DTSTART")) != str(events[uid].decoded("DTSTART")):
            assert int(after[uid]["SEQUENCE"]) > int(events[uid]["SEQUENCE"])
    moved = after[f"{entry['id']}@tadqiq"]
    assert str(moved.decoded("DTSTART")).startswith(f"{first['year']}-12-")
    assert int(moved["SEQUENCE"]) > int(event["SEQUENCE"])


async def test_an_auditor_subscribes_to_their_own_audits_and_can_revoke_it(client: Client) -> None:
    programme, _ = await _approved_programme(client)
    people = await by_code(client, await login(client, "lead"), "people")
    person = people["lead"]["id"]
    mine = [e for e in programme["entries"] if person in (e["leadId"], *e["auditorIds"])]
    assert mine, "the audit lead is on some teams of the demo programme"
    headers = await login(client, "lead")
    listed = (await client.get("/api/v1/me/programme", headers=headers)).json()
    assert sorted(e["entryId"] for e in listed) == sorted(e["id"] for e in mine)
    assert {e["role"] for e in listed} <= {"lead", "auditor"}
    link = await client.post("/api/v1/me/calendar-link", headers=headers)
    assert link.status_code == 201, link.text
    path = "/cal/" + link.json()["url"].rsplit("/cal/", 1)[1]
    feed = await client.get(path)  # no sign-in: calendar apps cannot log in
    assert feed.status_code == 200
    assert set(_events(feed.content)) == {f"{e['id']}@tadqiq" for e in mine}
    replaced = (await client.post("/api/v1/me/calendar-link", headers=headers)).json()["url"]
    assert (await client.get(path)).status_code == 404, "a new link retires the old one"
    assert (await client.delete("/api/v1/me/calendar-link", headers=headers)).status_code == 204
    assert (await client.get("/cal/" + replaced.rsplit("/cal/", 1)[1])).status_code == 404
    assert (await client.get("/cal/" + "x" * 32 + ".ics")).status_code == 404


async def test_the_workbook_holds_one_row_per_audit_and_the_tables(client: Client) -> None:
    programme, lead = await _approved_programme(client)
    for lang in ("fr", "ar"):
        response = await client.get(
            f"/api/v1/programmes/{programme['id']}/programme.xlsx", params={"lang": lang}, headers=lead
        )
        assert response.status_code == 200, response.text
        book = load_workbook(io.BytesIO(response.content))
        sheets = book.worksheets
        assert len(sheets) == 5
        rows = [r for r in sheets[0].iter_rows(min_row=2, values_only=True) if any(r)]
        assert len(rows) == len(programme["entries"])
        codes = {r["processId"]: r["code"] for r in programme["risks"]}
        assert sorted(str(r[0]) for r in rows) == sorted(codes[e["processId"]] for e in programme["entries"])
        assert sheets[0].sheet_view.rightToLeft is (lang == "ar")


async def test_the_pdf_renders_in_both_languages(client: Client) -> None:
    programme, lead = await _approved_programme(client)
    if shutil.which("pdftoppm") is None:
        missing_tool("pdftoppm (poppler-utils)")
    PAGES.mkdir(parents=True, exist_ok=True)
    for lang in ("ar", "fr"):
        response = await client.get(
            f"/api/v1/programmes/{programme['id']}/programme.pdf", params={"lang": lang}, headers=lead
        )
        assert response.status_code == 200 and response.content.startswith(b"%PDF"), response.text[:200]
        pdf = PAGES / f"api-programme-{lang}.pdf"
        pdf.write_bytes(response.content)
        subprocess.run(
            ["pdftoppm", "-r", "50", "-png", str(pdf), str(PAGES / f"api-programme-{lang}")], check=True
        )
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
        assert "2027" in text and "P-ACH" in text
    assert list(PAGES.glob("api-programme-ar-*.png"))


async def test_an_impartiality_override_needs_a_reason_and_is_flagged(client: Client) -> None:
    programme, lead = await created(client)
    done = await solved(client, programme, lead)
    people = await by_code(client, lead, "people")
    units = await by_code(client, lead, "units")
    processes = await by_code(client, lead, "processes")
    # auditor1 (a lead auditor, ISO 9001) works in the budget division, which owns P-BUD (ISO 9001).
    assert people["auditor1"]["unitId"] == units["DAF-DBC"]["id"] == processes["P-BUD"]["ownerUnitId"]
    budget = processes["P-BUD"]["id"]
    entry = next(e for e in done["entries"] if e["processId"] == budget and e["occurrence"] == 0)
    url = f"/api/v1/programmes/{done['id']}/entries/{entry['id']}/pin"
    # March: she is away in January (the budget year's closing), free in March.
    body = {"month": 3, "leadId": people["auditor1"]["id"], "auditorIds": []}
    refused = await client.put(url, json=body, headers={**lead, **if_match(done)})
    assert refused.status_code == 422 and refused.json()["code"] == "programme.override_required", (
        refused.text
    )
    assert refused.json()["details"]["field"] == "leadId"
    reason = "Seule auditrice disponible qualifiée ; audit limité au volet classement des pièces."
    accepted = await client.put(
        url, json={**body, "overrideReason": reason}, headers={**lead, **if_match(done)}
    )
    assert accepted.status_code == 200, accepted.text
    again = await solved(client, accepted.json(), lead)
    flagged = next(e for e in again["entries"] if e["id"] == entry["id"])
    assert flagged["overrideReason"] == reason and flagged["leadId"] == people["auditor1"]["id"]
    ics = (await client.get(f"/api/v1/programmes/{done['id']}/calendar.ics", headers=lead)).content
    assert reason[:30] in ics.decode().replace("\r\n ", "")
    final = await approved(client, await submitted(client, again, lead))
    realised = next(e for e in final["entries"] if e["id"] == entry["id"])
    audit = (await client.get(f"/api/v1/audits/{realised['auditId']}", headers=lead)).json()
    assert audit["team"][0]["overrideReason"] == reason
    assert final["status"] == "approved"


@pytest.mark.parametrize("lang", ["fr", "ar"])
async def test_an_infeasible_programme_says_which_resource_is_missing_and_when(
    client: Client, lang: str
) -> None:
    programme, lead = await created(client)
    done = await solved(client, programme, lead)
    people = await by_code(client, lead, "people")
    processes = await by_code(client, lead, "processes")
    # P-SST is audited for ISO 45001 only: its lead must hold ISO 45001. The two lead auditors who do
    # are away from April to June, and the lead pins P-SST's first audit to May.
    for username in ("lead", "auditor3"):
        person = (await client.get(f"/api/v1/people/{people[username]['id']}", headers=lead)).json()
        assert person["leadAuditor"] and "iso45001" in {q["standard"] for q in person["qualifications"]}
        body = {
            "fullName": person["fullName"],
            "unitId": person["unitId"],
            "email": person["email"],
            "jobTitle": person["jobTitle"],
            "leadAuditor": True,
            "qualifications": person["qualifications"],
            "availability": [{"start": "2027-04-01", "end": "2027-06-30", "note": "Mission"}],
        }
        updated = await client.put(f"/api/v1/people/{person['id']}", json=body, headers=lead)
        assert updated.status_code == 200, updated.text
    sst = processes["P-SST"]["id"]
    entry = next(e for e in done["entries"] if e["processId"] == sst and e["occurrence"] == 0)
    pinned = await client.put(
        f"/api/v1/programmes/{done['id']}/entries/{entry['id']}/pin",
        json={"month": 5},
        headers={**lead, **if_match(done)},
    )
    assert pinned.status_code == 200, pinned.text
    # The account's own language is the one its messages use.
    chosen = await client.patch("/api/v1/me", json={"locale": lang}, headers=lead)
    assert chosen.status_code == 200, chosen.text
    answer = await client.post(
        f"/api/v1/programmes/{done['id']}/solve", json={}, headers={**lead, **if_match(pinned.json())}
    )
    assert answer.status_code == 200, answer.text
    outcome = answer.json()["lastSolve"]
    assert outcome["status"] == "infeasible"
    blocking = [x for x in outcome["explanations"] if x["kind"] == "no_lead_available"]
    assert blocking, outcome["explanations"]
    assert blocking[0]["standard"] == "iso45001" and blocking[0]["processId"] == sst
    assert 5 in blocking[0]["months"]
    assert "ISO 45001" in blocking[0]["message"]
    assert ("mai" if lang == "fr" else "ماي") in blocking[0]["message"].lower() or "T2" in blocking[0][
        "message"
    ]
    # Nothing planned was lost: the entries are those of the last feasible solve.
    assert answer.json()["entries"] == pinned.json()["entries"]

"""The team checks (qualification, lead auditor, impartiality) hold for the audit as it is now: they run
again when the plan changes and when the audit is prepared, and an override counts only for the scope
it was written for."""

from __future__ import annotations

from typing import Any

from tests.conftest import login
from tests.integration.audits.support import (
    Client,
    if_match,
    new_audit,
    people,
    plan_body,
    processes,
    units,
)

REASON = "Seul auditeur qualifié disponible ; n'a pas participé au processus audité."


async def _staffed_budget_audit(
    client: Client, lead: dict[str, str], auditor: str, reason: str = ""
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """An audit of the budget process (owner DAF-DBC, ISO 9001) staffed by the lead and ``auditor``."""
    staff = await people(client, lead)
    audit = await new_audit(client, lead, (await processes(client, lead))["P-BUD"])
    team = {
        "members": [
            {"personId": staff["lead"]["id"], "role": "lead"},
            {"personId": staff[auditor]["id"], "role": "auditor", "overrideReason": reason},
        ]
    }
    staffed = await client.put(
        f"/api/v1/audits/{audit['id']}/team", json=team, headers={**lead, **if_match(audit)}
    )
    assert staffed.status_code == 200, staffed.text
    return staffed.json(), staff


async def test_adding_a_team_members_unit_to_the_scope_is_refused_as_not_impartial(client: Client) -> None:
    lead = await login(client, "lead")
    audit, staff = await _staffed_budget_audit(client, lead, "auditor2")
    codes = await units(client, lead)
    widened = plan_body(audit, unitIds=[codes["DAF-DBC"], codes["DP-DGP"]])  # auditor2's own unit
    refused = await client.put(
        f"/api/v1/audits/{audit['id']}", json=widened, headers={**lead, **if_match(audit)}
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "audit.not_impartial"
    assert refused.json()["details"]["personId"] == staff["auditor2"]["id"]
    after = (await client.get(f"/api/v1/audits/{audit['id']}", headers=lead)).json()
    assert after["unitIds"] == audit["unitIds"] and after["rev"] == audit["rev"]


async def test_preparing_runs_the_team_checks_again(client: Client) -> None:
    lead = await login(client, "lead")
    audit, staff = await _staffed_budget_audit(client, lead, "auditor2")
    person = (await client.get(f"/api/v1/people/{staff['auditor2']['id']}", headers=lead)).json()
    editable = ("fullName", "unitId", "email", "jobTitle", "leadAuditor", "availability")
    unqualified = {**{k: person[k] for k in editable}, "qualifications": []}
    dropped = await client.put(f"/api/v1/people/{person['id']}", json=unqualified, headers=lead)
    assert dropped.status_code == 200, dropped.text
    refused = await client.post(
        f"/api/v1/audits/{audit['id']}/transitions",
        json={"to": "prepared"},
        headers={**lead, **if_match(audit)},
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "audit.auditor_not_qualified"
    assert refused.json()["details"]["personId"] == person["id"]
    after = (await client.get(f"/api/v1/audits/{audit['id']}", headers=lead)).json()
    assert after["status"] == "planned" and after["checklistVersion"] is None


async def test_an_override_holds_for_its_scope_and_lapses_when_the_scope_changes(client: Client) -> None:
    lead = await login(client, "lead")
    audit, staff = await _staffed_budget_audit(client, lead, "auditor1", REASON)  # auditor1 is in DAF-DBC
    insider = staff["auditor1"]["id"]
    member = next(m for m in audit["team"] if m["personId"] == insider)
    assert member["overrideReason"] == REASON and member["overrideScope"] == audit["unitIds"]
    url = f"/api/v1/audits/{audit['id']}"
    same_scope = await client.put(
        url, json=plan_body(audit, agenda="09:00 ouverture"), headers={**lead, **if_match(audit)}
    )
    assert same_scope.status_code == 200, same_scope.text
    audit = same_scope.json()
    codes = await units(client, lead)
    wider = [codes["DAF-DBC"], codes["DP-DGP"]]
    lapsed = await client.put(url, json=plan_body(audit, unitIds=wider), headers={**lead, **if_match(audit)})
    assert lapsed.status_code == 409 and lapsed.json()["code"] == "audit.not_impartial", lapsed.text
    assert lapsed.json()["details"]["personId"] == insider
    # The lead takes the insider off, widens the scope, and writes a reason for the new scope.
    lead_only = {"members": [{"personId": staff["lead"]["id"], "role": "lead"}]}
    audit = (await client.put(f"{url}/team", json=lead_only, headers={**lead, **if_match(audit)})).json()
    widened = await client.put(url, json=plan_body(audit, unitIds=wider), headers={**lead, **if_match(audit)})
    assert widened.status_code == 200, widened.text
    audit = widened.json()
    again = {
        "members": [
            *lead_only["members"],
            {"personId": insider, "role": "auditor", "overrideReason": REASON + " Périmètre élargi."},
        ]
    }
    restaffed = await client.put(f"{url}/team", json=again, headers={**lead, **if_match(audit)})
    assert restaffed.status_code == 200, restaffed.text
    audit = restaffed.json()
    prepared = await client.post(
        f"{url}/transitions", json={"to": "prepared"}, headers={**lead, **if_match(audit)}
    )
    assert prepared.status_code == 200, prepared.text
    assert prepared.json()["status"] == "prepared"

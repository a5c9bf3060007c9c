"""An audit refers only to organisation objects that exist: auditees decide who may read it, so an
unknown id is refused (422 naming the field) instead of being stored."""

from __future__ import annotations

import uuid

import pytest

from tests.conftest import login
from tests.integration.audits.support import Client, if_match, new_audit, people, plan_body, processes


@pytest.mark.parametrize("field", ["auditeeIds", "unitIds", "siteIds"])
async def test_an_unknown_id_in_a_new_audit_is_refused_naming_the_field(client: Client, field: str) -> None:
    lead = await login(client, "lead")
    process = (await processes(client, lead))["P-BUD"]
    body = {
        "code": "AI-TEST-404",
        "title": {"ar": "تدقيق", "fr": "Audit"},
        "standards": ["iso9001"],
        "processId": process["id"],
        field: [str(uuid.uuid4())],
    }
    refused = await client.post("/api/v1/audits", json=body, headers=lead)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "org.unknown_reference"
    assert refused.json()["details"]["field"] == field
    codes = {a["code"] for a in (await client.get("/api/v1/audits", headers=lead)).json()}
    assert "AI-TEST-404" not in codes


async def test_an_unknown_auditee_added_to_a_plan_is_refused(client: Client) -> None:
    lead = await login(client, "lead")
    audit = await new_audit(client, lead, (await processes(client, lead))["P-BUD"])
    staff = await people(client, lead)
    known = staff["auditee2"]["id"]
    url = f"/api/v1/audits/{audit['id']}"
    body = plan_body(audit, auditeeIds=[known, str(uuid.uuid4())])
    refused = await client.put(url, json=body, headers={**lead, **if_match(audit)})
    assert refused.status_code == 422 and refused.json()["details"]["field"] == "auditeeIds", refused.text
    accepted = await client.put(
        url, json=plan_body(audit, auditeeIds=[known]), headers={**lead, **if_match(audit)}
    )
    assert accepted.status_code == 200 and accepted.json()["auditeeIds"] == [known], accepted.text


async def test_an_unknown_programme_entry_is_refused(client: Client) -> None:
    lead = await login(client, "lead")
    process = (await processes(client, lead))["P-BUD"]
    entry = str(uuid.uuid4())
    body = {
        "code": "AI-TEST-405",
        "title": {"ar": "تدقيق", "fr": "Audit"},
        "standards": ["iso9001"],
        "processId": process["id"],
        "programmeEntryId": entry,
    }
    refused = await client.post("/api/v1/audits", json=body, headers=lead)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "org.unknown_reference"
    assert refused.json()["details"]["field"] == "programmeEntryId"
    audit = await new_audit(client, lead, process)
    updated = await client.put(
        f"/api/v1/audits/{audit['id']}",
        json=plan_body(audit, programmeEntryId=entry),
        headers={**lead, **if_match(audit)},
    )
    assert updated.status_code == 422 and updated.json()["details"]["field"] == "programmeEntryId"


async def test_an_unknown_team_member_is_refused_naming_the_member(client: Client) -> None:
    lead = await login(client, "lead")
    audit = await new_audit(client, lead, (await processes(client, lead))["P-BUD"])
    staff = await people(client, lead)
    team = {
        "members": [
            {"personId": staff["lead"]["id"], "role": "lead"},
            {"personId": str(uuid.uuid4()), "role": "auditor"},
        ]
    }
    refused = await client.put(
        f"/api/v1/audits/{audit['id']}/team", json=team, headers={**lead, **if_match(audit)}
    )
    assert refused.status_code == 422 and refused.json()["code"] == "org.unknown_reference", refused.text
    assert refused.json()["details"]["field"] == "members[1].personId"

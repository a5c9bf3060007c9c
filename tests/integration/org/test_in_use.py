"""Nothing an audit references may disappear (issue #7, defect 3): deleting a process, unit, site or
person that an audit or a finding uses is refused with 409 ``org.in_use`` naming the users, and the
audit and its findings stay reachable. An object nothing uses is still deleted."""

from __future__ import annotations

import uuid
from typing import Any

from tests.conftest import login
from tests.contract.support import auditor_on_audit, finding
from tests.integration.org.support import (
    Client,
    Headers,
    in_english,
    new_audit,
    new_person,
    new_process,
    new_site,
    new_unit,
)


def _refused_for(response: Any, audit: dict[str, Any]) -> dict[str, Any]:
    """The 409's details, after checking that they and the message name ``audit``."""
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["code"] == "org.in_use"
    assert {"entity": "audit", "id": audit["id"], "code": audit["code"]} in body["details"]["usedBy"]
    assert body["details"]["archive"] is True
    assert audit["code"] in body["message"]
    return dict(body["details"])


async def _still_readable(client: Client, url: str, audit: dict[str, Any]) -> None:
    admin = await login(client, "admin")
    assert (await client.get(url, headers=admin)).status_code == 200
    fetched = await client.get(f"/api/v1/audits/{audit['id']}", headers=admin)
    assert fetched.status_code == 200, fetched.text


async def test_a_process_an_audit_uses_cannot_be_deleted_and_the_audit_stays_readable(client: Client) -> None:
    lead = await in_english(client, await login(client, "lead"))
    unit = await new_unit(client, lead)
    process = await new_process(client, lead, unit["id"])
    audit = await new_audit(client, lead, processId=process["id"])
    url = f"/api/v1/processes/{process['id']}"
    refused = await client.delete(url, headers=lead)
    details = _refused_for(refused, audit)
    assert details["total"] == 1 and details["findings"] == 0
    assert f"audits ({audit['code']})" in refused.json()["message"]
    assert "Archive it instead of deleting it" in refused.json()["message"]
    await _still_readable(client, url, audit)


async def test_a_cancelled_audit_still_keeps_its_process(client: Client) -> None:
    lead = await login(client, "lead")
    process = await new_process(client, lead, (await new_unit(client, lead))["id"])
    audit = await new_audit(client, lead, processId=process["id"])
    cancelled = await client.post(
        f"/api/v1/audits/{audit['id']}/transitions",
        json={"to": "cancelled", "reason": "Reporté à l'an prochain", "rev": audit["rev"]},
        headers=lead,
    )
    assert cancelled.status_code == 200, cancelled.text
    _refused_for(await client.delete(f"/api/v1/processes/{process['id']}", headers=lead), audit)


async def test_the_findings_of_an_audit_stay_reachable_when_its_process_is_kept(client: Client) -> None:
    device, audit_id = await auditor_on_audit(client)
    lead = await login(client, "lead")
    audit = (await client.get(f"/api/v1/audits/{audit_id}", headers=lead)).json()
    op = finding(audit_id, processId=audit["processId"])
    pushed = await device.push([op])
    assert pushed.json()["results"][0]["status"] == "applied", pushed.text
    refused = await client.delete(f"/api/v1/processes/{audit['processId']}", headers=lead)
    details = _refused_for(refused, audit)
    assert details["findings"] >= 1
    changes, _ = await device.pull_all(audit_id)
    assert op["id"] in {c["id"] for c in changes}
    package = await client.get(f"/api/v1/audits/{audit_id}/package", headers=device.headers)
    assert package.status_code == 200, package.text


async def _team_and_auditee_audit(client: Client, lead: Headers) -> dict[str, Any]:
    """A new audit of a new unit and site, with a new person on its team and another as auditee."""
    audited = await new_unit(client, lead)
    elsewhere = await new_unit(client, lead)
    site = await new_site(client, lead)
    auditee = await new_person(client, lead, audited["id"])
    auditor = await new_person(client, lead, elsewhere["id"], auditor=True)
    audit = await new_audit(
        client, lead, unitIds=[audited["id"]], siteIds=[site["id"]], auditeeIds=[auditee["id"]]
    )
    staffed = await client.put(
        f"/api/v1/audits/{audit['id']}/team",
        json={"members": [{"personId": auditor["id"], "role": "lead"}], "rev": audit["rev"]},
        headers=lead,
    )
    assert staffed.status_code == 200, staffed.text
    return {**staffed.json(), "_unit": audited, "_site": site, "_auditee": auditee, "_auditor": auditor}


async def test_a_unit_site_team_member_and_auditee_an_audit_uses_cannot_be_deleted(client: Client) -> None:
    lead = await login(client, "lead")
    audit = await _team_and_auditee_audit(client, lead)
    people = {"auditee": audit["_auditee"], "team member": audit["_auditor"]}
    for url in (
        f"/api/v1/units/{audit['_unit']['id']}",
        f"/api/v1/sites/{audit['_site']['id']}",
        *(f"/api/v1/people/{person['id']}" for person in people.values()),
    ):
        refused = await client.delete(url, headers=lead)
        _refused_for(refused, audit)
        await _still_readable(client, url, audit)


async def test_a_unit_names_its_people_and_the_audit_in_one_answer(client: Client) -> None:
    lead = await login(client, "lead")
    audit = await _team_and_auditee_audit(client, lead)
    refused = await client.delete(
        f"/api/v1/units/{audit['_unit']['id']}",
        headers=lead,  # the lead reads French (their preference)
    )
    details = _refused_for(refused, audit)
    assert {
        "entity": "person",
        "id": audit["_auditee"]["id"],
        "code": audit["_auditee"]["fullName"]["fr"],
    } in (details["usedBy"])
    assert details["total"] == 2 and "des personnes" in refused.json()["message"]


async def test_a_person_with_an_account_names_it(client: Client) -> None:
    admin = await login(client, "admin")
    auditor = next(
        p for p in (await client.get("/api/v1/people", headers=admin)).json() if p["username"] == "auditor3"
    )
    refused = await client.delete(f"/api/v1/people/{auditor['id']}", headers=admin)
    assert refused.status_code == 409 and refused.json()["code"] == "org.in_use"
    assert any(
        u["entity"] == "account" and u["code"] == "auditor3" for u in refused.json()["details"]["usedBy"]
    )
    assert "auditor3" in refused.json()["message"]


async def test_a_long_list_of_users_is_capped_with_the_total(client: Client) -> None:
    lead = await in_english(client, await login(client, "lead"))
    process = await new_process(client, lead, (await new_unit(client, lead))["id"])
    for _ in range(22):
        await new_audit(client, lead, processId=process["id"])
    refused = await client.delete(f"/api/v1/processes/{process['id']}", headers=lead)
    details = refused.json()["details"]
    assert len(details["usedBy"]) == 20 and details["total"] == 22
    assert "and 17 more" in refused.json()["message"]


async def test_objects_nothing_uses_are_still_deleted(client: Client) -> None:
    lead = await in_english(client, await login(client, "lead"))
    unit = await new_unit(client, lead)
    site = await new_site(client, lead)
    process = await new_process(client, lead, unit["id"], [site["id"]])
    person = await new_person(client, lead, unit["id"])
    site_refused = await client.delete(f"/api/v1/sites/{site['id']}", headers=lead)
    assert (
        site_refused.status_code == 409 and f"processes ({process['code']})" in site_refused.json()["message"]
    )
    for url in (
        f"/api/v1/processes/{process['id']}",
        f"/api/v1/sites/{site['id']}",
        f"/api/v1/people/{person['id']}",
        f"/api/v1/units/{unit['id']}",
    ):
        assert (await client.delete(url, headers=lead)).status_code == 204, url
        assert (await client.get(url, headers=lead)).status_code == 404, url


async def test_deleting_a_missing_object_is_404(client: Client) -> None:
    lead = await login(client, "lead")
    for kind in ("units", "sites", "processes", "people"):
        response = await client.delete(f"/api/v1/{kind}/{uuid.uuid4()}", headers=lead)
        assert response.status_code == 404 and response.json()["code"] == "resource.not_found", kind

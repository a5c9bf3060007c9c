"""Archiving: an archived unit, site, process or person leaves the lists (``includeArchived=true``
shows it), stays readable by id with its ``archivedAt``, takes no new reference, and comes back when
restored."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.conftest import login
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

Maker = Callable[[Client, Headers], Awaitable[dict[str, Any]]]


async def _unit(client: Client, lead: Headers) -> dict[str, Any]:
    return await new_unit(client, lead)


async def _site(client: Client, lead: Headers) -> dict[str, Any]:
    return await new_site(client, lead)


async def _process(client: Client, lead: Headers) -> dict[str, Any]:
    return await new_process(client, lead, (await new_unit(client, lead))["id"])


async def _person(client: Client, lead: Headers) -> dict[str, Any]:
    return await new_person(client, lead, (await new_unit(client, lead))["id"])


async def _listed_ids(client: Client, headers: Headers, kind: str, **params: str) -> set[str]:
    response = await client.get(f"/api/v1/{kind}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()}


@pytest.mark.parametrize(
    ("kind", "make"), [("units", _unit), ("sites", _site), ("processes", _process), ("people", _person)]
)
async def test_archive_hides_from_lists_and_restore_brings_back(
    client: Client, kind: str, make: Maker
) -> None:
    lead = await login(client, "lead")
    auditor = await login(client, "auditor2")
    item = await make(client, lead)
    assert item["archivedAt"] is None
    url = f"/api/v1/{kind}/{item['id']}"
    archived = await client.post(f"{url}/archive", headers=lead)
    assert archived.status_code == 200, archived.text
    assert archived.json()["id"] == item["id"] and archived.json()["archivedAt"] is not None
    assert item["id"] not in await _listed_ids(client, auditor, kind)
    assert item["id"] in await _listed_ids(client, auditor, kind, includeArchived="true")
    fetched = await client.get(url, headers=auditor)
    assert fetched.status_code == 200 and fetched.json()["archivedAt"] == archived.json()["archivedAt"]
    again = await client.post(f"{url}/archive", headers=lead)
    assert again.status_code == 200 and again.json()["archivedAt"] == archived.json()["archivedAt"]
    restored = await client.post(f"{url}/restore", headers=lead)
    assert restored.status_code == 200 and restored.json()["archivedAt"] is None, restored.text
    assert item["id"] in await _listed_ids(client, auditor, kind)
    trail = (await client.get("/api/v1/audit-trail", params={"entityId": item["id"]}, headers=lead)).json()
    assert [e["action"] for e in trail["items"]] == ["restore", "archive", "create"]


async def test_an_archived_process_keeps_its_audit_readable(client: Client) -> None:
    lead = await login(client, "lead")
    process = await _process(client, lead)
    audit = await new_audit(client, lead, processId=process["id"])
    archived = await client.post(f"/api/v1/processes/{process['id']}/archive", headers=lead)
    assert archived.status_code == 200, archived.text
    admin = await login(client, "admin")
    fetched = await client.get(f"/api/v1/audits/{audit['id']}", headers=admin)
    assert fetched.status_code == 200 and fetched.json()["processId"] == process["id"]


async def test_a_unit_with_active_members_is_archived_only_once_they_are(client: Client) -> None:
    lead = await in_english(client, await login(client, "lead"))
    unit = await new_unit(client, lead)
    sub_unit = await new_unit(client, lead, unit["id"])
    process = await new_process(client, lead, unit["id"])
    person = await new_person(client, lead, unit["id"])
    refused = await client.post(f"/api/v1/units/{unit['id']}/archive", headers=lead)
    assert refused.status_code == 409 and refused.json()["code"] == "org.in_use", refused.text
    assert {u["id"] for u in refused.json()["details"]["usedBy"]} == {
        sub_unit["id"],
        process["id"],
        person["id"],
    }
    assert sub_unit["code"] in refused.json()["message"] and process["code"] in refused.json()["message"]
    assert "Archive them or move them elsewhere first" in refused.json()["message"]
    for url in (f"/api/v1/units/{sub_unit['id']}", f"/api/v1/processes/{process['id']}"):
        assert (await client.post(f"{url}/archive", headers=lead)).status_code == 200
    elsewhere = await new_unit(client, lead)
    moved = await client.put(
        f"/api/v1/people/{person['id']}",
        json={"fullName": person["fullName"], "unitId": elsewhere["id"]},
        headers=lead,
    )
    assert moved.status_code == 200, moved.text
    assert (await client.post(f"/api/v1/units/{unit['id']}/archive", headers=lead)).status_code == 200


async def test_nothing_new_is_placed_on_an_archived_object(client: Client) -> None:
    lead = await login(client, "lead")
    unit = await new_unit(client, lead)
    site = await new_site(client, lead)
    for url in (f"/api/v1/units/{unit['id']}", f"/api/v1/sites/{site['id']}"):
        assert (await client.post(f"{url}/archive", headers=lead)).status_code == 200
    active_unit = (await new_unit(client, lead))["id"]
    attempts = {
        "parentId": (
            "/api/v1/units",
            {"code": "U-NEW", "kind": "service", "name": {"ar": "م", "fr": "S"}, "parentId": unit["id"]},
        ),
        "unitId": ("/api/v1/people", {"fullName": {"ar": "س", "fr": "S"}, "unitId": unit["id"]}),
        "ownerUnitId": (
            "/api/v1/processes",
            {
                "code": "P-NEW",
                "name": {"ar": "م", "fr": "P"},
                "ownerUnitId": unit["id"],
                "standards": ["iso9001"],
                "criticality": "low",
            },
        ),
        "siteIds": (
            "/api/v1/processes",
            {
                "code": "P-NEW",
                "name": {"ar": "م", "fr": "P"},
                "ownerUnitId": active_unit,
                "standards": ["iso9001"],
                "criticality": "low",
                "siteIds": [site["id"]],
            },
        ),
    }
    for field, (path, body) in attempts.items():
        refused = await client.post(path, json=body, headers=lead)
        assert refused.status_code == 409, refused.text
        assert refused.json()["code"] == "org.archived"
        assert refused.json()["details"]["field"] == field


async def test_an_edit_may_keep_an_archived_reference_but_not_add_one(client: Client) -> None:
    lead = await login(client, "lead")
    kept, added = await new_site(client, lead), await new_site(client, lead)
    process = await new_process(client, lead, (await new_unit(client, lead))["id"], [kept["id"]])
    for site in (kept, added):
        assert (await client.post(f"/api/v1/sites/{site['id']}/archive", headers=lead)).status_code == 200
    body = {
        k: process[k] for k in ("code", "name", "ownerUnitId", "standards", "criticality", "siteIds", "tags")
    }
    renamed = await client.put(
        f"/api/v1/processes/{process['id']}",
        json={**body, "name": {"ar": "م", "fr": "Renommé"}},
        headers=lead,
    )
    assert renamed.status_code == 200 and renamed.json()["siteIds"] == [kept["id"]], renamed.text
    refused = await client.put(
        f"/api/v1/processes/{process['id']}",
        json={**body, "siteIds": [kept["id"], added["id"]]},
        headers=lead,
    )
    assert refused.status_code == 409 and refused.json()["details"] == {"field": "siteIds", "id": added["id"]}


async def test_restoring_inside_an_archived_unit_is_refused(client: Client) -> None:
    lead = await login(client, "lead")
    unit = await new_unit(client, lead)
    process = await new_process(client, lead, unit["id"])
    person = await new_person(client, lead, unit["id"])
    sub_unit = await new_unit(client, lead, unit["id"])
    children = {
        "ownerUnitId": f"/api/v1/processes/{process['id']}",
        "unitId": f"/api/v1/people/{person['id']}",
        "parentId": f"/api/v1/units/{sub_unit['id']}",
    }
    for url in [*children.values(), f"/api/v1/units/{unit['id']}"]:
        assert (await client.post(f"{url}/archive", headers=lead)).status_code == 200, url
    for field, url in children.items():
        refused = await client.post(f"{url}/restore", headers=lead)
        assert refused.status_code == 409 and refused.json()["code"] == "org.archived", refused.text
        assert refused.json()["details"] == {"field": field, "id": unit["id"]}
    assert (await client.post(f"/api/v1/units/{unit['id']}/restore", headers=lead)).status_code == 200
    for url in children.values():
        assert (await client.post(f"{url}/restore", headers=lead)).status_code == 200, url


async def test_archiving_a_person_leaves_their_account_alone(client: Client) -> None:
    admin = await login(client, "admin")
    auditor = next(
        p for p in (await client.get("/api/v1/people", headers=admin)).json() if p["username"] == "auditor4"
    )
    archived = await client.post(f"/api/v1/people/{auditor['id']}/archive", headers=admin)
    assert archived.status_code == 200 and archived.json()["username"] == "auditor4", archived.text
    assert (await client.get("/api/v1/me", headers=await login(client, "auditor4"))).status_code == 200


async def test_only_the_organisation_editors_archive(client: Client) -> None:
    lead = await login(client, "lead")
    unit = await new_unit(client, lead)
    for username in ("auditor1", "manager", "auditee1"):
        response = await client.post(
            f"/api/v1/units/{unit['id']}/archive", headers=await login(client, username)
        )
        assert response.status_code == 403, username
    assert (await client.get(f"/api/v1/units/{unit['id']}", headers=lead)).json()["archivedAt"] is None

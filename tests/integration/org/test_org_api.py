from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.conftest import login

NAME = {"ar": "مصلحة التجريب", "fr": "Service d'essai"}


async def _unit_id(client: AsyncTestClient[Any], headers: dict[str, str], code: str) -> str:
    units = (await client.get("/api/v1/units", headers=headers)).json()
    return str(next(u["id"] for u in units if u["code"] == code))


async def test_demo_council_is_complete(client: AsyncTestClient[Any]) -> None:
    headers = await login(client, "lead")
    units = (await client.get("/api/v1/units", headers=headers)).json()
    sites = (await client.get("/api/v1/sites", headers=headers)).json()
    processes = (await client.get("/api/v1/processes", headers=headers)).json()
    people = (await client.get("/api/v1/people", headers=headers)).json()
    assert sum(u["kind"] == "directorate" for u in units) >= 6
    assert {s["province"] for s in sites} == {
        "beni_mellal",
        "azilal",
        "fquih_ben_salah",
        "khenifra",
        "khouribga",
    }
    assert len(processes) >= 12
    auditors = [p for p in people if "auditor" in p["roles"]]
    assert len(people) >= 15 and len(auditors) >= 10
    assert len({p["unitId"] for p in auditors}) >= 6  # spread across units
    for standard in ("iso9001", "iso14001", "iso45001"):
        assert sum(any(q["standard"] == standard for q in p["qualifications"]) for p in auditors) >= 5


async def test_lead_creates_updates_and_deletes_a_unit_with_trail(client: AsyncTestClient[Any]) -> None:
    headers = await login(client, "lead")
    parent = await _unit_id(client, headers, "DGS")
    created = await client.post(
        "/api/v1/units",
        json={"code": "TST", "kind": "service", "name": NAME, "parentId": parent},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    unit_id = created.json()["id"]
    renamed = {**NAME, "fr": "Service renommé"}
    updated = await client.put(
        f"/api/v1/units/{unit_id}",
        json={"code": "TST", "kind": "service", "name": renamed, "parentId": parent},
        headers=headers,
    )
    assert updated.status_code == 200 and updated.json()["name"]["fr"] == "Service renommé"
    assert (await client.delete(f"/api/v1/units/{unit_id}", headers=headers)).status_code == 204
    assert (await client.get(f"/api/v1/units/{unit_id}", headers=headers)).status_code == 404
    trail = (await client.get("/api/v1/audit-trail", params={"entityId": unit_id}, headers=headers)).json()
    assert [e["action"] for e in trail["items"]] == ["delete", "update", "create"]
    assert trail["items"][1]["changes"] == {"name_fr": ["Service d'essai", "Service renommé"]}


async def test_duplicate_code_is_409_and_nothing_changes(client: AsyncTestClient[Any]) -> None:
    headers = await login(client, "admin")
    before = (await client.get("/api/v1/units", headers=headers)).json()
    response = await client.post(
        "/api/v1/units", json={"code": "DGS", "kind": "service", "name": NAME}, headers=headers
    )
    assert response.status_code == 409 and response.json()["code"] == "org.code_taken"
    assert (await client.get("/api/v1/units", headers=headers)).json() == before


async def test_unit_cannot_move_under_its_own_sub_unit(client: AsyncTestClient[Any]) -> None:
    headers = await login(client, "admin")
    dgs = await _unit_id(client, headers, "DGS")
    units = (await client.get("/api/v1/units", headers=headers)).json()
    child = next(u for u in units if u["parentId"] == dgs)
    response = await client.put(
        f"/api/v1/units/{dgs}",
        json={"code": "DGS", "kind": "general_directorate", "name": NAME, "parentId": child["id"]},
        headers=headers,
    )
    assert response.status_code == 409 and response.json()["code"] == "org.unit_cycle"


async def test_unit_in_use_cannot_be_deleted(client: AsyncTestClient[Any]) -> None:
    headers = await login(client, "admin")
    dgs = await _unit_id(client, headers, "DGS")
    response = await client.delete(f"/api/v1/units/{dgs}", headers={**headers, "Accept-Language": "fr"})
    assert response.status_code == 409
    assert response.json()["code"] == "org.in_use"
    assert "sous-unités" in response.json()["message"]


async def test_process_with_unknown_site_is_refused(client: AsyncTestClient[Any]) -> None:
    headers = await login(client, "lead")
    owner = await _unit_id(client, headers, "DGS")
    response = await client.post(
        "/api/v1/processes",
        json={
            "code": "P-NEW",
            "name": NAME,
            "ownerUnitId": owner,
            "standards": ["iso9001"],
            "criticality": "medium",
            "siteIds": ["00000000-0000-4000-8000-000000000000"],
        },
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json()["code"] == "org.unknown_reference"
    assert response.json()["details"] == {"field": "siteIds"}


async def test_process_round_trip(client: AsyncTestClient[Any]) -> None:
    headers = await login(client, "lead")
    owner = await _unit_id(client, headers, "DGS")
    site = (await client.get("/api/v1/sites", headers=headers)).json()[0]["id"]
    body = {
        "code": "P-NEW",
        "name": NAME,
        "ownerUnitId": owner,
        "standards": ["iso9001", "iso45001"],
        "criticality": "high",
        "siteIds": [site],
        "tags": ["works_site"],
    }
    created = await client.post("/api/v1/processes", json=body, headers=headers)
    assert created.status_code == 201, created.text
    fetched = (await client.get(f"/api/v1/processes/{created.json()['id']}", headers=headers)).json()
    assert fetched["siteIds"] == [site] and fetched["standards"] == ["iso45001", "iso9001"]


async def test_auditor_reads_structure_but_cannot_change_it(client: AsyncTestClient[Any]) -> None:
    headers = await login(client, "auditor3")
    assert (await client.get("/api/v1/processes", headers=headers)).status_code == 200
    response = await client.post("/api/v1/sites", json={}, headers=headers)
    assert response.status_code == 403


async def test_people_details_are_visible_to_the_lead_and_to_oneself_only(
    client: AsyncTestClient[Any],
) -> None:
    lead = await login(client, "lead")
    auditor = await login(client, "auditor6")
    me = (await client.get("/api/v1/me", headers=auditor)).json()
    seen_by_lead = (await client.get("/api/v1/people", headers=lead)).json()
    assert all(p["qualifications"] is not None for p in seen_by_lead)
    seen_by_auditor = (await client.get("/api/v1/people", headers=auditor)).json()
    for person in seen_by_auditor:
        if person["id"] == me["personId"]:
            assert person["qualifications"] and person["email"]
        else:
            assert (
                person["qualifications"] is None
                and person["availability"] is None
                and person["email"] is None
            )


async def test_person_with_inverted_leave_period_is_refused(client: AsyncTestClient[Any]) -> None:
    headers = await login(client, "lead")
    unit = await _unit_id(client, headers, "DGS")
    response = await client.post(
        "/api/v1/people",
        json={
            "fullName": {"ar": "سلمى", "fr": "Salma"},
            "unitId": unit,
            "availability": [{"start": "2027-03-10", "end": "2027-03-01"}],
        },
        headers=headers,
    )
    assert response.status_code == 422 and response.json()["code"] == "org.invalid_period"


async def test_a_person_may_be_sent_with_an_empty_email_but_not_a_malformed_one(
    client: AsyncTestClient[Any],
) -> None:
    headers = await login(client, "lead")
    body = {"fullName": {"ar": "سلمى", "fr": "Salma"}, "unitId": await _unit_id(client, headers, "DGS")}
    accepted = await client.post("/api/v1/people", json={**body, "email": ""}, headers=headers)
    assert accepted.status_code == 201, accepted.text
    for email in ("salma@", "salma@example.ma\n"):
        refused = await client.post("/api/v1/people", json={**body, "email": email}, headers=headers)
        assert refused.status_code == 400 and refused.json()["details"][0]["field"] == "email", email

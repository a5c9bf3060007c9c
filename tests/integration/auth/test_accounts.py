"""Account administration: the person an account belongs to must exist."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.conftest import login

NO_SUCH_PERSON = "0b7c1a52-4f5e-4d0a-9a57-2f1d7cbbd001"


def _assert_unknown_person(response: Any) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "org.unknown_reference"
    assert body["details"] == {"field": "personId"}
    assert "personId" in body["message"]


async def test_creating_an_account_for_an_unknown_person_is_refused(client: AsyncTestClient[Any]) -> None:
    admin = await login(client, "admin")
    response = await client.post(
        "/api/v1/users",
        json={
            "username": "ghost",
            "password": "longenough1",
            "roles": ["auditor"],
            "personId": NO_SUCH_PERSON,
        },
        headers=admin,
    )
    _assert_unknown_person(response)
    users = (await client.get("/api/v1/users", headers=admin)).json()
    assert "ghost" not in {u["username"] for u in users}


async def test_linking_an_account_to_an_unknown_person_is_refused(client: AsyncTestClient[Any]) -> None:
    admin = await login(client, "admin")
    users = (await client.get("/api/v1/users", headers=admin)).json()
    account = next(u for u in users if u["username"] == "auditor1")
    response = await client.patch(
        f"/api/v1/users/{account['id']}", json={"personId": NO_SUCH_PERSON, "locale": "en"}, headers=admin
    )
    _assert_unknown_person(response)
    after = (await client.get(f"/api/v1/users/{account['id']}", headers=admin)).json()
    assert after == account  # nothing half-written


async def test_an_account_can_be_linked_to_an_existing_person(client: AsyncTestClient[Any]) -> None:
    admin = await login(client, "admin")
    person_id = (await client.get("/api/v1/people", headers=admin)).json()[0]["id"]
    created = await client.post(
        "/api/v1/users",
        json={"username": "linked", "password": "longenough1", "roles": ["auditee"], "personId": person_id},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    assert created.json()["personId"] == person_id
    patched = await client.patch(
        f"/api/v1/users/{created.json()['id']}", json={"personId": person_id}, headers=admin
    )
    assert patched.status_code == 200, patched.text


async def test_an_account_is_not_linked_to_an_archived_person(client: AsyncTestClient[Any]) -> None:
    admin = await login(client, "admin")
    unit = (await client.get("/api/v1/units", headers=admin)).json()[-1]
    person = (
        await client.post(
            "/api/v1/people",
            json={"fullName": {"ar": "موظف سابق", "fr": "Ancien agent"}, "unitId": unit["id"]},
            headers=admin,
        )
    ).json()
    archived = await client.post(f"/api/v1/people/{person['id']}/archive", headers=admin)
    assert archived.status_code == 200, archived.text
    response = await client.post(
        "/api/v1/users",
        json={
            "username": "former",
            "password": "longenough1",
            "roles": ["auditee"],
            "personId": person["id"],
        },
        headers=admin,
    )
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "org.archived"
    assert response.json()["details"]["field"] == "personId"

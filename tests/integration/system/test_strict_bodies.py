"""JSON bodies are read strictly: what the schema calls a boolean or a whole number must be one."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.conftest import login


async def test_lax_json_values_are_refused_with_every_bad_field_named(client: AsyncTestClient[Any]) -> None:
    admin = await login(client, "admin")
    users = (await client.get("/api/v1/users", headers=admin)).json()
    target = next(u for u in users if u["username"] == "auditee2")
    response = await client.patch(
        f"/api/v1/users/{target['id']}", json={"active": 0, "locale": 7}, headers=admin
    )
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == "request.validation_failed"
    assert {e["field"] for e in body["details"]} == {"active", "locale"}
    after = (await client.get(f"/api/v1/users/{target['id']}", headers=admin)).json()
    assert after["active"] is True  # nothing was changed


async def test_an_email_with_a_control_separator_is_refused_like_a_schema_client_would(
    client: AsyncTestClient[Any],
) -> None:
    lead = await login(client, "lead")
    unit = (await client.get("/api/v1/units", headers=lead)).json()[0]
    person = {
        "fullName": {"ar": "شخص", "fr": "Personne"},
        "unitId": unit["id"],
        "email": "a\x1cb@example.ma",
    }
    response = await client.post("/api/v1/people", json=person, headers=lead)
    assert response.status_code == 400
    assert response.json()["details"][0]["field"] == "email"

"""Helpers for the programme API tests: a programme of the demo organisation, solved, submitted,
approved; and the independent checker run on what the API returns."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.conftest import login

Client = AsyncTestClient[Any]

__all__ = ["Client", "approved", "by_code", "created", "if_match", "solved", "submitted"]

YEAR = 2027


def if_match(programme: dict[str, Any]) -> dict[str, str]:
    return {"If-Match": f'"{programme["rev"]}"'}


async def by_code(client: Client, headers: dict[str, str], what: str) -> dict[str, dict[str, Any]]:
    """Units, processes (by code) or people (by username) of the demo."""
    rows = (await client.get(f"/api/v1/{what}", headers=headers)).json()
    key = "username" if what == "people" else "code"
    return {row[key]: row for row in rows if row.get(key)}


async def created(client: Client, year: int = YEAR) -> tuple[dict[str, Any], dict[str, str]]:
    lead = await login(client, "lead")
    response = await client.post("/api/v1/programmes", json={"year": year}, headers=lead)
    assert response.status_code == 201, response.text
    return response.json(), lead


async def solved(client: Client, programme: dict[str, Any], lead: dict[str, str]) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/programmes/{programme['id']}/solve", json={}, headers={**lead, **if_match(programme)}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["lastSolve"]["status"] in ("optimal", "feasible"), body["lastSolve"]
    return body


async def submitted(
    client: Client, programme: dict[str, Any], lead: dict[str, str], reason: str = ""
) -> dict[str, Any]:
    response = await client.post(
        f"/api/v1/programmes/{programme['id']}/submit",
        json={"reason": reason},
        headers={**lead, **if_match(programme)},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == "submitted"
    return body


async def approved(client: Client, programme: dict[str, Any], comment: str = "Approuvé.") -> dict[str, Any]:
    manager = await login(client, "manager")
    response = await client.post(
        f"/api/v1/programmes/{programme['id']}/approve",
        json={"comment": comment},
        headers={**manager, **if_match(programme)},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == "approved"
    return body

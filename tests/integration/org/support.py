"""Helpers for the organisation API tests: new units, sites, processes, people and an audit using them."""

from __future__ import annotations

import uuid
from typing import Any

from litestar.testing import AsyncTestClient

Client = AsyncTestClient[Any]
Headers = dict[str, str]

__all__ = [
    "Client",
    "Headers",
    "in_english",
    "new_audit",
    "new_person",
    "new_process",
    "new_site",
    "new_unit",
]


async def in_english(client: Client, headers: Headers) -> Headers:
    """``headers``, after making English the signed-in user's language (their preference wins over
    ``Accept-Language``), so that messages can be compared with their English source."""
    response = await client.patch("/api/v1/me", json={"locale": "en"}, headers=headers)
    assert response.status_code == 200, response.text
    return headers


def _code(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6].upper()}"


async def _created(client: Client, path: str, body: dict[str, Any], headers: Headers) -> dict[str, Any]:
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def new_unit(client: Client, headers: Headers, parent_id: str | None = None) -> dict[str, Any]:
    body = {
        "code": _code("U"),
        "kind": "service",
        "name": {"ar": "مصلحة", "fr": "Service"},
        "parentId": parent_id,
    }
    return await _created(client, "/api/v1/units", body, headers)


async def new_site(client: Client, headers: Headers) -> dict[str, Any]:
    body = {
        "code": _code("S"),
        "kind": "annex",
        "province": "azilal",
        "name": {"ar": "ملحقة", "fr": "Annexe"},
    }
    return await _created(client, "/api/v1/sites", body, headers)


async def new_process(
    client: Client, headers: Headers, owner_unit_id: str, site_ids: list[str] | None = None
) -> dict[str, Any]:
    body = {
        "code": _code("P"),
        "name": {"ar": "مسار", "fr": "Processus"},
        "ownerUnitId": owner_unit_id,
        "standards": ["iso9001"],
        "criticality": "low",
        "siteIds": site_ids or [],
    }
    return await _created(client, "/api/v1/processes", body, headers)


async def new_person(
    client: Client, headers: Headers, unit_id: str, *, auditor: bool = False
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "fullName": {"ar": "سلمى", "fr": f"Salma {uuid.uuid4().hex[:4]}"},
        "unitId": unit_id,
    }
    if auditor:
        body |= {"leadAuditor": True, "qualifications": [{"standard": "iso9001", "since": "2020-01-01"}]}
    return await _created(client, "/api/v1/people", body, headers)


async def new_audit(client: Client, headers: Headers, **fields: Any) -> dict[str, Any]:
    """A planned audit (ISO 9001) through the audits API, with ``fields`` (camelCase) in its plan."""
    body = {
        "code": _code("AI-T"),
        "title": {"ar": "تدقيق", "fr": "Audit"},
        "standards": ["iso9001"],
        **fields,
    }
    return await _created(client, "/api/v1/audits", body, headers)

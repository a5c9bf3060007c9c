"""Helpers for the audits API tests: the demo organisation by name, a new audit, a plan body."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

Client = AsyncTestClient[Any]

__all__ = ["if_match", "new_audit", "people", "plan_body", "processes", "units"]

_PLAN_FIELDS = (
    "code",
    "title",
    "standards",
    "processId",
    "programmeEntryId",
    "unitIds",
    "siteIds",
    "clauses",
    "criteria",
    "objectives",
    "auditeeIds",
    "plannedStart",
    "plannedEnd",
    "agenda",
)


async def people(client: Client, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Demo people who have an account, by username."""
    return {
        p["username"]: p
        for p in (await client.get("/api/v1/people", headers=headers)).json()
        if p["username"]
    }


async def units(client: Client, headers: dict[str, str]) -> dict[str, str]:
    """Unit id by unit code."""
    return {u["code"]: u["id"] for u in (await client.get("/api/v1/units", headers=headers)).json()}


async def processes(client: Client, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Processes by code."""
    return {p["code"]: p for p in (await client.get("/api/v1/processes", headers=headers)).json()}


def if_match(audit: dict[str, Any]) -> dict[str, str]:
    """The precondition header for the revision ``audit`` was read at."""
    return {"If-Match": f'"{audit["rev"]}"'}


def plan_body(audit: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The PUT body that keeps ``audit``'s plan, with ``changes`` (camelCase keys) applied."""
    return {**{name: audit[name] for name in _PLAN_FIELDS}, **changes}


async def new_audit(
    client: Client, lead: dict[str, str], process: dict[str, Any], **fields: Any
) -> dict[str, Any]:
    """A new planned audit of ``process`` (its owner unit audited), ready to prepare once staffed."""
    body = {
        "code": "AI-TEST-001",
        "title": {"ar": "تدقيق تجريبي", "fr": "Audit d'essai"},
        "standards": process["standards"],
        "processId": process["id"],
        "unitIds": [process["ownerUnitId"]],
        "criteria": ["Manuel QSE (MQ-01)"],
        "plannedStart": "2030-03-02",
        "plannedEnd": "2030-03-03",
        **fields,
    }
    response = await client.post("/api/v1/audits", json=body, headers=lead)
    assert response.status_code == 201, response.text
    return dict(response.json())

"""Helpers for the sync contract tests: a signed-in device that pushes and pulls."""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient

from tests.conftest import login


def finding(
    audit_id: str, finding_id: str | None = None, base_rev: int | None = None, **data: Any
) -> dict[str, Any]:
    body = {
        "verdict": "conform",
        "statement": "Registre tenu à jour",
        "clauseRefs": ["iso9001:7.5.3.2"],
        **data,
    }
    op: dict[str, Any] = {
        "op": "upsertFinding",
        "id": finding_id or str(uuid.uuid4()),
        "auditId": audit_id,
        "data": body,
    }
    if base_rev is not None:
        op["baseRev"] = base_rev
    return op


def delete(finding_id: str, base_rev: int) -> dict[str, Any]:
    return {"op": "deleteFinding", "id": finding_id, "baseRev": base_rev}


@dataclass
class Device:
    client: AsyncTestClient[Any]
    headers: dict[str, str]
    device_id: str = field(default_factory=lambda: f"tablet-{uuid.uuid4().hex[:6]}")

    async def push(self, ops: list[dict[str, Any]], key: str | None = None) -> Any:
        return await self.client.post(
            "/api/v1/sync/push",
            json={"deviceId": self.device_id, "ops": ops},
            headers={**self.headers, "Idempotency-Key": key or str(uuid.uuid4())},
        )

    async def pull_all(
        self, audit_id: str, since: str = "0", limit: int = 100
    ) -> tuple[list[dict[str, Any]], str]:
        changes: list[dict[str, Any]] = []
        while True:
            response = await self.client.get(
                "/api/v1/sync/pull",
                params={"since": since, "auditId": audit_id, "limit": limit},
                headers=self.headers,
            )
            assert response.status_code == 200, response.text
            body = response.json()
            changes.extend(body["changes"])
            since = body["cursor"]
            if not body["hasMore"]:
                return changes, since


async def auditor_on_audit(client: AsyncTestClient[Any], username: str = "auditor1") -> tuple[Device, str]:
    """A device of ``username`` and the id of a prepared demo audit whose team includes them."""
    headers = await login(client, username)
    audits = (await client.get("/api/v1/audits", headers=headers)).json()
    audit = next(a for a in audits if a["status"] == "prepared")
    return Device(client, headers), audit["id"]


async def teammates(client: AsyncTestClient[Any]) -> tuple[Device, Device, str]:
    """Two auditors on the same prepared demo audit (the demo's completed audit already has findings,
    meetings and a conclusion)."""
    lead = await login(client, "lead")
    people = {p["id"]: p["username"] for p in (await client.get("/api/v1/people", headers=lead)).json()}
    for audit in (await client.get("/api/v1/audits", headers=lead)).json():
        names = [people[m["personId"]] for m in audit["team"]]
        if audit["status"] == "prepared" and len(names) >= 2:
            first = Device(client, await login(client, names[0]))
            second = Device(client, await login(client, names[1]))
            return first, second, audit["id"]
    raise AssertionError("no demo audit with two auditors")


async def force_status(settings: Any, audit_id: str, status: str) -> None:
    """Set an audit's status behind the API's back (signing belongs to the report issue). A separate
    driver connection: the app's engine lives on the test client's own event loop."""
    if settings.database_kind == "sqlite":
        with sqlite3.connect(settings.sqlite_path) as conn:
            conn.execute("UPDATE audit SET status = ? WHERE id = ?", (status, audit_id))
        return
    conn = await asyncpg.connect(settings.database_url)
    try:
        await conn.execute("UPDATE audit SET status = $1 WHERE id = $2", status, uuid.UUID(audit_id))
    finally:
        await conn.close()

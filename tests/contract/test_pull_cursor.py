"""The pull cursor: a batch committed while a pull runs is never skipped, and a cursor is ASCII digits
(run on SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import contextvars
import uuid
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from server.lib.clock import utcnow
from server.lib.principal import Principal, Role
from server.settings import Settings
from server.sync import changes_store, service
from server.sync.schemas import PushIn
from tests.contract.support import finding, teammates


async def _principal(client: AsyncTestClient[Any], headers: dict[str, str]) -> Principal:
    me = (await client.get("/api/v1/me", headers=headers)).json()
    roles = frozenset(Role(r) for r in me["roles"])
    return Principal(user_id=me["id"], username=me["username"], roles=roles, person_id=me["personId"])


async def test_a_batch_committed_while_a_pull_runs_is_delivered_by_the_next_pull(
    client: AsyncTestClient[Any], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader, writer, audit_id = await teammates(client)
    _, cursor = await reader.pull_all(audit_id)
    author = await _principal(client, writer.headers)
    late = finding(audit_id, statement="Constat d'un autre auditeur, validé pendant la lecture")
    batch = PushIn(device_id=writer.device_id, ops=[msgspec.Raw(msgspec.json.encode(late))])
    query = changes_store.findings_since

    async def query_then_another_device_commits(*args: Any) -> Any:
        found = await query(*args)
        monkeypatch.setattr(changes_store, "findings_since", query)
        # Another request's push: its own context (no transaction of the pull's), committed now.
        push = service.push_ops(
            author, str(uuid.uuid4()), "0" * 64, batch, locale="fr", settings=settings, now=utcnow()
        )
        response = await asyncio.create_task(push, context=contextvars.Context())
        assert msgspec.json.decode(response)["results"][0]["status"] == "applied"
        return found

    monkeypatch.setattr(changes_store, "findings_since", query_then_another_device_commits)
    empty = await client.get(
        "/api/v1/sync/pull", params={"since": cursor, "auditId": audit_id}, headers=reader.headers
    )
    assert empty.status_code == 200 and empty.json()["changes"] == []
    assert changes_store.findings_since is query  # the commit did happen between the two steps
    delivered, _ = await reader.pull_all(audit_id, since=empty.json()["cursor"])
    assert [c["id"] for c in delivered] == [late["id"]]


@pytest.mark.parametrize("cursor", ["²", "٣", "１２", "-1", "+1", "1.5", "99999999999999999999", "", "0x10"])
async def test_a_cursor_that_is_not_ascii_digits_is_400_bad_cursor(
    client: AsyncTestClient[Any], cursor: str
) -> None:
    reader, _, audit_id = await teammates(client)
    for params in ({"since": cursor}, {"since": cursor, "auditId": audit_id}):
        response = await client.get("/api/v1/sync/pull", params=params, headers=reader.headers)
        assert response.status_code == 400, response.text
        assert response.json()["code"] == "sync.bad_cursor"


async def test_the_cursor_rule_is_declared_in_the_openapi_schema(client: AsyncTestClient[Any]) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    since = next(p for p in schema["paths"]["/api/v1/sync/pull"]["get"]["parameters"] if p["name"] == "since")
    assert since["schema"]["pattern"] == "^[0-9]{1,18}$"

"""Property: whatever the interleaving of pushes, retries, duplicates and pulls from three devices, the
server ends with every applied op applied once and no version lost."""

from __future__ import annotations

import asyncio
import json
import shutil
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import AsyncTestClient

from server.app import create_app
from tests.conftest import DB_KINDS, _pg_admin, _pg_url, base_settings, login, missing_tool
from tests.contract.support import delete, finding

ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["create", "edit", "delete", "push", "retry", "pull"]),
        st.integers(min_value=0, max_value=2),
        st.integers(min_value=0, max_value=50),
    ),
    min_size=5,
    max_size=40,
)


@dataclass
class Tablet:
    headers: dict[str, str]
    name: str
    local: dict[str, int] = field(default_factory=dict)  # finding id -> base rev (0: never synced)
    outbox: list[dict[str, Any]] = field(default_factory=list)
    last: tuple[str, list[dict[str, Any]], bytes] | None = None
    cursor: str = "0"


async def _run(program: list[tuple[str, int, int]], kind: str, templates: dict[str, str], tmp: Path) -> None:
    """One example on a fresh copy of the demo database of ``kind``."""
    if kind == "sqlite":
        path = tmp / f"{uuid.uuid4().hex}.sqlite3"
        shutil.copyfile(templates["sqlite"], path)
        await _play(program, base_settings(tmp, f"sqlite:///{path}"))
        return
    name = f"tq_p_{uuid.uuid4().hex[:12]}"
    await _pg_admin(f"CREATE DATABASE {name} TEMPLATE {templates['postgresql']}")
    try:
        await _play(program, base_settings(tmp, _pg_url(name)))
    finally:
        await _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def _play(program: list[tuple[str, int, int]], app_settings: Any) -> None:
    app = create_app(app_settings)
    async with AsyncTestClient(app=app) as client:
        lead = await login(client, "lead")
        people = {p["id"]: p["username"] for p in (await client.get("/api/v1/people", headers=lead)).json()}
        audit = next(
            a
            for a in (await client.get("/api/v1/audits", headers=lead)).json()
            if len(a["team"]) == 3 and a["status"] == "prepared"
        )
        tablets = [
            Tablet(await login(client, people[m["personId"]]), people[m["personId"]]) for m in audit["team"]
        ]
        applied: Counter[str] = Counter()
        outcomes: list[tuple[str, str, str]] = []  # (finding id, statement, result) of every upsert pushed
        responses: dict[str, bytes] = {}

        async def send(tablet: Tablet, key: str, ops: list[dict[str, Any]]) -> tuple[int, bytes]:
            response = await client.post(
                "/api/v1/sync/push",
                json={"deviceId": tablet.name, "ops": ops},
                headers={**tablet.headers, "Idempotency-Key": key},
            )
            return response.status_code, bytes(response.content)

        async def push(tablet: Tablet, key: str, ops: list[dict[str, Any]]) -> bytes:
            status, body = await send(tablet, key, ops)
            assert status == 200, body
            return body

        for action, index, value in program:
            tablet = tablets[index]
            known = sorted(tablet.local)
            if action == "create":
                op = finding(audit["id"], statement=f"{tablet.name}-{value}")
                tablet.local[op["id"]] = 0
                tablet.outbox.append(op)
            elif action == "edit" and known:
                fid = known[value % len(known)]
                tablet.outbox.append(
                    finding(audit["id"], fid, base_rev=tablet.local[fid], statement=f"{tablet.name}:{value}")
                )
            elif action == "delete" and known and tablet.local[known[value % len(known)]] > 0:
                fid = known[value % len(known)]
                tablet.outbox.append(delete(fid, tablet.local[fid]))
            elif action == "push" and tablet.outbox:
                key, ops = str(uuid.uuid4()), tablet.outbox
                tablet.outbox = []
                body = await push(tablet, key, ops)
                responses[key] = body
                tablet.last = (key, ops, body)
                results = json.loads(body)["results"]
                outcomes += [
                    (op["id"], op["data"]["statement"], result["status"])
                    for op, result in zip(ops, results, strict=True)
                    if op["op"] == "upsertFinding"
                ]
                for result in results:
                    if result["status"] == "applied":
                        applied[result["id"]] += 1
                        tablet.local[result["id"]] = result["rev"]
                    elif result["status"] == "conflict":
                        tablet.local[result["id"]] = result["server"]["rev"]
            elif action == "retry" and tablet.last is not None:
                key, ops, body = tablet.last
                # Two identical retries at once: whichever the loop runs first, each answer is either the
                # stored response byte for byte or a 409 "in progress" (never a 5xx, never another body),
                # and at least one of them is the stored response.
                twins = await asyncio.gather(send(tablet, key, ops), send(tablet, key, ops))
                for code, answer in twins:
                    if code == 409:
                        assert json.loads(answer)["code"] == "sync.batch_in_progress", answer
                    else:
                        assert (code, answer) == (200, body), (code, answer)
                assert (200, body) in twins
                assert await push(tablet, key, ops) == body  # and a later retry gets it too
            elif action == "pull":
                response = await client.get(
                    "/api/v1/sync/pull",
                    params={"since": tablet.cursor, "auditId": audit["id"]},
                    headers=tablet.headers,
                )
                body_json = response.json()
                for change in body_json["changes"]:
                    tablet.local[change["id"]] = change["rev"]
                tablet.cursor = body_json["cursor"]

        everything = (
            await client.get(
                "/api/v1/sync/pull",
                params={"since": "0", "auditId": audit["id"], "limit": 1000},
                headers=lead,
            )
        ).json()["changes"]
        ids = [c["id"] for c in everything]
        assert len(ids) == len(set(ids))
        assert {c["id"]: c["rev"] for c in everything} == dict(applied)  # each applied op exactly once
        for key in responses:  # every key stays bound to its first body
            again = await client.post(
                "/api/v1/sync/push",
                json={"deviceId": tablets[0].name, "ops": []},
                headers={**tablets[0].headers, "Idempotency-Key": key},
            )
            assert again.status_code == 422  # same key, other body
        assert {status for _, _, status in outcomes} <= {"applied", "unchanged", "conflict"}
        for fid, statement, status in outcomes:  # no version lost: a losing version is kept
            if status == "conflict":
                kept = (await client.get(f"/api/v1/findings/{fid}/conflicts", headers=lead)).json()
                assert statement in [k["op"]["data"]["statement"] for k in kept], (fid, statement)


@pytest.mark.parametrize("kind", DB_KINDS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(program=ACTIONS)
def test_random_interleavings_apply_each_op_once_and_lose_no_version(
    kind: str, program: list[tuple[str, int, int]], templates: dict[str, str], tmp_path: Path
) -> None:
    if kind == "postgresql" and "postgresql" not in templates:
        missing_tool(templates.get("postgresql_error", "PostgreSQL not configured"))
    asyncio.run(_run(program, kind, templates, tmp_path))

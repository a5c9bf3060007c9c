"""A download that survives a weak link: ``GET …/package?parts=plan`` gives the plan, team and checklist
with ``changeCount`` and no records; the pull feed from 0, page by page, brings at least that many
changes and, together, what the full package holds. The full package is unchanged by default."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.contract.support import Device, delete, finding, teammates
from tests.integration.sync.support import conclusion, meeting, pull_everything, statuses

FULL_KEYS = {
    "audit", "team", "auditees", "process", "units", "sites", "checklistVersion", "checklist",
    "findings", "meetings", "conclusion", "cursor",
}  # fmt: skip


async def _package(device: Device, audit_id: str, **params: str) -> Any:
    response = await device.client.get(
        f"/api/v1/audits/{audit_id}/package", params=params, headers=device.headers
    )
    assert response.status_code == 200, response.text
    return response.json()


async def _audit_with_records(client: AsyncTestClient[Any]) -> tuple[Device, Device, str, list[str]]:
    """A prepared demo audit with 30 findings (one deleted), an opening meeting and a conclusion."""
    first, second, audit_id = await teammates(client)
    ops = [finding(audit_id, statement=f"Constat {n}") for n in range(30)]
    ops += [meeting(audit_id), conclusion(audit_id)]
    assert {s for s, _ in statuses(await first.push(ops))} == {"applied"}
    assert statuses(await first.push([delete(ops[0]["id"], 1)])) == [("applied", None)]
    return first, second, audit_id, [op["id"] for op in ops]


async def test_the_full_package_is_unchanged_by_default(client: AsyncTestClient[Any]) -> None:
    device, _, audit_id, _ids = await _audit_with_records(client)
    full = await _package(device, audit_id, lang="fr")
    assert set(full) == FULL_KEYS  # no changeCount: other clients read the same answer as before
    assert len(full["findings"]) == 30 and len(full["meetings"]) == 1 and full["conclusion"]
    assert await _package(device, audit_id, lang="fr", parts="all") == full


async def test_the_plan_part_leaves_the_records_to_the_pull_feed(client: AsyncTestClient[Any]) -> None:
    device, _, audit_id, ids = await _audit_with_records(client)
    full = await _package(device, audit_id, lang="ar")
    plan = await _package(device, audit_id, lang="ar", parts="plan")
    assert set(plan) == FULL_KEYS | {"changeCount"}
    assert (plan["findings"], plan["meetings"], plan["conclusion"]) == ([], [], None)
    assert plan["changeCount"] == 32  # 30 findings (one a tombstone), a meeting and a conclusion
    for key in ("audit", "team", "auditees", "process", "units", "sites", "checklistVersion", "checklist"):
        assert plan[key] == full[key], key
    assert int(plan["cursor"]) >= max(f["seq"] for f in full["findings"])

    changes, _ = await pull_everything(device, audit_id, limit=7)  # five pages
    assert len(changes) >= plan["changeCount"]
    assert {c["id"] for c in changes} == set(ids)
    by_id = {c["id"]: c for c in changes}
    assert all(by_id[f["id"]] == f for f in full["findings"])
    assert by_id[full["meetings"][0]["id"]] == full["meetings"][0]
    assert by_id[full["conclusion"]["id"]] == full["conclusion"]


async def test_a_download_resumed_after_changes_still_counts_complete(client: AsyncTestClient[Any]) -> None:
    """Pages taken before a drop are kept; what changed or was added meanwhile arrives in later pages, so
    the count of changes received still reaches changeCount and nothing is missed."""
    first, second, audit_id, ids = await _audit_with_records(client)
    plan = await _package(first, audit_id, parts="plan")
    page = (
        await client.get(
            "/api/v1/sync/pull",
            params={"since": "0", "auditId": audit_id, "limit": 10},
            headers=first.headers,
        )
    ).json()
    assert page["hasMore"]
    received = {c["id"]: c["rev"] for c in page["changes"] + page["meetings"] + page["conclusions"]}
    # While the tablet's link is down, a teammate edits a finding it already has and adds one.
    edited = next(i for i in received if i != ids[0] and i in ids[:30])
    added = finding(audit_id, statement="Constat ajouté pendant la coupure")
    edit = finding(audit_id, edited, base_rev=1, statement="Constat revu")
    assert statuses(await second.push([edit, added])) == [("applied", None), ("applied", None)]

    rest, _ = await pull_everything(first, audit_id, since=page["cursor"], limit=10)
    count = len(received) + len(rest)
    received.update({c["id"]: c["rev"] for c in rest})
    assert count >= plan["changeCount"]
    assert set(received) == {*ids, added["id"]} and received[edited] == 2


async def test_an_unknown_part_is_refused(client: AsyncTestClient[Any]) -> None:
    device, _, audit_id = await teammates(client)
    response = await client.get(
        f"/api/v1/audits/{audit_id}/package", params={"parts": "findings"}, headers=device.headers
    )
    assert response.status_code == 400, response.text

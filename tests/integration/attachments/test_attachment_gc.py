"""``tadqiq attachments gc``: old files that nothing refers to go, everything else stays."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient

from server.settings import Settings
from tests.contract.support import finding, force_status
from tests.integration.attachments.support import cast_of_an_audit, pdf, png, sha, upload

ROOT = Path(__file__).resolve().parents[3]


def blob_path(settings: Settings, key: str) -> Path:
    return settings.var_dir / "blobs" / key[:2] / key[2:4] / key


def age(settings: Settings, key: str, days: int) -> None:
    when = time.time() - days * 86400
    os.utime(blob_path(settings, key), (when, when))


async def gc(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command, in its own process (it opens its own database engine)."""
    env = {
        **os.environ,
        "TADQIQ_DATABASE_URL": settings.database_url,
        "TADQIQ_VAR_DIR": str(settings.var_dir),
        "TADQIQ_ATTACHMENT_GC_DAYS": "30",
    }
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "server.cli", "attachments", "gc", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_gc_removes_only_old_unreferenced_files_and_dry_run_removes_nothing(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    cast = await cast_of_an_audit(client)
    referenced = await cast.attach(client, png(10), "image/png")
    old_unused, fresh_unused = pdf(300), png(11)
    for data, kind in ((old_unused, "application/pdf"), (fresh_unused, "image/png")):
        assert (await upload(client, cast.member.headers, data, kind)).status_code == 201
    age(settings, referenced, 400)
    age(settings, sha(old_unused), 31)

    dry = await gc(settings, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"would remove {sha(old_unused)} (300 bytes" in dry.stdout
    assert "1 file(s)" in dry.stdout and "300 bytes would be freed" in dry.stdout
    assert referenced not in dry.stdout and sha(fresh_unused) not in dry.stdout
    assert blob_path(settings, sha(old_unused)).exists()

    longer = await gc(settings, "--days", "45")
    assert longer.returncode == 0 and "0 file(s)" in longer.stdout
    assert blob_path(settings, sha(old_unused)).exists()

    done = await gc(settings)
    assert done.returncode == 0, done.stderr
    assert f"removed {sha(old_unused)}" in done.stdout and "300 bytes freed" in done.stdout
    assert not blob_path(settings, sha(old_unused)).exists()
    assert blob_path(settings, referenced).exists() and blob_path(settings, sha(fresh_unused)).exists()
    response = await client.get(f"/api/v1/attachments/{referenced}", headers=cast.member.headers)
    assert response.status_code == 200

    trail = (
        await client.get("/api/v1/audit-trail", params={"entity": "attachment"}, headers=cast.lead)
    ).json()
    assert any(e["action"] == "delete" and e["entityId"] == sha(old_unused) for e in trail["items"])


async def test_gc_keeps_files_of_earlier_versions_deleted_findings_and_late_submissions(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    cast = await cast_of_an_audit(client)
    in_version, in_tombstone, in_late = png(14), png(12), png(13)
    for data in (in_version, in_tombstone, in_late):
        assert (await upload(client, cast.member.headers, data, "image/png")).status_code == 201
    edited = finding(cast.audit_id, attachments=[sha(in_version)])
    assert (await cast.member.push([edited])).json()["results"][0]["status"] == "applied"
    dropped = finding(cast.audit_id, finding_id=edited["id"], base_rev=1, attachments=[])
    assert (await cast.member.push([dropped])).json()["results"][0]["status"] == "applied"
    op = finding(cast.audit_id, attachments=[sha(in_tombstone)])
    assert (await cast.member.push([op])).json()["results"][0]["status"] == "applied"
    deleted = await cast.member.push([{"op": "deleteFinding", "id": op["id"], "baseRev": 1}])
    assert deleted.json()["results"][0]["status"] == "applied", deleted.text
    await force_status(settings, cast.audit_id, "signed")
    late = await cast.member.push([finding(cast.audit_id, attachments=[sha(in_late)])])
    assert late.json()["results"][0]["status"] == "locked", late.text
    for data in (in_version, in_tombstone, in_late):
        age(settings, sha(data), 90)

    done = await gc(settings)

    assert done.returncode == 0 and "0 file(s)" in done.stdout, done.stdout + done.stderr
    for data in (in_version, in_tombstone, in_late):
        assert blob_path(settings, sha(data)).exists()

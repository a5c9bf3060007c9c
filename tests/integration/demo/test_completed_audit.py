"""After the demo loads, a completed audit of the previous quarter is there as the tablets left it, with
its findings of every class, nonconformities with photos whose stored files match their hashes, both
meetings and a signed conclusion, and its reports issued and signed in Arabic and French for management
to download; loading again adds nothing (SQLite and PostgreSQL). The demo is loaded into a database and a
file store of its own, as ``tadqiq demo`` does."""

from __future__ import annotations

import hashlib
import io
import re
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from PIL import Image

from server.app import create_app
from server.attachments.service import blob_store
from server.demo.completed_audit import COMPLETED_CODE, load_completed_audit
from server.demo.loader import load_demo
from server.lib import db
from server.settings import Settings
from tests.conftest import DB_KINDS, PG_URL, _pg_admin, _pg_url, base_settings, login, missing_tool

ARABIC = re.compile("[\u0600-\u06ff]")
EXPECTED_VERDICTS = {
    "nc_major": 2,
    "nc_minor": 4,
    "observation": 5,
    "improvement": 4,
    "conform": 16,
    "not_applicable": 3,
}


async def _load(settings: Settings) -> None:
    engine = db.make_engine(settings)
    await db.start_engine(engine)
    try:
        await db.migrate()
        assert await load_demo(settings) is not None
    finally:
        await db.stop_engine(engine)


@pytest.fixture(scope="module", params=DB_KINDS)
async def loaded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Settings]:
    """A database and a file store where the demo was loaded, once per database kind."""
    tmp = tmp_path_factory.mktemp(f"demo-{request.param}")
    if request.param == "sqlite":
        settings = base_settings(tmp, f"sqlite:///{tmp / 'demo.sqlite3'}")
        await _load(settings)
        yield settings
        return
    if not PG_URL:
        missing_tool("PostgreSQL not configured")
    name = f"tq_demo_{uuid.uuid4().hex[:12]}"
    await _pg_admin(f"CREATE DATABASE {name}")
    try:
        settings = base_settings(tmp, _pg_url(name))
        await _load(settings)
        yield settings
    finally:
        await _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
async def demo(loaded: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(app=create_app(loaded)) as test_client:
        yield test_client


def _previous_quarter(today: date) -> tuple[date, date]:
    this_quarter = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    last_day = this_quarter - timedelta(days=1)
    return date(last_day.year, (last_day.month - 1) // 3 * 3 + 1, 1), last_day


async def _completed(client: AsyncTestClient[Any], headers: dict[str, str]) -> tuple[Any, Any]:
    audits = (await client.get("/api/v1/audits", headers=headers)).json()
    found = [a for a in audits if COMPLETED_CODE.match(a["code"])]
    assert len(found) == 1, [a["code"] for a in audits]
    package = await client.get(f"/api/v1/audits/{found[0]['id']}/package", headers=headers)
    assert package.status_code == 200, package.text
    return found[0], package.json()


async def _file(
    client: AsyncTestClient[Any], headers: dict[str, str], sha256: str, settings: Settings
) -> bytes:
    """The attachment as the API serves it, checked against its address and the file store."""
    response = await client.get(f"/api/v1/attachments/{sha256}", headers=headers)
    assert response.status_code == 200, response.text
    assert hashlib.sha256(response.content).hexdigest() == sha256
    assert await blob_store(settings).get(sha256) == response.content
    return response.content


async def test_the_demo_holds_a_reported_audit_of_the_previous_quarter(
    demo: AsyncTestClient[Any], loaded: Settings
) -> None:
    lead = await login(demo, "lead")
    audit, package = await _completed(demo, lead)
    assert audit["status"] == "signed"  # reported by its lead, then signed by issuing its reports
    first, last = _previous_quarter(datetime.now(UTC).date())
    start, end = date.fromisoformat(audit["plannedStart"]), date.fromisoformat(audit["plannedEnd"])
    assert first <= start <= end <= last
    assert audit["checklistVersion"] and package["checklistVersion"] == audit["checklistVersion"]
    assert sorted(m["role"] for m in audit["team"]) == ["auditor", "auditor", "lead"]
    assert audit["auditeeIds"] and audit["processId"]

    findings = [f["data"] for f in package["findings"] if not f["deleted"]]
    assert Counter(f["verdict"] for f in findings) == EXPECTED_VERDICTS
    assert len({f["questionId"] for f in findings}) == len(findings)
    assert {f["questionId"] for f in findings} <= {q["id"] for q in package["checklist"]}  # the tablet's list
    strong_points = [f for f in findings if f["verdict"] == "conform" and f["statement"]]
    assert len(strong_points) == 4
    assert {f["author"] for f in package["findings"]} == {"lead", "auditor2", "auditor5"}
    arabic = [f for f in findings if ARABIC.search(f["statement"])]
    assert len(arabic) >= 5
    assert any(f["verdict"] in ("nc_major", "nc_minor") for f in arabic)
    for finding in findings:
        if finding["verdict"] in ("nc_major", "nc_minor", "observation"):
            assert finding["evidence"].strip(), finding["questionId"]
        assert "{" not in finding["statement"] + finding["evidence"], finding["questionId"]


async def test_nonconformities_have_photos_whose_files_match_their_hashes(
    demo: AsyncTestClient[Any], loaded: Settings
) -> None:
    lead = await login(demo, "lead")
    audit, package = await _completed(demo, lead)
    findings = [f["data"] for f in package["findings"]]
    with_photos = [f for f in findings if f["verdict"] in ("nc_major", "nc_minor") and f["attachments"]]
    assert len(with_photos) >= 4
    photos = [sha for f in findings for sha in f["attachments"]]
    assert len(photos) >= 6
    start = datetime.fromisoformat(f"{audit['plannedStart']}T00:00:00+01:00")
    end = datetime.fromisoformat(f"{audit['plannedEnd']}T23:59:59+01:00")
    for finding in (f for f in findings if f["attachments"]):
        assert set(finding["photosTakenAt"]) == set(finding["attachments"])
        for sha256, taken in finding["photosTakenAt"].items():
            assert start <= datetime.fromisoformat(taken) <= end
            content = await _file(demo, lead, sha256, loaded)
            image = Image.open(io.BytesIO(content))
            assert (image.format, image.size) == ("JPEG", (1200, 900))
            assert not image.getexif()
            assert 5_000 < len(content) < 300_000


async def test_meetings_and_a_conclusion_signed_by_both_sides(
    demo: AsyncTestClient[Any], loaded: Settings
) -> None:
    lead = await login(demo, "lead")
    audit, package = await _completed(demo, lead)
    meetings = {m["data"]["kind"]: m["data"] for m in package["meetings"] if not m["deleted"]}
    assert set(meetings) == {"opening", "closing"}
    team = {m["personId"] for m in audit["team"]}
    for meeting in meetings.values():
        people = {a["personId"] for a in meeting["attendees"] if a.get("personId")}
        assert team <= people and set(audit["auditeeIds"]) & people
        assert meeting["place"] and meeting["notes"]
    assert any(a.get("organisation") for a in meetings["opening"]["attendees"])
    assert any(not a["present"] for a in meetings["closing"]["attendees"])

    conclusion = package["conclusion"]["data"]
    assert conclusion["summary"] and conclusion["conclusions"] and conclusion["divergingOpinions"]
    assert sorted(d["standard"] for d in conclusion["degrees"]) == sorted(audit["standards"])
    signatures = {s["role"]: s for s in conclusion["signatures"]}
    assert set(signatures) == {"lead_auditor", "auditee_representative"}
    for signature in signatures.values():
        content = await _file(demo, lead, signature["attachment"], loaded)
        assert Image.open(io.BytesIO(content)).format == "PNG"
    assert signatures["lead_auditor"]["attachment"] != signatures["auditee_representative"]["attachment"]


async def test_management_downloads_the_signed_reports_in_arabic_and_french(
    demo: AsyncTestClient[Any], loaded: Settings
) -> None:
    audit, _ = await _completed(demo, await login(demo, "lead"))
    manager = await login(demo, "manager")
    listed = await demo.get(f"/api/v1/audits/{audit['id']}/reports", headers=manager)
    assert listed.status_code == 200, listed.text
    reports = {r["lang"]: r for r in listed.json()}
    assert set(reports) == {"ar", "fr"}
    for report in reports.values():
        assert (report["version"], report["status"]) == (1, "current")
        pdf = await demo.get(report["downloadUrl"], headers=manager)
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert (
            pdf.content.startswith(b"%PDF-") and hashlib.sha256(pdf.content).hexdigest() == report["sha256"]
        )
        assert b"/ByteRange" in pdf.content  # signed


async def _counts(
    settings: Settings, client: AsyncTestClient[Any], headers: dict[str, str]
) -> dict[str, Any]:
    audits = (await client.get("/api/v1/audits", headers=headers)).json()
    pulled = (await client.get("/api/v1/sync/pull?limit=1000", headers=headers)).json()
    root: Path = settings.var_dir / "blobs"
    return {
        "audits": sorted((a["code"], a["status"], a["rev"]) for a in audits),
        "reports": sorted(p.name for p in (settings.var_dir / "reports").rglob("*") if p.is_file()),
        "changes": [len(pulled["changes"]), len(pulled["meetings"]), len(pulled["conclusions"])],
        "cursor": pulled["cursor"],
        "files": sorted(p.name for p in root.rglob("*") if p.is_file()),
    }


async def _counts_through_the_api(settings: Settings) -> dict[str, Any]:
    async with AsyncTestClient(app=create_app(settings)) as client:
        return await _counts(settings, client, await login(client, "lead"))


async def test_loading_the_demo_again_adds_nothing(loaded: Settings) -> None:
    before = await _counts_through_the_api(loaded)
    assert before["changes"] == [34, 2, 1]
    # Its own engine, on this test's event loop: the app's lives on the test client's loop.
    engine = db.make_engine(loaded)
    await db.start_engine(engine)
    try:
        assert await load_demo(loaded) is None
        assert await load_completed_audit(loaded, datetime.now(UTC).date()) is None
    finally:
        await db.stop_engine(engine)
    assert await _counts_through_the_api(loaded) == before

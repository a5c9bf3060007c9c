"""The app with its blobs in the database (``TADQIQ_BLOB_STORE=database``), on SQLite and PostgreSQL:
attachments uploaded, probed and read back, nonconformity evidence, a report issued, downloaded, verified
and shown on its public page, the demo's reports moved in, and the clean-up; no file is ever written
under the var folder."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.testing import AsyncTestClient

from server.attachments.service import remove_unreferenced
from server.blobs.store import DatabaseBlobStore
from server.blobs.tables import StoredBlob
from server.lib import db
from server.lib.clock import utcnow
from server.settings import Settings
from tests.conftest import login
from tests.integration.actions.support import behind_the_back
from tests.integration.attachments.support import cast_of_an_audit, png, sha, upload
from tests.integration.blobs.support import files_under, stored_rows
from tests.integration.reports.support import photo, ready_audit


async def test_an_attachment_is_stored_in_the_database_probed_and_read_back(
    database_client: AsyncTestClient[Any], in_database: Settings
) -> None:
    cast = await cast_of_an_audit(database_client)
    image = png(7)

    key = await cast.attach(database_client, image, "image/png")
    again = await upload(database_client, cast.member.headers, image, "image/png")
    probe = await database_client.head(f"/api/v1/attachments/{key}", headers=cast.member.headers)
    unknown = await database_client.head(f"/api/v1/attachments/{sha(b'never')}", headers=cast.member.headers)
    read = await database_client.get(f"/api/v1/attachments/{key}", headers=cast.lead)

    assert again.status_code == 200 and probe.status_code == 200 and unknown.status_code == 404
    assert read.status_code == 200 and read.content == image
    assert (await stored_rows(in_database))[("attachments", key)] == (len(image), key)
    assert files_under(in_database.var_dir) == {}


async def test_a_report_is_issued_downloaded_verified_and_shown_from_the_database(
    database_client: AsyncTestClient[Any], in_database: Settings
) -> None:
    ready = await ready_audit(database_client, in_database)
    issued = await database_client.post(
        f"/api/v1/audits/{ready.audit['id']}/reports", json={"lang": "fr"}, headers=ready.lead.headers
    )
    assert issued.status_code == 201, issued.text
    report = issued.json()

    pdf = await database_client.get(report["downloadUrl"], headers=ready.programme)
    verdict = await database_client.post(
        "/api/v1/reports/verify",
        content=pdf.content,
        headers={**ready.programme, "Content-Type": "application/pdf"},
    )
    page = await database_client.get("/" + report["verificationUrl"].split("://", 1)[1].split("/", 1)[1])

    assert pdf.status_code == 200 and hashlib.sha256(pdf.content).hexdigest() == report["sha256"]
    checked = verdict.json()
    assert (
        checked["registered"] and checked["valid"] and checked["wholeDocument"] and checked["problems"] == []
    )
    assert checked["reportId"] == report["id"]
    assert page.status_code == 200 and report["sha256"] in page.text and 'data-status="current"' in page.text
    rows = await stored_rows(in_database)
    assert rows[("reports", report["sha256"])] == (report["size"], report["sha256"])
    # Its photo and drawn signatures (without which it cannot be issued) were read from the database.
    assert ("attachments", hashlib.sha256(photo(1)).hexdigest()) in rows
    assert files_under(in_database.var_dir) == {}


async def test_the_demos_issued_reports_moved_into_the_database_download_as_before(
    database_client: AsyncTestClient[Any],
) -> None:
    lead = await login(database_client, "lead")
    audits = (await database_client.get("/api/v1/audits", headers=lead)).json()
    signed = [a for a in audits if a["status"] in ("signed", "closed")]
    reports = [
        r
        for a in signed
        for r in (await database_client.get(f"/api/v1/audits/{a['id']}/reports", headers=lead)).json()
    ]
    assert reports
    for report in reports:
        pdf = await database_client.get(report["downloadUrl"], headers=lead)
        assert pdf.status_code == 200 and hashlib.sha256(pdf.content).hexdigest() == report["sha256"]


async def _records(client: AsyncTestClient[Any], headers: dict[str, str]) -> list[dict[str, Any]]:
    answer = await client.get(
        "/api/v1/nonconformities", params={"view": "mine", "status": "open"}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    return list(answer.json())


async def _step(
    client: AsyncTestClient[Any], headers: dict[str, str], method: str, path: str, body: dict[str, Any]
) -> Any:
    return await client.request(method, f"/api/v1/nonconformities/{path}", json=body, headers=headers)


async def _record_in_progress(client: AsyncTestClient[Any], auditee: dict[str, str]) -> tuple[str, str, int]:
    """A demo nonconformity record of the auditee's unit, analysed and with one action started: its id, the
    action's id and the record's rev."""
    record = (await _records(client, auditee))[0]
    nc = record["id"]
    me = (await client.get("/api/v1/me", headers=auditee)).json()
    cause = {
        "method": "five_whys",
        "cause": "No keeper named.",
        "whys": ["Not updated.", "Nobody in charge."],
    }
    action = {
        "type": "corrective",
        "description": "Name a keeper of the register.",
        "ownerId": me["personId"],
        "due": (datetime.now(UTC).date() + timedelta(days=20)).isoformat(),
    }
    steps: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", "analysis/start", {}),
        ("PUT", "analysis", {"correction": "Register completed.", "rootCause": cause}),
        ("POST", "analysis/submit", {}),
        ("PUT", "plan", {"actions": [action]}),
        ("POST", "plan/start", {}),
    ]
    for method, path, body in steps:
        answer = await _step(client, auditee, method, f"{nc}/{path}", {"rev": record["rev"], **body})
        assert answer.status_code == 200, answer.text
        record = answer.json()
    return nc, record["actions"][0]["id"], record["rev"]


async def test_nonconformity_evidence_is_kept_in_the_database_and_stays_readable(
    database_client: AsyncTestClient[Any], in_database: Settings
) -> None:
    auditee = await login(database_client, "auditee3")
    nc, action_id, rev = await _record_in_progress(database_client, auditee)
    evidence = photo(5)
    key = sha(evidence)
    done = {"rev": rev, "status": "done", "note": "Decision signed."}

    unknown = await _step(
        database_client, auditee, "PUT", f"{nc}/actions/{action_id}", {**done, "evidence": [key]}
    )
    uploaded = await database_client.put(
        f"/api/v1/nonconformities/{nc}/evidence/{key}",
        content=evidence,
        headers={**auditee, "Content-Type": "image/jpeg"},
    )
    accepted = await _step(
        database_client, auditee, "PUT", f"{nc}/actions/{action_id}", {**done, "evidence": [key]}
    )
    read = await database_client.get(f"/api/v1/attachments/{key}", headers=auditee)

    assert unknown.status_code == 422 and unknown.json()["code"] == "actions.evidence_unknown", unknown.text
    assert uploaded.status_code == 201, uploaded.text
    assert accepted.status_code == 200, accepted.text
    assert read.status_code == 200 and sha(read.content) == key
    assert ("attachments", key) in await stored_rows(in_database)
    assert files_under(in_database.var_dir) == {}


async def test_the_clean_up_removes_old_unreferenced_blobs_from_the_database_only(
    database_client: AsyncTestClient[Any], in_database: Settings
) -> None:
    cast = await cast_of_an_audit(database_client)
    kept = await cast.attach(database_client, png(8), "image/png")
    stray = png(9)
    assert (await upload(database_client, cast.member.headers, stray, "image/png")).status_code == 201
    before = await stored_rows(in_database)

    async with behind_the_back(in_database):
        async with db.write_transaction():  # every blob, reports too, last used 40 days ago
            await StoredBlob.update({StoredBlob.last_used: utcnow() - timedelta(days=40)}, force=True).run()
        cleanup = await remove_unreferenced(in_database, days=30, dry_run=False)
        still_there = await DatabaseBlobStore("attachments").exists(kept)

    removed = {blob.key for blob in cleanup.blobs}
    after = await stored_rows(in_database)
    assert sha(stray) in removed and kept not in removed and still_there
    assert set(after) == {(ns, key) for ns, key in before if not (ns == "attachments" and key in removed)}
    assert {key for ns, key in before if ns == "reports"} == {key for ns, key in after if ns == "reports"}

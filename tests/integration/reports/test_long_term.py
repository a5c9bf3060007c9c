"""Reports that stay verifiable, against the local PKI (certomancer on loopback): a B-LTA report validates
offline from its embedded data; ``tadqiq signatures renew`` adds a document timestamp as an incremental
update (the earlier bytes unchanged and kept), trails it, lists without writing on a dry run and does
nothing on a second run; after the first timestamp certificate has expired, only the renewed file still
validates, even after the signer's certificate has expired too."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from anyio import to_thread
from cryptography import x509
from litestar.testing import AsyncTestClient

from server.lib.clock import utcnow
from server.reports import revision_store
from server.reports.archive import latest_document_timestamp
from server.reports.longterm import validate_long_term
from server.reports.renewal import RenewalRun, renew_signatures
from server.reports.revision_store import RevisionEntry
from server.reports.service import report_files
from server.settings import Settings
from server.trail.store import list_entries
from tests.conftest import login, missing_tool
from tests.integration.actions.support import behind_the_back
from tests.integration.reports.long_term_support import (
    RegisteredReport,
    issue_b_lta_report,
    renewal_settings,
)
from tests.pki.local_pki import LocalPki


async def _renew(settings: Settings, *, dry_run: bool = False) -> RenewalRun:
    async with behind_the_back(settings):
        return await renew_signatures(settings, dry_run=dry_run)


async def _revisions(settings: Settings, report_id: str) -> list[RevisionEntry]:
    async with behind_the_back(settings):
        return await revision_store.list_revisions(report_id)


async def _stored(settings: Settings, sha256: str) -> bytes | None:
    async with behind_the_back(settings):
        return await report_files(settings).get(sha256)


def _root(pki: LocalPki) -> list[x509.Certificate]:
    return [x509.load_pem_x509_certificate(pki.root_pem.read_bytes())]


async def _registered(
    client: AsyncTestClient[Any], settings: Settings, pki: LocalPki
) -> tuple[Settings, RegisteredReport]:
    configured = renewal_settings(settings, pki)
    return configured, await issue_b_lta_report(client, settings, pki)


async def test_a_b_lta_report_validates_offline_from_its_embedded_data(
    client: AsyncTestClient[Any], settings: Settings, local_pki: LocalPki
) -> None:
    _, report = await _registered(client, settings, local_pki)
    verdict = await to_thread.run_sync(lambda: validate_long_term(report.pdf, _root(local_pki), offline=True))
    assert (verdict.indication, verdict.reason) == ("valid", "ok"), verdict.detail
    assert verdict.document_timestamps == 1 and verdict.offline
    assert verdict.signature_time is not None
    assert abs(verdict.signature_time - utcnow()) < timedelta(minutes=5)
    assert verdict.protected_until == local_pki.validity("tsa")[1]
    untrusted = await to_thread.run_sync(lambda: validate_long_term(report.pdf, [], offline=True))
    assert (untrusted.indication, untrusted.reason) == ("indeterminate", "untrusted")


async def test_renewal_appends_a_timestamp_and_leaves_the_earlier_bytes_as_they_were(
    client: AsyncTestClient[Any], settings: Settings, local_pki: LocalPki
) -> None:
    configured, report = await _registered(client, settings, local_pki)
    run = await _renew(configured)
    item = next(i for i in run.items if i.report_id == report.id)
    assert run.ok and item.outcome == "renewed", (run.problem, item)
    renewed = await _stored(configured, item.new_sha256)
    assert renewed is not None and hashlib.sha256(renewed).hexdigest() == item.new_sha256
    assert renewed.startswith(report.pdf) and len(renewed) > len(report.pdf)
    assert await _stored(configured, report.sha256) == report.pdf, "the earlier revision is kept"
    latest = latest_document_timestamp(renewed)
    assert latest is not None and latest.expires_at == local_pki.validity("tsa2")[1]
    revisions = await _revisions(configured, report.id)
    assert [(r.revision, r.sha256, r.made_by) for r in revisions] == [
        (1, report.sha256, "issue"),
        (2, item.new_sha256, "renewal"),
    ]
    headers = await login(client, "lead")
    listed = (await client.get(f"/api/v1/reports/{report.id}.pdf", headers=headers)).content
    assert listed == renewed, "the register serves the latest revision"


async def test_renewal_is_trailed(
    client: AsyncTestClient[Any], settings: Settings, local_pki: LocalPki
) -> None:
    configured, report = await _registered(client, settings, local_pki)
    item = next(i for i in (await _renew(configured)).items if i.report_id == report.id)
    async with behind_the_back(configured):
        page = await list_entries(
            entity="report", entity_id=report.id, since=None, until=None, before_id=None, limit=10
        )
    renewals = [entry for entry in page.items if entry.action == "renew"]
    assert len(renewals) == 1 and renewals[0].actor_username == "system"
    changes = renewals[0].changes
    assert changes["sha256"] == [report.sha256, item.new_sha256]
    assert changes["revision"] == [1, 2]
    assert changes["timestampExpiresAt"][0] != changes["timestampExpiresAt"][1]


async def test_a_dry_run_lists_the_reports_due_and_writes_nothing(
    client: AsyncTestClient[Any], settings: Settings, local_pki: LocalPki
) -> None:
    configured, report = await _registered(client, settings, local_pki)
    run = await _renew(configured, dry_run=True)
    item = next(i for i in run.items if i.report_id == report.id)
    assert run.dry_run and item.outcome == "would_renew" and item.new_sha256 == ""
    assert item.expires_at == local_pki.validity("tsa")[1]
    assert await _revisions(configured, report.id) == []
    async with behind_the_back(configured):
        registered = [r.sha256 for r in await revision_store.long_term_reports() if r.id == report.id]
    assert registered == [report.sha256]


async def test_a_second_run_right_after_renews_nothing(
    client: AsyncTestClient[Any], settings: Settings, local_pki: LocalPki
) -> None:
    configured, report = await _registered(client, settings, local_pki)
    first = next(i for i in (await _renew(configured)).items if i.report_id == report.id)
    second = next(i for i in (await _renew(configured)).items if i.report_id == report.id)
    assert first.outcome == "renewed"
    assert second.outcome == "not_due" and second.sha256 == first.new_sha256
    assert len(await _revisions(configured, report.id)) == 2


async def test_renewal_refuses_an_authority_whose_own_certificate_ends_within_the_window(
    client: AsyncTestClient[Any], settings: Settings, local_pki: LocalPki
) -> None:
    configured, report = await _registered(client, settings, local_pki)
    first_authority = replace(configured, tsa_url=local_pki.tsa_url)
    run = await _renew(first_authority)
    item = next(i for i in run.items if i.report_id == report.id)
    assert not run.ok and "the provider must renew its certificate" in run.problem
    assert item.outcome == "failed" and await _revisions(configured, report.id) == []


async def test_after_the_first_timestamp_certificate_expires_only_the_renewed_file_validates(
    client: AsyncTestClient[Any], settings: Settings, local_pki: LocalPki
) -> None:
    configured, report = await _registered(client, settings, local_pki)
    item = next(i for i in (await _renew(configured)).items if i.report_id == report.id)
    renewed = await _stored(configured, item.new_sha256)
    assert renewed is not None
    roots = _root(local_pki)
    tsa_expired = local_pki.validity("tsa")[1] + timedelta(days=30)
    signer_expired = local_pki.validity("signer")[1] + timedelta(days=30)
    for moment in (tsa_expired, signer_expired):
        before = await to_thread.run_sync(partial(validate_long_term, report.pdf, roots, at=moment))
        after = await to_thread.run_sync(partial(validate_long_term, renewed, roots, at=moment))
        assert (before.indication, before.reason) == ("indeterminate", "expired_no_proof"), before.detail
        assert (after.indication, after.reason) == ("valid", "ok"), after.detail
        assert after.signature_time is not None and after.signature_time < local_pki.validity("tsa")[1]
        assert after.assumed_unrevoked and after.protected_until == local_pki.validity("tsa2")[1]


async def test_every_revision_stays_listed_and_downloadable_after_a_renewal(
    client: AsyncTestClient[Any], settings: Settings, local_pki: LocalPki, tmp_path: Path
) -> None:
    configured, report = await _registered(client, settings, local_pki)
    headers = await login(client, "lead")
    url = f"/api/v1/reports/{report.id}/revisions"
    before = (await client.get(url, headers=headers)).json()
    assert [(r["revision"], r["sha256"], r["latest"]) for r in before] == [(1, report.sha256, True)]
    item = next(i for i in (await _renew(configured)).items if i.report_id == report.id)
    after = (await client.get(url, headers=headers)).json()
    assert [(r["revision"], r["sha256"], r["latest"], r["madeBy"]) for r in after] == [
        (1, report.sha256, False, "issue"),
        (2, item.new_sha256, True, "renewal"),
    ]
    first = await client.get(after[0]["downloadUrl"], headers=headers)
    assert first.status_code == 200 and first.content == report.pdf, "the earlier revision, byte for byte"
    latest = await client.get(f"/api/v1/reports/{report.id}.pdf", headers=headers)
    assert hashlib.sha256(latest.content).hexdigest() == item.new_sha256
    assert (
        latest.headers["etag"] == f'"{item.new_sha256}"'
        and "immutable" not in latest.headers["cache-control"]
    )
    missing = await client.get(f"{url}/3.pdf", headers=headers)
    assert missing.status_code == 404
    path = tmp_path / "renewed.pdf"
    path.write_bytes(latest.content)
    pdfsig = shutil.which("pdfsig")
    if pdfsig is None:
        missing_tool("pdfsig is not installed (apt-get install poppler-utils)")
        return
    checked = subprocess.run(
        [pdfsig, str(path)], capture_output=True, text=True, timeout=60, check=False
    ).stdout
    assert checked.count("Signature Validation: Signature is Valid.") == 1, checked
    assert checked.count("Timestamp-") == 2, "the document timestamp at signing and the renewal's"


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TADQIQ_DATABASE_URL": settings.database_url,
        "TADQIQ_VAR_DIR": str(settings.var_dir),
        "TADQIQ_TSA_URL": settings.tsa_url,
        "TADQIQ_TRUST_ROOTS": settings.trust_roots,
        "TADQIQ_TIMESTAMP_RENEW_DAYS": str(settings.timestamp_renew_days),
    }
    command = [sys.executable, "-m", "server.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=180, check=False)


async def test_the_renew_command_lists_on_a_dry_run_then_renews(
    client: AsyncTestClient[Any], settings: Settings, local_pki: LocalPki, tmp_path: Path
) -> None:
    configured, report = await _registered(client, settings, local_pki)
    dry = await to_thread.run_sync(lambda: _cli(configured, "signatures", "renew", "--dry-run"))
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert f"would renew {report.reference}" in dry.stdout and "nothing written" in dry.stdout
    assert await _revisions(configured, report.id) == []
    done = await to_thread.run_sync(lambda: _cli(configured, "signatures", "renew"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"renewed {report.reference}: revision 2" in done.stdout
    assert len(await _revisions(configured, report.id)) == 2


async def _verify(client: AsyncTestClient[Any], pdf: bytes, at: str | None = None) -> dict[str, Any]:
    headers = {**await login(client, "lead"), "Content-Type": "application/pdf", "Accept-Language": "fr"}
    response = await client.post(
        "/api/v1/reports/verify", content=pdf, headers=headers, params={"at": at} if at else None
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_the_verify_api_validates_for_the_long_term_and_knows_every_revision(
    client: AsyncTestClient[Any], settings: Settings, local_pki: LocalPki
) -> None:
    configured, report = await _registered(client, settings, local_pki)
    client.app.state.settings = configured  # the server trusts the local PKI's root
    fresh = await _verify(client, report.pdf)
    assert fresh["registered"] and fresh["problems"] == [] and fresh["level"] == "B-LTA"
    assert (fresh["longTerm"]["indication"], fresh["longTerm"]["code"]) == ("valid", "ok")
    assert fresh["longTerm"]["offline"] and (fresh["revision"], fresh["latestRevision"]) == (1, 1)
    later = (local_pki.validity("signer")[1] + timedelta(days=30)).isoformat()
    unrenewed = await _verify(client, report.pdf, at=later)
    assert (unrenewed["longTerm"]["indication"], unrenewed["longTerm"]["code"]) == (
        "indeterminate",
        "expired_no_proof",
    )
    item = next(i for i in (await _renew(configured)).items if i.report_id == report.id)
    renewed = await _stored(configured, item.new_sha256)
    assert renewed is not None
    latest = await _verify(client, renewed, at=later)
    assert latest["reportId"] == report.id and (latest["revision"], latest["latestRevision"]) == (2, 2)
    assert latest["longTerm"]["indication"] == "valid" and latest["problems"] == []
    earlier = await _verify(client, report.pdf)
    assert earlier["reportId"] == report.id and (earlier["revision"], earlier["latestRevision"]) == (1, 2)
    assert earlier["registered"] and earlier["problems"] == [] and earlier["status"] == "current"
    assert "2" in earlier["verdict"] and earlier["longTerm"]["indication"] == "valid"


async def test_tadqiq_verify_shows_the_renewed_report_valid_years_ahead_offline(
    client: AsyncTestClient[Any], settings: Settings, local_pki: LocalPki, tmp_path: Path
) -> None:
    configured, report = await _registered(client, settings, local_pki)
    item = next(i for i in (await _renew(configured)).items if i.report_id == report.id)
    renewed = await _stored(configured, item.new_sha256)
    assert renewed is not None
    (tmp_path / "renewed.pdf").write_bytes(renewed)
    (tmp_path / "issued.pdf").write_bytes(report.pdf)
    ahead = (local_pki.validity("signer")[1] + timedelta(days=365)).strftime("%Y-%m-%d")
    command = ["verify", "--lang", "en", "--offline", "--at", ahead]
    good = await to_thread.run_sync(lambda: _cli(configured, *command, str(tmp_path / "renewed.pdf")))
    assert good.returncode == 0, good.stdout + good.stderr
    assert f"as of {ahead} 00:00 UTC: valid" in good.stdout and "revision 2 of 2" in good.stdout
    stale = await to_thread.run_sync(lambda: _cli(configured, *command, str(tmp_path / "issued.pdf")))
    assert stale.returncode == 1 and ": indeterminate" in stale.stdout, stale.stdout + stale.stderr
    assert "revision 1 of 2" in stale.stdout

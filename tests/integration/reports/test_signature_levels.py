"""Signature levels against a real local PKI (certomancer on loopback, tests/pki/): a B-LTA issue that
validates offline from its embedded data and that pdfsig accepts; a signer revoked after signing still
valid at the signing time; a signer revoked before signing, and a TSA that is down, refused; a downgrade,
when the admin allows it, issued at B-T or B-B and said so in the listing, the PDF and the public page
(SQLite and PostgreSQL)."""

from __future__ import annotations

import contextlib
import hashlib
import re
import shutil
import subprocess
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

from anyio import to_thread
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import ocsp
from litestar.testing import AsyncTestClient
from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESPassed
from pyhanko.sign.validation.ades import AdESLTAValidationResult, ades_lta_validation
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.policy_decl import (
    CertificateFetchingRule,
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager

from server.app import create_app
from server.reports.keys import load_signing_key, make_demo_key
from server.reports.signing import verify_pdf
from server.settings import Settings
from tests.conftest import missing_tool
from tests.integration.reports.support import ready_audit
from tests.pki.local_pki import LocalPki
from tests.unit.reports.test_preflight import closed_port_url


@contextlib.asynccontextmanager
async def _client(settings: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(app=create_app(settings)) as client:
        yield client


async def _issue(settings: Settings, lang: str = "fr") -> tuple[int, dict[str, Any], bytes]:
    """Issue the report of a ready demo audit; the response's status and body, and the PDF if issued."""
    async with _client(settings) as client:
        ready = await ready_audit(client, settings)
        url = f"/api/v1/audits/{ready.audit['id']}/reports"
        issued = await client.post(url, json={"lang": lang}, headers=ready.lead.headers)
        body = issued.json()
        if issued.status_code != 201:
            listed = (await client.get(url, headers=ready.programme)).json()
            assert listed == [], "a refused issue leaves nothing in the register"
            return issued.status_code, body, b""
        pdf = (await client.get(body["downloadUrl"], headers=ready.programme)).content
        listed = (await client.get(url, headers=ready.programme)).json()
        assert [(r["level"], r["configuredLevel"], r["downgraded"]) for r in listed] == [
            (body["level"], body["configuredLevel"], body["downgraded"])
        ]
        return issued.status_code, body, pdf


async def _public_page(settings: Settings, report: dict[str, Any]) -> str:
    path = "/v/" + report["verificationUrl"].rsplit("/v/", 1)[1]
    async with _client(settings) as client:
        return (await client.get(path, headers={"Accept-Language": "fr"})).text


async def _validate_offline(pdf: bytes, pki: LocalPki, at: datetime | None = None) -> AdESLTAValidationResult:
    """pyHanko's PAdES-LTA validation with the data embedded in the PDF alone: nothing is fetched."""
    root = translate_pyca_cryptography_cert_to_asn1(pki.certificate("root"))
    spec = SignatureValidationSpec(
        cert_validation_policy=CertValidationPolicySpec(
            trust_manager=SimpleTrustManager.build(trust_roots=[root]),
            revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO),
        ),
        revinfo_gathering_policy=RevocationInfoGatheringSpec(
            online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY,
            certificate_fetching_rule=CertificateFetchingRule.NEVER_FETCH,
        ),
    )
    timing = None if at is None else ValidationTimingInfo(at, at, point_in_time_validation=True)
    signature = PdfFileReader(BytesIO(pdf)).embedded_regular_signatures[0]
    return await ades_lta_validation(signature, PdfSignatureValidationSpec(spec), timing_info=timing)


async def test_a_b_lta_report_validates_offline_from_its_embedded_data(
    settings: Settings, local_pki: LocalPki
) -> None:
    status, report, pdf = await _issue(local_pki.configure(settings))
    assert status == 201, report
    assert (report["level"], report["configuredLevel"], report["downgraded"]) == ("B-LTA", "B-LTA", False)
    assert hashlib.sha256(pdf).hexdigest() == report["sha256"]
    store = DocumentSecurityStore.read_dss(PdfFileReader(BytesIO(pdf)))
    assert store.ocsps and store.crls, "the OCSP responses and CRLs fetched at signing are in the DSS"
    result = await _validate_offline(pdf, local_pki)
    assert result.ades_subindic == AdESPassed.OK, result.failure_msg
    verdict = await to_thread.run_sync(verify_pdf, pdf, [local_pki.certificate("signer")])
    assert verdict.ok and verdict.level == "B-LTA", verdict
    page = await _public_page(settings, report)
    assert "PAdES B-LTA" in page and "data-downgraded" not in page


async def test_pdfsig_says_the_b_lta_signature_is_valid(
    settings: Settings, local_pki: LocalPki, tmp_path: Path
) -> None:
    pdfsig = shutil.which("pdfsig")
    if pdfsig is None:
        missing_tool("pdfsig is not installed (apt-get install poppler-utils)")
        return
    status, report, pdf = await _issue(local_pki.configure(settings), "ar")
    assert status == 201 and report["level"] == "B-LTA", report
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    checked = subprocess.run([pdfsig, str(path)], capture_output=True, text=True, timeout=120, check=True)
    approval = checked.stdout.split("Signature #2")[0]
    assert "Signature Field Name: TadqiqApproval" in approval, checked.stdout
    assert "Signature is Valid" in approval and "Signing Officer" in approval, checked.stdout


async def test_a_signer_revoked_after_signing_still_validates_at_the_signing_time(
    settings: Settings, local_pki: LocalPki
) -> None:
    status, report, pdf = await _issue(local_pki.configure(settings, signer="signer-later-revoked"))
    assert status == 201 and report["level"] == "B-LTA", report
    revoked_since = local_pki.revoked_since("signer-later-revoked")
    assert revoked_since is not None and report["issuedAt"] < revoked_since.isoformat()
    with local_pki.at(revoked_since + timedelta(hours=1)):
        later = local_pki.ocsp_response("signer-later-revoked")
    assert later.certificate_status == ocsp.OCSPCertStatus.REVOKED, "the certificate is revoked since"
    signed_at = datetime.fromisoformat(report["issuedAt"]) + timedelta(minutes=1)
    result = await _validate_offline(pdf, local_pki, at=signed_at)
    assert result.ades_subindic == AdESPassed.OK, result.failure_msg


async def test_a_signer_revoked_before_signing_is_refused(settings: Settings, local_pki: LocalPki) -> None:
    configured = replace(
        local_pki.configure(settings, signer="signer-revoked"), signature_allow_downgrade=True
    )
    status, body, _ = await _issue(configured)
    assert status == 503 and body["code"] == "report.signing_unavailable", body
    assert body["details"]["problems"] == ["certificate_revoked"]


async def test_a_tsa_that_is_down_refuses_the_issue_with_a_clear_message(
    settings: Settings, local_pki: LocalPki
) -> None:
    url = closed_port_url()
    status, body, _ = await _issue(replace(local_pki.configure(settings), tsa_url=url))
    assert status == 503 and body["code"] == "report.signature_level_unavailable", body
    assert body["details"] == {"configured": "B-LTA", "reachable": "B-B", "problems": ["tsa_unreachable"]}
    assert url in body["message"] and "B-LTA" in body["message"]


async def test_a_downgrade_allowed_with_the_tsa_down_issues_at_b_b_and_says_so(
    settings: Settings, local_pki: LocalPki
) -> None:
    allowed = replace(
        local_pki.configure(settings), tsa_url=closed_port_url(), signature_allow_downgrade=True
    )
    status, report, pdf = await _issue(allowed)
    assert status == 201, report
    assert (report["level"], report["configuredLevel"], report["downgraded"]) == ("B-B", "B-LTA", True)
    assert _pdf_says_downgraded(pdf, "B-B", "B-LTA")
    page = await _public_page(settings, report)
    assert 'data-downgraded="true"' in page and "PAdES B-B" in page and "PAdES B-LTA" in page


async def test_a_downgrade_allowed_with_a_chain_to_no_configured_root_issues_at_b_t(
    settings: Settings, local_pki: LocalPki
) -> None:
    other = settings.var_dir / "other.p12"
    make_demo_key(other, b"pw", organisation="Elsewhere", common_name="Another provider")
    pem = settings.var_dir / "another-root.pem"
    pem.write_bytes(load_signing_key(other, b"pw").certificate.public_bytes(serialization.Encoding.PEM))
    allowed = replace(local_pki.configure(settings), trust_roots=str(pem), signature_allow_downgrade=True)
    status, report, pdf = await _issue(allowed)
    assert status == 201, report
    assert (report["level"], report["configuredLevel"], report["downgraded"]) == ("B-T", "B-LTA", True)
    assert (await to_thread.run_sync(verify_pdf, pdf)).level == "B-T"
    assert _pdf_says_downgraded(pdf, "B-T", "B-LTA")


def _pdf_says_downgraded(pdf: bytes, level: str, configured: str) -> bool:
    """The signature's stamp and its /Reason name both levels."""
    signature = PdfFileReader(BytesIO(pdf)).embedded_regular_signatures[0]
    reason = str(signature.sig_object["/Reason"])
    stamp = signature.sig_field["/AP"]["/N"].get_object()
    # The stamp's text is in PDF strings, punctuation as octal escapes: B\\055B is B-B.
    drawn = re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m[1], 8)]), b"".join(_streams(stamp)))
    return (
        level in reason
        and configured in reason
        and f"PAdES {level} (downgraded from {configured})".encode() in drawn
    )


def _streams(xobject: Any) -> list[bytes]:
    """The content of an appearance stream and of the form XObjects it draws."""
    found = [bytes(xobject.data)]
    resources = xobject.get("/Resources")
    for inner in (resources.get("/XObject", {}) if resources else {}).values():
        found.extend(_streams(inner.get_object()))
    return found

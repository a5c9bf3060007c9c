"""A B-LTA report in the register, signed against the local PKI (``tests/pki``): the signer's key, the
first timestamp authority (its certificate expires within a year), OCSP and CRL embedded, one document
timestamp. Signed with pyHanko directly, as ``server.reports.signing`` does for B-LTA, and registered
behind the API's back like ``support.register_fake_report``. The tests reach the database on an engine
of their own loop (``behind_the_back``): the app's engine lives in the test client's."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, replace
from io import BytesIO
from typing import Any

from anyio import to_thread
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from litestar.testing import AsyncTestClient
from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko_certvalidator import ValidationContext
from reportlab.pdfgen import canvas

from server.lib.clock import utcnow
from server.reports.keys import load_signing_key
from server.reports.service import report_files
from server.reports.tables import IssuedReport
from server.settings import Settings
from tests.conftest import login
from tests.integration.actions.support import behind_the_back
from tests.pki.local_pki import PKCS12_PASSWORD, LocalPki

__all__ = [
    "LONG_TERM_WINDOW_DAYS",
    "RegisteredReport",
    "register_b_lta_report",
    "renewal_settings",
    "sign_b_lta",
]

LONG_TERM_WINDOW_DAYS = 400
"""A renewal window that takes in the first TSA certificate (a year) but not the later one (ten years)."""


def renewal_settings(settings: Settings, pki: LocalPki) -> Settings:
    """The B-LTA configuration of the local PKI, renewing with the authority's later certificate."""
    return replace(
        pki.configure(settings), tsa_url=pki.later_tsa_url, timestamp_renew_days=LONG_TERM_WINDOW_DAYS
    )


def _page(reference: str) -> bytes:
    out = BytesIO()
    drawn = canvas.Canvas(out)
    drawn.drawString(72, 760, f"Rapport d'audit interne {reference}")
    drawn.showPage()
    drawn.save()
    return out.getvalue()


def sign_b_lta(pki: LocalPki, pdf: bytes) -> bytes:
    """``pdf`` signed PAdES B-LTA by the local PKI's signer, timestamped by its first TSA."""
    key = load_signing_key(pki.pkcs12("signer"), PKCS12_PASSWORD.encode())
    root = x509.load_pem_x509_certificate(pki.root_pem.read_bytes())
    context = ValidationContext(
        trust_roots=[translate_pyca_cryptography_cert_to_asn1(root)],
        allow_fetching=True,
        revocation_mode="hard-fail",
    )
    meta = PdfSignatureMetadata(
        field_name="TadqiqApproval",
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        embed_validation_info=True,
        use_pades_lta=True,
        validation_context=context,
    )
    field = SigFieldSpec(sig_field_name="TadqiqApproval", on_page=0, box=(300, 80, 520, 140))
    signer = PdfSigner(meta, key.signer, timestamper=HTTPTimeStamper(pki.tsa_url), new_field_spec=field)
    return bytes(signer.sign_pdf(IncrementalPdfFileWriter(BytesIO(pdf))).getbuffer())


@dataclass(frozen=True)
class RegisteredReport:
    id: str
    reference: str
    pdf: bytes
    sha256: str


async def register_b_lta_report(
    client: AsyncTestClient[Any], settings: Settings, pki: LocalPki
) -> RegisteredReport:
    """A B-LTA PDF stored in the report store and entered in the register for a demo audit."""
    headers = await login(client, "lead")
    audit = (await client.get("/api/v1/audits", headers=headers)).json()[0]
    reference = f"{audit['code']}-R{secrets.randbelow(900) + 100}-FR"
    pdf = await to_thread.run_sync(sign_b_lta, pki, _page(reference))
    sha256 = hashlib.sha256(pdf).hexdigest()
    report_id = str(uuid.uuid4())
    async with behind_the_back(settings):
        await report_files(settings).put(sha256, pdf)
        await _insert(settings, report_id, audit, reference, pdf, sha256, pki)
    return RegisteredReport(report_id, reference, pdf, sha256)


async def _insert(
    settings: Settings,
    report_id: str,
    audit: dict[str, Any],
    reference: str,
    pdf: bytes,
    sha256: str,
    pki: LocalPki,
) -> None:
    await IssuedReport.insert(
        IssuedReport(
            id=report_id,
            audit_id=audit["id"],
            lang="fr",
            version=secrets.randbelow(10**6) + 1000,
            reference=reference,
            token=secrets.token_hex(8),
            sha256=sha256,
            size=len(pdf),
            pages=1,
            level="B-LTA",
            certificate_sha256=hashlib.sha256(
                pki.certificate("signer").public_bytes(Encoding.DER)
            ).hexdigest(),
            signer="CN=Signing Officer",
            issued_by="lead",
            issued_at=utcnow(),
        )
    )

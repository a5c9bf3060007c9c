"""B-LTA signing against the local PKI: validation data and a document timestamp follow the signature, our
verdict still calls the file whole (and B-LTA), but not once junk or a content change is appended; a revoked
signer or an untrusted chain stops the signing; the stamp names the level, and a downgrade."""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from server.reports.keys import load_signing_key
from server.reports.signing import ReportSigningError, SignedPdf, SigningKey, sign_pdf, verify_pdf
from tests.pki.local_pki import PKCS12_PASSWORD, LocalPki
from tests.unit.reports.test_signing import BOX, report_pdf


def _key(pki: LocalPki, label: str = "signer") -> SigningKey:
    return load_signing_key(pki.pkcs12(label), PKCS12_PASSWORD.encode())


def _sign_lta(pki: LocalPki, key: SigningKey, **extra: Any) -> SignedPdf:
    return sign_pdf(
        report_pdf(), key, BOX, reason="r", location="l", tsa_url=pki.tsa_url,
        trust_roots=[pki.certificate("root")], **extra,
    )  # fmt: skip


@pytest.fixture(scope="module")
def lta(local_pki: LocalPki) -> SignedPdf:
    return _sign_lta(local_pki, _key(local_pki))


def _stamp(pdf: bytes) -> str:
    signature = PdfFileReader(BytesIO(pdf)).embedded_regular_signatures[0]
    content = bytes(signature.sig_field["/AP"]["/N"].get_object().data)
    return re.sub(rb"\\([0-7]{3})", lambda m: bytes([int(m[1], 8)]), content).decode("latin-1")


def test_a_b_lta_pdf_carries_validation_data_and_a_document_timestamp(lta: SignedPdf) -> None:
    reader = PdfFileReader(BytesIO(lta.pdf))
    assert lta.level == "B-LTA"
    assert "/DSS" in reader.root
    assert len(reader.embedded_timestamp_signatures) == 1
    assert reader.embedded_signatures[-1] is reader.embedded_timestamp_signatures[0]


def test_our_verdict_on_a_b_lta_pdf_is_whole_and_b_lta(lta: SignedPdf, local_pki: LocalPki) -> None:
    verdict = verify_pdf(lta.pdf, [local_pki.certificate("signer")])
    assert verdict.ok and verdict.whole_document and verdict.level == "B-LTA", verdict


def test_junk_or_a_change_after_a_b_lta_signature_is_not_whole(lta: SignedPdf, local_pki: LocalPki) -> None:
    signer = [local_pki.certificate("signer")]
    assert verify_pdf(lta.pdf + b"\n%junk\n", signer).problems == ["not_whole_document"]
    writer: Any = IncrementalPdfFileWriter(BytesIO(lta.pdf))  # its update methods are untyped
    writer.root["/TadqiqNote"] = generic.TextStringObject("changed after signing")
    writer.update_root()
    out = BytesIO()
    writer.write(out)
    assert verify_pdf(out.getvalue(), signer).problems == ["not_whole_document"]


def test_the_stamp_names_the_level_and_a_downgrade(lta: SignedPdf, local_pki: LocalPki) -> None:
    assert "PAdES B-LTA" in _stamp(lta.pdf) and "downgraded" not in _stamp(lta.pdf)
    lowered = sign_pdf(
        report_pdf(), _key(local_pki), BOX, reason="r", location="l", tsa_url=local_pki.tsa_url,
        downgraded_from="B-LTA",
    )  # fmt: skip
    assert lowered.level == "B-T"
    assert "PAdES B-T (downgraded from B-LTA)" in _stamp(lowered.pdf)


def test_a_revoked_signer_stops_a_b_lta_signing(local_pki: LocalPki) -> None:
    with pytest.raises(ReportSigningError, match="revoked"):
        _sign_lta(local_pki, _key(local_pki, "signer-revoked"))


def test_a_chain_to_no_given_root_stops_a_b_lta_signing(local_pki: LocalPki) -> None:
    with pytest.raises(ReportSigningError, match="could not be validated"):
        sign_pdf(
            report_pdf(), _key(local_pki), BOX, reason="r", location="l", tsa_url=local_pki.tsa_url,
            trust_roots=[local_pki.certificate("tsa")],
        )  # fmt: skip

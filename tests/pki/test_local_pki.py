"""The local PKI answers like a provider's: a timestamp token from its TSA, OCSP 'good' for the signer and
'revoked' for the revoked one, a CRL listing the revoked one, and a PKCS#12 the signing code can load."""

from __future__ import annotations

import hashlib
import urllib.request
from datetime import timedelta

from asn1crypto import cms, tsp
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID
from pyhanko.sign.timestamps import HTTPTimeStamper

from server.reports.keys import load_signing_key
from tests.pki.local_pki import PKCS12_PASSWORD, LocalPki


def _responder_url(certificate: x509.Certificate) -> str:
    access = certificate.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    return str(access[0].access_location.value)


async def test_tsa_gives_a_token_signed_by_its_certificate(local_pki: LocalPki) -> None:
    digest = hashlib.sha256(b"a report").digest()
    token: cms.ContentInfo = await HTTPTimeStamper(local_pki.tsa_url).async_timestamp(digest, "sha256")
    signed = token["content"]
    info: tsp.TSTInfo = signed["encap_content_info"]["content"].parsed
    assert info["message_imprint"]["hashed_message"].native == digest
    assert abs(info["gen_time"].native - local_pki.anchor) < timedelta(minutes=10)
    tsa_cert = local_pki.certificate("tsa")
    assert (
        ExtendedKeyUsageOID.TIME_STAMPING
        in tsa_cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    )
    serials = {c.chosen["tbs_certificate"]["serial_number"].native for c in signed["certificates"]}
    assert tsa_cert.serial_number in serials


def test_the_first_tsa_certificate_expires_within_two_years_and_the_later_one_after(
    local_pki: LocalPki,
) -> None:
    first = local_pki.validity("tsa")[1]
    later = local_pki.validity("tsa2")[1]
    assert local_pki.anchor + timedelta(days=300) < first < local_pki.anchor + timedelta(days=730)
    assert later > first + timedelta(days=365 * 5)


def test_ocsp_says_good_for_the_signer_and_revoked_for_the_revoked_one(local_pki: LocalPki) -> None:
    assert _responder_url(local_pki.certificate("signer")) == local_pki.ocsp_url
    good = local_pki.ocsp_response("signer")
    assert good.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    assert good.certificate_status == ocsp.OCSPCertStatus.GOOD
    revoked = local_pki.ocsp_response("signer-revoked")
    assert revoked.certificate_status == ocsp.OCSPCertStatus.REVOKED
    assert revoked.revocation_time_utc == local_pki.revoked_since("signer-revoked")


def test_a_later_revocation_shows_only_once_its_time_has_come(local_pki: LocalPki) -> None:
    since = local_pki.revoked_since("signer-later-revoked")
    assert since is not None and since > local_pki.anchor
    assert local_pki.ocsp_response("signer-later-revoked").certificate_status == ocsp.OCSPCertStatus.GOOD
    with local_pki.at(since + timedelta(hours=1)):
        later = local_pki.ocsp_response("signer-later-revoked")
    assert later.certificate_status == ocsp.OCSPCertStatus.REVOKED


def test_the_crl_lists_the_revoked_signer_only(local_pki: LocalPki) -> None:
    with urllib.request.urlopen(local_pki.crl_url(), timeout=10) as answer:  # noqa: S310
        crl = x509.load_der_x509_crl(answer.read())
    assert crl.is_signature_valid(local_pki.certificate("interm").public_key())  # type: ignore[arg-type]
    revoked = {entry.serial_number for entry in crl}
    assert local_pki.certificate("signer-revoked").serial_number in revoked
    assert local_pki.certificate("signer").serial_number not in revoked


def test_the_signer_pkcs12_loads_with_its_chain_and_non_repudiation(local_pki: LocalPki) -> None:
    key = load_signing_key(local_pki.pkcs12("signer"), PKCS12_PASSWORD.encode())
    assert key.certificate == local_pki.certificate("signer")
    usage = key.certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.content_commitment and usage.digital_signature
    chain = {
        local_pki.certificate(label).public_bytes(serialization.Encoding.DER) for label in ("interm", "root")
    }
    assert {c.dump() for c in key.signer.cert_registry} == chain
    assert local_pki.root_pem.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")

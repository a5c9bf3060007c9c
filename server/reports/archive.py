"""Keeping a B-LTA PDF verifiable, with pyHanko: its latest document timestamp, the validation context
that gathers its validation data, and the timestamp renewal itself.

``extend_timestamp_chain`` is pyHanko's archival timestamp update: it validates the file's latest document
timestamp against the trust roots (its certificates, OCSP responses and CRLs go into the document
security store), then appends a fresh document timestamp, each as an incremental update, so the new file
starts with the old bytes exactly.

Everything here is synchronous and blocks (network, pyHanko's own event loop): call it in a worker
thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from io import BytesIO
from typing import TYPE_CHECKING

import msgspec
from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.general import extract_certificate_info
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko_certvalidator import ValidationContext

if TYPE_CHECKING:
    from cryptography.x509 import Certificate

__all__ = [
    "ArchiveError",
    "TimestampFacts",
    "archival_context",
    "certificates_in",
    "extend_timestamp_chain",
    "latest_document_timestamp",
    "timestamp_authority_certificate",
]

_FETCH_TIMEOUT_S = 10


class ArchiveError(Exception):
    """The PDF could not be renewed; the message says why (in English, for the operator)."""


class TimestampFacts(msgspec.Struct, frozen=True, kw_only=True):
    """A document timestamp, or a timestamp authority's answer: who stamped, when, and until when its
    certificate lasts (after that the timestamp proves nothing unless a later one covers it)."""

    at: datetime
    """The time the authority stated (UTC)."""
    authority: str
    """The common name (else the whole subject) of the authority's certificate."""
    certificate_sha256: str
    expires_at: datetime
    """The authority certificate's notAfter (UTC)."""


def _facts(signed_data: cms.SignedData, at: datetime) -> TimestampFacts:
    cert: asn1_x509.Certificate = extract_certificate_info(signed_data).signer_cert
    names = cert.subject.native
    return TimestampFacts(
        at=at.astimezone(UTC),
        authority=str(names.get("common_name") or cert.subject.human_friendly),
        certificate_sha256=hashlib.sha256(cert.dump()).hexdigest(),
        expires_at=cert.not_valid_after.astimezone(UTC),
    )


def latest_document_timestamp(pdf: bytes) -> TimestampFacts | None:
    """The file's last document timestamp (a B-LTA file has at least one), or None: no document
    timestamp, or not a readable PDF."""
    try:
        stamps = PdfFileReader(BytesIO(pdf)).embedded_timestamp_signatures
        if not stamps:
            return None
        last = stamps[-1]
        info = last.signed_data["encap_content_info"]["content"].parsed
        return _facts(last.signed_data, info["gen_time"].native)
    except Exception:  # any damage reads as "no usable timestamp": the caller reports it
        return None


def timestamp_authority_certificate(url: str) -> TimestampFacts:
    """Ask the timestamp authority at ``url`` to stamp a random digest, and describe the certificate it
    signs with now (what a renewal would get). Raises ``ArchiveError`` if it does not answer."""

    async def ask() -> TimestampFacts:
        token = await HTTPTimeStamper(url, timeout=_FETCH_TIMEOUT_S).async_timestamp(
            hashlib.sha256(os.urandom(32)).digest(), "sha256"
        )
        signed = token["content"]
        return _facts(signed, signed["encap_content_info"]["content"].parsed["gen_time"].native)

    try:
        return asyncio.run(ask())
    except (TimestampRequestError, OSError, ValueError, KeyError) as error:
        raise ArchiveError(f"the timestamp authority {url} did not answer: {error}") from error


def certificates_in(pdf: bytes) -> list[asn1_x509.Certificate]:
    """Every certificate the file carries: in its document security store and in its signatures and
    timestamps (an authority's token often omits its issuing CA, which the store then holds)."""
    reader = PdfFileReader(BytesIO(pdf))
    found: dict[bytes, asn1_x509.Certificate] = {}
    try:
        for cert in DocumentSecurityStore.read_dss(reader).load_certs():
            found[cert.sha256] = cert
    except NoDSSFoundError:
        pass
    for embedded in reader.embedded_signatures:
        for choice in embedded.signed_data["certificates"] or ():
            if choice.name == "certificate":
                found[choice.chosen.sha256] = choice.chosen
    return list(found.values())


def archival_context(
    trust_roots: Sequence[Certificate], known_certs: Sequence[asn1_x509.Certificate] = ()
) -> ValidationContext:
    """A validation context for embedding validation data: it trusts ``trust_roots`` alone, knows
    ``known_certs`` (the file's own: a timestamp token often omits its issuing CA, which the document
    security store holds), and fetches OCSP responses and CRLs, failing hard when a declared one does not
    answer. Meant for the organisation's own signed files, never for a stranger's upload (it fetches from
    the addresses their certificates name)."""
    return ValidationContext(
        trust_roots=[translate_pyca_cryptography_cert_to_asn1(c) for c in trust_roots],
        other_certs=list(known_certs),
        allow_fetching=True,
        revocation_mode="hard-fail",
    )


def extend_timestamp_chain(pdf: bytes, trust_roots: Sequence[Certificate], tsa_url: str) -> bytes:
    """``pdf`` with the validation data of its latest document timestamp and a fresh document timestamp
    from ``tsa_url`` (and that one's validation data) appended: the result starts with ``pdf``.

    Raises ``ArchiveError`` when the latest timestamp cannot be validated now (untrusted, revoked, its
    certificate expired, its revocation data out of reach) or the authority does not answer."""
    if not trust_roots:
        raise ArchiveError("no trust roots are configured (TADQIQ_TRUST_ROOTS)")
    latest = latest_document_timestamp(pdf)
    if latest is None:
        raise ArchiveError("the file has no document timestamp to renew (it is not B-LTA)")
    context = archival_context(trust_roots, certificates_in(pdf))
    stamper = PdfTimeStamper(HTTPTimeStamper(tsa_url, timeout=_FETCH_TIMEOUT_S))
    try:
        output = stamper.update_archival_timestamp_chain(
            PdfFileReader(BytesIO(pdf)), context, in_place=False, output=BytesIO()
        )
    except TimestampRequestError as error:
        raise ArchiveError(f"the timestamp authority {tsa_url} failed: {error}") from error
    except TypeError as error:
        # pyHanko goes on without a validation path when the latest timestamp fails to validate, and
        # trips over it while writing the store.
        raise ArchiveError(
            f"the latest document timestamp (by {latest.authority}, its certificate valid until "
            f"{latest.expires_at:%Y-%m-%d}) cannot be validated now against the trust roots"
        ) from error
    except Exception as error:  # pyHanko's validation and writing errors have no common base
        raise ArchiveError(f"the PDF could not be renewed: {error}") from error
    renewed = bytes(output.getbuffer())
    if not renewed.startswith(pdf):
        raise ArchiveError("the renewed file does not start with the earlier bytes")  # never expected
    return renewed

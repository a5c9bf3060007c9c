"""Signing a report's PDF (PAdES) with pyHanko.

``sign_pdf`` adds one visible approval signature as an incremental update: PAdES baseline B-B (subfilter
``ETSI.CAdES.detached``), B-T when a timestamp authority is named (its RFC 3161 token proves the time), or
B-LTA when trust roots are given too: the signer's and the TSA's chains are validated against those roots
alone (never the system's list), their OCSP responses and CRLs fetched and embedded in the document
security store, and a document timestamp added over all of it. Reading a signed PDF back (``verify_pdf``,
``PdfVerdict``, the levels) is in ``pdf_verdict``, the key itself (making, loading, fingerprint) in
``keys``; their names are re-exported here.

``sign_pdf`` is synchronous and CPU-bound (pyHanko runs its own event loop inside): from async code call it
in a worker thread (``await anyio.to_thread.run_sync(...)``), never on the event loop.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from io import BytesIO
from typing import TYPE_CHECKING

import msgspec
from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner
from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext

from server.lib.clock import utcnow
from server.reports.keys import (
    DEMO_KEY_PASSWORD,
    SigningKey,
    SigningKeyError,
    certificate_fingerprint,
    load_configured_key,
    load_signing_key,
    make_demo_key,
)
from server.reports.pdf_verdict import (
    LEVELS,
    Level,
    PdfVerdict,
    Problem,
    refuse_inside_event_loop,
    verify_file,
    verify_pdf,
)

if TYPE_CHECKING:
    from cryptography.x509 import Certificate

    from server.reports.model import SignatureBox

__all__ = [
    "DEMO_KEY_PASSWORD",
    "LEVELS",
    "SIGNATURE_FIELD",
    "Level",
    "PdfVerdict",
    "Problem",
    "ReportSigningError",
    "SignedPdf",
    "SigningKey",
    "SigningKeyError",
    "certificate_fingerprint",
    "load_configured_key",
    "load_signing_key",
    "make_demo_key",
    "revocation_context",
    "sign_pdf",
    "verify_file",
    "verify_pdf",
]

SIGNATURE_FIELD = "TadqiqApproval"
"""Name of the signature form field ``sign_pdf`` creates."""

_TIME_FORMAT = "%Y-%m-%d %H:%M UTC"
_STAMP_STYLE = TextStampStyle(
    stamp_text="%(headline)s\n%(when)s\n%(certificate)s\n%(level)s",
    text_box_style=TextBoxStyle(font_size=8),
    border_width=1,
    background=None,
)


class ReportSigningError(Exception):
    """The PDF could not be signed (a bad box, an unreadable PDF, a timestamp authority that failed)."""


class SignedPdf(msgspec.Struct, frozen=True, kw_only=True):
    pdf: bytes
    """The signed PDF: the input with the signature appended as an incremental update."""
    level: Level
    """B-LTA with a TSA and trust roots, B-T with a TSA alone, else B-B (a piece that fails makes signing
    fail: a report is never silently signed at a lower level)."""
    sha256: str
    """SHA-256 of ``pdf``, lower-case hex: the value the register stores and the public page shows."""
    certificate_fingerprint: str
    """SHA-256 of the signer's DER certificate, lower-case hex."""
    signed_at: datetime
    """The time printed in the stamp (UTC, to the second); the PDF's own /M is within a second of it."""


def sign_pdf(
    pdf: bytes,
    key: SigningKey,
    box: SignatureBox,
    *,
    reason: str,
    location: str,
    tsa_url: str | None = None,
    trust_roots: Sequence[Certificate] = (),
    downgraded_from: Level | None = None,
) -> SignedPdf:
    """Sign ``pdf`` with a visible approval signature in ``box`` (0-based page, PDF points).

    With ``tsa_url`` the signature gets a timestamp token from that RFC 3161 authority (B-T), else none
    (B-B). With ``trust_roots`` as well it is B-LTA: the chains must reach one of them and their OCSP or
    CRL must answer (``trust_roots`` without ``tsa_url`` are not used: every long-term level needs a
    TSA). The stamp names the level, and ``downgraded_from`` the higher one the configuration asked (an
    issue the admin allowed at a lower level says so). Raises ``ReportSigningError`` for a box off the
    document, a PDF pyHanko cannot update, a timestamp authority that fails, or a chain that cannot be
    validated (untrusted, revoked, its revocation data out of reach).
    """
    refuse_inside_event_loop("sign_pdf")
    if not (box.x1 < box.x2 and box.y1 < box.y2):
        raise ReportSigningError(f"the signature box {box} is empty")
    signed_at = utcnow().replace(microsecond=0)
    roots = trust_roots if tsa_url else ()
    level: Level = "B-LTA" if roots else "B-T" if tsa_url else "B-B"
    signer = _pdf_signer(key, box, reason=reason, location=location, tsa_url=tsa_url, trust_roots=roots)
    text = _stamp_text(key, signed_at, level, downgraded_from)
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf))
        _check_page(writer, box.page)
        output = signer.sign_pdf(writer, appearance_text_params=text)
    except TimestampRequestError as error:
        raise ReportSigningError(f"the timestamp authority {tsa_url} failed: {error}") from error
    except SigningError as error:
        cause = f" ({error.__cause__})" if error.__cause__ else ""
        raise ReportSigningError(f"the PDF could not be signed: {error}{cause}") from error
    except (ValueError, KeyError, OSError) as error:
        raise ReportSigningError(f"the PDF could not be signed: {error}") from error
    signed = bytes(output.getbuffer())
    return SignedPdf(
        pdf=signed,
        level=level,
        sha256=hashlib.sha256(signed).hexdigest(),
        certificate_fingerprint=certificate_fingerprint(key),
        signed_at=signed_at,
    )


def revocation_context(trust_roots: Sequence[Certificate]) -> ValidationContext:
    """A validation context that trusts ``trust_roots`` alone and fetches OCSP responses and CRLs (they
    are kept in it, to embed): a certificate that names an OCSP responder or a CRL none of which answers
    fails validation ("hard-fail"), it is not waved through."""
    return ValidationContext(
        trust_roots=[translate_pyca_cryptography_cert_to_asn1(c) for c in trust_roots],
        allow_fetching=True,
        revocation_mode="hard-fail",
    )


def _pdf_signer(
    key: SigningKey,
    box: SignatureBox,
    *,
    reason: str,
    location: str,
    tsa_url: str | None,
    trust_roots: Sequence[Certificate],
) -> PdfSigner:
    long_term = bool(trust_roots)
    meta = PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        embed_validation_info=long_term,
        use_pades_lta=long_term,
        validation_context=revocation_context(trust_roots) if long_term else None,
    )
    field = SigFieldSpec(
        sig_field_name=SIGNATURE_FIELD,
        on_page=box.page,
        box=(round(box.x1), round(box.y1), round(box.x2), round(box.y2)),
    )
    return PdfSigner(
        meta,
        key.signer,
        timestamper=_timestamper(tsa_url) if tsa_url else None,
        stamp_style=_STAMP_STYLE,
        new_field_spec=field,
    )


def _check_page(writer: IncrementalPdfFileWriter, page: int) -> None:
    pages = int(writer.root["/Pages"]["/Count"])
    if not 0 <= page < pages:
        raise ReportSigningError(f"the signature box is on page {page}; the PDF has pages 0 to {pages - 1}")


@lru_cache(maxsize=4)
def _timestamper(url: str) -> HTTPTimeStamper:
    # One per URL: pyHanko caches, per timestamper, the dummy token it uses to size the signature, so a
    # signing after the first asks the authority once instead of twice.
    return HTTPTimeStamper(url, timeout=10)


def _stamp_text(
    key: SigningKey, signed_at: datetime, level: Level, downgraded_from: Level | None
) -> dict[str, str]:
    name = _latin(key.signer.subject_name or "")
    fingerprint = certificate_fingerprint(key)
    lowered = f" (downgraded from {downgraded_from})" if downgraded_from and downgraded_from != level else ""
    return {
        "headline": f"Digitally signed by\n{name}" if name and "?" not in name else "Digitally signed",
        "when": f"Date: {signed_at:{_TIME_FORMAT}}",
        "certificate": f"Certificate SHA-256 {fingerprint[:16]}",
        "level": f"PAdES {level}{lowered}",
    }


def _latin(text: str) -> str:
    """``text`` in the characters the stamp's standard font shows (Latin-1), accents kept where possible.

    pyHanko's default stamp font is a PDF standard font: other scripts would print as garbage, so they
    become '?' (and the caller leaves the name out)."""
    kept = []
    for char in unicodedata.normalize("NFC", text):
        if 0x20 <= ord(char) < 0x7F or 0xA1 <= ord(char) <= 0xFF:
            kept.append(char)
        elif unicodedata.category(char) == "Pd":
            kept.append("-")
        else:
            folded = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
            kept.append(folded or "?")
    return "".join(kept).strip()

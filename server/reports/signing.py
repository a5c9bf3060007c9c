"""Signing a report's PDF (PAdES) and verifying a signed PDF, with pyHanko.

``sign_pdf`` adds one visible approval signature as an incremental update: PAdES baseline B-B (subfilter
``ETSI.CAdES.detached``), B-T when a timestamp authority is named (its RFC 3161 token proves the time), or
B-LTA when trust roots are given too: the signer's and the TSA's chains are validated against those roots
alone (never the system's list), their OCSP responses and CRLs fetched and embedded in the document
security store, and a document timestamp added over all of it.
``verify_pdf`` reads any bytes and answers with a ``PdfVerdict`` whose ``problems`` are stable codes; it
never raises on bad input. The key itself (making, loading, fingerprint) is in ``keys``; its names are
re-exported here.

Both functions are synchronous and CPU-bound (pyHanko runs its own event loop inside): from async code
call them in a worker thread (``await anyio.to_thread.run_sync(...)``), never on the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import msgspec
from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner
from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError
from pyhanko.sign.validation import SignatureCoverageLevel, async_validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
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

if TYPE_CHECKING:
    from cryptography.x509 import Certificate
    from pyhanko.sign.validation import EmbeddedPdfSignature, PdfSignatureStatus

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

Level = Literal["B-B", "B-T", "B-LT", "B-LTA"]
"""PAdES baseline level: B-B (signature only), B-T (with a timestamp authority's token), B-LT (and the
validation data, OCSP responses and CRLs, in the document security store), B-LTA (and a document
timestamp over them, which renewal extends)."""
LEVELS: tuple[Level, ...] = ("B-B", "B-T", "B-LT", "B-LTA")
"""The levels from lowest to highest: each one holds all that the ones before it hold."""

Problem = Literal[
    "unreadable",
    "not_signed",
    "digest_mismatch",
    "invalid_signature",
    "not_whole_document",
    "untrusted_signer",
]
"""Stable codes for what is wrong with a PDF, in this order of gravity:

- ``unreadable``: not a PDF, or its signature cannot be parsed (nothing else is reported);
- ``not_signed``: a readable PDF without a signature (nothing else is reported);
- ``digest_mismatch``: bytes inside the signed range were changed after signing;
- ``invalid_signature``: the signature value does not verify with the certificate in it;
- ``not_whole_document``: bytes were added after the signature (an incremental update other than
  validation data and document timestamps, or junk);
- ``untrusted_signer``: the signer's certificate is not among the trusted ones (or outside its validity).
"""

_TIME_FORMAT = "%Y-%m-%d %H:%M UTC"
# Either usage will do: many organisations' certificates carry digitalSignature alone.
_SIGNER_KEY_USAGE = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"})
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


class PdfVerdict(msgspec.Struct, frozen=True, kw_only=True):
    """What ``verify_pdf`` found. The facts describe the last signature of the file."""

    signed: bool
    intact: bool
    """The signed byte ranges hash to the digest in the signature (no byte in them changed)."""
    valid: bool
    """The signature value verifies with the certificate embedded in it."""
    trusted: bool
    """The signer's certificate is one of the trusted certificates given (and within its validity)."""
    whole_document: bool
    """The signature covers the entire file, or only long-term upkeep (validation data, document
    timestamps) was appended after signing."""
    sha256: str
    """SHA-256 of the bytes given, lower-case hex (to look the file up in the register)."""
    signer: str | None = None
    """The certificate subject's common name."""
    signer_fingerprint: str | None = None
    signed_at: datetime | None = None
    """The timestamp authority's time (B-T), else the time the signer claims (UTC)."""
    level: Level | None = None
    """None for a signature that is not PAdES (``adbe.pkcs7.detached``) or no signature."""
    problems: list[Problem] = []

    @property
    def ok(self) -> bool:
        """Signed, untouched, wholly covered and by a trusted signer."""
        return not self.problems


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
    _refuse_inside_event_loop("sign_pdf")
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


def verify_pdf(pdf: bytes, trusted: Sequence[Certificate] | None = None) -> PdfVerdict:
    """Check the last signature of ``pdf`` against the ``trusted`` certificates (none: nothing is trusted,
    so ``untrusted_signer`` is reported). Any input gives a verdict: garbage is ``unreadable``."""
    _refuse_inside_event_loop("verify_pdf")
    digest = hashlib.sha256(pdf).hexdigest()
    unreadable = PdfVerdict(
        signed=False, intact=False, valid=False, trusted=False, whole_document=False, sha256=digest,
        problems=["unreadable"],
    )  # fmt: skip
    try:
        reader = PdfFileReader(BytesIO(pdf))
        signatures = reader.embedded_regular_signatures
    except Exception:
        return unreadable
    if not signatures:
        return msgspec.structs.replace(unreadable, problems=["not_signed"])
    try:
        embedded = signatures[-1]
        status = asyncio.run(_validate(embedded, trusted or ()))
        return _verdict(embedded, status, digest, whole=_covers_document(status, pdf))
    except Exception:
        return unreadable


async def _validate(embedded: EmbeddedPdfSignature, trusted: Sequence[Certificate]) -> PdfSignatureStatus:
    # No fetching (no OCSP, CRL or issuer downloads): nothing to release afterwards, and a verdict that
    # depends on the given certificates alone.
    context = ValidationContext(
        trust_roots=[translate_pyca_cryptography_cert_to_asn1(c) for c in trusted],
        allow_fetching=False,
    )
    # What follows the signature, if anything, is analysed: long-term upkeep (validation data, document
    # timestamps) leaves the signed document as it was; any other change does not.
    whole_file = embedded.evaluate_signature_coverage() == SignatureCoverageLevel.ENTIRE_FILE
    return await async_validate_pdf_signature(
        embedded, context, key_usage_settings=_SIGNER_KEY_USAGE, skip_diff=whole_file
    )


def _covers_document(status: PdfSignatureStatus, pdf: bytes) -> bool:
    """The signature covers the whole file, or only long-term upkeep follows it (validation data and
    document timestamps, B-LT and B-LTA), in complete revisions: nothing trails the last one."""
    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    return (
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and status.modification_level == ModificationLevel.LTA_UPDATES
        and pdf.rstrip().endswith(b"%%EOF")
    )


def _level(embedded: EmbeddedPdfSignature, stamped: bool) -> Level | None:
    if embedded.sig_object.get("/SubFilter") != SigSeedSubFilter.PADES.value:
        return None
    if not stamped:
        return "B-B"
    reader = embedded.reader
    if "/DSS" not in reader.root:
        return "B-T"
    later = [t for t in reader.embedded_timestamp_signatures if t.signed_revision > embedded.signed_revision]
    return "B-LTA" if later else "B-LT"


def _verdict(
    embedded: EmbeddedPdfSignature, status: PdfSignatureStatus, digest: str, *, whole: bool
) -> PdfVerdict:
    trusted = status.validation_path is not None and status.trust_problem_indic is None
    checks: list[tuple[bool, Problem]] = [
        (status.intact, "digest_mismatch"),
        (status.valid, "invalid_signature"),
        (whole, "not_whole_document"),
        (trusted, "untrusted_signer"),
    ]
    stamp = status.timestamp_validity
    stamped = stamp is not None and stamp.intact and stamp.valid
    when = stamp.timestamp if stamp is not None and stamped else status.signer_reported_dt
    level = _level(embedded, stamped)
    names = status.signing_cert.subject.native
    return PdfVerdict(
        signed=True,
        intact=status.intact,
        valid=status.valid,
        trusted=trusted,
        whole_document=whole,
        sha256=digest,
        signer=str(names["common_name"]) if "common_name" in names else None,
        signer_fingerprint=hashlib.sha256(status.signing_cert.dump()).hexdigest(),
        signed_at=when.astimezone(UTC) if when is not None else None,
        level=level,
        problems=[problem for passed, problem in checks if not passed],
    )


def verify_file(path: Path, trusted: Sequence[Certificate] | None = None) -> PdfVerdict:
    """``verify_pdf`` of a file's bytes; an ``OSError`` if the file cannot be read."""
    return verify_pdf(path.read_bytes(), trusted)


def _refuse_inside_event_loop(name: str) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError(f"{name} blocks: call it in a worker thread (anyio.to_thread.run_sync), not in a loop")

"""What a signed PDF holds, read back: ``verify_pdf`` checks the last signature of any bytes and answers with
a ``PdfVerdict`` (intact, valid, whole document, trusted, its PAdES level and time) whose ``problems`` are
stable codes; it never raises on bad input. The long-term (AdES) validation of a report someone holds is
``verifying``'s; signing is ``signing``'s, which re-exports these names.

``verify_pdf`` is synchronous and CPU-bound (pyHanko runs its own event loop inside): from async code call
it in a worker thread (``await anyio.to_thread.run_sync(...)``), never on the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import msgspec
from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation import SignatureCoverageLevel, async_validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext

if TYPE_CHECKING:
    from cryptography.x509 import Certificate
    from pyhanko.sign.validation import EmbeddedPdfSignature, PdfSignatureStatus

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

SIGNER_KEY_USAGE = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"})
"""What a report signer's certificate must allow: either usage will do, as many organisations' certificates
carry digitalSignature alone."""


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


def verify_pdf(pdf: bytes, trusted: Sequence[Certificate] | None = None) -> PdfVerdict:
    """Check the last signature of ``pdf`` against the ``trusted`` certificates (none: nothing is trusted,
    so ``untrusted_signer`` is reported). Any input gives a verdict: garbage is ``unreadable``."""
    refuse_inside_event_loop("verify_pdf")
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
        embedded, context, key_usage_settings=SIGNER_KEY_USAGE, skip_diff=whole_file
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


def refuse_inside_event_loop(name: str) -> None:
    """Raise when called on a running event loop: ``name`` blocks, and belongs in a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return
    raise RuntimeError(f"{name} blocks: call it in a worker thread (anyio.to_thread.run_sync), not in a loop")

"""Verifying a PDF someone holds: is it one of our reports, untouched, still current, and does its
signature stand the long-term (AdES) validation, now or at any later moment?

The verdict has three parts: the signature itself (``signing.verify_pdf``: intact, whole document, by
whom), the register (by SHA-256: the latest revision of a report, or an earlier one that a timestamp
renewal extended, which is the same signed report), and the long-term validation
(``longterm.validate_long_term``) against the configured trust roots, plus a self-signed certificate the
register or the organisation's own key vouches for (the demo keys). The API always validates offline,
from the file's embedded data: it never fetches from addresses an uploaded file names.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from io import BytesIO
from typing import TYPE_CHECKING, Literal

from anyio import to_thread
from cryptography import x509
from pyhanko.pdf_utils.reader import PdfFileReader

from server.audits import store as audits_store
from server.lib.errors import AppError, ErrorCode
from server.lib.i18n import N_, Locale, translate
from server.reports import revision_store, signing, store
from server.reports.keys import SigningKeyError, load_trust_roots
from server.reports.longterm import LongTermVerdict, validate_long_term
from server.reports.schemas import LongTermOut, VerifyOut

if TYPE_CHECKING:
    from collections.abc import Sequence

    from server.reports.store import ReportEntry
    from server.settings import Settings

__all__ = ["verify_document"]

_VERDICTS = {
    "current": N_(
        "This is report {reference} (version {version}), signed and unaltered, and it is the current version."
    ),
    "superseded": N_(
        "This is report {reference} (version {version}), signed and unaltered, but a later version "
        "replaced it."
    ),
    "altered": N_("This file is not an unaltered report of the register: {problems}."),
}
_EARLIER_REVISION = N_(
    "This file is revision {revision} of {latest}: the later revisions hold the same signed report with "
    "renewed timestamps."
)
_PROBLEMS = {
    "unreadable": N_("the file cannot be read as a PDF"),
    "not_signed": N_("it carries no signature"),
    "digest_mismatch": N_("its content was changed after signing"),
    "invalid_signature": N_("its signature is not valid"),
    "not_whole_document": N_("something was added to the file after signing"),
    "untrusted_signer": N_("it was not signed with this organisation's key"),
    "not_registered": N_("no report with this exact content is in the register"),
}
_LONG_TERM = {
    "valid": N_("Long-term validation as of {moment}: valid; {reason}."),
    "indeterminate": N_("Long-term validation as of {moment}: cannot be decided; {reason}."),
    "invalid": N_("Long-term validation as of {moment}: not valid; {reason}."),
}
_ASSUMED = N_(
    "The latest timestamp's authority is taken as not revoked since its last embedded status: that cannot "
    "be checked offline."
)
_LONG_TERM_REASONS = {
    "ok": N_("its timestamps prove it was signed while every certificate was valid"),
    "unreadable": N_("the file cannot be read as a signed PDF"),
    "not_signed": N_("it carries no signature"),
    "altered": N_("its signed content or its signature value does not verify"),
    "modified": N_("a later revision changed the signed document"),
    "no_timestamp": N_(
        "the signature has no timestamp: its date is the signer's own claim, which nothing proves once the "
        "certificate has expired"
    ),
    "revoked": N_("a certificate was revoked before the signature was made"),
    "revoked_no_proof": N_("a certificate was revoked, and no timestamp proves the signature came before"),
    "not_yet_valid": N_("it was signed before a certificate's validity began"),
    "expired_no_proof": N_(
        "a certificate has expired and no valid timestamp proves the signature existed before: its "
        "timestamps were not renewed in time"
    ),
    "no_revocation_data": N_("the revocation data (OCSP or CRL) a certificate needs at that time is missing"),
    "untrusted": N_("its certificates do not lead to a trusted root"),
    "weak_algorithm": N_("an algorithm it uses is no longer accepted at that time"),
    "other": N_("the validation could not conclude"),
}


async def _find(sha256: str) -> tuple[ReportEntry | None, int | None, int | None]:
    """The register entry of these bytes (its latest revision, or an earlier one), with the file's
    revision number and the latest one."""
    entry = await store.find_by_sha256(sha256)
    revision = None if entry is not None else await revision_store.find_revision(sha256)
    if entry is None and revision is not None:
        entry = await store.get_report(revision.report_id)
    if entry is None:
        return None, None, None
    known = await revision_store.list_revisions(entry.id)
    latest = known[-1].revision if known else 1
    return entry, revision.revision if revision else latest, latest


def _self_signed_signer(pdf: bytes, vouched: Sequence[str]) -> x509.Certificate | None:
    """The file's signing certificate when it is self-signed and its SHA-256 is among ``vouched``."""
    try:
        cert = PdfFileReader(BytesIO(pdf)).embedded_regular_signatures[-1].signer_cert
    except Exception:
        return None
    if cert.subject != cert.issuer or cert.sha256.hex() not in vouched:
        return None
    return x509.load_der_x509_certificate(cert.dump())


def _long_term(
    pdf: bytes, roots: list[x509.Certificate], vouched: list[str], at: datetime | None, offline: bool
) -> LongTermVerdict:
    own = _self_signed_signer(pdf, vouched)
    return validate_long_term(pdf, [*roots, own] if own else roots, at=at, offline=offline)


def _trust(settings: Settings) -> tuple[list[x509.Certificate], list[str]]:
    """The configured roots (none when a file cannot be read: ``tadqiq doctor`` names it) and the
    fingerprint of the organisation's current certificate (the demo key is self-signed)."""
    from server.reports.service import signing_key  # the service imports this module

    try:
        roots = load_trust_roots(settings)
    except SigningKeyError:
        roots = []
    try:
        own = [signing.certificate_fingerprint(signing_key(settings))]
    except AppError:
        own = []
    return roots, own


def _long_term_out(verdict: LongTermVerdict, locale: Locale) -> LongTermOut:
    reason = translate(locale, _LONG_TERM_REASONS[verdict.reason])
    sentence = translate(
        locale,
        _LONG_TERM[verdict.indication],
        moment=f"{verdict.validation_time:%Y-%m-%d %H:%M} UTC",
        reason=reason,
    )
    if verdict.assumed_unrevoked:
        sentence = f"{sentence} {translate(locale, _ASSUMED)}"
    return LongTermOut(
        indication=verdict.indication,
        code=verdict.reason,
        reason=reason,
        sentence=sentence,
        validation_time=verdict.validation_time,
        signature_time=verdict.signature_time,
        document_timestamps=verdict.document_timestamps,
        protected_until=verdict.protected_until,
        offline=verdict.offline,
        assumed_unrevoked=verdict.assumed_unrevoked,
    )


def _sentence(entry: ReportEntry | None, problems: list[str], locale: Locale) -> str:
    if entry is not None and not problems:
        status = "superseded" if entry.superseded_by else "current"
        return translate(locale, _VERDICTS[status], reference=entry.reference, version=entry.version)
    listed = "; ".join(translate(locale, _PROBLEMS[p]) for p in problems)
    return translate(locale, _VERDICTS["altered"], problems=listed)


async def verify_document(
    settings: Settings, pdf: bytes, locale: Locale, *, at: datetime | None = None, offline: bool = True
) -> VerifyOut:
    """The verdict on ``pdf``: its signature (valid, whole file), the register by SHA-256 (any revision),
    and the long-term validation as of ``at`` (default now), ``offline`` from the embedded data alone."""
    if not pdf.startswith(b"%PDF-"):
        raise AppError(ErrorCode.REPORT_NOT_PDF)
    verdict = await to_thread.run_sync(signing.verify_pdf, pdf)
    entry, revision, latest = await _find(verdict.sha256)
    # The register vouches for the certificate a report was signed with, even after the key is renewed.
    vouched = entry is not None and verdict.signer_fingerprint == entry.certificate_sha256
    problems: list[str] = [p for p in verdict.problems if not (vouched and p == "untrusted_signer")]
    if entry is None:
        problems.append("not_registered")
    roots, own = _trust(settings)
    fingerprints = [*own, entry.certificate_sha256] if vouched and entry is not None else own
    long_term = await to_thread.run_sync(partial(_long_term, pdf, roots, fingerprints, at, offline))
    status: Literal["current", "superseded", "unknown"] = (
        "unknown" if entry is None else "superseded" if entry.superseded_by else "current"
    )
    sentence = _sentence(entry, problems, locale)
    if revision is not None and latest is not None and revision < latest:
        sentence = f"{sentence} {translate(locale, _EARLIER_REVISION, revision=revision, latest=latest)}"
    return VerifyOut(
        signed=verdict.signed,
        intact=verdict.intact,
        valid=verdict.valid,
        whole_document=verdict.whole_document,
        registered=entry is not None,
        status=status,
        report_id=entry.id if entry else None,
        reference=entry.reference if entry else None,
        audit_id=entry.audit_id if entry else None,
        audit_code=(await audits_store.get_audit(entry.audit_id)).code if entry else None,
        version=entry.version if entry else None,
        lang=entry.lang if entry else None,
        revision=revision,
        latest_revision=latest,
        sha256=verdict.sha256,
        signer=verdict.signer or "",
        signed_at=verdict.signed_at,
        level=verdict.level or "",
        problems=problems,
        verdict=sentence,
        long_term=_long_term_out(long_term, locale),
    )

"""Long-term verification of a signed PDF: pyHanko's AdES validation (ETSI EN 319 102-1, the LTA
procedure with the document timestamps as the evidence record), at any moment, with the file's embedded
data alone or fetching fresh revocation data.

``validate_long_term`` answers ``valid``, ``indeterminate`` or ``invalid`` with a stable reason code, and
never raises on bad input. Offline, nobody can know whether the authority of the *latest* document
timestamp was revoked after its last embedded status: that certificate is taken as unrevoked at the
validation time (as pyHanko's own future-validation simulation does), and the verdict says so
(``assumed_unrevoked``). Every earlier certificate must be proven by the embedded data, each at the time
the timestamps prove.

Synchronous and CPU-bound (pyHanko runs its own event loop): call it in a worker thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from io import BytesIO
from typing import TYPE_CHECKING, Literal

import msgspec
from cryptography import x509
from pyhanko.keys.internal import translate_pyca_cryptography_cert_to_asn1
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate, AdESStatus
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko.sign.validation.policy_decl import (
    CertificateFetchingRule,
    LocalKnowledge,
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.ltv.types import ValidationTimingInfo
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy, NonRevokedStatusAssertion
from pyhanko_certvalidator.registry import SimpleTrustManager

from server.lib.clock import utcnow
from server.reports.archive import latest_document_timestamp
from server.reports.pdf_verdict import SIGNER_KEY_USAGE

if TYPE_CHECKING:
    from pyhanko.sign.ades.report import AdESSubIndic
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

__all__ = [
    "Indication",
    "LongTermReason",
    "LongTermVerdict",
    "validate_long_term",
]

Indication = Literal["valid", "indeterminate", "invalid"]
LongTermReason = Literal[
    "ok",
    "unreadable",
    "not_signed",
    "altered",
    "modified",
    "no_timestamp",
    "revoked",
    "revoked_no_proof",
    "not_yet_valid",
    "expired_no_proof",
    "no_revocation_data",
    "untrusted",
    "weak_algorithm",
    "other",
]
"""Why, in one stable code:

- ``ok``: valid;
- ``unreadable`` / ``not_signed``: no signature to validate;
- ``altered``: the signed bytes or the signature value do not verify;
- ``modified``: a later revision changes the signed document (beyond validation data and timestamps);
- ``no_timestamp``: the signature has no timestamp (B-B): its time is the signer's own claim, so nothing
  proves it was made while the certificate was valid;
- ``revoked``: a certificate was revoked before the signature was made;
- ``revoked_no_proof``: a certificate was revoked, and no timestamp proves the signature came before;
- ``not_yet_valid``: signed before a certificate's validity began;
- ``expired_no_proof``: a certificate has expired and no valid timestamp proves the signature existed
  while it was valid (a B-B or B-T file after expiry, or a B-LTA file whose timestamps were not renewed);
- ``no_revocation_data``: the file lacks revocation data for a certificate (at that time);
- ``untrusted``: the certificates do not chain to a trusted root;
- ``weak_algorithm``: an algorithm is no longer accepted at that time;
- ``other``: any other AdES indication (``detail`` names it).
"""

_REASONS: dict[AdESSubIndic, LongTermReason] = {
    AdESFailure.FORMAT_FAILURE: "altered",
    AdESFailure.HASH_FAILURE: "altered",
    AdESFailure.SIG_CRYPTO_FAILURE: "altered",
    AdESFailure.REVOKED: "revoked",
    AdESFailure.NOT_YET_VALID: "not_yet_valid",
    AdESIndeterminate.NOT_YET_VALID: "not_yet_valid",
    AdESIndeterminate.REVOKED_NO_POE: "revoked_no_proof",
    AdESIndeterminate.REVOKED_CA_NO_POE: "revoked_no_proof",
    AdESIndeterminate.EXPIRED: "expired_no_proof",
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE: "expired_no_proof",
    AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED: "expired_no_proof",
    AdESIndeterminate.NO_POE: "expired_no_proof",
    AdESIndeterminate.TRY_LATER: "no_revocation_data",
    AdESIndeterminate.REVOCATION_OUT_OF_BOUNDS_NO_POE: "no_revocation_data",
    AdESIndeterminate.CERTIFICATE_CHAIN_GENERAL_FAILURE: "no_revocation_data",
    AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND: "untrusted",
    AdESIndeterminate.CHAIN_CONSTRAINTS_FAILURE: "untrusted",
    AdESIndeterminate.NO_SIGNING_CERTIFICATE_FOUND: "untrusted",
    AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE: "weak_algorithm",
    AdESIndeterminate.CRYPTO_CONSTRAINTS_FAILURE_NO_POE: "weak_algorithm",
}


class LongTermVerdict(msgspec.Struct, frozen=True, kw_only=True):
    indication: Indication
    reason: LongTermReason
    detail: str = ""
    """The AdES sub-indication and pyHanko's message (English), empty when valid."""
    validation_time: datetime
    """The moment the file was validated as of (UTC)."""
    signature_time: datetime | None = None
    """The earliest time the signature is proven to have existed (a timestamp's), else None."""
    document_timestamps: int = 0
    """How many document timestamps the file holds (0 below B-LTA)."""
    protected_until: datetime | None = None
    """When the certificate of the latest document timestamp expires: the file must be renewed before."""
    offline: bool = True
    assumed_unrevoked: bool = False
    """The latest document timestamp's certificate was taken as unrevoked at the validation time (offline,
    or a moment no revocation data can speak for yet)."""


def _spec(
    roots: Sequence[x509.Certificate], offline: bool, assertions: list[NonRevokedStatusAssertion]
) -> PdfSignatureValidationSpec:
    rule = RevinfoOnlineFetchingRule.LOCAL_ONLY if offline else RevinfoOnlineFetchingRule.NO_HISTORICAL_FETCH
    return PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=CertValidationPolicySpec(
                trust_manager=SimpleTrustManager.build(
                    trust_roots=[translate_pyca_cryptography_cert_to_asn1(c) for c in roots]
                ),
                revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO),
            ),
            # Certificates are never fetched from addresses a file names (only revocation data online).
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=rule, certificate_fetching_rule=CertificateFetchingRule.NEVER_FETCH
            ),
            key_usage_settings=SIGNER_KEY_USAGE,
            local_knowledge=LocalKnowledge(nonrevoked_assertions=assertions),
        )
    )


def _indication(status: AdESStatus) -> Indication:
    if status == AdESStatus.PASSED:
        return "valid"
    return "invalid" if status == AdESStatus.FAILED else "indeterminate"


async def _validate(
    embedded: EmbeddedPdfSignature, spec: PdfSignatureValidationSpec, timing: ValidationTimingInfo
) -> tuple[Indication, LongTermReason, str, datetime | None]:
    result = await ades_lta_validation(embedded, spec, timing_info=timing)
    status = result.api_status
    # The AdES procedure judges the signature; what later revisions did to the document is pyHanko's
    # difference analysis: validation data and document timestamps only, or a change.
    if status is not None and (
        status.modification_level == ModificationLevel.OTHER or status.docmdp_ok is False
    ):
        return "invalid", "modified", f"modification level {status.modification_level}", None
    indication = _indication(result.ades_subindic.status)
    if indication == "valid":
        proven = result.oldest_evidence_record_timestamp or result.best_signature_time
        return "valid", "ok", "", proven
    detail = f"{result.ades_subindic}: {result.failure_msg or ''}".strip()
    if result.ades_subindic == AdESIndeterminate.SIG_CONSTRAINTS_FAILURE and not _has_signature_timestamp(
        embedded
    ):
        return indication, "no_timestamp", detail, None
    return indication, _REASONS.get(result.ades_subindic, "other"), detail, None


def _has_signature_timestamp(embedded: EmbeddedPdfSignature) -> bool:
    return next(extract_tst_data_iter(embedded.signer_info, signed=False), None) is not None


def validate_long_term(
    pdf: bytes,
    trust_roots: Sequence[x509.Certificate],
    *,
    at: datetime | None = None,
    offline: bool = True,
) -> LongTermVerdict:
    """The AdES verdict on the last approval signature of ``pdf`` as of ``at`` (default: now), trusting
    ``trust_roots`` alone; ``offline``: with the file's embedded data only."""
    now = utcnow()
    moment = (at or now).astimezone(UTC)
    base = LongTermVerdict(
        indication="indeterminate", reason="unreadable", validation_time=moment, offline=offline
    )
    try:
        reader = PdfFileReader(BytesIO(pdf))
        signatures = reader.embedded_regular_signatures
        stamps = len(reader.embedded_timestamp_signatures)
    except Exception:
        return base
    if not signatures:
        return msgspec.structs.replace(base, reason="not_signed")
    latest = latest_document_timestamp(pdf)
    # Revocation data is fetched for the present only: offline or for a later moment, the latest
    # timestamp's authority cannot be checked, and is taken as unrevoked then.
    assume = offline or moment > now
    assertions = (
        [NonRevokedStatusAssertion(bytes.fromhex(latest.certificate_sha256), moment)]
        if assume and latest is not None
        else []
    )
    spec = _spec(trust_roots, offline, assertions)
    timing = ValidationTimingInfo(
        validation_time=moment, best_signature_time=moment, point_in_time_validation=at is not None
    )
    try:
        indication, reason, detail, proven = asyncio.run(_validate(signatures[-1], spec, timing))
    except Exception as error:  # pyHanko on a malformed signature: no verdict but "cannot tell"
        indication, reason, detail, proven = (
            "indeterminate",
            "other",
            f"{type(error).__name__}: {error}",
            None,
        )
    return LongTermVerdict(
        indication=indication,
        reason=reason,
        detail=detail,
        validation_time=moment,
        signature_time=proven.astimezone(UTC) if proven else None,
        document_timestamps=stamps,
        protected_until=latest.expires_at if latest else None,
        offline=offline,
        assumed_unrevoked=assume and latest is not None,
    )

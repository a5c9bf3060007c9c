"""Signing preflight: can this server sign reports, now, at the level its configuration asks?

The configuration asks for B-B (a key alone), B-T (``TADQIQ_TSA_URL``) or B-LTA (``TADQIQ_TRUST_ROOTS`` as
well). ``signing_preflight`` checks, in order: the key and its certificate (readable, with the
non-repudiation key usage, valid for ``signing_margin_days`` more); for B-LTA the chain up to a configured
root, with its OCSP or CRL answering and saying it is not revoked; and the timestamp authority, which must
answer (and, for B-LTA, chain to a configured root). Each failure is a ``SigningProblem``: a stable code,
the lowest level it rules out, and a sentence naming it (English for ``tadqiq doctor`` and the log, Arabic
or French for the API).

``plan_signing`` runs it before each issue and decides the level to sign at: the configured one, or, when a
problem rules that out and the admin allowed it (``TADQIQ_SIGNATURE_ALLOW_DOWNGRADE``), the highest one
still reachable; otherwise it refuses (``AppError``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Literal

from anyio import to_thread
from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    InsufficientRevinfoError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
    ValidationError,
)

from server.lib.clock import utcnow
from server.lib.errors import AppError, ErrorCode, Phrase
from server.lib.i18n import N_, Locale, translate
from server.reports.keys import (
    SigningKey,
    SigningKeyError,
    has_non_repudiation,
    load_configured_key,
    load_trust_roots,
)
from server.reports.signing import LEVELS, Level, revocation_context

if TYPE_CHECKING:
    from server.settings import Settings

__all__ = [
    "ProblemCode",
    "SigningPlan",
    "SigningProblem",
    "configured_level",
    "plan_signing",
    "reachable_level",
    "signing_preflight",
]

ProblemCode = Literal[
    "key_unusable",
    "no_non_repudiation",
    "certificate_expiring",
    "certificate_revoked",
    "trust_roots_unreadable",
    "tsa_missing",
    "chain_untrusted",
    "revocation_unavailable",
    "tsa_unreachable",
    "tsa_untrusted",
]
_SIGNABLE: tuple[Level, ...] = ("B-B", "B-T", "B-LTA")
"""The levels ``sign_pdf`` makes (B-LT is B-LTA without its document timestamp: never made on purpose)."""
_TSA_TIMEOUT = 10
_MESSAGES: dict[ProblemCode, str] = {
    "key_unusable": N_("the signing key cannot be used: {reason}"),
    "no_non_repudiation": N_(
        "the signing certificate ({subject}) lacks the non-repudiation key usage a report's signature needs"
    ),
    "certificate_expiring": N_(
        "the signing certificate expires on {date}, within the {days}-day margin set "
        "(TADQIQ_SIGNING_MARGIN_DAYS): renew it"
    ),
    "certificate_revoked": N_("the signing certificate is revoked: {reason}"),
    "trust_roots_unreadable": N_("the trust roots cannot be read: {reason}"),
    "tsa_missing": N_("long-term signatures need a timestamp authority, and TADQIQ_TSA_URL is not set"),
    "chain_untrusted": N_(
        "the signing certificate does not chain to a configured trust root (TADQIQ_TRUST_ROOTS): {reason}"
    ),
    "revocation_unavailable": N_(
        "the certificate status services (OCSP, CRL) do not answer for the signing certificate: {reason}"
    ),
    "tsa_unreachable": N_("the timestamp authority {url} does not answer: {reason}"),
    "tsa_untrusted": N_(
        "the timestamp authority's certificate cannot be validated against the trust roots: {reason}"
    ),
}


@dataclass(frozen=True, slots=True)
class SigningProblem:
    """One thing that keeps reports from being signed at some level."""

    code: ProblemCode
    blocks: Level
    """The lowest level this problem rules out (and every level above it): B-B means none can be made."""
    params: dict[str, object] = field(default_factory=dict)

    def message(self, locale: Locale = "en") -> str:
        """The problem in a sentence, in ``locale`` (English by default: the operator's)."""
        return translate(locale, _MESSAGES[self.code], **self.params)

    def phrase(self) -> Phrase:
        """The problem as an error-message parameter, translated when the message is."""
        return Phrase(_MESSAGES[self.code], dict(self.params))

    def __str__(self) -> str:
        return self.message()


@dataclass(frozen=True, slots=True)
class SigningPlan:
    """The level to sign the next report at, and why it is not the configured one if it is not."""

    configured: Level
    level: Level
    problems: list[SigningProblem]

    @property
    def downgraded(self) -> bool:
        return self.level != self.configured


def configured_level(settings: Settings) -> Level:
    """B-LTA with trust roots, B-T with a timestamp authority alone, else B-B."""
    if settings.trust_roots.strip():
        return "B-LTA"
    return "B-T" if settings.tsa_url else "B-B"


def reachable_level(configured: Level, problems: list[SigningProblem]) -> Level | None:
    """The highest level ``sign_pdf`` makes, at most ``configured``, that no problem rules out; None when
    not even B-B can be made."""
    ceiling = min([LEVELS.index(configured) + 1, *(LEVELS.index(p.blocks) for p in problems)])
    possible = [level for level in _SIGNABLE if LEVELS.index(level) < ceiling]
    return possible[-1] if possible else None


async def signing_preflight(settings: Settings) -> list[SigningProblem]:
    """Everything that keeps reports from being signed at the configured level right now (empty: all
    is well). Asks the OCSP responders or CRLs and the timestamp authority over the network."""
    level = configured_level(settings)
    try:
        key = await to_thread.run_sync(load_configured_key, settings)
    except SigningKeyError as error:
        return [SigningProblem("key_unusable", "B-B", {"reason": str(error)})]
    problems = _certificate_problems(key, settings.signing_margin_days)
    context: ValidationContext | None = None
    if level == "B-LTA":
        if not settings.tsa_url:
            problems.append(SigningProblem("tsa_missing", "B-LT"))
        try:
            context = revocation_context(load_trust_roots(settings))
        except SigningKeyError as error:
            problems.append(SigningProblem("trust_roots_unreadable", "B-LT", {"reason": str(error)}))
    try:
        if context is not None:
            problems.extend(await _chain_problems(key, context))
        if settings.tsa_url:
            problems.extend(await _tsa_problems(settings.tsa_url, context))
    finally:
        if context is not None:
            await context.aclose()  # type: ignore[no-untyped-call]
    return problems


def _certificate_problems(key: SigningKey, margin_days: int) -> list[SigningProblem]:
    problems: list[SigningProblem] = []
    certificate = key.certificate
    if not has_non_repudiation(certificate):
        subject = certificate.subject.rfc4514_string()
        problems.append(SigningProblem("no_non_repudiation", "B-B", {"subject": subject}))
    expires = certificate.not_valid_after_utc
    if expires - utcnow() < timedelta(days=margin_days):
        params: dict[str, object] = {"date": f"{expires:%Y-%m-%d}", "days": margin_days}
        problems.append(SigningProblem("certificate_expiring", "B-B", params))
    return problems


async def _chain_problems(key: SigningKey, context: ValidationContext) -> list[SigningProblem]:
    """The signer's chain up to a configured root, each certificate's status asked of its OCSP responder
    or CRL (the configured roots alone are trusted, for the responses too)."""
    validator = CertificateValidator(
        key.signer.signing_cert, intermediate_certs=key.signer.cert_registry, validation_context=context
    )
    try:
        await validator.async_validate_usage(set())  # type: ignore[no-untyped-call]
    except RevokedError as error:
        return [SigningProblem("certificate_revoked", "B-B", {"reason": str(error)})]
    except InsufficientRevinfoError as error:
        return [SigningProblem("revocation_unavailable", "B-LT", {"reason": str(error)})]
    except (PathBuildingError, PathValidationError, ValidationError) as error:
        return [SigningProblem("chain_untrusted", "B-LT", {"reason": str(error)})]
    return []


async def _tsa_problems(url: str, context: ValidationContext | None) -> list[SigningProblem]:
    """The authority answers a timestamp request (for a dummy digest) and, with a context
    (trust roots; the signer's chain already in it), its certificate chains to a root, status known."""
    stamper = HTTPTimeStamper(url, timeout=_TSA_TIMEOUT)
    try:
        # One real request (pyHanko's dummy digest), kept by the stamper for the validation below.
        await stamper.async_dummy_response("sha256")
    except (TimestampRequestError, OSError, ValueError) as error:
        reason = str(error.__cause__ or error)
        return [SigningProblem("tsa_unreachable", "B-T", {"url": url, "reason": reason})]
    if context is None:
        return []
    try:
        async for _path in stamper.validation_paths(context):  # type: ignore[no-untyped-call]
            pass
    except (PathBuildingError, PathValidationError, ValidationError) as error:
        return [SigningProblem("tsa_untrusted", "B-LT", {"reason": str(error)})]
    return []


async def plan_signing(settings: Settings) -> SigningPlan:
    """The level to sign the next report at, after the preflight. ``AppError``
    ``report.signing_unavailable`` when nothing can be signed, ``report.signature_level_unavailable``
    when only a lower level than the configured one can and the admin has not allowed a downgrade (both
    503: the server, not the request, is at fault, and it may pass once the service is back)."""
    configured = configured_level(settings)
    problems = await signing_preflight(settings)
    level = reachable_level(configured, problems)
    phrases = [p.phrase() for p in problems]
    codes = [p.code for p in problems]
    if level is None:
        raise AppError(
            ErrorCode.REPORT_SIGNING_UNAVAILABLE, params={"problem": phrases}, details={"problems": codes}
        )
    if level != configured and not settings.signature_allow_downgrade:
        raise AppError(
            ErrorCode.REPORT_SIGNATURE_LEVEL_UNAVAILABLE,
            params={"level": configured, "problems": phrases},
            details={"configured": configured, "reachable": level, "problems": codes},
        )
    return SigningPlan(configured=configured, level=level, problems=problems)

"""``tadqiq doctor``'s signing preflight (issue 15): can reports be signed at the configured PAdES level
right now? The preflight itself (key usage, chain to the trust roots, OCSP/CRL, the timestamp authority) is
``server.reports.preflight``; here its problems become the doctor's findings.

A problem that only lowers the level is a warning when the admin allows downgrades
(``TADQIQ_SIGNATURE_ALLOW_DOWNGRADE``: reports are then issued lower and say so); otherwise it is a problem,
because every issue would be refused. A key that cannot be used at all is the signing-key check's finding,
not repeated here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from server.reports.preflight import configured_level, reachable_level, signing_preflight
from server.system.doctor_logic import Check

if TYPE_CHECKING:
    from server.reports.preflight import SigningProblem
    from server.system.doctor import Examination

__all__ = ["check_signing_preflight", "preflight_checks"]

_NAME = "signing preflight"


def preflight_checks(
    configured: str, reachable: str | None, problems: list[str], *, key_unusable: bool, allow_downgrade: bool
) -> list[Check]:
    """Findings for a preflight that asked for ``configured`` and can reach ``reachable`` (None: nothing
    can be signed), given the ``problems`` in words."""
    if key_unusable:
        return [
            Check(
                _NAME,
                False,
                "reports cannot be signed at all: the signing key cannot be used (see the key's finding)",
                "fix the signing key first; the preflight runs again on the next issue and the next doctor",
            )
        ]
    if not problems:
        said = f"reports can be signed at PAdES {configured}: every service it needs answered"
        return [Check(_NAME, True, said)]
    if reachable is None:
        hint = "reports cannot be issued until this is fixed"
        return [Check(_NAME, False, text, hint) for text in problems]
    if allow_downgrade:
        hint = (
            f"reports are issued at PAdES {reachable} instead of {configured} and say so; "
            "fix this to sign at the configured level again"
        )
        return [Check(_NAME, False, text, hint, "warning") for text in problems]
    hint = (
        f"every report issue is refused until this is fixed (only PAdES {reachable} could be made now); "
        "TADQIQ_SIGNATURE_ALLOW_DOWNGRADE=true would issue them at the lower level, saying so"
    )
    return [Check(_NAME, False, text, hint) for text in problems]


def _findings(exam: Examination, problems: list[SigningProblem]) -> list[Check]:
    settings = exam.settings
    configured = configured_level(settings)
    unusable = any(problem.code == "key_unusable" for problem in problems)
    others = [problem for problem in problems if problem.code != "key_unusable"]
    return preflight_checks(
        configured,
        reachable_level(configured, others),
        [str(problem) for problem in others],
        key_unusable=unusable,
        allow_downgrade=settings.signature_allow_downgrade,
    )


async def check_signing_preflight(exam: Examination) -> list[Check]:
    """The preflight every report issue runs, asked of the network now."""
    return _findings(exam, await signing_preflight(exam.settings))

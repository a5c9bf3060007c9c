"""Risk-based audit frequency: from a process's risk inputs to the audits it needs this year.

The score is a weighted sum, every weight configurable (``ScoringPolicy``)::

    score = w_criticality * criticality          (1..5)
          + w_nc_major    * major nonconformities at recent audits
          + w_nc_minor    * minor nonconformities at recent audits
          + w_open_action * corrective actions still open
          + w_change      * significant changes (new activity, reorganisation, new site…)
          + w_complaint   * complaints
          + (w_age * months_since_last_audit) // 12

``months_since_last_audit`` is capped at ``max_age_months``; a process never audited counts as the cap.
The age term gives ``w_age`` points per year without an audit, pro rata by month, rounded down.

The level is ``high`` from ``high_from``, ``medium`` from ``medium_from``, else ``low``.

Worked example with the default policy: criticality 3, one major and two minor nonconformities, one
open action, no change, one complaint, last audited 18 months ago::

    10*3 + 8*1 + 3*2 + 2*1 + 6*0 + 2*1 + (5*18)//12 = 30 + 8 + 6 + 2 + 0 + 2 + 7 = 55  → medium

Never audited, same inputs: the age term is (5*36)//12 = 15, the score 63 → high.

The frequency policy maps each level to audits per year: 2, 1 or 0.5 (every other year inside the
certification cycle). ``audits_required`` turns that into this year's (minimum, maximum).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "ALLOWED_FREQUENCIES",
    "RISK_LEVELS",
    "RiskInputs",
    "RiskLevel",
    "ScoringPolicy",
    "audits_required",
    "check_frequency",
    "check_policy",
    "default_criticality",
    "risk_level",
    "risk_score",
]

RiskLevel = Literal["low", "medium", "high"]
RISK_LEVELS: Final[tuple[RiskLevel, ...]] = ("low", "medium", "high")

ALLOWED_FREQUENCIES: Final[tuple[float, ...]] = (0.5, 1, 2)
"""Audits per year a level may ask for; 0.5 is every other year."""

_DEFAULT_CRITICALITY: Final[dict[str, int]] = {"low": 2, "medium": 3, "high": 5}


@dataclass(frozen=True)
class RiskInputs:
    """What is known about one process when the programme is built. Counts are non-negative."""

    criticality: int
    """1 (minor) … 5 (vital to the council's services)."""
    nc_major: int
    nc_minor: int
    open_actions: int
    changes: int
    """Significant changes since the last audit."""
    complaints: int
    months_since_last_audit: int | None
    """None when the process has never been audited."""


@dataclass(frozen=True)
class ScoringPolicy:
    """Weights and thresholds of the score (see the module docstring for the formula)."""

    w_criticality: int = 10
    w_nc_major: int = 8
    w_nc_minor: int = 3
    w_open_action: int = 2
    w_change: int = 6
    w_complaint: int = 2
    w_age: int = 5
    """Points per year since the last audit."""
    high_from: int = 60
    """Lowest score of a high-risk process."""
    medium_from: int = 35
    """Lowest score of a medium-risk process."""
    max_age_months: int = 36
    """Age cap, and the age of a process never audited (one certification cycle by default)."""


def check_policy(policy: ScoringPolicy) -> None:
    """Raise ``ValueError`` naming the field when a weight is negative, the age cap is not positive, or
    ``medium_from`` is above ``high_from``."""
    weights = {
        "w_criticality": policy.w_criticality,
        "w_nc_major": policy.w_nc_major,
        "w_nc_minor": policy.w_nc_minor,
        "w_open_action": policy.w_open_action,
        "w_change": policy.w_change,
        "w_complaint": policy.w_complaint,
        "w_age": policy.w_age,
    }
    for name, value in weights.items():
        if value < 0:
            raise ValueError(f"{name} must not be negative (got {value})")
    if policy.max_age_months <= 0:
        raise ValueError(f"max_age_months must be positive (got {policy.max_age_months})")
    if policy.medium_from > policy.high_from:
        raise ValueError(f"medium_from ({policy.medium_from}) must not exceed high_from ({policy.high_from})")


def risk_score(inputs: RiskInputs, policy: ScoringPolicy) -> int:
    """The weighted score of the module docstring.

    Raises ``ValueError`` when criticality is outside 1..5 or a count is negative: such inputs are a
    bug upstream, and a silently odd score would put a process on the wrong frequency.
    """
    if not 1 <= inputs.criticality <= 5:
        raise ValueError(f"criticality must be 1..5 (got {inputs.criticality})")
    counts = {
        "nc_major": inputs.nc_major,
        "nc_minor": inputs.nc_minor,
        "open_actions": inputs.open_actions,
        "changes": inputs.changes,
        "complaints": inputs.complaints,
    }
    for name, value in counts.items():
        if value < 0:
            raise ValueError(f"{name} must not be negative (got {value})")
    age = policy.max_age_months if inputs.months_since_last_audit is None else inputs.months_since_last_audit
    # A month-0 age (audited this month) must stay 0, hence the explicit None test, not ``or``.
    age = max(0, min(age, policy.max_age_months))
    return (
        policy.w_criticality * inputs.criticality
        + policy.w_nc_major * inputs.nc_major
        + policy.w_nc_minor * inputs.nc_minor
        + policy.w_open_action * inputs.open_actions
        + policy.w_change * inputs.changes
        + policy.w_complaint * inputs.complaints
        + (policy.w_age * age) // 12
    )


def risk_level(score: int, policy: ScoringPolicy) -> RiskLevel:
    """``high`` from ``policy.high_from``, ``medium`` from ``policy.medium_from``, else ``low``."""
    if score >= policy.high_from:
        return "high"
    if score >= policy.medium_from:
        return "medium"
    return "low"


def default_criticality(org_criticality: str) -> int:
    """The 1..5 criticality of a process whose organisation record says low, medium or high (2, 3, 5).

    Low is 2, not 1, so that 1 stays for a process the audit lead judges below the organisation's
    lowest class; high is the top of the scale. Raises ``ValueError`` for any other word.
    """
    try:
        return _DEFAULT_CRITICALITY[org_criticality]
    except KeyError:
        raise ValueError(f"unknown criticality {org_criticality!r} (expected low, medium or high)") from None


def check_frequency(frequency: Mapping[str, float]) -> None:
    """Raise ``ValueError`` naming the level and value when ``frequency`` does not map each of low,
    medium and high (and nothing else) to 0.5, 1 or 2 audits per year."""
    for level in frequency:
        if level not in RISK_LEVELS:
            raise ValueError(f"unknown risk level {level!r} (expected low, medium, high)")
    for level in RISK_LEVELS:
        if level not in frequency:
            raise ValueError(f"no frequency for risk level {level!r}")
        value = frequency[level]
        # bool is an int subclass: True would otherwise pass as 1.
        if isinstance(value, bool) or value not in ALLOWED_FREQUENCIES:
            raise ValueError(f"frequency of {level!r} must be 0.5, 1 or 2 audits per year (got {value!r})")


def audits_required(
    level: RiskLevel, frequency: Mapping[str, float], *, audited_last_year: bool
) -> tuple[int, int]:
    """This year's (minimum, maximum) audits of a process at ``level``.

    2 per year → (2, 2); 1 → (1, 1); 0.5 (every other year) → (0, 1) when the process was audited last
    year, else (1, 1). The maximum of 1 in an off year lets the solver add an audit only to cover
    clauses of the certification cycle nothing else covers. Raises ``ValueError`` as
    ``check_frequency`` does.
    """
    check_frequency(frequency)
    per_year = frequency[level]
    if per_year == 2:
        return (2, 2)
    if per_year == 1:
        return (1, 1)
    return (0, 1) if audited_last_year else (1, 1)

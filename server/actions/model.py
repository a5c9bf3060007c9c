"""A nonconformity record and its corrective actions, as plain frozen data (no database, no Litestar).

A record is opened for each major or minor nonconformity when an audit's report is issued, or for an
observation the audit lead promotes. The auditee's unit answers it (correction, root cause, actions);
an auditor verifies the actions' effectiveness; ``workflow.py`` holds the rules of every step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

__all__ = [
    "Action",
    "ActionStatus",
    "ActionType",
    "Actor",
    "CauseMethod",
    "DuePolicy",
    "NcStatus",
    "Nonconformity",
    "RootCause",
    "Severity",
    "Verdict",
    "Verification",
]


class NcStatus(StrEnum):
    OPEN = "open"
    ANALYSIS = "analysis"
    ACTION_PLAN = "action_plan"
    IN_PROGRESS = "in_progress"
    VERIFICATION = "verification"
    CLOSED = "closed"
    REJECTED = "rejected"


class Severity(StrEnum):
    MAJOR = "major"
    MINOR = "minor"
    OBSERVATION = "observation"
    """An observation the audit lead promoted to a record of its own."""


class ActionType(StrEnum):
    CORRECTION = "correction"
    """Deals with the nonconformity found (the immediate fix)."""
    CORRECTIVE = "corrective"
    """Removes its cause so that it does not happen again."""
    PREVENTIVE = "preventive"
    """Prevents it elsewhere, or improves (ISO's "improvement")."""


class ActionStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"
    """Given up, with a reason: it no longer blocks verification."""


class CauseMethod(StrEnum):
    FIVE_WHYS = "five_whys"
    CATEGORIES = "categories"
    """Cause categories (people, method, material, machine, environment, measurement)."""


class Verdict(StrEnum):
    EFFECTIVE = "effective"
    INEFFECTIVE = "ineffective"


@dataclass(frozen=True)
class RootCause:
    method: CauseMethod
    cause: str
    """The root cause found, in a sentence."""
    whys: tuple[str, ...] = ()
    """The successive answers to "why?" (five whys)."""
    categories: tuple[str, ...] = ()
    """The categories that contributed (cause categories)."""


@dataclass(frozen=True)
class Action:
    id: str
    type: ActionType
    description: str
    owner_id: str
    """The person who carries it out."""
    due: date
    status: ActionStatus = ActionStatus.PLANNED
    evidence: tuple[str, ...] = ()
    """SHA-256 of the attachments that show it done."""
    note: str = ""
    """Why it was cancelled, or what was done."""


@dataclass(frozen=True)
class Verification:
    verdict: Verdict
    verifier_id: str
    on: date
    comment: str
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class Nonconformity:
    id: str
    audit_id: str
    finding_id: str
    severity: Severity
    unit_id: str
    """The unit that answers it: the audited process's owner, else the audited unit."""
    clauses: tuple[str, ...]
    """Clause references, ``iso9001:8.5.1``."""
    opened_on: date
    plan_due: date
    """By when the correction, root cause and action plan are due."""
    close_due: date
    """By when the record should be closed."""
    status: NcStatus = NcStatus.OPEN
    process_id: str | None = None
    correction: str = ""
    """What was done at once about the nonconformity itself."""
    root_cause: RootCause | None = None
    actions: tuple[Action, ...] = ()
    verifications: tuple[Verification, ...] = ()
    rejected_reason: str = ""


@dataclass(frozen=True)
class DuePolicy:
    """Days from opening to the plan and to closure, by severity (configurable: settings and API)."""

    plan_days: dict[Severity, int] = field(
        default_factory=lambda: {Severity.MAJOR: 15, Severity.MINOR: 30, Severity.OBSERVATION: 30}
    )
    close_days: dict[Severity, int] = field(
        default_factory=lambda: {Severity.MAJOR: 90, Severity.MINOR: 180, Severity.OBSERVATION: 180}
    )


@dataclass(frozen=True)
class Actor:
    """Who acts, as the workflow needs to know them."""

    person_id: str | None
    roles: frozenset[str]
    units: frozenset[str] = frozenset()
    """The units the person answers for: their own unit and the units below it."""

"""The management-review pack (ISO 9001/14001/45001 clause 9.3's inputs) as frozen msgspec Structs.

One ``ReviewPack`` is built per period by ``service.py`` (queries in ``store.py``, arithmetic in
``figures.py``) and rendered three ways: JSON for the dashboard (these Structs, camelCase on the
wire), XLSX (``xlsx.py``, one sheet per table) and the signed PDF (``pdf.py``). Every renderer reads
this model and nothing else.

Definitions (what each figure counts):

- **Period**: ``start``..``end``, both days included. The **previous period** ends the day before
  ``start``: for a period of whole months (a year, a quarter) it has as many months (the year before,
  the quarter before), otherwise as many days.
- **As of** (``asOf``): the earlier of the period's end and today. Ageing and lateness are measured at
  that date. A record's *status* is its current status (records keep no status history).
- **The period's audits**: audits whose ``planned_start`` falls in the period (audits without a
  planned start are not counted).
- **Realisation** (by calendar quarter of ``planned_start``): ``planned`` = every audit of the quarter
  whatever its status, cancelled ones included; ``done`` = reported, signed or closed; ``inProgress`` =
  in progress; ``notStarted`` = planned or prepared; ``cancelled`` = cancelled. So ``planned = done +
  inProgress + notStarted + cancelled``. The realisation rate is ``done / (planned - cancelled)``.
- **The period's findings**: the findings (not deleted) of the period's audits that are *done*
  (reported, signed or closed: their findings are final), whose verdict is ``nc_major`` (major),
  ``nc_minor`` (minor), ``observation`` or ``improvement`` (opportunity for improvement). ``conform``
  and ``not_applicable`` answers are not findings here. The previous period's findings are counted the
  same way over the previous period.
- **By severity**: each finding once. **By standard**: each finding once per standard it cites (the
  part of a clause reference before the colon, ``iso9001:8.5.1`` → ``iso9001``), so a finding citing
  two standards counts in both rows and the column total may exceed the number of findings.
  **By clause group**: once per main clause number (4 to 10, the harmonised structure shared by the
  three standards) among its references: ``iso9001:8.5.1`` and ``iso14001:8.1`` → group 8, counted once.
  A finding without clause references counts in no standard or group row. **By process**: the
  finding's process, else its audit's process; neither → the row with an empty key ("no process").
- **Recurring clauses**: a clause reference (``iso9001:8.5.1``) cited by a major or minor
  nonconformity in two or more distinct audits among the period's findings.
- **Nonconformity status** (``ncStatus``): records opened in the period (``opened_on``), by their
  current status and severity.
- **Ageing** (``ncAgeing``): records not closed nor rejected, opened on or before ``asOf`` (whenever:
  the backlog counts), by age in days at ``asOf``: 0-30, 31-90, 91-180, >180.
- **Overdue actions**: plan actions still ``planned`` or ``in_progress`` of records not closed nor
  rejected, whose due date is before ``asOf``; ``daysLate = asOf - due``; most late first.
- **Effectiveness**: the verifications dated in the period (``verified_on``): ``effective`` and
  ``ineffective`` verdicts, and ``rate = effective / verified`` (``None`` when nothing was verified).
  A record verified ineffective then effective counts twice: this is the share of verdicts, the
  measure of how often the actions checked in the period worked.
- **Notable findings**: at most ``NOTABLE_LIMIT`` of the period's findings: every major nonconformity,
  then the minor ones that cite a recurring clause, by severity, then audit code.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final, Literal

import msgspec

__all__ = [
    "AGEING_BUCKETS",
    "NOTABLE_LIMIT",
    "AgeingBucket",
    "AgeingRow",
    "CountRow",
    "Effectiveness",
    "FindingSeverity",
    "Names",
    "NotableFinding",
    "OverdueAction",
    "Period",
    "QuarterRow",
    "RecurringClause",
    "ReviewPack",
    "SeverityRow",
    "StatusRow",
    "Totals",
]

FindingSeverity = Literal["major", "minor", "observation", "improvement"]
"""A finding's verdict as the pack names it (``nc_major`` → major, ``nc_minor`` → minor)."""

AgeingBucket = Literal["0-30", "31-90", "91-180", ">180"]
AGEING_BUCKETS: Final[tuple[AgeingBucket, ...]] = ("0-30", "31-90", "91-180", ">180")
NOTABLE_LIMIT: Final = 10


class _Out(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """Frozen, camelCase on the wire."""


class Names(_Out, frozen=True):
    """A name in both languages (a unit, a process, a person, a clause's short title)."""

    ar: str
    fr: str


class Period(_Out, frozen=True):
    start: date
    end: date
    label: str
    """"2026" for a calendar year, else "2026-01-01 – 2026-06-30" (digits only: same in ar and fr)."""


class QuarterRow(_Out, frozen=True):
    year: int
    quarter: int
    """1 to 4."""
    planned: int
    done: int
    in_progress: int
    not_started: int
    cancelled: int


class CountRow(_Out, frozen=True):
    """Findings of one standard, clause group or process, by severity, beside the previous period."""

    key: str
    """``iso9001``; ``"8"``; a process id (``""`` for findings of no process)."""
    label: Names
    major: int
    minor: int
    observation: int
    improvement: int
    total: int
    previous_total: int


class SeverityRow(_Out, frozen=True):
    severity: FindingSeverity
    current: int
    previous: int


class RecurringClause(_Out, frozen=True):
    clause: str
    """``iso9001:8.5.1``."""
    label: Names | None
    """The clause's short title from the checklist library, when it knows the clause."""
    audits: int
    """Distinct audits with a major or minor nonconformity citing it."""
    findings: int
    audit_codes: tuple[str, ...]


class StatusRow(_Out, frozen=True):
    status: str
    """open, analysis, action_plan, in_progress, verification, closed, rejected."""
    major: int
    minor: int
    observation: int
    total: int


class AgeingRow(_Out, frozen=True):
    bucket: AgeingBucket
    major: int
    minor: int
    observation: int
    total: int


class OverdueAction(_Out, frozen=True):
    nc_id: str
    action_id: str
    audit_code: str
    unit: Names
    owner: Names
    type: str
    """correction, corrective or preventive."""
    due: date
    days_late: int
    description: str


class Effectiveness(_Out, frozen=True):
    verified: int
    effective: int
    ineffective: int
    rate: float | None
    """``effective / verified``, between 0 and 1; ``None`` when nothing was verified in the period."""


class NotableFinding(_Out, frozen=True):
    finding_id: str
    audit_code: str
    clauses: tuple[str, ...]
    severity: FindingSeverity
    statement: str
    unit: Names | None
    process: Names | None


class Totals(_Out, frozen=True):
    audits_planned: int
    audits_done: int
    audits_cancelled: int
    realisation_rate: float | None
    """``done / (planned - cancelled)``; ``None`` when nothing remained planned."""
    findings: int
    previous_findings: int
    nonconformities_opened: int
    """Records opened in the period."""
    nonconformities_open: int
    """Records not closed nor rejected at ``asOf`` (the ageing table's total)."""
    overdue_actions: int


class ReviewPack(_Out, frozen=True):
    period: Period
    previous: Period
    as_of: date
    generated_at: datetime
    realisation: tuple[QuarterRow, ...]
    findings_by_standard: tuple[CountRow, ...]
    findings_by_clause_group: tuple[CountRow, ...]
    findings_by_process: tuple[CountRow, ...]
    findings_by_severity: tuple[SeverityRow, ...]
    recurring_clauses: tuple[RecurringClause, ...]
    nc_status: tuple[StatusRow, ...]
    nc_ageing: tuple[AgeingRow, ...]
    overdue_actions: tuple[OverdueAction, ...]
    effectiveness: Effectiveness
    notable: tuple[NotableFinding, ...]
    totals: Totals

"""The annual audit programme: one row per year, its entries (the planned audits), the audit lead's
risk inputs, the snapshot of every submitted version, the policy, and the auditors' calendar links."""

from __future__ import annotations

import uuid

from piccolo.columns import JSON, UUID, Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

__all__ = [
    "CalendarLink",
    "Programme",
    "ProgrammeEntry",
    "ProgrammePolicy",
    "ProgrammeRisk",
    "ProgrammeVersion",
]


class ProgrammePolicy(Table, tablename="programme_policy"):
    """The one row holding how programmes are built (scoring, frequency, calendar); absent until first
    changed, when the defaults of ``schemas.PolicyIO`` apply."""

    id = Integer(primary_key=True, default=1, help_text="Always 1.")
    body = JSON(default={}, help_text="PolicyIO without its rev, as JSON.")
    rev = Integer(default=0)
    updated_at = Timestamptz(null=True, default=None)
    updated_by = Varchar(length=64, default="")


class Programme(Table, tablename="programme"):
    id = UUID(primary_key=True, default=uuid.uuid4)
    year = Integer(unique=True, help_text="The programme's calendar year: one programme per year.")
    status = Varchar(length=12, help_text="draft, submitted or approved.")
    version = Integer(default=1, help_text="The version being worked on, or the last submitted one.")
    rev = Integer(default=1, help_text="One more at each change: the compare-and-set of every write.")
    last_solve = JSON(
        null=True, default=None, help_text="The last solve's outcome (status, objective, explanations)."
    )
    revision_reason = Text(
        default="", help_text="Why the approved programme is being revised: the next version's reason."
    )
    solved_rev = Integer(
        default=0, help_text="rev right after the last successful solve: submitting needs it current."
    )
    created_at = Timestamptz()
    updated_at = Timestamptz()
    updated_by = Varchar(length=64, default="")


class ProgrammeEntry(Table, tablename="programme_entry"):
    """One planned audit. Its id is kept for the same process and occurrence across solves and
    revisions: calendars use it as the event UID, and the planned audit refers to it."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    programme = ForeignKey(Programme, null=False, on_delete=OnDelete.cascade)
    process_id = UUID(index=True)
    occurrence = Integer(default=0, help_text="0: first audit of the process this year, 1: the second.")
    active = Boolean(
        default=True, help_text="False once a solve or revision dropped it (kept: an audit may refer to it)."
    )
    standards = JSON(default=[])
    month = Integer()
    start = Date()
    end = Date()
    lead_id = UUID()
    auditor_ids = JSON(default=[])
    pinned_month = Boolean(default=False)
    pinned_team = Boolean(default=False)
    override_reason = Text(default="")
    sequence = Integer(default=0, help_text="Bumped when dates or team change: the calendar SEQUENCE.")
    audit_id = UUID(null=True, default=None, help_text="Planned audit created on approval.")


class ProgrammeRisk(Table, tablename="programme_risk"):
    """The audit lead's risk inputs for one process in one programme (the rest come from past audits)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    programme = ForeignKey(Programme, null=False, on_delete=OnDelete.cascade)
    process_id = UUID(index=True)
    criticality = Integer(help_text="1 (low) to 5 (critical).")
    changes = Integer(default=0)
    complaints = Integer(default=0)
    open_actions = Integer(default=0)
    note = Varchar(length=200, default="")


class ProgrammeVersion(Table, tablename="programme_version"):
    """A submitted version, frozen: what the manager saw, and what they decided."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    programme = ForeignKey(Programme, null=False, on_delete=OnDelete.cascade)
    number = Integer()
    status = Varchar(length=12, help_text="submitted, approved or returned.")
    reason = Text(default="")
    comment = Text(default="")
    snapshot = JSON(help_text="The programme as submitted (ProgrammeOut without its history).")
    submitted_by = Varchar(length=64)
    submitted_at = Timestamptz()
    decided_by = Varchar(length=64, default="")
    decided_at = Timestamptz(null=True, default=None)


class CalendarLink(Table, tablename="programme_calendar_link"):
    """An auditor's secret calendar subscription address; only the token's hash is kept."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    person_id = UUID(index=True)
    token_sha256 = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)

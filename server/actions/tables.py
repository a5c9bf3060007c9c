"""Nonconformity records, the actions of their plans and the verifications of their effectiveness."""

from __future__ import annotations

import uuid

from piccolo.columns import JSON, UUID, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

__all__ = ["NcAction", "NcDuePolicy", "NcVerification", "Nonconformity"]


class Nonconformity(Table, tablename="nonconformity"):
    """One record per finding (a major or minor nonconformity, or a promoted observation). Listed by
    unit and status (an index over both, made by a migration) and by audit."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    audit_id = UUID(index=True)
    finding_id = UUID(unique=True, help_text="A report issued twice opens one record per finding.")
    severity = Varchar(length=12, help_text="major, minor or observation.")
    unit_id = UUID(help_text="The unit that answers it.")
    process_id = UUID(null=True, default=None)
    clauses = JSON(default=[], help_text="Clause references, iso9001:8.5.1.")
    opened_on = Date()
    plan_due = Date()
    close_due = Date()
    status = Varchar(length=16, help_text="open, analysis, action_plan, in_progress, verification, ...")
    correction = Text(default="")
    root_cause = JSON(
        null=True, default=None, help_text="{method, cause, whys, categories}; null until analysed."
    )
    rejected_reason = Text(default="")
    rev = Integer(default=1, help_text="One more at each change: the compare-and-set of every write.")
    created_at = Timestamptz()
    updated_at = Timestamptz()


class NcAction(Table, tablename="nc_action"):
    """An action of a record's plan; the plan is replaced as a whole at each change."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    nonconformity = ForeignKey(Nonconformity, null=False, on_delete=OnDelete.cascade)
    position = Integer(help_text="Order in the plan, from 0; unique per record (an index by a migration).")
    type = Varchar(length=12, help_text="correction, corrective or preventive.")
    description = Text()
    owner_id = UUID(help_text="The person who carries it out.")
    due = Date()
    status = Varchar(length=12, help_text="planned, in_progress, done or cancelled.")
    evidence = JSON(default=[], help_text="SHA-256 of the attachments that show it done.")
    note = Text(default="")


class NcVerification(Table, tablename="nc_verification"):
    """A verdict on the actions' effectiveness: appended, never edited or deleted."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    nonconformity = ForeignKey(Nonconformity, null=False, on_delete=OnDelete.cascade)
    position = Integer(help_text="0 for the first verification; unique per record (an index by a migration).")
    verdict = Varchar(length=12, help_text="effective or ineffective.")
    verifier_id = UUID()
    verified_on = Date(help_text="The verification's date (the model's ``on``).")
    comment = Text(default="")
    evidence = JSON(default=[], help_text="SHA-256 of the attachments.")
    created_at = Timestamptz()


class NcDuePolicy(Table, tablename="nc_due_policy"):
    """The one row holding the days allowed for plans and closures, by severity; absent until first
    changed through the API, when the settings' defaults apply."""

    id = Integer(primary_key=True, default=1, help_text="Always 1.")
    body = JSON(default={}, help_text='{"planDays": {"major": 15, ...}, "closeDays": {...}}.')
    rev = Integer(default=0)
    updated_at = Timestamptz(null=True, default=None)
    updated_by = Varchar(length=64, default="")

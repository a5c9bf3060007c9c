"""Audits: the plan of each audit, its team and its lifecycle status."""

from __future__ import annotations

import uuid

from piccolo.columns import JSON, UUID, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

__all__ = ["Audit", "AuditTeamMember"]


class Audit(Table, tablename="audit"):
    id = UUID(primary_key=True, default=uuid.uuid4)
    code = Varchar(length=24, unique=True, help_text="Reference shown on documents, e.g. AI-2026-014.")
    title_ar = Varchar(length=300)
    title_fr = Varchar(length=300)
    status = Varchar(
        length=16,
        index=True,
        help_text="planned, prepared, in_progress, reported, signed, closed, cancelled.",
    )
    programme_entry_id = UUID(
        null=True, default=None, help_text="Programme entry it realises; null for ad hoc."
    )
    process_id = UUID(null=True, default=None, help_text="Audited process (org domain).")
    unit_ids = JSON(help_text="Audited units.")
    site_ids = JSON(help_text="Sites visited.")
    standards = JSON(help_text="Standards in scope.")
    clauses = JSON(help_text="Clause references or prefixes in scope; empty for the whole standards.")
    criteria = JSON(help_text="Named internal documents and legal texts besides the standards.")
    objectives = Text(default="")
    auditee_ids = JSON(help_text="People met as auditees.")
    planned_start = Date(null=True, default=None)
    planned_end = Date(null=True, default=None)
    agenda = Text(default="")
    checklist_version = Varchar(length=64, null=True, default=None, help_text="Pinned when prepared.")
    cancel_reason = Text(default="")
    rev = Integer(default=1)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class AuditTeamMember(Table, tablename="audit_team_member"):
    id = UUID(primary_key=True, default=uuid.uuid4)
    audit = ForeignKey(Audit, null=False, on_delete=OnDelete.cascade)
    person_id = UUID(index=True)
    role = Varchar(length=8, help_text="lead or auditor.")
    override_reason = Text(
        default="", help_text="Written reason when the lead overrode an impartiality conflict."
    )
    override_by = Varchar(length=64, default="")
    override_scope = JSON(
        default=[],
        help_text="Audited units the override reason was written for (sorted); it counts for no other "
        "scope. Empty for overrides written before scopes were recorded: the lead writes them again.",
    )

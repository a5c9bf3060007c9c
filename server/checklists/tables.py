"""Organisation questions and the pinned snapshots of the composed checklist library."""

from __future__ import annotations

import uuid

from piccolo.columns import JSON, UUID, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["ChecklistSnapshot", "OrgQuestion"]


class OrgQuestion(Table, tablename="checklist_org_question"):
    id = UUID(primary_key=True, default=uuid.uuid4)
    code = Varchar(length=24, unique=True, help_text="Stable id shown to people, e.g. org-007.")
    clauses = JSON(help_text='Clause references, e.g. ["iso9001:7.5.3.1"].')
    process_ids = JSON(help_text="Processes the question is limited to; empty for all.")
    tags = JSON(help_text="Checklist tags.")
    text_ar = Varchar(length=1000)
    text_fr = Varchar(length=1000)
    text_en = Varchar(length=1000, default="")
    guidance_ar = Varchar(length=2000, default="")
    guidance_fr = Varchar(length=2000, default="")
    guidance_en = Varchar(length=2000, default="")
    rev = Integer(default=1, help_text="Incremented at every change.")
    created_at = Timestamptz()
    updated_at = Timestamptz()
    retired_at = Timestamptz(null=True, default=None, help_text="Retired questions stay in pinned versions.")


class ChecklistSnapshot(Table, tablename="checklist_snapshot"):
    version = Varchar(length=64, primary_key=True, help_text="SHA-256 of the composed library content.")
    content = Text(help_text="The composed library (JSON) as it was when pinned.")
    created_at = Timestamptz()

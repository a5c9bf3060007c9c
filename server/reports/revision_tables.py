"""The revisions of issued PDFs: a renewal appends a document timestamp to a B-LTA report, which makes new
bytes under a new SHA-256; each revision stays stored and is listed here, never changed or deleted."""

from __future__ import annotations

import uuid

from piccolo.columns import UUID, Integer, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["ReportRevision"]


class ReportRevision(Table, tablename="report_revision"):
    """One stored revision of an issued report's PDF. Revision 1 is the PDF as issued (written when the
    report is first renewed); the register row (``issued_report``) names the latest one."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    report_id = UUID(index=True, help_text="The issued report (issued_report.id).")
    revision = Integer(help_text="1 as issued, then 2, 3, … one per renewal; unique with report_id.")
    sha256 = Varchar(
        length=64, unique=True, help_text="SHA-256 of this revision's bytes in the report store."
    )
    size = Integer()
    made_at = Timestamptz(help_text="When this revision was issued or renewed.")
    made_by = Varchar(length=16, help_text="issue or renewal.")
    authority = Varchar(length=200, default="", help_text="The authority of its latest document timestamp.")
    timestamp_expires_at = Timestamptz(
        null=True, default=None, help_text="When the certificate of its latest document timestamp expires."
    )

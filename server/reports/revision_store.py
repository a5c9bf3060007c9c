"""The revisions of issued PDFs in the database (the only module touching ``report_revision``), and the
one write a renewal makes to the register: ``issued_report`` then names the latest revision's bytes."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

import msgspec

from server.lib.db import write_transaction
from server.reports.revision_tables import ReportRevision
from server.reports.tables import IssuedReport
from server.trail.store import record_change

__all__ = [
    "LongTermReport",
    "NewRevision",
    "RevisionEntry",
    "find_revision",
    "list_revisions",
    "long_term_reports",
    "record_renewal",
]

LONG_TERM_LEVEL = "B-LTA"


class LongTermReport(msgspec.Struct, frozen=True, kw_only=True):
    """A register row whose PDF carries document timestamps to renew."""

    id: str
    reference: str
    sha256: str
    """Its latest revision, the bytes the register serves."""
    size: int
    issued_at: datetime


class RevisionEntry(msgspec.Struct, frozen=True, kw_only=True):
    report_id: str
    revision: int
    sha256: str
    size: int
    made_at: datetime
    made_by: Literal["issue", "renewal"]
    authority: str
    timestamp_expires_at: datetime | None


class NewRevision(msgspec.Struct, frozen=True, kw_only=True):
    """What a renewal made, and what the revision before it held (for revision 1, written late)."""

    sha256: str
    size: int
    authority: str
    timestamp_expires_at: datetime
    previous_authority: str
    previous_expires_at: datetime | None
    made_at: datetime


def _revision(row: dict[str, Any]) -> RevisionEntry:
    return RevisionEntry(
        report_id=str(row["report_id"]),
        revision=row["revision"],
        sha256=row["sha256"],
        size=row["size"],
        made_at=row["made_at"],
        made_by=row["made_by"],
        authority=row["authority"],
        timestamp_expires_at=row["timestamp_expires_at"],
    )


async def long_term_reports() -> list[LongTermReport]:
    """Every B-LTA report of the register, oldest issue first."""
    rows = (
        await IssuedReport.select(
            IssuedReport.id,
            IssuedReport.reference,
            IssuedReport.sha256,
            IssuedReport.size,
            IssuedReport.issued_at,
        )
        .where(IssuedReport.level == LONG_TERM_LEVEL)
        .order_by(IssuedReport.issued_at)
    )
    return [
        LongTermReport(
            id=str(row["id"]),
            reference=row["reference"],
            sha256=row["sha256"],
            size=row["size"],
            issued_at=row["issued_at"],
        )
        for row in rows
    ]


async def list_revisions(report_id: str) -> list[RevisionEntry]:
    """The report's revisions, first to latest; empty for a report never renewed (its only revision is
    the register row itself)."""
    rows = (
        await ReportRevision.select()
        .where(ReportRevision.report_id == report_id)
        .order_by(ReportRevision.revision)
    )
    return [_revision(row) for row in rows]


async def find_revision(sha256: str) -> RevisionEntry | None:
    """The revision whose bytes hash to ``sha256``, if any."""
    rows = await ReportRevision.select().where(ReportRevision.sha256 == sha256).limit(1)
    return _revision(rows[0]) if rows else None


async def record_renewal(report: LongTermReport, new: NewRevision) -> int | None:
    """In one transaction: move the register row from ``report.sha256`` to the renewed bytes (only if it
    still names ``report.sha256``: of two renewals at once, one wins), list the revision (and, at the
    first renewal, revision 1 as issued) and write the trail entry. Returns the new revision's number, or
    None when another renewal got there first (nothing written)."""
    async with write_transaction():
        moved = (
            await IssuedReport.update({IssuedReport.sha256: new.sha256, IssuedReport.size: new.size})
            .where((IssuedReport.id == report.id) & (IssuedReport.sha256 == report.sha256))
            .returning(IssuedReport.id)
        )
        if not moved:
            return None
        known = await list_revisions(report.id)
        before = known[-1] if known else _as_issued(report, new)
        if not known:
            await _insert(before)
        after = RevisionEntry(
            report_id=report.id,
            revision=before.revision + 1,
            sha256=new.sha256,
            size=new.size,
            made_at=new.made_at,
            made_by="renewal",
            authority=new.authority,
            timestamp_expires_at=new.timestamp_expires_at,
        )
        await _insert(after)
        await record_change(None, "renew", "report", report.id, _trail(before), _trail(after))
    return after.revision


def _as_issued(report: LongTermReport, new: NewRevision) -> RevisionEntry:
    return RevisionEntry(
        report_id=report.id,
        revision=1,
        sha256=report.sha256,
        size=report.size,
        made_at=report.issued_at,
        made_by="issue",
        authority=new.previous_authority,
        timestamp_expires_at=new.previous_expires_at,
    )


def _trail(entry: RevisionEntry) -> dict[str, Any]:
    return {
        "revision": entry.revision,
        "sha256": entry.sha256,
        "size": entry.size,
        "timestampAuthority": entry.authority,
        "timestampExpiresAt": entry.timestamp_expires_at,
    }


async def _insert(entry: RevisionEntry) -> None:
    await ReportRevision.insert(
        ReportRevision(
            report_id=entry.report_id,
            revision=entry.revision,
            sha256=entry.sha256,
            size=entry.size,
            made_at=entry.made_at,
            made_by=entry.made_by,
            authority=entry.authority[:200],
            timestamp_expires_at=entry.timestamp_expires_at,
        )
    )

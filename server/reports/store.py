"""The register of issued reports in the database (the only module touching its table)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import msgspec

from server.lib.errors import AppError, ErrorCode
from server.reports.tables import IssuedReport
from server.trail.store import record_change

if TYPE_CHECKING:
    from server.lib.principal import Principal

__all__ = [
    "ReportEntry",
    "find_by_sha256",
    "get_by_token",
    "get_report",
    "insert_report",
    "list_reports",
    "next_version",
]


class ReportEntry(msgspec.Struct, frozen=True, kw_only=True):
    """One row of the register; ``superseded_by`` is filled from the later version, if any."""

    id: str
    audit_id: str
    lang: str
    version: int
    reference: str
    token: str
    sha256: str
    size: int
    pages: int
    level: str
    configured_level: str
    """The level the configuration asked; ``level`` is lower when a downgrade was allowed ('' before
    levels were recorded)."""
    certificate_sha256: str
    signer: str
    supersedes_id: str | None
    checklist_version: str
    reason: str
    issued_by: str
    issued_at: datetime
    superseded_by: str | None = None


def _entry(row: dict[str, Any], superseded_by: str | None) -> ReportEntry:
    return ReportEntry(
        id=str(row["id"]),
        audit_id=str(row["audit_id"]),
        lang=row["lang"],
        version=row["version"],
        reference=row["reference"],
        token=row["token"],
        sha256=row["sha256"],
        size=row["size"],
        pages=row["pages"],
        level=row["level"],
        configured_level=row["configured_level"],
        certificate_sha256=row["certificate_sha256"],
        signer=row["signer"],
        supersedes_id=str(row["supersedes_id"]) if row["supersedes_id"] else None,
        checklist_version=row["checklist_version"],
        reason=row["reason"],
        issued_by=row["issued_by"],
        issued_at=row["issued_at"],
        superseded_by=superseded_by,
    )


async def _with_successors(rows: list[dict[str, Any]]) -> list[ReportEntry]:
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    later = await IssuedReport.select(IssuedReport.id, IssuedReport.supersedes_id).where(
        IssuedReport.supersedes_id.is_in(ids)
    )
    successor = {str(row["supersedes_id"]): str(row["id"]) for row in later}
    return [_entry(row, successor.get(str(row["id"]))) for row in rows]


async def list_reports(audit_id: str) -> list[ReportEntry]:
    """Every version issued for the audit, newest first within each language (ar before fr)."""
    rows = (
        await IssuedReport.select()
        .where(IssuedReport.audit_id == audit_id)
        .order_by(IssuedReport.lang)
        .order_by(IssuedReport.version, ascending=False)
    )
    return await _with_successors(rows)


async def get_report(report_id: str) -> ReportEntry | None:
    rows = await IssuedReport.select().where(IssuedReport.id == report_id)
    found = await _with_successors(rows)
    return found[0] if found else None


async def get_by_token(token: str) -> ReportEntry | None:
    rows = await IssuedReport.select().where(IssuedReport.token == token)
    found = await _with_successors(rows)
    return found[0] if found else None


async def find_by_sha256(sha256: str) -> ReportEntry | None:
    rows = await IssuedReport.select().where(IssuedReport.sha256 == sha256).limit(1)
    found = await _with_successors(rows)
    return found[0] if found else None


async def next_version(audit_id: str, lang: str) -> tuple[int, ReportEntry | None]:
    """The next version number for the audit in that language, and the version it will supersede."""
    rows = (
        await IssuedReport.select()
        .where((IssuedReport.audit_id == audit_id) & (IssuedReport.lang == lang))
        .order_by(IssuedReport.version, ascending=False)
        .limit(1)
    )
    if not rows:
        return 1, None
    return rows[0]["version"] + 1, _entry(rows[0], None)


def _is_unique_violation(exc: BaseException) -> bool:
    name = type(exc).__name__
    return name in {"IntegrityError", "UniqueViolationError"} and "unique" in str(exc).lower()


async def insert_report(actor: Principal | None, entry: ReportEntry, issued_by_user_id: str | None) -> None:
    """Write the register row and its trail entry; call inside the issuing transaction. Two issues of
    the same version at once: the second is refused (409), the first stands."""
    row = IssuedReport(
        id=entry.id,
        audit_id=entry.audit_id,
        lang=entry.lang,
        version=entry.version,
        reference=entry.reference,
        token=entry.token,
        sha256=entry.sha256,
        size=entry.size,
        pages=entry.pages,
        level=entry.level,
        configured_level=entry.configured_level,
        certificate_sha256=entry.certificate_sha256,
        signer=entry.signer,
        supersedes_id=entry.supersedes_id,
        checklist_version=entry.checklist_version,
        reason=entry.reason,
        issued_by_user_id=issued_by_user_id,
        issued_by=entry.issued_by,
        issued_at=entry.issued_at,
    )
    try:
        await IssuedReport.insert(row)
    except Exception as exc:
        if _is_unique_violation(exc):
            raise AppError(ErrorCode.REPORT_VERSION_TAKEN, details={"version": entry.version}) from exc
        raise
    await record_change(
        actor,
        "issue",
        "report",
        entry.id,
        None,
        {
            "auditId": entry.audit_id,
            "lang": entry.lang,
            "version": entry.version,
            "reference": entry.reference,
            "sha256": entry.sha256,
            "supersedes": entry.supersedes_id,
            "level": entry.level,
            "configuredLevel": entry.configured_level,
        },
    )

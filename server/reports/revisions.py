"""The revisions of an issued report, for whoever may read its audit: a timestamp renewal makes new
bytes (the earlier ones plus a document timestamp), the register serves the latest, and every earlier
revision stays listed and downloadable here, byte for byte."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from server.audits import service as audits_service
from server.lib.errors import AppError, ErrorCode
from server.reports import revision_store, store
from server.reports.schemas import ReportRevisionOut
from server.reports.service import report_files

if TYPE_CHECKING:
    from server.lib.principal import Principal
    from server.reports.revision_store import RevisionEntry
    from server.reports.store import ReportEntry
    from server.settings import Settings

__all__ = ["list_report_revisions", "read_report_revision"]


def _not_found(report_id: str) -> AppError:
    return AppError(ErrorCode.NOT_FOUND, details={"entity": "report", "id": report_id})


async def _readable(principal: Principal, report_id: str) -> ReportEntry:
    entry = await store.get_report(report_id)
    if entry is None:
        raise _not_found(report_id)
    await audits_service.visible_audit(principal, entry.audit_id)
    return entry


def _outs(entry: ReportEntry, known: list[RevisionEntry]) -> list[ReportRevisionOut]:
    if not known:  # never renewed: the register's own bytes are revision 1
        return [
            ReportRevisionOut(
                revision=1,
                sha256=entry.sha256,
                size=entry.size,
                made_at=entry.issued_at,
                made_by="issue",
                latest=True,
                download_url=f"/api/v1/reports/{entry.id}/revisions/1.pdf",
            )
        ]
    return [
        ReportRevisionOut(
            revision=r.revision,
            sha256=r.sha256,
            size=r.size,
            made_at=r.made_at,
            made_by=r.made_by,
            timestamp_authority=r.authority,
            timestamp_expires_at=r.timestamp_expires_at,
            latest=r.sha256 == entry.sha256,
            download_url=f"/api/v1/reports/{entry.id}/revisions/{r.revision}.pdf",
        )
        for r in known
    ]


async def list_report_revisions(principal: Principal, report_id: str) -> list[ReportRevisionOut]:
    """Every revision of the report, first (as issued) to latest; 404 as for an unknown report to
    whoever may not read its audit."""
    entry = await _readable(principal, report_id)
    return _outs(entry, await revision_store.list_revisions(entry.id))


async def read_report_revision(
    principal: Principal, settings: Settings, report_id: str, revision: int
) -> tuple[ReportRevisionOut, bytes]:
    """The bytes of one revision, exactly as stored; 404 for a revision the report does not have."""
    entry = await _readable(principal, report_id)
    found = next(
        (r for r in _outs(entry, await revision_store.list_revisions(entry.id)) if r.revision == revision),
        None,
    )
    if found is None:
        raise AppError(
            ErrorCode.NOT_FOUND, details={"entity": "report revision", "id": f"{report_id}/{revision}"}
        )
    content = await report_files(settings).get(found.sha256)
    if content is None or hashlib.sha256(content).hexdigest() != found.sha256:
        # Listed, so stored: a missing or altered file is the server's fault, never a 404.
        raise RuntimeError(f"report file {found.sha256} is missing or altered in the report store")
    return found, content

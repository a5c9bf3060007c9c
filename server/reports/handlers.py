"""Reports API: issue an audit's signed report, list its versions, download a PDF, verify an uploaded one;
and the public verification page that a report's QR code opens."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)
from litestar.params import FromPath, FromQuery, JSONBody

from server.attachments.service import receive_body
from server.auth.guards import principal_of
from server.auth.policy import CAN_ISSUE_REPORT, CAN_READ_REPORTS, PUBLIC, SIGNED_IN
from server.lib.errors import AppError, ErrorCode
from server.lib.http_errors import request_locale
from server.lib.i18n import as_locale, negotiate_locale
from server.reports import revisions, service
from server.reports.public_page import public_page
from server.reports.schemas import IssueIn, ReportOut, ReportRevisionOut, VerifyOut
from server.settings import Settings

__all__ = [
    "CONTROLLERS",
    "AuditReportsController",
    "PublicVerificationController",
    "ReportRevisionsController",
    "ReportsController",
]

Req = Request[Any, Any, Any]
_PDF_NAME = re.compile(r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.pdf$")
_TOKEN = re.compile(r"^[A-Za-z0-9]{8,24}$")
_REVISION_NAME = re.compile(r"^([1-9][0-9]{0,5})\.pdf$")
_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


_PDF = {
    "application/pdf": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY))
}


@dataclass
class _VerifyOperation(Operation):
    """The PDF to check is read as a stream (never a handler argument), so its body is declared here."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True,
            description="The PDF's raw bytes; the limit is the server's report_max_bytes setting.",
            content=_PDF,
        )


@dataclass
class _PdfOperation(Operation):
    """The signed PDF leaves as it was issued."""

    def __post_init__(self) -> None:
        self.responses = {
            **(self.responses or {}),
            "200": OpenAPIResponse(description="The signed PDF, byte for byte as issued", content=_PDF),
        }


def _aware(moment: datetime | None) -> datetime | None:
    """A moment without a zone is taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def _settings(request: Req) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


class AuditReportsController(Controller):
    path = "/api/v1/audits/{audit_id:uuid}/reports"
    tags = ["reports"]

    @post("/", operation_id="issueReport", guards=[CAN_ISSUE_REPORT])
    async def issue(
        self, request: Req, audit_id: FromPath[UUID], data: JSONBody[IssueIn]
    ) -> Response[ReportOut]:
        """Issue the audit's report in ``lang``, signed (PAdES), and move the audit to ``signed``. A
        reported audit only (409 otherwise); 422 ``report.incomplete`` lists in ``details.missing`` what
        the report still needs. Issuing again makes the next version, which supersedes the previous."""
        out = await service.issue_report(
            principal_of(request), _settings(request), str(audit_id), data, request_locale(request)
        )
        return Response(content=out, status_code=201)

    @get("/", operation_id="listReports", guards=[CAN_READ_REPORTS])
    async def list_reports(self, request: Req, audit_id: FromPath[UUID]) -> list[ReportOut]:
        """Every issued version of the audit's reports, superseded ones included (they stay readable)."""
        return await service.list_audit_reports(principal_of(request), _settings(request), str(audit_id))


class ReportsController(Controller):
    path = "/api/v1/reports"
    tags = ["reports"]

    @get(
        "/{file_name:str}",
        operation_id="getReportPdf",
        guards=[CAN_READ_REPORTS],
        media_type="application/pdf",
        operation_class=_PdfOperation,
    )
    async def download(self, request: Req, file_name: FromPath[str]) -> Response[bytes]:
        """The signed PDF ``<report id>.pdf``, byte for byte as stored, for whoever may read the audit: its
        latest revision (a B-LTA report gains a document timestamp at each renewal; the earlier revisions
        stay under ``/revisions``)."""
        match = _PDF_NAME.match(file_name)
        if match is None:
            raise AppError(ErrorCode.NOT_FOUND, details={"entity": "report", "id": file_name})
        out, content = await service.read_report(principal_of(request), _settings(request), match.group(1))
        return Response(
            content=content,
            media_type="application/pdf",
            headers={
                "ETag": f'"{out.sha256}"',
                # Not immutable: a timestamp renewal changes the bytes behind this address.
                "Cache-Control": "private, no-cache",
                "Content-Disposition": f'inline; filename="{out.reference}.pdf"',
                "X-Content-Type-Options": "nosniff",
            },
        )

    @post(
        "/verify",
        operation_id="verifyReport",
        guards=[SIGNED_IN],
        request_max_body_size=None,
        status_code=200,
        operation_class=_VerifyOperation,
    )
    async def verify(self, request: Req, at: FromQuery[datetime | None] = None) -> VerifyOut:
        """Raw bytes of a PDF (``application/pdf``). Answers whether the signature is valid, covers the
        whole file, and whether the file is a report of the register (which audit, which version, which
        revision, and whether a later version superseded it); and, in ``longTerm``, the long-term (AdES)
        validation from the file's embedded data alone, as of ``at`` (ISO 8601; default now): a moment
        years ahead shows whether the report will still validate once its certificates have expired."""
        settings = _settings(request)
        body = await receive_body(
            request.stream(), announced=request.content_length, max_bytes=settings.report_max_bytes
        )
        return await service.verify_document(settings, body, request_locale(request), at=_aware(at))


class ReportRevisionsController(Controller):
    path = "/api/v1/reports/{report_id:uuid}/revisions"
    tags = ["reports"]

    @get("/", operation_id="listReportRevisions", guards=[CAN_READ_REPORTS])
    async def list_revisions(self, request: Req, report_id: FromPath[UUID]) -> list[ReportRevisionOut]:
        """Every stored revision of the report: 1 as issued, then one per timestamp renewal (B-LTA), each
        the same signed report with one more document timestamp; ``latest`` marks the one served."""
        return await revisions.list_report_revisions(principal_of(request), str(report_id))

    @get(
        "/{file_name:str}",
        operation_id="getReportRevisionPdf",
        guards=[CAN_READ_REPORTS],
        media_type="application/pdf",
        operation_class=_PdfOperation,
    )
    async def download(
        self, request: Req, report_id: FromPath[UUID], file_name: FromPath[str]
    ) -> Response[bytes]:
        """One revision ``<n>.pdf`` of the report, byte for byte as stored (an earlier one stays
        downloadable after a renewal)."""
        match = _REVISION_NAME.match(file_name)
        if match is None:
            raise AppError(ErrorCode.NOT_FOUND, details={"entity": "report revision", "id": file_name})
        out, content = await revisions.read_report_revision(
            principal_of(request), _settings(request), str(report_id), int(match.group(1))
        )
        return Response(
            content=content,
            media_type="application/pdf",
            headers={
                "ETag": f'"{out.sha256}"',
                "Cache-Control": "private, max-age=31536000, immutable",
                "Content-Disposition": f'inline; filename="{report_id}-r{out.revision}.pdf"',
                "X-Content-Type-Options": "nosniff",
            },
        )


class PublicVerificationController(Controller):
    path = "/v"
    tags = ["reports"]
    include_in_schema = False

    @get(
        "/{token:str}",
        operation_id="getVerificationPage",
        exclude_from_auth=True,
        guards=[PUBLIC],
        media_type=MediaType.HTML,
    )
    async def page(
        self, request: Req, token: FromPath[str], lang: FromQuery[str | None] = None
    ) -> Response[str]:
        """The page behind a report's QR code: reference, date, version, status and SHA-256; never the
        content. No sign-in."""
        locale = as_locale(lang) or negotiate_locale(None, request.headers.get("accept-language"))
        status = await service.public_status(token) if _TOKEN.match(token) else None
        zone = ZoneInfo(_settings(request).time_zone)
        return Response(
            content=public_page(status, locale, token, zone),
            status_code=200 if status else 404,
            media_type=MediaType.HTML,
            headers=_PAGE_HEADERS,
        )


CONTROLLERS: list[type[Controller]] = [
    AuditReportsController,
    ReportsController,
    ReportRevisionsController,
    PublicVerificationController,
]

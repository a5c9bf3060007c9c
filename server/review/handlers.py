"""Review API: the management-review pack (clause 9.3's inputs) for a period, as JSON for the dashboard,
as an XLSX workbook and as a signed PDF. For the managers, the audit lead and the administrators.

``from`` and ``to`` are days (YYYY-MM-DD), both included. Without either, the period is the programme
year (the latest approved programme's, else this calendar year); with one only, it runs to the end of
(or from the start of) that day's year. A day not written YYYY-MM-DD is refused by the schema (400
``request.validation_failed``); a day that does not exist or is out of range, a period that ends before
it starts or spans more than three years, by the rules (422 ``review.period_invalid``), the field named."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.params import QueryParameter

from server.auth.policy import CAN_READ_REVIEW
from server.lib.downloads import MEDIA, binary_operation, file_response
from server.lib.http_errors import request_locale
from server.review import service
from server.review.schemas import FileLang, ReviewPackOut
from server.settings import Settings

__all__ = ["CONTROLLERS", "ReviewController"]

Req = Request[Any, Any, Any]
_DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
From = Annotated[str | None, QueryParameter(name="from", pattern=_DAY, description="First day, YYYY-MM-DD.")]
To = Annotated[
    str | None, QueryParameter(name="to", pattern=_DAY, description="Last day, YYYY-MM-DD (included).")
]
LangParam = Annotated[
    FileLang | None, QueryParameter(name="lang", description="ar or fr; default: the caller's.")
]


def _settings(request: Req) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _lang(request: Req, lang: FileLang | None) -> FileLang:
    if lang is not None:
        return lang
    return "ar" if request_locale(request) == "ar" else "fr"


class ReviewController(Controller):
    path = "/api/v1/review"
    tags = ["review"]

    @get("/pack", operation_id="getReviewPack", guards=[CAN_READ_REVIEW])
    async def pack(self, request: Req, start: From = None, end: To = None) -> ReviewPackOut:
        """The pack's figures for the dashboard."""
        settings = _settings(request)
        period = await service.resolve_period(start, end, settings, request_locale(request))
        return await service.build_pack(period, settings)

    @get(
        "/pack.xlsx",
        operation_id="getReviewPackWorkbook",
        guards=[CAN_READ_REVIEW],
        media_type=MEDIA["xlsx"],
        operation_class=binary_operation("xlsx", "The pack's tables, one sheet each"),
    )
    async def xlsx(
        self, request: Req, start: From = None, end: To = None, lang: LangParam = None
    ) -> Response[bytes]:
        settings, chosen = _settings(request), _lang(request, lang)
        period = await service.resolve_period(start, end, settings, request_locale(request))
        content = await service.pack_xlsx(period, chosen, settings)
        return file_response(content, "xlsx", f"review-{period.start}-{period.end}-{chosen}.xlsx")

    @get(
        "/pack.pdf",
        operation_id="getReviewPackPdf",
        guards=[CAN_READ_REVIEW],
        media_type=MEDIA["pdf"],
        operation_class=binary_operation("pdf", "The pack as a signed PDF"),
    )
    async def pdf(
        self, request: Req, start: From = None, end: To = None, lang: LangParam = None
    ) -> Response[bytes]:
        settings, chosen = _settings(request), _lang(request, lang)
        period = await service.resolve_period(start, end, settings, request_locale(request))
        content = await service.pack_pdf(period, chosen, settings)
        return file_response(content, "pdf", f"review-{period.start}-{period.end}-{chosen}.pdf")


CONTROLLERS: list[type[Controller]] = [ReviewController]

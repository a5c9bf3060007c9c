"""Programme API: the audit lead builds the year's programme (risks, solve, pins, submit, revise), a
manager approves or returns it, everyone concerned downloads it (PDF, XLSX, ICS), and each auditor
sees and subscribes to their own audits.

Every write to a programme names the ``rev`` it was decided on (``If-Match`` or a ``rev`` field):
428 without it, 412 when the programme has moved on since."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from server.auth.guards import principal_of
from server.auth.policy import CAN_APPROVE_PROGRAMME, CAN_PLAN, CAN_READ_PROGRAMME, PUBLIC, SIGNED_IN
from server.lib.downloads import MEDIA, binary_operation, file_response
from server.lib.errors import AppError, ErrorCode
from server.lib.etag import REVISION_ETAG, IfMatch, revision_etag, revisions_read
from server.lib.http_errors import request_locale
from server.programme import outputs, service, workflow
from server.programme.schemas import (
    CalendarLinkOut,
    ChangeOut,
    DecisionIn,
    MyEntryOut,
    PinIn,
    PolicyIO,
    ProgrammeIn,
    ProgrammeOut,
    ProgrammeSummaryOut,
    ReasonIn,
    RiskIn,
)
from server.settings import Settings

__all__ = ["CONTROLLERS", "CalendarFeedController", "MyProgrammeController", "ProgrammesController"]

Req = Request[Any, Any, Any]
Lang = Literal["ar", "fr"]
_TOKEN = re.compile(r"^([A-Za-z0-9_-]{20,64})\.ics$")


def _settings(request: Req) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _ctx(request: Req) -> service.Context:
    settings = _settings(request)
    return service.Context(settings.checklists_dir, settings.programme_solve_seconds, request_locale(request))


def _with_etag(programme: ProgrammeOut, status_code: int = 200) -> Response[ProgrammeOut]:
    return Response(
        content=programme, status_code=status_code, headers={"ETag": revision_etag(programme.rev)}
    )


class PolicyController(Controller):
    path = "/api/v1/programme/policy"
    tags = ["programme"]

    @get("/", operation_id="getProgrammePolicy", guards=[CAN_READ_PROGRAMME])
    async def get_policy(self) -> PolicyIO:
        """How programmes are built: risk weights and thresholds, frequency per level, blocked months,
        capacity, days per audit, the certification cycle (defaults until first changed)."""
        return await service.get_policy()

    @put("/", operation_id="replaceProgrammePolicy", guards=[CAN_PLAN])
    async def replace_policy(
        self, request: Req, data: JSONBody[PolicyIO], if_match: IfMatch = None
    ) -> PolicyIO:
        """Replace the policy; send the ``rev`` you read (0 while it was never saved)."""
        stated = revisions_read(if_match, data.rev)
        return await service.replace_policy(principal_of(request), data, stated)


class ProgrammesController(Controller):
    path = "/api/v1/programmes"
    tags = ["programme"]

    @get("/", operation_id="listProgrammes", guards=[CAN_READ_PROGRAMME])
    async def list_programmes(self) -> list[ProgrammeSummaryOut]:
        return await service.list_programmes()

    @post("/", operation_id="createProgramme", guards=[CAN_PLAN], response_headers=REVISION_ETAG)
    async def create(self, request: Req, data: JSONBody[ProgrammeIn]) -> Response[ProgrammeOut]:
        """A draft programme for ``year`` (one per year; 409 if it exists), with its risk table."""
        return _with_etag(
            await service.create_programme(principal_of(request), data.year, _ctx(request)), 201
        )

    @get(
        "/{programme_id:uuid}",
        operation_id="getProgramme",
        guards=[CAN_READ_PROGRAMME],
        response_headers=REVISION_ETAG,
    )
    async def read(self, request: Req, programme_id: FromPath[UUID]) -> Response[ProgrammeOut]:
        return _with_etag(await service.read_programme(str(programme_id), _ctx(request)))

    @put(
        "/{programme_id:uuid}/risks/{process_id:uuid}",
        operation_id="setProgrammeRisk",
        guards=[CAN_PLAN],
        response_headers=REVISION_ETAG,
    )
    async def set_risk(
        self,
        request: Req,
        programme_id: FromPath[UUID],
        process_id: FromPath[UUID],
        data: JSONBody[RiskIn],
        if_match: IfMatch = None,
    ) -> Response[ProgrammeOut]:
        """The audit lead's risk inputs of one process (a draft only)."""
        return _with_etag(
            await service.set_risk(
                principal_of(request),
                str(programme_id),
                str(process_id),
                data,
                revisions_read(if_match, data.rev),
                _ctx(request),
            )
        )

    @post(
        "/{programme_id:uuid}/solve",
        operation_id="solveProgramme",
        guards=[CAN_PLAN],
        status_code=200,
        response_headers=REVISION_ETAG,
    )
    async def solve(
        self, request: Req, programme_id: FromPath[UUID], data: JSONBody[DecisionIn], if_match: IfMatch = None
    ) -> Response[ProgrammeOut]:
        """Build the year (pins kept). ``lastSolve.status`` says whether a programme was found; when none
        exists, ``lastSolve.explanations`` say why and the entries stay as they were."""
        return _with_etag(
            await service.solve_programme(
                principal_of(request), str(programme_id), revisions_read(if_match, data.rev), _ctx(request)
            )
        )

    @put(
        "/{programme_id:uuid}/entries/{entry_id:uuid}/pin",
        operation_id="pinProgrammeEntry",
        guards=[CAN_PLAN],
        response_headers=REVISION_ETAG,
    )
    async def pin(
        self,
        request: Req,
        programme_id: FromPath[UUID],
        entry_id: FromPath[UUID],
        data: JSONBody[PinIn],
        if_match: IfMatch = None,
    ) -> Response[ProgrammeOut]:
        """Fix an entry's month, team or both by hand; solve again to rebuild the rest around it."""
        return _with_etag(
            await workflow.pin_entry(
                principal_of(request),
                str(programme_id),
                str(entry_id),
                data,
                revisions_read(if_match, None),
                _ctx(request),
            )
        )

    @delete(
        "/{programme_id:uuid}/entries/{entry_id:uuid}/pin",
        operation_id="unpinProgrammeEntry",
        guards=[CAN_PLAN],
        status_code=200,
        response_headers=REVISION_ETAG,
    )
    async def unpin(
        self, request: Req, programme_id: FromPath[UUID], entry_id: FromPath[UUID], if_match: IfMatch = None
    ) -> Response[ProgrammeOut]:
        return _with_etag(
            await workflow.unpin_entry(
                principal_of(request),
                str(programme_id),
                str(entry_id),
                revisions_read(if_match, None),
                _ctx(request),
            )
        )

    @post(
        "/{programme_id:uuid}/submit",
        operation_id="submitProgramme",
        guards=[CAN_PLAN],
        status_code=200,
        response_headers=REVISION_ETAG,
    )
    async def submit(
        self, request: Req, programme_id: FromPath[UUID], data: JSONBody[ReasonIn], if_match: IfMatch = None
    ) -> Response[ProgrammeOut]:
        """Send the solved draft to a manager (409 if it changed since it was solved)."""
        return _with_etag(
            await workflow.submit_programme(
                principal_of(request),
                str(programme_id),
                data,
                revisions_read(if_match, data.rev),
                _ctx(request),
            )
        )

    @post(
        "/{programme_id:uuid}/approve",
        operation_id="approveProgramme",
        guards=[CAN_APPROVE_PROGRAMME],
        status_code=200,
        response_headers=REVISION_ETAG,
    )
    async def approve(
        self, request: Req, programme_id: FromPath[UUID], data: JSONBody[DecisionIn], if_match: IfMatch = None
    ) -> Response[ProgrammeOut]:
        """Approve the submitted version: its entries become planned audits with their teams."""
        return _with_etag(
            await workflow.approve_programme(
                principal_of(request),
                str(programme_id),
                data,
                revisions_read(if_match, data.rev),
                _ctx(request),
            )
        )

    @post(
        "/{programme_id:uuid}/return",
        operation_id="returnProgramme",
        guards=[CAN_APPROVE_PROGRAMME],
        status_code=200,
        response_headers=REVISION_ETAG,
    )
    async def return_(
        self, request: Req, programme_id: FromPath[UUID], data: JSONBody[DecisionIn], if_match: IfMatch = None
    ) -> Response[ProgrammeOut]:
        """Send the submitted version back to the audit lead, with a comment (required)."""
        return _with_etag(
            await workflow.return_programme(
                principal_of(request),
                str(programme_id),
                data,
                revisions_read(if_match, data.rev),
                _ctx(request),
            )
        )

    @post(
        "/{programme_id:uuid}/revise",
        operation_id="reviseProgramme",
        guards=[CAN_PLAN],
        status_code=200,
        response_headers=REVISION_ETAG,
    )
    async def revise(
        self, request: Req, programme_id: FromPath[UUID], data: JSONBody[ReasonIn], if_match: IfMatch = None
    ) -> Response[ProgrammeOut]:
        """Open the next version of an approved programme, with the reason (required)."""
        return _with_etag(
            await workflow.revise_programme(
                principal_of(request),
                str(programme_id),
                data,
                revisions_read(if_match, data.rev),
                _ctx(request),
            )
        )

    @get(
        "/{programme_id:uuid}/versions/{number:int}",
        operation_id="getProgrammeVersion",
        guards=[CAN_READ_PROGRAMME],
    )
    async def version(
        self, request: Req, programme_id: FromPath[UUID], number: FromPath[int]
    ) -> ProgrammeOut:
        """A version as it was submitted, with the decision taken on it in ``history``."""
        return await workflow.read_version(str(programme_id), number, _ctx(request))

    @get("/{programme_id:uuid}/diff", operation_id="diffProgramme", guards=[CAN_READ_PROGRAMME])
    async def diff(
        self,
        request: Req,
        programme_id: FromPath[UUID],
        from_: Annotated[int, QueryParameter(name="from", ge=1)] = 1,
        to: Annotated[int | None, QueryParameter(name="to", ge=1)] = None,
    ) -> list[ChangeOut]:
        """What changed from version ``from`` to version ``to`` (left out: the programme as it is now)."""
        return await workflow.diff_programme(str(programme_id), from_, to, _ctx(request))

    @get(
        "/{programme_id:uuid}/programme.pdf",
        operation_id="getProgrammePdf",
        guards=[CAN_READ_PROGRAMME],
        media_type=MEDIA["pdf"],
        operation_class=binary_operation("pdf", "The programme as a PDF"),
    )
    async def pdf(
        self, request: Req, programme_id: FromPath[UUID], lang: FromQuery[Lang] = "fr"
    ) -> Response[bytes]:
        content = await outputs.export_pdf(
            str(programme_id), lang, _ctx(request), _settings(request).time_zone
        )
        return file_response(content, "pdf", f"programme-{lang}.pdf")

    @get(
        "/{programme_id:uuid}/programme.xlsx",
        operation_id="getProgrammeWorkbook",
        guards=[CAN_READ_PROGRAMME],
        media_type=MEDIA["xlsx"],
        operation_class=binary_operation("xlsx", "The programme's workbook"),
    )
    async def xlsx(
        self, request: Req, programme_id: FromPath[UUID], lang: FromQuery[Lang] = "fr"
    ) -> Response[bytes]:
        content = await outputs.export_workbook(
            str(programme_id), lang, _ctx(request), _settings(request).time_zone
        )
        return file_response(content, "xlsx", f"programme-{lang}.xlsx")

    @get(
        "/{programme_id:uuid}/calendar.ics",
        operation_id="getProgrammeCalendar",
        guards=[CAN_READ_PROGRAMME],
        media_type=MEDIA["ics"],
        operation_class=binary_operation("ics", "iCalendar (RFC 5545)"),
    )
    async def ics(
        self,
        request: Req,
        programme_id: FromPath[UUID],
        person_id: FromQuery[UUID | None] = None,
        lang: FromQuery[Lang] = "fr",
    ) -> Response[bytes]:
        """The programme's audits as calendar events (one person's only, with ``personId``)."""
        content = await outputs.export_calendar(
            str(programme_id),
            str(person_id) if person_id else None,
            lang,
            _ctx(request),
            _settings(request).time_zone,
        )
        return file_response(content, "ics", "programme.ics")


class MyProgrammeController(Controller):
    path = "/api/v1/me"
    tags = ["programme"]

    @get("/programme", operation_id="getMyProgramme", guards=[SIGNED_IN])
    async def mine(self, request: Req) -> list[MyEntryOut]:
        """The caller's audits in approved programmes."""
        return await outputs.my_programme(principal_of(request))

    @post("/calendar-link", operation_id="createCalendarLink", guards=[SIGNED_IN])
    async def create_link(self, request: Req) -> CalendarLinkOut:
        """A new secret address for a calendar app to subscribe to; the previous one stops working."""
        return await outputs.create_calendar_link(principal_of(request), _settings(request).public_base_url)

    @delete("/calendar-link", operation_id="revokeCalendarLink", guards=[SIGNED_IN], status_code=204)
    async def revoke_link(self, request: Req) -> None:
        await outputs.revoke_calendar_link(principal_of(request))


class CalendarFeedController(Controller):
    path = "/cal"
    tags = ["programme"]
    include_in_schema = False

    @get(
        "/{file_name:str}",
        operation_id="getCalendarFeed",
        exclude_from_auth=True,
        guards=[PUBLIC],
        media_type=MEDIA["ics"],
    )
    async def feed(
        self, request: Req, file_name: FromPath[str], lang: FromQuery[Lang] = "fr"
    ) -> Response[bytes]:
        """An auditor's audits for their calendar app; the secret token in the address is the key."""
        match = _TOKEN.match(file_name)
        if match is None:
            raise AppError(ErrorCode.NOT_FOUND, details={"entity": "calendar"})
        settings = _settings(request)
        content = await outputs.calendar_feed(match.group(1), lang, _ctx(request), settings.time_zone)
        return Response(
            content=content,
            media_type=MEDIA["ics"],
            headers={"Cache-Control": "private, no-cache", "X-Content-Type-Options": "nosniff"},
        )


CONTROLLERS: list[type[Controller]] = [
    PolicyController,
    ProgrammesController,
    MyProgrammeController,
    CalendarFeedController,
]

"""Checklist library API: standards, composed checklists (ETag), Excel round trip, organisation questions.

Changing or retiring an organisation question names the ``rev`` it was decided on (``If-Match: "<rev>"``
or a ``rev`` field): without it 428, and 412 when the question moved on since.
"""

from __future__ import annotations

from typing import Annotated, Any, Final
from uuid import UUID

from litestar import Controller, MediaType, Request, Response, get, post, put
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, PathParameter, QueryParameter, RawBody

from server.auth.guards import principal_of
from server.auth.policy import CAN_EDIT_CHECKLISTS, SIGNED_IN
from server.checklists import service, store
from server.checklists.library import Library, load_library
from server.checklists.logic import standards_tree
from server.checklists.schemas import (
    ChecklistOut,
    ChecklistSnapshotOut,
    ImportReportOut,
    OrgQuestionIn,
    OrgQuestionOut,
    OrgQuestionUpdateIn,
    PinnedOut,
    RetireIn,
    StandardOut,
)
from server.lib.etag import REVISION_ETAG, IfMatch, conditional_json, revision_etag, revisions_read
from server.lib.http_errors import request_locale
from server.lib.i18n import SUPPORTED_LOCALES, Locale, as_locale

__all__ = ["CONTROLLERS", "ChecklistsController", "OrgQuestionsController"]

Req = Request[Any, Any, Any]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_STANDARD = "(iso9001|iso14001|iso45001)"
STANDARDS_PATTERN: Final = rf"^({_STANDARD}(,{_STANDARD}){{0,2}})?$"
Standards = Annotated[
    str | None,
    QueryParameter(
        pattern=STANDARDS_PATTERN,
        max_length=60,
        description="Comma-separated, e.g. iso9001,iso14001; empty or absent for all (or the process's).",
    ),
]
# Text with a pattern rather than Literal/UUID: Litestar's lax conversion reads "null" as absent for those.
Lang = Annotated[
    str | None,
    QueryParameter(
        pattern=r"^(ar|fr|en)$",
        schema_extra={"enum": list(SUPPORTED_LOCALES)},
        description="Language of the texts; else the user's, else Accept-Language.",
    ),
]
ProcessId = Annotated[
    str | None,
    QueryParameter(pattern=_UUID, format="uuid", description="process id: its standards and tags"),
]
Clause = Annotated[
    str | None,
    QueryParameter(
        max_length=16, pattern=r"^[0-9]+(\.[0-9]+)*$", description="clause number prefix, e.g. 7.5"
    ),
]
Version = Annotated[
    str, PathParameter(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the pinned content")
]


def _library(request: Req) -> Library:
    return load_library(request.app.state.settings.checklists_dir)[0]


def _standards(raw: str | None) -> list[str] | None:
    # The pattern's "$" also matches before a final newline: strip what it let through.
    return [part.strip() for part in raw.split(",") if part.strip()] if raw else None


def _lang(request: Req, lang: str | None) -> Locale:
    return as_locale(lang) or request_locale(request)


def _with_etag(question: OrgQuestionOut, status_code: int = 200) -> Response[OrgQuestionOut]:
    return Response(content=question, status_code=status_code, headers={"ETag": revision_etag(question.rev)})


class ChecklistsController(Controller):
    path = "/api/v1"
    tags = ["checklists"]

    @get("/standards", operation_id="listStandards", guards=[SIGNED_IN])
    async def list_standards(self, request: Req) -> list[StandardOut]:
        """The clause trees of ISO 9001, 14001 and 45001 (numbers and short titles in ar, fr, en)."""
        return standards_tree(_library(request))

    @get("/checklists", operation_id="getChecklist", guards=[SIGNED_IN])
    async def get_checklist(
        self,
        request: Req,
        standards: Standards = None,
        process: ProcessId = None,
        lang: Lang = None,
        clause: Clause = None,
    ) -> Response[ChecklistOut]:
        """The composed checklist (library + organisation questions) ordered by clause, with a strong ETag;
        ``If-None-Match`` with the current ETag answers 304."""
        etag, body = await service.composed_checklist(
            _library(request),
            standards=_standards(standards),
            process_id=process,
            lang=_lang(request, lang),
            clause=clause.strip() if clause else None,
        )
        # The body is pre-encoded ChecklistOut JSON, cached with its ETag.
        return conditional_json(request, body, etag, {"Vary": "Authorization, Accept-Language"})

    @get("/checklists/export.xlsx", operation_id="exportChecklist", media_type=XLSX, guards=[SIGNED_IN])
    async def export_checklist(
        self, request: Req, standards: Standards = None, lang: Lang = None
    ) -> Response[bytes]:
        """The composed checklist as an Excel workbook: one sheet per standard, right-to-left in Arabic.
        A hidden column keeps each organisation question's rev, so an old export cannot undo later edits."""
        language = _lang(request, lang)
        content = await service.export_workbook(
            _library(request), standards=_standards(standards), lang=language
        )
        disposition = f'attachment; filename="tadqiq-checklist-{language}.xlsx"'
        return Response(content=content, media_type=XLSX, headers={"Content-Disposition": disposition})

    @post(
        "/checklists/import",
        operation_id="importChecklist",
        guards=[CAN_EDIT_CHECKLISTS],
        status_code=200,
        request_max_body_size=10 * 1024 * 1024,
    )
    async def import_checklist(self, request: Req, body: RawBody) -> ImportReportOut:
        """Add and change organisation questions from an edited export (the XLSX file as the raw body).
        All rows or none: with any refused row nothing changes (422, with the per-row report). A row of a
        question changed since the export, or without its rev (an older export), is refused."""
        return await service.import_workbook(
            principal_of(request), _library(request), body, request_locale(request)
        )

    @post("/checklists/pin", operation_id="pinChecklist", guards=[CAN_EDIT_CHECKLISTS], status_code=200)
    async def pin_checklist(self, request: Req) -> PinnedOut:
        """Store the current composed library under its version (what an audit pins when prepared)."""
        return PinnedOut(version=await service.pin_current(_library(request)))

    @get(
        "/checklists/versions/{version:str}",
        operation_id="getChecklistVersion",
        guards=[SIGNED_IN],
        responses={200: ResponseSpec(data_container=ChecklistSnapshotOut, description="The pinned version")},
    )
    async def get_version(self, version: Version) -> Response[bytes]:
        """A pinned version exactly as it was: editing or retiring questions later never changes it."""
        return Response(content=await store.get_snapshot(version), media_type=MediaType.JSON)


class OrgQuestionsController(Controller):
    path = "/api/v1/org-questions"
    tags = ["checklists"]

    @get("/", operation_id="listOrgQuestions", guards=[SIGNED_IN])
    async def list_questions(
        self, include_retired: Annotated[bool, QueryParameter(name="includeRetired")] = False
    ) -> list[OrgQuestionOut]:
        """The organisation's own questions (internal procedures, Moroccan legal requirements, ...)."""
        return await store.list_org_questions_out(include_retired)

    @post("/", operation_id="createOrgQuestion", guards=[CAN_EDIT_CHECKLISTS], response_headers=REVISION_ETAG)
    async def create_question(self, request: Req, data: JSONBody[OrgQuestionIn]) -> Response[OrgQuestionOut]:
        """A new question (rev 1); clauses must be clauses of the library without sub-clauses (422)."""
        created = await service.create_question(principal_of(request), _library(request), data)
        return _with_etag(created, status_code=201)

    @put(
        "/{question_id:uuid}",
        operation_id="updateOrgQuestion",
        guards=[CAN_EDIT_CHECKLISTS],
        response_headers=REVISION_ETAG,
    )
    async def update_question(
        self,
        request: Req,
        question_id: FromPath[UUID],
        data: JSONBody[OrgQuestionUpdateIn],
        if_match: IfMatch = None,
    ) -> Response[OrgQuestionOut]:
        """Change a question: send the rev you read (If-Match or ``rev``); 428 without it, 412 with
        ``details.currentRev`` if someone changed the question since."""
        rev = revisions_read(if_match, data.rev)
        updated = await service.update_question(
            principal_of(request), _library(request), str(question_id), data, rev
        )
        return _with_etag(updated)

    @post(
        "/{question_id:uuid}/retire",
        operation_id="retireOrgQuestion",
        guards=[CAN_EDIT_CHECKLISTS],
        status_code=200,
        response_headers=REVISION_ETAG,
    )
    async def retire_question(
        self,
        request: Req,
        question_id: FromPath[UUID],
        data: JSONBody[RetireIn | None] = None,
        if_match: IfMatch = None,
    ) -> Response[OrgQuestionOut]:
        """Retired questions leave new checklists but stay in every pinned version. Send the rev you read
        (If-Match or a ``rev`` body); 428 without it, 412 if the question changed since."""
        rev = revisions_read(if_match, data.rev if data is not None else None)
        return _with_etag(await service.retire_question(principal_of(request), str(question_id), rev))


CONTROLLERS: list[type[Controller]] = [ChecklistsController, OrgQuestionsController]

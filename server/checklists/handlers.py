"""Checklist library API: standards, composed checklists (ETag), Excel round trip, organisation questions."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, MediaType, Request, Response, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter, RawBody

from server.auth.guards import principal_of
from server.auth.policy import CAN_EDIT_CHECKLISTS, SIGNED_IN
from server.checklists import store
from server.checklists.library import Library, load_library
from server.checklists.logic import (
    Draft,
    ProcessView,
    check_clause_refs,
    checklist_version,
    compose,
    plan_import,
    snapshot_content,
    standards_tree,
)
from server.checklists.schemas import (
    ChecklistOut,
    ImportReportOut,
    ImportRowOut,
    OrgQuestionIn,
    OrgQuestionOut,
    StandardOut,
    Texts,
)
from server.checklists.workbook import build_workbook, read_workbook
from server.lib.errors import AppError, ErrorCode
from server.lib.etag import conditional_json, strong_etag
from server.lib.http_errors import request_locale
from server.lib.i18n import Locale, as_locale, translate
from server.lib.standards import STANDARDS
from server.org import store as org_store

__all__ = ["CONTROLLERS", "ChecklistsController", "OrgQuestionsController"]

Req = Request[Any, Any, Any]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_composed_cache: dict[tuple[Any, ...], tuple[str, bytes]] = {}


def _library(request: Req) -> Library:
    return load_library(request.app.state.settings.checklists_dir)[0]


def _standards(raw: str | None, process: ProcessView | None) -> list[str]:
    if not raw:
        return list(process.standards) if process else list(STANDARDS)
    chosen = [part.strip() for part in raw.split(",") if part.strip()]
    for standard in chosen:
        if standard not in STANDARDS:
            raise AppError(ErrorCode.CHECKLIST_UNKNOWN_STANDARD, params={"standard": standard[:20]})
    return [s for s in STANDARDS if s in chosen]


def _lang(request: Req, raw: str | None) -> Locale:
    if raw is None:
        return request_locale(request)
    chosen = as_locale(raw)
    if chosen is None or chosen != raw:
        raise AppError(ErrorCode.UNKNOWN_LOCALE, details={"field": "lang"})
    return chosen


async def _process(process_id: UUID | None) -> ProcessView | None:
    if process_id is None:
        return None
    found = await org_store.get_process(str(process_id))
    return ProcessView(id=found.id, code=found.code, standards=tuple(found.standards), tags=tuple(found.tags))


def _draft(data: OrgQuestionIn) -> Draft:
    return Draft(
        clauses=tuple(dict.fromkeys(data.clauses)),
        text=Texts(ar=data.text.ar, fr=data.text.fr, en=data.text.en),
        guidance=Texts(ar=data.guidance.ar, fr=data.guidance.fr, en=data.guidance.en),
        tags=tuple(dict.fromkeys(data.tags)),
        process_ids=tuple(sorted(set(data.process_ids))),
    )


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
        standards: Annotated[
            str | None, QueryParameter(max_length=60, description="e.g. iso9001,iso14001")
        ] = None,
        process: Annotated[
            UUID | None, QueryParameter(description="process id: its standards and tags")
        ] = None,
        lang: Annotated[str | None, QueryParameter(max_length=2)] = None,
        clause: Annotated[str | None, QueryParameter(max_length=16, pattern=r"^[0-9]+(\.[0-9]+)*$")] = None,
    ) -> Response[ChecklistOut]:
        """The composed checklist (library + organisation questions) ordered by clause, with a strong ETag;
        ``If-None-Match`` with the current ETag answers 304."""
        library = _library(request)
        process_view = await _process(process)
        chosen = _standards(standards, process_view)
        language = _lang(request, lang)
        key = (
            library.version,
            await store.org_questions_stamp(),
            tuple(chosen),
            process_view,
            language,
            clause,
        )
        cached = _composed_cache.get(key)
        if cached is None:
            org_questions = await store.list_org_questions()
            items = compose(
                library,
                org_questions,
                standards=chosen,
                lang=language,
                process=process_view,
                clause_prefix=clause,
            )
            body = msgspec.json.encode(
                ChecklistOut(
                    version=checklist_version(library, org_questions),
                    library_version=library.version,
                    lang=language,
                    standards=chosen,  # type: ignore[arg-type]
                    count=len(items),
                    items=items,
                )
            )
            cached = (strong_etag(body), body)
            if len(_composed_cache) > 256:
                _composed_cache.clear()
            _composed_cache[key] = cached
        etag, body = cached
        # The body is pre-encoded ChecklistOut JSON, cached with its ETag.
        return conditional_json(request, body, etag, {"Vary": "Authorization, Accept-Language"})

    @get("/checklists/export.xlsx", operation_id="exportChecklist", media_type=XLSX, guards=[SIGNED_IN])
    async def export_checklist(
        self,
        request: Req,
        standards: Annotated[str | None, QueryParameter(max_length=60)] = None,
        lang: Annotated[str | None, QueryParameter(max_length=2)] = None,
    ) -> Response[bytes]:
        """The composed checklist as an Excel workbook: one sheet per standard, right-to-left in Arabic."""
        library = _library(request)
        language = _lang(request, lang)
        org_questions = await store.list_org_questions()
        codes = {p.id: p.code for p in await org_store.list_processes()}
        content = build_workbook(
            library,
            org_questions,
            standards=_standards(standards, None),
            lang=language,
            version=checklist_version(library, org_questions),
            process_codes=codes,
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
    async def import_checklist(self, request: Req, body: RawBody) -> Response[ImportReportOut]:
        """Add and change organisation questions from an edited export (the XLSX file as the raw body).
        All rows or none: with any refused row nothing changes (422, with the per-row report)."""
        library = _library(request)
        existing = {q.code: q for q in await store.list_org_questions()}
        codes = {p.code: p.id for p in await org_store.list_processes()}
        plan = plan_import(read_workbook(body), library, existing, codes)
        locale = request_locale(request)
        rows = [
            ImportRowOut(
                sheet=row.sheet,
                row=row.row,
                code=code,
                action=action,  # type: ignore[arg-type]
                reasons=[
                    translate(locale, msgid) + (f": {detail}" if detail else "") for msgid, detail in reasons
                ],
            )
            for row, code, action, reasons in plan.reports
        ]
        count = {
            a: sum(1 for r in rows if r.action == a) for a in ("added", "changed", "unchanged", "refused")
        }
        report = ImportReportOut(applied=plan.refused == 0, rows=rows, **count)
        if plan.refused:
            error = AppError(
                ErrorCode.CHECKLIST_IMPORT_REFUSED,
                params={"count": plan.refused},
                details=msgspec.to_builtins(report),
            )
            raise error
        await store.apply_import(principal_of(request), plan, existing)
        return Response(content=report)

    @post("/checklists/pin", operation_id="pinChecklist", guards=[CAN_EDIT_CHECKLISTS], status_code=200)
    async def pin_checklist(self, request: Req) -> dict[str, str]:
        """Store the current composed library under its version (what an audit pins when prepared)."""
        library = _library(request)
        org_questions = await store.list_org_questions()
        version = checklist_version(library, org_questions)
        await store.pin_snapshot(version, snapshot_content(library, org_questions))
        return {"version": version}

    @get("/checklists/versions/{version:str}", operation_id="getChecklistVersion", guards=[SIGNED_IN])
    async def get_version(self, version: FromPath[str]) -> Response[bytes]:
        """A pinned version exactly as it was: editing or retiring questions later never changes it."""
        if len(version) != 64 or any(c not in "0123456789abcdef" for c in version):
            raise AppError(ErrorCode.NOT_FOUND, details={"entity": "checklistVersion", "id": version[:64]})
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

    @post("/", operation_id="createOrgQuestion", guards=[CAN_EDIT_CHECKLISTS])
    async def create_question(self, request: Req, data: JSONBody[OrgQuestionIn]) -> OrgQuestionOut:
        check_clause_refs(_library(request), data.clauses)
        await _check_processes(data.process_ids)
        return await store.create_org_question(principal_of(request), _draft(data))

    @put("/{question_id:uuid}", operation_id="updateOrgQuestion", guards=[CAN_EDIT_CHECKLISTS])
    async def update_question(
        self, request: Req, question_id: FromPath[UUID], data: JSONBody[OrgQuestionIn]
    ) -> OrgQuestionOut:
        check_clause_refs(_library(request), data.clauses)
        await _check_processes(data.process_ids)
        return await store.update_org_question(principal_of(request), str(question_id), _draft(data))

    @post(
        "/{question_id:uuid}/retire",
        operation_id="retireOrgQuestion",
        guards=[CAN_EDIT_CHECKLISTS],
        status_code=200,
    )
    async def retire_question(self, request: Req, question_id: FromPath[UUID]) -> OrgQuestionOut:
        """Retired questions leave new checklists but stay in every pinned version."""
        return await store.retire_org_question(principal_of(request), str(question_id))


async def _check_processes(process_ids: list[str]) -> None:
    known = {p.id for p in await org_store.list_processes()}
    if any(p not in known for p in process_ids):
        raise AppError(
            ErrorCode.UNKNOWN_REFERENCE, params={"field": "processIds"}, details={"field": "processIds"}
        )


CONTROLLERS: list[type[Controller]] = [ChecklistsController, OrgQuestionsController]

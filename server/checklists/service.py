"""Checklist use cases that handlers and other domains call: composing, exporting and importing the
checklist, pinning a version, and editing organisation questions (each write in one transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import msgspec

from server.checklists import store
from server.checklists.logic import (
    Draft,
    ImportPlan,
    ProcessView,
    check_clause_refs,
    checklist_version,
    compose,
    plan_import,
    resolve_facts,
    snapshot_content,
)
from server.checklists.schemas import (
    ChecklistOut,
    ImportReportOut,
    ImportRowOut,
    OrgQuestionIn,
    OrgQuestionOut,
    Texts,
)
from server.checklists.workbook import build_workbook, read_workbook
from server.lib.db import write_transaction
from server.lib.errors import AppError, ErrorCode
from server.lib.etag import strong_etag
from server.lib.i18n import Locale, translate
from server.lib.standards import STANDARDS
from server.org import service as org_service
from server.org import store as org_store
from server.org.service import check_usable_references

if TYPE_CHECKING:
    from server.checklists.library import Library, Localized3
    from server.lib.principal import Principal

__all__ = [
    "composed_checklist",
    "create_question",
    "export_workbook",
    "import_workbook",
    "pin_current",
    "retire_question",
    "update_question",
]

_composed_cache: dict[tuple[Any, ...], tuple[str, bytes]] = {}
"""(library version, questions stamp, request) → (ETag, body): an edit changes the stamp, so a stale
entry is never served; several processes each keep their own."""


async def current_facts(library: Library) -> dict[str, Localized3]:
    """The organisation's facts the library's placeholders name, defaults where it gives none."""
    return resolve_facts(library, await org_service.placeholder_values())


async def pin_composed(library: Library) -> str:
    """Pin the composed library as it is now, with the organisation's facts, and return its version;
    call it inside the caller's write transaction."""
    org_questions = await store.list_org_questions()
    facts = await current_facts(library)
    version = checklist_version(library, org_questions, facts)
    await store.pin_snapshot(version, snapshot_content(library, org_questions, facts))
    return version


async def _process(process_id: str | None) -> ProcessView | None:
    if process_id is None:
        return None
    found = await org_store.get_process(process_id)
    return ProcessView(id=found.id, code=found.code, standards=tuple(found.standards), tags=tuple(found.tags))


async def composed_checklist(
    library: Library,
    *,
    standards: Sequence[str] | None,
    process_id: str | None,
    lang: Locale,
    clause: str | None,
) -> tuple[str, bytes]:
    """The composed checklist as encoded ``ChecklistOut`` JSON with its strong ETag. Without
    ``standards``, the process's standards (or all three)."""
    process = await _process(process_id)
    wanted = standards or (process.standards if process else STANDARDS)
    chosen = [s for s in STANDARDS if s in wanted]
    facts = await current_facts(library)
    key = (
        library.version,
        await store.org_questions_stamp(),
        tuple(facts.items()),
        tuple(chosen),
        process,
        lang,
        clause,
    )
    cached = _composed_cache.get(key)
    if cached is None:
        org_questions = await store.list_org_questions()
        items = compose(
            library,
            org_questions,
            standards=chosen,
            lang=lang,
            process=process,
            clause_prefix=clause,
            facts=facts,
        )
        body = msgspec.json.encode(
            ChecklistOut(
                version=checklist_version(library, org_questions, facts),
                library_version=library.version,
                lang=lang,
                standards=chosen,
                count=len(items),
                items=items,
            )
        )
        cached = (strong_etag(body), body)
        if len(_composed_cache) > 256:
            _composed_cache.clear()
        _composed_cache[key] = cached
    return cached


async def export_workbook(library: Library, *, standards: Sequence[str] | None, lang: Locale) -> bytes:
    """The composed checklist as an XLSX workbook; each organisation question's row carries its rev."""
    org_questions = await store.list_org_questions()
    codes = {p.id: p.code for p in await org_store.list_processes()}
    return build_workbook(
        library,
        org_questions,
        standards=[s for s in STANDARDS if not standards or s in standards],
        lang=lang,
        version=checklist_version(library, org_questions, await current_facts(library)),
        process_codes=codes,
    )


def _report(plan: ImportPlan, locale: Locale) -> ImportReportOut:
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
    count = {a: sum(1 for r in rows if r.action == a) for a in ("added", "changed", "unchanged", "refused")}
    return ImportReportOut(applied=plan.refused == 0, rows=rows, **count)


async def import_workbook(
    actor: Principal, library: Library, content: bytes, locale: Locale
) -> ImportReportOut:
    """Add and change organisation questions from an edited export, all rows or none.

    Planned and applied in one transaction, so the revision each row was exported with is compared
    with the stored one where nothing can change in between. Any refused row: 422
    ``checklists.import_refused`` with the per-row report (in ``locale``) and nothing changed.
    """
    rows = read_workbook(content)
    async with write_transaction():
        existing = {q.code: q for q in await store.list_org_questions()}
        codes = {p.code: p.id for p in await org_store.list_processes()}
        plan = plan_import(rows, library, existing, codes)
        report = _report(plan, locale)
        if plan.refused:
            raise AppError(
                ErrorCode.CHECKLIST_IMPORT_REFUSED,
                params={"count": plan.refused},
                details=msgspec.to_builtins(report),
            )
        await store.apply_import(actor, plan, existing)
    return report


async def pin_current(library: Library) -> str:
    """Store the current composed library under its version (what an audit pins when prepared)."""
    async with write_transaction():
        return await pin_composed(library)


# ---------------------------------------------------------------- organisation questions


def _draft(data: OrgQuestionIn) -> Draft:
    return Draft(
        clauses=tuple(dict.fromkeys(data.clauses)),
        text=Texts(ar=data.text.ar, fr=data.text.fr, en=data.text.en),
        guidance=Texts(ar=data.guidance.ar, fr=data.guidance.fr, en=data.guidance.en),
        tags=tuple(dict.fromkeys(data.tags)),
        process_ids=tuple(sorted(set(data.process_ids))),
    )


async def _check_processes(process_ids: Sequence[str]) -> None:
    """org's rule for a stored reference: 422 for an unknown process, 409 for an archived one."""
    for process_id in process_ids:
        await check_usable_references(process_id=process_id, field_names={"process": "processIds"})


async def create_question(actor: Principal, library: Library, data: OrgQuestionIn) -> OrgQuestionOut:
    """A new organisation question (code ``org-NNN``, rev 1); clauses must be library leaves (422)."""
    check_clause_refs(library, data.clauses)
    async with write_transaction():
        await _check_processes(data.process_ids)
        return await store.create_org_question(actor, _draft(data))


async def update_question(
    actor: Principal, library: Library, question_id: str, data: OrgQuestionIn, read_revs: Sequence[int]
) -> OrgQuestionOut:
    """Change a question read at ``read_revs`` (If-Match and/or ``rev``): 428 without, 412 if it moved on."""
    check_clause_refs(library, data.clauses)
    async with write_transaction():
        await _check_processes(data.process_ids)
        return await store.update_org_question(actor, question_id, _draft(data), read_revs)


async def retire_question(actor: Principal, question_id: str, read_revs: Sequence[int]) -> OrgQuestionOut:
    """Retire a question read at ``read_revs``: it leaves new checklists, stays in pinned versions."""
    return await store.retire_org_question(actor, question_id, read_revs)

"""Organisation questions and pinned checklist snapshots in the database."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from piccolo.query.functions.aggregate import Count, Sum

from server.checklists.logic import Draft, ImportPlan, OrgQuestion, next_code
from server.checklists.schemas import OrgQuestionOut, Texts
from server.checklists.tables import ChecklistSnapshot
from server.checklists.tables import OrgQuestion as OrgQuestionTable
from server.lib.clock import utcnow
from server.lib.db import write_transaction
from server.lib.errors import AppError, ErrorCode
from server.lib.etag import check_revision
from server.trail.store import record_change

if TYPE_CHECKING:
    from server.lib.principal import Principal

__all__ = [
    "apply_import",
    "create_org_question",
    "get_snapshot",
    "list_org_questions",
    "list_org_questions_out",
    "org_questions_stamp",
    "pin_snapshot",
    "retire_org_question",
    "update_org_question",
]


def _json_list(value: Any) -> list[str]:
    loaded = json.loads(value) if isinstance(value, str) else value
    return [str(v) for v in loaded or []]


def _domain(row: dict[str, Any]) -> OrgQuestion:
    return OrgQuestion(
        id=str(row["id"]),
        code=row["code"],
        clauses=tuple(_json_list(row["clauses"])),
        text=Texts(ar=row["text_ar"], fr=row["text_fr"], en=row["text_en"]),
        guidance=Texts(ar=row["guidance_ar"], fr=row["guidance_fr"], en=row["guidance_en"]),
        tags=tuple(_json_list(row["tags"])),
        process_ids=tuple(_json_list(row["process_ids"])),
        rev=row["rev"],
        retired=row["retired_at"] is not None,
    )


def _out(row: dict[str, Any]) -> OrgQuestionOut:
    q = _domain(row)
    return OrgQuestionOut(
        id=q.id,
        code=q.code,
        clauses=list(q.clauses),
        text=q.text,
        guidance=q.guidance,
        tags=list(q.tags),  # type: ignore[arg-type]
        process_ids=list(q.process_ids),
        rev=q.rev,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        retired_at=row["retired_at"],
    )


def _columns(draft: Draft) -> dict[str, Any]:
    return {
        "clauses": json.dumps(list(draft.clauses)),
        "process_ids": json.dumps(list(draft.process_ids)),
        "tags": json.dumps(list(draft.tags)),
        "text_ar": draft.text.ar,
        "text_fr": draft.text.fr,
        "text_en": draft.text.en,
        "guidance_ar": draft.guidance.ar,
        "guidance_fr": draft.guidance.fr,
        "guidance_en": draft.guidance.en,
    }


def _trail_view(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    view = {
        k: row[k]
        for k in ("code", "text_ar", "text_fr", "text_en", "guidance_ar", "guidance_fr", "guidance_en")
    }
    view.update({k: _json_list(row[k]) for k in ("clauses", "tags", "process_ids")})
    view["retired_at"] = row["retired_at"]
    return view


async def list_org_questions(include_retired: bool = True) -> list[OrgQuestion]:
    query = OrgQuestionTable.select().order_by(OrgQuestionTable.code)
    if not include_retired:
        query = query.where(OrgQuestionTable.retired_at.is_null())
    return [_domain(r) for r in await query.run()]


async def list_org_questions_out(include_retired: bool) -> list[OrgQuestionOut]:
    query = OrgQuestionTable.select().order_by(OrgQuestionTable.code)
    if not include_retired:
        query = query.where(OrgQuestionTable.retired_at.is_null())
    return [_out(r) for r in await query.run()]


async def org_questions_stamp() -> tuple[int, int]:
    """(count, sum of revisions): changes whenever any organisation question is added or edited."""
    row = await OrgQuestionTable.select(Count(), Sum(OrgQuestionTable.rev)).first().run()
    values = list(row.values()) if row else [0, 0]
    return int(values[0] or 0), int(values[1] or 0)


async def _row(question_id: str) -> dict[str, Any]:
    row = await OrgQuestionTable.select().where(OrgQuestionTable.id == uuid.UUID(question_id)).first().run()
    if row is None:
        raise AppError(ErrorCode.NOT_FOUND, details={"entity": "question", "id": question_id})
    return dict(row)


async def _insert(actor: Principal | None, draft: Draft, action: str) -> str:
    codes = [r["code"] for r in await OrgQuestionTable.select(OrgQuestionTable.code).run()]
    now = utcnow()
    key = uuid.uuid4()
    await OrgQuestionTable.insert(
        OrgQuestionTable(
            id=key, code=next_code(codes), rev=1, created_at=now, updated_at=now, **_columns(draft)
        )
    ).run()
    after = await _row(str(key))
    await record_change(actor, action, "question", after["code"], None, _trail_view(after))
    return str(key)


async def _write_revision(question_id: str, read_rev: int, values: dict[str, Any]) -> None:
    """Compare-and-set: the row is written only if its revision is still ``read_rev`` (two writers
    that read the same revision cannot both win, on PostgreSQL as on SQLite); 412 otherwise."""
    written = await (
        OrgQuestionTable.update(
            {getattr(OrgQuestionTable, k): v for k, v in {**values, "rev": read_rev + 1}.items()}
        )
        .where((OrgQuestionTable.id == uuid.UUID(question_id)) & (OrgQuestionTable.rev == read_rev))
        .returning(OrgQuestionTable.rev)
        .run()
    )
    if not written:
        current = (await _row(question_id))["rev"]
        raise AppError(ErrorCode.PRECONDITION_FAILED, details={"currentRev": current})


async def _update(
    actor: Principal | None, question_id: str, draft: Draft, action: str, read_revs: Sequence[int]
) -> None:
    before = await _row(question_id)
    check_revision(read_revs, before["rev"])
    if before["retired_at"] is not None:
        raise AppError(ErrorCode.CHECKLIST_QUESTION_RETIRED, details={"code": before["code"]})
    await _write_revision(question_id, before["rev"], {**_columns(draft), "updated_at": utcnow()})
    await record_change(
        actor, action, "question", before["code"], _trail_view(before), _trail_view(await _row(question_id))
    )


async def create_org_question(actor: Principal, draft: Draft) -> OrgQuestionOut:
    async with write_transaction():
        key = await _insert(actor, draft, "create")
        return _out(await _row(key))


async def update_org_question(
    actor: Principal, question_id: str, draft: Draft, read_revs: Sequence[int]
) -> OrgQuestionOut:
    """404 if unknown; 428 without a revision read, 412 if the question moved on; 409 if retired."""
    async with write_transaction():
        await _update(actor, question_id, draft, "update", read_revs)
        return _out(await _row(question_id))


async def retire_org_question(actor: Principal, question_id: str, read_revs: Sequence[int]) -> OrgQuestionOut:
    """Retiring a retired question changes nothing (but the revision is still checked)."""
    async with write_transaction():
        before = await _row(question_id)
        check_revision(read_revs, before["rev"])
        if before["retired_at"] is None:
            now = utcnow()
            await _write_revision(question_id, before["rev"], {"retired_at": now, "updated_at": now})
            await record_change(
                actor,
                "retire",
                "question",
                before["code"],
                _trail_view(before),
                _trail_view(await _row(question_id)),
            )
        return _out(await _row(question_id))


async def apply_import(actor: Principal, plan: ImportPlan, by_code: dict[str, OrgQuestion]) -> None:
    """Apply a fully valid plan in one transaction: all rows or none. A question changed since the plan
    was made (its revision is no longer ``plan.revs``) stops the whole import with 412."""
    async with write_transaction():
        for draft in plan.added:
            await _insert(actor, draft, "import")
        for code, draft in plan.changed.items():
            await _update(actor, by_code[code].id, draft, "import", (plan.revs[code],))


async def pin_snapshot(version: str, content: bytes) -> None:
    """Keep the composed library an audit was prepared with; pinning the same version twice is a no-op."""
    async with write_transaction():
        if not await ChecklistSnapshot.exists().where(ChecklistSnapshot.version == version).run():
            await ChecklistSnapshot.insert(
                ChecklistSnapshot(version=version, content=content.decode(), created_at=utcnow())
            ).run()


async def get_snapshot(version: str) -> bytes:
    row = (
        await ChecklistSnapshot.select(ChecklistSnapshot.content)
        .where(ChecklistSnapshot.version == version)
        .first()
        .run()
    )
    if row is None:
        raise AppError(ErrorCode.NOT_FOUND, details={"entity": "checklistVersion", "id": version})
    return str(row["content"]).encode()

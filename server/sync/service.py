"""Sync use cases: push, pull, the offline package, conflicts, the history of findings, meetings and
conclusions, and late submissions.

Each use case is one transaction; it reads the other domains through their services and stores
(audits for visibility and state, org for the objects a finding or an attendee names, checklists for
the pinned questions, attachments for the stored files and signatures) and leaves the op rules to
``logic.decide`` and ``records_logic.decide_record``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from server.attachments.service import blob_store, stored_attachment
from server.audits import store as audits_store
from server.audits.service import list_visible_audits, visible_audit
from server.auth.policy import (
    CAN_READ_FINDING_HISTORY,
    CAN_REVIEW_LATE,
    may_read_finding_history,
    may_review_late,
    may_write_findings,
    require,
)
from server.checklists import store as checklists_store
from server.checklists.library import Library, load_library
from server.checklists.logic import library_from_snapshot
from server.lib import metrics
from server.lib.db import write_transaction
from server.lib.errors import AppError, ErrorCode
from server.org import people_store
from server.org import store as org_store
from server.sync import changes_store, records_changes, store
from server.sync.logic import AuditState, Facts, decode_ops, question_standards
from server.sync.package import Parts, build_package
from server.sync.records_logic import Entity
from server.sync.schemas import (
    ConclusionOut,
    ConclusionVersionOut,
    FindingOut,
    FindingVersionOut,
    MeetingOut,
    MeetingVersionOut,
    Op,
    PackageOut,
    PullOut,
    PushIn,
    UpsertConclusion,
    UpsertFinding,
    UpsertMeeting,
)

if TYPE_CHECKING:
    from datetime import datetime

    from server.audits.schemas import AuditOut
    from server.lib.i18n import Locale
    from server.lib.principal import Principal
    from server.settings import Settings

__all__ = [
    "audit_package",
    "conclusion_history",
    "finding_conflicts",
    "finding_history",
    "late_submissions",
    "meeting_history",
    "pull_changes",
    "push_ops",
    "record_conflicts",
]

# Keys of the batches this process is applying (SQLite only: one process serves it).
_in_flight: set[str] = set()
# A pinned checklist never changes: question id → standards, per version, kept for the process.
_pinned_questions: dict[str, tuple[Mapping[str, frozenset[str]], frozenset[str]]] = {}
_PINNED_KEPT = 64
_library_clauses: dict[tuple[str, frozenset[str]], frozenset[str]] = {}


def _busy() -> AppError:
    return AppError(ErrorCode.SYNC_BATCH_IN_PROGRESS, headers={"Retry-After": "1"})


@asynccontextmanager
async def _batch_transaction(key: str, settings: Settings) -> AsyncIterator[None]:
    """The batch's one transaction, its key claimed: a concurrent duplicate gets 409 at once instead of
    waiting for the first to finish. PostgreSQL may be served by several processes, so the claim is a
    transaction-scoped advisory lock, taken before the sequence row lock. SQLite is served by one
    process, and its claim is checked before BEGIN IMMEDIATE, which would wait for the running batch."""
    if settings.database_kind != "sqlite":
        async with write_transaction():
            if not await store.try_lock_batch_key(key):
                raise _busy()
            yield
        return
    if key in _in_flight:
        raise _busy()
    _in_flight.add(key)
    try:
        async with write_transaction():
            yield
    finally:
        _in_flight.discard(key)


async def push_ops(
    principal: Principal,
    key: str,
    body_hash: str,
    batch: PushIn,
    *,
    locale: Locale,
    settings: Settings,
    now: datetime,
) -> bytes:
    """Apply a batch once; a replay of ``key`` returns the stored response byte for byte."""
    ctx = store.BatchContext(
        user_id=principal.user_id, username=principal.username, device_id=batch.device_id, locale=locale
    )
    # A batch already applied is answered from its stored response before any claim: a replay never
    # waits for the write lock, and concurrent replays of a finished batch all get the same bytes.
    replay = await store.replayed_response(key, body_hash)
    if replay is not None:
        return replay
    async with _batch_transaction(key, settings):
        seq = await store.take_sequence()
        replay = await store.replayed_response(key, body_hash)
        if replay is not None:
            return replay
        decoded = decode_ops(batch.ops)
        ops = [op for op, _, _ in decoded if op is not None]
        pending = await store.open_batch(ctx, seq, now, ops)
        facts = await _facts(principal, pending.audit_ids, ops, settings)
        results = store.apply_ops(pending, decoded, facts)
        response = await store.finish_batch(pending, key, body_hash, results)
    # Counted once committed (a replay above is not counted again); an undecodable op has no name.
    metrics.count_sync_results(
        (str(op.__struct_config__.tag) if op is not None else "unknown", str(result.status))
        for (op, _, _), result in zip(decoded, results, strict=True)
    )
    return response


async def _facts(
    principal: Principal, audit_ids: Collection[str], ops: Sequence[Op], settings: Settings
) -> Facts:
    """What the batch's ops are checked against: one read per kind of fact, never one per op."""
    upserts = [op.data for op in ops if isinstance(op, UpsertFinding)]
    attendees = [a for op in ops if isinstance(op, UpsertMeeting) for a in op.data.attendees]
    signatures = {s.attachment for op in ops if isinstance(op, UpsertConclusion) for s in op.data.signatures}
    library = load_library(settings.checklists_dir)[0] if upserts else None
    processes = {d.process_id.lower() for d in upserts if d.process_id}
    units = {d.unit_id.lower() for d in upserts if d.unit_id} | {a.unit_id for a in attendees if a.unit_id}
    sites = {d.site_id.lower() for d in upserts if d.site_id}
    hashes = {sha for d in upserts for sha in d.attachments} | signatures
    files = blob_store(settings)
    # touch, not exists: a file a finding or a conclusion is about to name restarts its clean-up delay,
    # so a `tadqiq attachments gc` running at this moment cannot remove it under the batch.
    stored = frozenset([sha for sha in sorted(hashes) if await files.touch(sha)])
    return Facts(
        audits=await _audit_states(principal, audit_ids, library),
        processes=frozenset(p.id for p in await org_store.list_processes()) if processes else frozenset(),
        units=frozenset(u.id for u in await org_store.list_units()) if units else frozenset(),
        sites=frozenset(s.id for s in await org_store.list_sites()) if sites else frozenset(),
        attachments=stored,
        people=frozenset(await people_store.person_units())
        if any(a.person_id for a in attendees)
        else frozenset(),
        png_attachments=frozenset(
            [sha for sha in sorted(signatures & stored) if await _is_png(settings, sha)]
        ),
    )


async def _is_png(settings: Settings, sha256: str) -> bool:
    found = await stored_attachment(settings, sha256)
    return found is not None and found.media_type == "image/png"


async def _audit_states(
    principal: Principal, audit_ids: Collection[str], library: Library | None
) -> dict[str, AuditState]:
    """The state of each audit the batch names (an unknown audit is left out: its ops are not found)."""
    audits: dict[str, AuditState] = {}
    for audit_id in sorted(audit_ids):
        try:
            audit = await audits_store.get_audit(audit_id)
        except AppError:
            continue
        standards = frozenset(audit.standards)
        questions, good_practice = (
            await _questions(audit, library) if library is not None else ({}, frozenset())
        )
        audits[audit_id] = AuditState(
            status=audit.status,
            may_write=may_write_findings(principal, [m.person_id for m in audit.team]),
            standards=standards,
            clauses=_clauses(library, standards) if library is not None else frozenset(),
            questions=questions,
            good_practice=good_practice,
        )
    return audits


async def _questions(
    audit: AuditOut, library: Library
) -> tuple[Mapping[str, frozenset[str]], frozenset[str]]:
    """Question id → standards, for the checklist pinned for ``audit`` (empty when none is), and the
    ids of its good-practice questions."""
    version = audit.checklist_version
    if not version:
        return {}, frozenset()
    cached = _pinned_questions.get(version)
    if cached is None:
        pinned, org = library_from_snapshot(await checklists_store.get_snapshot(version), library)
        cached = (
            question_standards(
                [(q.id, q.clauses) for q in pinned.questions] + [(o.code, o.clauses) for o in org]
            ),
            frozenset(q.id for q in pinned.questions if q.basis == "good_practice"),
        )
        if len(_pinned_questions) >= _PINNED_KEPT:
            _pinned_questions.clear()
        _pinned_questions[version] = cached
    return cached


def _clauses(library: Library, standards: frozenset[str]) -> frozenset[str]:
    """Every clause reference of ``standards``, at every level (kept per library version)."""
    key = (library.version, standards)
    cached = _library_clauses.get(key)
    if cached is None:
        cached = frozenset(
            f"{standard}:{clause.number}"
            for standard, content in library.standards.items()
            if standard in standards
            for clause in content.clauses
        )
        if len(_library_clauses) >= _PINNED_KEPT:
            _library_clauses.clear()
        _library_clauses[key] = cached
    return cached


async def pull_changes(principal: Principal, since: int, audit_id: str | None, limit: int) -> PullOut:
    """Changes after ``since`` in the audits the caller may read, oldest first."""
    async with store.read_snapshot():
        # Read before the query: every change up to the head is committed (sequences are handed out
        # under a row lock held until commit), so with nothing newer found, the cursor may move to
        # it. Read after, it could pass a batch committed in between, which the device would miss.
        head = await changes_store.current_sequence()
        if audit_id is not None:
            audit_ids = [(await visible_audit(principal, audit_id)).id]
        else:
            audit_ids = [a.id for a in await list_visible_audits(principal)]
        findings, more_findings = await changes_store.findings_since(audit_ids, since, limit)
        records, more_records = await records_changes.records_since(audit_ids, since, limit)
    # The first ``limit`` changes of the three kinds together, by sequence: whatever is cut off lies
    # after the cursor, so the next page brings it.
    page: list[FindingOut | MeetingOut | ConclusionOut] = sorted([*findings, *records], key=lambda c: c.seq)
    has_more = more_findings or more_records or len(page) > limit
    page = page[:limit]
    cursor = page[-1].seq if page else max(since, head)
    return PullOut(
        changes=[c for c in page if isinstance(c, FindingOut)],
        meetings=[c for c in page if isinstance(c, MeetingOut)],
        conclusions=[c for c in page if isinstance(c, ConclusionOut)],
        cursor=str(cursor),
        has_more=has_more,
    )


async def audit_package(
    principal: Principal, audit_id: str, lang: Locale, settings: Settings, parts: Parts = "all"
) -> PackageOut:
    """Everything a tablet needs to run the audit offline, as one consistent read; ``parts="plan"``
    leaves the records out for the pull feed to page (see ``package``)."""
    async with store.read_snapshot():
        audit = await visible_audit(principal, audit_id)
        return await build_package(audit, lang, settings.checklists_dir, parts)


async def finding_conflicts(principal: Principal, finding_id: str) -> list[dict[str, Any]]:
    """The client versions that lost against the server copy of a finding."""
    async with store.read_snapshot():
        items = await changes_store.list_conflicts(finding_id)
        # A losing new finding never reached the finding table: its conflict rows name the audit.
        audit_ids = {item["auditId"] for item in items} | set(
            (await changes_store.finding_audit_ids([finding_id])).values()
        )
        if not audit_ids:
            raise AppError(ErrorCode.NOT_FOUND, details={"entity": "finding", "id": finding_id})
        for audit_id in sorted(audit_ids):
            await visible_audit(principal, audit_id)
    return items


async def finding_history(principal: Principal, finding_id: str) -> list[FindingVersionOut]:
    """Every applied version of a finding, oldest first: for the audit lead and the audit's team (404
    to whoever may not read the audit, 403 to whoever may read it but not its history)."""
    async with store.read_snapshot():
        audit_id = (await changes_store.finding_audit_ids([finding_id])).get(finding_id.lower())
        if audit_id is None:
            raise AppError(ErrorCode.NOT_FOUND, details={"entity": "finding", "id": finding_id})
        audit = await visible_audit(principal, audit_id)
        require(
            may_read_finding_history(principal, [m.person_id for m in audit.team]), CAN_READ_FINDING_HISTORY
        )
        return await changes_store.finding_versions(finding_id)


async def _record_audit(principal: Principal, entity: Entity, record_id: str) -> AuditOut:
    """The audit of an existing meeting or conclusion, if the caller may read it; 404 otherwise."""
    audit_id = (await records_changes.record_audit_ids(entity, [record_id])).get(record_id.lower())
    if audit_id is None:
        raise AppError(ErrorCode.NOT_FOUND, details={"entity": entity, "id": record_id})
    return await visible_audit(principal, audit_id)


async def meeting_history(principal: Principal, meeting_id: str) -> list[MeetingVersionOut]:
    """Every applied version of a meeting, oldest first: for the audit lead and the audit's team."""
    async with store.read_snapshot():
        audit = await _record_audit(principal, "meeting", meeting_id)
        require(
            may_read_finding_history(principal, [m.person_id for m in audit.team]), CAN_READ_FINDING_HISTORY
        )
        return await records_changes.meeting_versions(meeting_id)


async def conclusion_history(principal: Principal, conclusion_id: str) -> list[ConclusionVersionOut]:
    """Every applied version of an audit's conclusion, oldest first: for the audit lead and the team."""
    async with store.read_snapshot():
        audit = await _record_audit(principal, "conclusion", conclusion_id)
        require(
            may_read_finding_history(principal, [m.person_id for m in audit.team]), CAN_READ_FINDING_HISTORY
        )
        return await records_changes.conclusion_versions(conclusion_id)


async def record_conflicts(principal: Principal, entity: Entity, record_id: str) -> list[dict[str, Any]]:
    """The client versions of a meeting or a conclusion that lost against the server copy."""
    async with store.read_snapshot():
        items = await records_changes.list_record_conflicts(entity, record_id)
        # A losing new record never reached its table: its conflict rows name the audit.
        audit_ids = {item["auditId"] for item in items} | set(
            (await records_changes.record_audit_ids(entity, [record_id])).values()
        )
        if not audit_ids:
            raise AppError(ErrorCode.NOT_FOUND, details={"entity": entity, "id": record_id})
        for audit_id in sorted(audit_ids):
            await visible_audit(principal, audit_id)
    return items


async def late_submissions(principal: Principal, audit_id: str) -> list[dict[str, Any]]:
    """Changes that arrived after the audit was signed, kept for the audit lead's review."""
    async with store.read_snapshot():
        audit = await visible_audit(principal, audit_id)
        require(may_review_late(principal, [m.person_id for m in audit.team]), CAN_REVIEW_LATE)
        return await changes_store.late_submissions(audit_id)

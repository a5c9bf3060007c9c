"""What the programme gives out: its PDF, workbook and calendars, each auditor's own programme, and
the secret calendar subscription address each auditor may take (and revoke)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from server.lib.db import write_transaction
from server.lib.errors import AppError, ErrorCode
from server.lib.i18n import N_, translate
from server.org.service import get_profile
from server.programme import store
from server.programme.export_model import ExportDoc
from server.programme.ics import programme_calendar
from server.programme.pdf import render_programme_pdf
from server.programme.schemas import CalendarLinkOut, MyEntryOut, ProgrammeOut
from server.programme.service import Context, State, load_state
from server.programme.xlsx import programme_workbook

if TYPE_CHECKING:
    from server.lib.principal import Principal
    from server.org.schemas import PersonOut
    from server.programme.schemas import EntryOut, RiskRowOut

__all__ = [
    "calendar_feed",
    "create_calendar_link",
    "export_calendar",
    "export_pdf",
    "export_workbook",
    "initials",
    "my_programme",
    "revoke_calendar_link",
]

Lang = Literal["ar", "fr"]


def initials(people: list[PersonOut]) -> dict[str, str]:
    """2–3 Latin letters per person from the French name, unique: a clash takes the next letter of the
    last name, then a digit."""
    taken: set[str] = set()
    result: dict[str, str] = {}
    for person in sorted(people, key=lambda p: p.id):
        words = [w for w in person.full_name.fr.replace("-", " ").split() if w[:1].isalpha()] or ["X"]
        base = (words[0][0] + words[-1][0]).upper()
        candidates = [
            base,
            *(base + c.upper() for c in words[-1][1:] if c.isalpha()),
            *(f"{base}{n}" for n in range(2, 100)),
        ]
        chosen = next(c for c in candidates if c not in taken)
        taken.add(chosen)
        result[person.id] = chosen
    return result


async def _doc(state: State, programme: ProgrammeOut, lang: Lang, time_zone: str) -> ExportDoc:
    profile = await get_profile()
    organisation = getattr(profile.name, lang) or profile.name.fr
    return ExportDoc(
        programme=programme,
        lang=lang,
        organisation=organisation,
        people={p.id: getattr(p.full_name, lang) for p in state.org.people},
        initials=initials(state.org.people),
        processes={p.id: (p.code, getattr(p.name, lang)) for p in state.org.processes},
        units={u.id: getattr(u.name, lang) for u in state.org.units},
        labels=lambda message: translate(lang, message),
        generated_at=datetime.now(UTC),
        timezone=time_zone,
    )


async def _export_doc(programme_id: str, lang: Lang, ctx: Context, time_zone: str) -> ExportDoc:
    state = await load_state(programme_id, ctx)
    programme = state.out(await store.list_versions(programme_id), lang)
    return await _doc(state, programme, lang, time_zone)


async def export_pdf(programme_id: str, lang: Lang, ctx: Context, time_zone: str) -> bytes:
    return render_programme_pdf(await _export_doc(programme_id, lang, ctx, time_zone))


async def export_workbook(programme_id: str, lang: Lang, ctx: Context, time_zone: str) -> bytes:
    return programme_workbook(await _export_doc(programme_id, lang, ctx, time_zone))


async def export_calendar(
    programme_id: str, person_id: str | None, lang: Lang, ctx: Context, time_zone: str
) -> bytes:
    doc = await _export_doc(programme_id, lang, ctx, time_zone)
    name = translate(lang, N_("Audit programme {year}"), year=doc.programme.year)
    if person_id:
        name = f"{name} — {doc.person(person_id)}"
    return programme_calendar(doc, person_id=person_id, name=name)


# ------------------------------------------------------------------ an auditor's own programme


def _require_person(principal: Principal) -> str:
    if principal.person_id is None:
        raise AppError(ErrorCode.PROGRAMME_NO_PERSON)
    return principal.person_id


def _has_approved_version(row: store.ProgrammeRow) -> bool:
    return row.status == "approved" or row.version > 1


async def my_programme(principal: Principal) -> list[MyEntryOut]:
    """The caller's audits in approved programmes (from last year on), by date."""
    from server.org import store as org_store

    person_id = _require_person(principal)
    processes = {p.id: p for p in await org_store.list_processes()}
    found: list[MyEntryOut] = []
    since = datetime.now(UTC).year - 1
    for row, _ in await store.list_programmes():
        if not _has_approved_version(row) or row.year < since:
            continue
        for entry in await _approved_entries(row):
            if person_id != entry.lead_id and person_id not in entry.auditor_ids:
                continue
            process = processes[entry.process_id]
            found.append(
                MyEntryOut(
                    programme_id=row.id,
                    year=row.year,
                    entry_id=entry.id,
                    process_id=entry.process_id,
                    process_code=process.code,
                    process_name=process.name,
                    standards=list(entry.standards),  # type: ignore[arg-type]
                    start=entry.start,
                    end=entry.end,
                    role="lead" if entry.lead_id == person_id else "auditor",
                    team_ids=[entry.lead_id, *entry.auditor_ids],
                    audit_id=entry.audit_id,
                )
            )
    return sorted(found, key=lambda e: (e.start, e.process_code))


async def _approved_entries(row: store.ProgrammeRow) -> list[store.EntryRow]:
    """The entries as last approved: the live ones while approved; during a revision, the entries that
    have an audit (the approved version's) — a draft's changes reach nobody's calendar."""
    entries = await store.list_entries(row.id)
    if row.status == "approved":
        return entries
    return [e for e in entries if e.audit_id]


async def create_calendar_link(principal: Principal, base_url: str) -> CalendarLinkOut:
    person_id = _require_person(principal)
    token = secrets.token_urlsafe(24)
    async with write_transaction():
        created = await store.replace_link(person_id, hashlib.sha256(token.encode()).hexdigest())
    return CalendarLinkOut(url=f"{base_url.rstrip('/')}/cal/{token}.ics", created_at=created)


async def revoke_calendar_link(principal: Principal) -> None:
    person_id = _require_person(principal)
    async with write_transaction():
        await store.revoke_links(person_id)


async def calendar_feed(token: str, lang: Lang, ctx: Context, time_zone: str) -> bytes:
    """The person's audits of every approved programme, for a calendar app polling the secret address;
    an unknown or revoked token is a 404 (nothing tells whether it ever existed)."""
    person_id = await store.active_link_person(hashlib.sha256(token.encode()).hexdigest())
    if person_id is None:
        raise AppError(ErrorCode.NOT_FOUND, details={"entity": "calendar"})
    rows = [row for row, _ in await store.list_programmes() if _has_approved_version(row)]
    entries: list[EntryOut] = []
    risks: list[RiskRowOut] = []
    doc: ExportDoc | None = None
    for row in sorted(rows, key=lambda r: r.year):
        state = await load_state(row.id, ctx)
        programme = state.out([], lang)
        approved = {e.id for e in await _approved_entries(row)}
        entries.extend(e for e in programme.entries if e.id in approved)
        risks.extend(programme.risks)
        doc = doc or await _doc(state, programme, lang, time_zone)
    if doc is None:
        doc = await _empty_doc(lang, time_zone)
    # One calendar over several years: what was approved, whatever the current draft of a revision says.
    doc.programme.entries = entries
    doc.programme.status = "approved"
    doc.programme.risks = list({r.process_id: r for r in risks}.values())
    return programme_calendar(doc, person_id=person_id, name=translate(lang, N_("My audits")))


async def _empty_doc(lang: Lang, time_zone: str) -> ExportDoc:
    """A calendar with no events yet: nothing approved so far."""
    from server.programme.gather import gather_org

    now = datetime.now(UTC)
    programme = ProgrammeOut(
        id="",
        year=now.year,
        status="approved",
        version=0,
        rev=0,
        cycle=[],
        entries=[],
        risks=[],
        coverage=[],
        last_solve=None,
        history=[],
        blocked_months=[],
        updated_at=now,
        updated_by="",
    )
    org = await gather_org()
    return ExportDoc(
        programme=programme,
        lang=lang,
        organisation="",
        people={p.id: getattr(p.full_name, lang) for p in org.people},
        initials={},
        processes={},
        units={},
        labels=lambda message: translate(lang, message),
        generated_at=now,
        timezone=time_zone,
    )

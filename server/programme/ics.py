"""The programme as an iCalendar feed (RFC 5545) that Outlook, Google and Apple calendars import or
subscribe to: one all-day event per planned audit.

An event's UID is the entry's id, which never changes across solves and revisions, and its SEQUENCE the
entry's ``sequence``, bumped whenever its dates or team change: a calendar that imported an earlier export
updates the event in place rather than adding a second one. The same document gives the same bytes.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import TYPE_CHECKING

from icalendar import Calendar, Event
from icalendar.enums import STATUS, TRANSP

from server.lib.i18n import N_

if TYPE_CHECKING:
    from server.programme.export_model import ExportDoc
    from server.programme.schemas import EntryOut

__all__ = ["entry_uid", "programme_calendar"]

_REFRESH = timedelta(hours=12)
"""How often a subscribed calendar should fetch the feed again (also written as X-PUBLISHED-TTL)."""


def entry_uid(entry_id: str) -> str:
    """The event's UID: stable for as long as the entry exists."""
    return f"{entry_id}@tadqiq"


def _is_member(entry: EntryOut, person_id: str) -> bool:
    return person_id == entry.lead_id or person_id in entry.auditor_ids


def _summary(doc: ExportDoc, entry: EntryOut) -> str:
    audit = doc.labels(N_("Internal audit"))
    return f"{doc.process_code(entry.process_id)} — {audit} {doc.standards_text(entry.standards)}"


def _description(doc: ExportDoc, entry: EntryOut) -> str:
    """Process and unit, the team (lead marked), pins, and the override reason, flagged."""
    team = [
        doc.label(N_("{name} (lead auditor)"), name=doc.person(pid))
        if pid == entry.lead_id
        else doc.person(pid)
        for pid in doc.team_ids(entry)
    ]
    lines = [
        f"{doc.process_code(entry.process_id)} — {doc.process_name(entry.process_id)}",
        f"{doc.labels(N_('Audited unit'))}: {doc.owner_unit(entry.process_id)}",
        f"{doc.labels(N_('Team'))}: {doc.joined(team)}",
    ]
    if entry.override_reason:
        lines.append(
            "⚠ " + doc.label(N_("Independence override: {reason}"), reason=entry.override_reason.strip())
        )
    status = doc.audit_status(entry)
    if status:
        lines.append(f"{doc.labels(N_('Audit status'))}: {status}")
    return "\n".join(lines)


def _event(doc: ExportDoc, entry: EntryOut) -> Event:
    programme = doc.programme
    status = STATUS.CONFIRMED if programme.status == "approved" else STATUS.TENTATIVE
    if entry.audit_status == "cancelled":
        status = STATUS.CANCELLED
    categories = [doc.labels(N_("Internal audit")), *(doc.standards_text([s]) for s in entry.standards)]
    if entry.override_reason:
        categories.append(doc.labels(N_("Independence override")))
    return Event.new(
        uid=entry_uid(entry.id),
        start=entry.start,
        end=entry.end + timedelta(days=1),  # DTEND of an all-day event is exclusive
        sequence=entry.sequence,
        stamp=doc.generated_at.astimezone(UTC),
        last_modified=programme.updated_at.astimezone(UTC),
        summary=_summary(doc, entry),
        description=_description(doc, entry),
        location=doc.owner_unit(entry.process_id) or None,
        categories=categories,
        status=status,
        transparency=TRANSP.OPAQUE,
    )


def programme_calendar(doc: ExportDoc, *, person_id: str | None = None, name: str) -> bytes:
    """The programme's audits as an ``.ics`` file (CRLF lines folded at 75 octets, UTF-8).

    With ``person_id``, only the audits whose team includes that person (as lead or auditor). ``name``
    is the calendar's display name (X-WR-CALNAME). Events are TENTATIVE until the programme is approved,
    then CONFIRMED; an audit cancelled since is CANCELLED."""
    programme = doc.programme
    scope = programme.id if person_id is None else f"{programme.id}.{person_id}"
    calendar = Calendar.new(
        prodid=f"-//Tadqiq//Programme//{doc.lang}",
        method="PUBLISH",
        name=name,
        uid=f"{scope}@tadqiq",
        refresh_interval=_REFRESH,
    )
    calendar.add("X-PUBLISHED-TTL", "PT12H")  # the older spelling of REFRESH-INTERVAL, which Outlook reads
    for entry in doc.entries_in_order():
        if person_id is None or _is_member(entry, person_id):
            calendar.add_component(_event(doc, entry))
    return bytes(calendar.to_ical())

"""The programme's calendar feed read back with icalendar: one all-day event per audit with a stable UID,
per-person feeds, SEQUENCE bumped by a revision, and the wire format calendar apps expect."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from icalendar import Calendar, Event

from server.programme.ics import entry_uid, programme_calendar
from tests.unit.programme.export_samples import (
    ENTRY_MOVED,
    OVERRIDE_ENTRY,
    OVERRIDE_REASON,
    Lang,
    revised,
    sample_doc,
)


def _events(ics: bytes) -> dict[str, Event]:
    calendar = Calendar.from_ical(ics)
    assert isinstance(calendar, Calendar)
    return {str(event["UID"]): event for event in calendar.events}


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_every_entry_is_an_all_day_event_with_a_stable_uid(lang: Lang) -> None:
    doc = sample_doc(lang)
    events = _events(programme_calendar(doc, name="Programme 2026"))
    assert set(events) == {f"{e.id}@tadqiq" for e in doc.programme.entries}
    for entry in doc.programme.entries:
        event = events[entry_uid(entry.id)]
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert (type(start), type(end)) == (date, date)  # all-day: VALUE=DATE, not a datetime
        assert start == entry.start
        assert (end - entry.end).days == 1  # DTEND is exclusive
        assert event.decoded("SEQUENCE") == entry.sequence
        assert event.decoded("DTSTAMP") == datetime(2026, 2, 1, 7, 0, tzinfo=UTC)
        assert event.decoded("LAST-MODIFIED") == doc.programme.updated_at
        assert str(event["STATUS"]) == "CONFIRMED"  # the programme is approved


def test_summary_description_and_categories_are_in_the_language() -> None:
    ar, fr = (_events(programme_calendar(sample_doc(lang), name="x")) for lang in ("ar", "fr"))
    uid = entry_uid(OVERRIDE_ENTRY)
    assert str(fr[uid]["SUMMARY"]).startswith("DEC — ")
    assert str(fr[uid]["SUMMARY"]).endswith("ISO 14001, ISO 45001")
    description = str(fr[uid]["DESCRIPTION"])
    assert "Karim Alaoui" in description and "Nadia El Fassi" in description
    assert "⚠" in description and OVERRIDE_REASON["fr"] in description
    assert "Gestion des déchets" in description
    assert "كريم العلوي" in str(ar[uid]["DESCRIPTION"]) and OVERRIDE_REASON["ar"] in str(
        ar[uid]["DESCRIPTION"]
    )
    categories = [str(c) for c in fr[uid].get("CATEGORIES").cats]
    assert "ISO 45001" in categories
    plain = entry_uid("e-cit-0")
    assert "⚠" not in str(fr[plain]["DESCRIPTION"])


def test_a_person_calendar_holds_only_their_audits_as_lead_or_auditor() -> None:
    doc = sample_doc("fr")
    events = _events(programme_calendar(doc, person_id="p-nadia", name="Nadia"))
    expected = {entry_uid(e.id) for e in doc.programme.entries if "p-nadia" in (e.lead_id, *e.auditor_ids)}
    assert set(events) == expected and len(expected) == 3
    leads = _events(programme_calendar(doc, person_id="p-hind", name="Hind"))
    assert entry_uid("e-cit-0") in leads  # as lead
    assert entry_uid("e-rh-0") in leads  # as auditor
    assert _events(programme_calendar(doc, person_id="p-nobody", name="x")) == {}


def test_a_revision_keeps_the_uids_and_raises_the_sequence_of_a_moved_audit() -> None:
    first = sample_doc("fr")
    second = revised(first)
    before = _events(programme_calendar(first, name="x"))
    after = _events(programme_calendar(second, name="x"))
    assert set(before) == set(after)
    uid = entry_uid(ENTRY_MOVED)
    assert after[uid].decoded("SEQUENCE") == before[uid].decoded("SEQUENCE") + 1
    assert after[uid].decoded("DTSTART") == date(2026, 7, 6)
    assert str(after[uid]["STATUS"]) == "TENTATIVE"  # the revision is a draft
    unchanged = entry_uid("e-ach-0")
    assert after[unchanged].decoded("SEQUENCE") == before[unchanged].decoded("SEQUENCE")


def test_the_file_is_what_outlook_and_google_import() -> None:
    ics = programme_calendar(sample_doc("ar"), name="برنامج التدقيق 2026")
    lines = ics.split(b"\r\n")
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-1] == b""  # every line CRLF-terminated
    assert b"\n" not in ics.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in lines), "folded at 75 octets"
    text = ics.decode()
    for wanted in ("VERSION:2.0", "METHOD:PUBLISH", "PRODID:-//Tadqiq//Programme//ar"):
        assert f"\r\n{wanted}\r\n" in text
    calendar = Calendar.from_ical(ics)
    assert str(calendar["X-WR-CALNAME"]) == "برنامج التدقيق 2026"


def test_the_same_document_gives_the_same_bytes() -> None:
    assert programme_calendar(sample_doc("fr"), name="x") == programme_calendar(sample_doc("fr"), name="x")

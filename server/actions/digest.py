"""The daily digest of nonconformity follow-up (``tadqiq digest``): one message per person, in their
language, with what is late or due soon for them. Pure: records and organisation facts in, composed
digests out (no database, no files, no mail; ``digest_gather.py`` does those).

Who gets what:
- an auditee: the action plans and closures late or due soon of the records of their units (their own
  unit and the units below it), and the actions of those records that are late, whoever owns them
  (the unit answers the record);
- anyone who owns an action (whatever their role): their actions late or due soon;
- an auditor: the records waiting in ``verification`` that they may verify (not of
  their own units, impartiality) *and* of an audit whose team they were on. Chosen so that a record is
  verified by someone who knows the finding, and an auditor is not asked about every audit of the year;
  the audit lead sees every record waiting in their summary and can hand it to anyone;
- the audit lead: everything late, by unit, and every record waiting for verification.
Nobody with nothing to report gets a digest.
"""

from __future__ import annotations

import html
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final

from server.actions.model import ActionStatus, ActionType, NcStatus, Nonconformity, Severity
from server.actions.workflow import Overdue, overdue
from server.lib.i18n import DEFAULT_LOCALE, N_, Locale, as_locale, text_direction, translate
from server.org.logic import descendants

__all__ = [
    "DEFAULT_SOON_DAYS",
    "Digest",
    "DigestAudit",
    "DigestPerson",
    "DigestUnit",
    "Line",
    "OrgFacts",
    "Section",
    "compose_digests",
    "due_soon",
]

DEFAULT_SOON_DAYS: Final = 7
AUDITEE, AUDITOR, LEAD = "auditee", "auditor", "audit_lead"
_BEFORE_PLAN: Final = frozenset({NcStatus.OPEN, NcStatus.ANALYSIS, NcStatus.ACTION_PLAN})
_FOLLOWED: Final = frozenset(NcStatus) - {NcStatus.CLOSED, NcStatus.REJECTED}
_FINISHED: Final = frozenset({ActionStatus.DONE, ActionStatus.CANCELLED})

_SEVERITY: Final = {
    Severity.MAJOR: N_("Major nonconformity"),
    Severity.MINOR: N_("Minor nonconformity"),
    Severity.OBSERVATION: N_("Observation"),
}
_ACTION_TYPE: Final = {
    ActionType.CORRECTION: N_("Correction"),
    ActionType.CORRECTIVE: N_("Corrective action"),
    ActionType.PREVENTIVE: N_("Preventive action"),
}
_WHAT: Final = {
    "plan": N_("action plan due {due}"),
    "closure": N_("closure due {due}"),
    "action": N_("{type} “{description}” ({owner}), due {due}"),
    "own_action": N_("{type} “{description}”, due {due}"),
}
_DAYS_LATE, _DAYS_LEFT = N_("days late: {days}"), N_("days left: {days}")
_SUBJECT = N_("Tadqiq: nonconformity follow-up on {date}")
_HELLO = N_("Hello {name},")
_COUNTS = N_("Late: {late} · Due within {days} days: {soon} · To verify: {verify}")
_IN_UNITS, _YOUR_ACTIONS = N_("In your units"), N_("Your actions")
_TO_VERIFY = N_("Waiting for your verification")
_LEAD_LATE, _LEAD_VERIFY = N_("Late, by unit"), N_("Waiting for verification, all units")
_UNIT_COUNT = N_("{unit}: {count} late")
_VERIFY_WHAT = N_("actions done: their effectiveness is to be verified")
_UNKNOWN = N_("Unknown")
_FOOTER = N_("Open Tadqiq to answer, update or verify these records. This message is sent automatically.")


# ---------------------------------------------------------------- the facts a digest is made from


@dataclass(frozen=True)
class DigestPerson:
    id: str
    name: Mapping[str, str]
    """The full name by language (``ar``, ``fr``)."""
    unit_id: str
    roles: frozenset[str] = frozenset()
    username: str | None = None
    email: str = ""
    locale: str | None = None
    """The account's preferred language; None: the organisation's default."""


@dataclass(frozen=True)
class DigestUnit:
    id: str
    code: str
    name: Mapping[str, str]
    parent_id: str | None = None


@dataclass(frozen=True)
class DigestAudit:
    id: str
    code: str
    team: frozenset[str] = frozenset()
    """Person ids of the audit team (lead included)."""


@dataclass(frozen=True)
class OrgFacts:
    people: tuple[DigestPerson, ...]
    """Who may get a digest (people still with the organisation)."""
    units: Mapping[str, DigestUnit]
    audits: Mapping[str, DigestAudit]
    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Every person's name by id, archived ones included (an action's owner may have left);
    ``people``'s names stand in for whoever is missing."""
    default_locale: Locale = DEFAULT_LOCALE

    def name_of(self, person_id: str) -> Mapping[str, str] | None:
        found = self.names.get(person_id)
        if found is None:
            found = next((p.name for p in self.people if p.id == person_id), None)
        return found


# ---------------------------------------------------------------- what a digest is


@dataclass(frozen=True)
class Line:
    text: str
    indent: int = 0
    """1: a detail of the line above (a unit's items in the audit lead's summary)."""


@dataclass(frozen=True)
class Section:
    title: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Digest:
    person_id: str
    username: str | None
    email: str
    locale: Locale
    subject: str
    greeting: str
    counts: str
    sections: tuple[Section, ...]
    footer: str
    late: int = 0
    soon: int = 0
    to_verify: int = 0

    @property
    def name(self) -> str:
        """Its file name's last part: the username, else the person's id."""
        return self.username or self.person_id

    def text(self) -> str:
        out = [self.subject, "", self.greeting, "", self.counts]
        for section in self.sections:
            out += ["", section.title, "-" * len(section.title)]
            out += [f"{'    ' * line.indent}- {line.text}" for line in section.lines]
        return "\n".join([*out, "", self.footer, ""])

    def html(self) -> str:
        esc = html.escape
        body = [f"<p>{esc(self.greeting)}</p>", f"<p><strong>{esc(self.counts)}</strong></p>"]
        for section in self.sections:
            body.append(f"<h2>{esc(section.title)}</h2>")
            body.append(_html_list(section.lines))
        body.append(f"<p><small>{esc(self.footer)}</small></p>")
        return (
            f'<!DOCTYPE html>\n<html lang="{self.locale}" dir="{text_direction(self.locale)}">'
            f'<head><meta charset="utf-8"><title>{esc(self.subject)}</title></head>'
            f"<body><h1>{esc(self.subject)}</h1>{''.join(body)}</body></html>\n"
        )


def _html_list(lines: tuple[Line, ...]) -> str:
    """Lines as a list, the indented ones nested under the line before them."""
    parts, nested = ["<ul>"], False
    for line in lines:
        if line.indent and not nested:
            parts[-1] = parts[-1].removesuffix("</li>") + "<ul>"
            nested = True
        elif not line.indent and nested:
            parts.append("</ul></li>")
            nested = False
        parts.append(f"<li>{html.escape(line.text)}</li>")
    parts.append("</ul></li></ul>" if nested else "</ul>")
    return "".join(parts)


# ---------------------------------------------------------------- what is due


@dataclass(frozen=True)
class _Item:
    """Something due on a record: late (``days`` > 0 days late) or soon (due in ``-days`` days)."""

    kind: str
    nc: Nonconformity
    due: date
    days: int
    owner_id: str | None = None
    action_id: str | None = None

    @property
    def late(self) -> bool:
        return self.days > 0


def due_soon(records: list[Nonconformity], today: date, days: int) -> list[Overdue]:
    """What falls due from ``today`` to ``days`` days after it (not late yet), soonest first: the same
    plans, actions and closures ``workflow.overdue`` counts once their day has passed."""
    last = today + timedelta(days=days)
    soon: list[Overdue] = []
    for nc in records:
        if nc.status not in _FOLLOWED:
            continue
        if nc.status in _BEFORE_PLAN and today <= nc.plan_due <= last:
            soon.append(Overdue("plan", nc.id, nc.unit_id, None, nc.plan_due, (today - nc.plan_due).days))
        if nc.status is NcStatus.IN_PROGRESS:
            for a in nc.actions:
                if a.status not in _FINISHED and today <= a.due <= last:
                    soon.append(Overdue("action", nc.id, nc.unit_id, a.owner_id, a.due, (today - a.due).days))
        if today <= nc.close_due <= last:
            soon.append(
                Overdue("closure", nc.id, nc.unit_id, None, nc.close_due, (today - nc.close_due).days)
            )
    return sorted(soon, key=lambda o: (o.due, o.nc_id, o.kind))


def _items(records: list[Nonconformity], today: date, days: int) -> list[_Item]:
    """Late (``workflow.overdue``) then soon, each with its record and, for an action, which one."""
    by_id = {nc.id: nc for nc in records}
    # Overdue names an action by its owner and due date: two alike on one record take one each, in order.
    pending: dict[tuple[str, str, date], Iterator[str]] = {}
    for nc in records:
        for a in nc.actions:
            if a.status not in _FINISHED:
                pending.setdefault((nc.id, a.owner_id, a.due), iter(_same(nc, a.owner_id, a.due)))
    items: list[_Item] = []
    for o in [*overdue(records, today), *due_soon(records, today, days)]:
        action_id = None
        if o.kind == "action" and o.owner_id is not None:
            action_id = next(pending[(o.nc_id, o.owner_id, o.due)])
        items.append(_Item(o.kind, by_id[o.nc_id], o.due, o.days_late, o.owner_id, action_id))
    return items


def _same(nc: Nonconformity, owner_id: str, due: date) -> list[str]:
    return [a.id for a in nc.actions if a.owner_id == owner_id and a.due == due and a.status not in _FINISHED]


# ---------------------------------------------------------------- words


class _Words:
    """The words of one digest, in its reader's language."""

    def __init__(self, facts: OrgFacts, locale: Locale, reader_id: str) -> None:
        self.facts, self.locale, self.reader_id = facts, locale, reader_id

    def t(self, message: str, **params: object) -> str:
        return translate(self.locale, message, **params)

    def local(self, names: Mapping[str, str]) -> str:
        return names.get(self.locale) or names.get("fr") or next(iter(names.values()), "")

    def unit(self, unit_id: str) -> str:
        unit = self.facts.units.get(unit_id)
        return f"{unit.code} — {self.local(unit.name)}" if unit else self.t(_UNKNOWN)

    def person(self, person_id: str | None) -> str:
        names = self.facts.name_of(person_id) if person_id else None
        return self.local(names) if names else self.t(_UNKNOWN)

    def head(self, nc: Nonconformity) -> str:
        """Which record: its audit, its unit, its severity and clauses."""
        audit = self.facts.audits.get(nc.audit_id)
        clauses = f" ({', '.join(nc.clauses)})" if nc.clauses else ""
        return (
            f"{audit.code if audit else self.t(_UNKNOWN)} · {self.unit(nc.unit_id)} · "
            f"{self.t(_SEVERITY[nc.severity])}{clauses}"
        )

    def item(self, item: _Item) -> str:
        due = item.due.isoformat()
        if item.kind == "action":
            action = next(a for a in item.nc.actions if a.id == item.action_id)
            what = self.t(
                _WHAT["own_action" if action.owner_id == self.reader_id else "action"],
                type=self.t(_ACTION_TYPE[action.type]),
                description=action.description,
                owner=self.person(action.owner_id),
                due=due,
            )
        else:
            what = self.t(_WHAT[item.kind], due=due)
        when = self.t(_DAYS_LATE, days=item.days) if item.late else self.t(_DAYS_LEFT, days=-item.days)
        return f"{self.head(item.nc)} — {what} — {when}"

    def verify(self, nc: Nonconformity) -> str:
        return f"{self.head(nc)} — {self.t(_VERIFY_WHAT)}"


# ---------------------------------------------------------------- composing


def _key(item: _Item) -> tuple[str, str, str | None]:
    return item.kind, item.nc.id, item.action_id


def _lead_sections(words: _Words, late: list[_Item], waiting: list[Nonconformity]) -> list[Section]:
    """The audit lead's summary: everything late grouped by unit (by code), then what waits to be verified."""
    sections: list[Section] = []
    if late:
        by_unit: dict[str, list[_Item]] = {}
        for item in late:
            by_unit.setdefault(item.nc.unit_id, []).append(item)
        lines: list[Line] = []
        for unit_id in sorted(by_unit, key=words.unit):
            lines.append(Line(words.t(_UNIT_COUNT, unit=words.unit(unit_id), count=len(by_unit[unit_id]))))
            lines += [Line(words.item(item), 1) for item in by_unit[unit_id]]
        sections.append(Section(words.t(_LEAD_LATE), tuple(lines)))
    if waiting:
        sections.append(Section(words.t(_LEAD_VERIFY), tuple(Line(words.verify(nc)) for nc in waiting)))
    return sections


@dataclass(frozen=True)
class _Share:
    """What one person is to be told."""

    in_units: list[_Item] = field(default_factory=list)
    own: list[_Item] = field(default_factory=list)
    to_verify: list[Nonconformity] = field(default_factory=list)
    lead_late: list[_Item] = field(default_factory=list)
    lead_waiting: list[Nonconformity] = field(default_factory=list)

    def empty(self) -> bool:
        return not (self.in_units or self.own or self.to_verify or self.lead_late or self.lead_waiting)


def _share(
    person: DigestPerson,
    items: list[_Item],
    waiting: list[Nonconformity],
    facts: OrgFacts,
    parent_of: Mapping[str, str | None],
) -> _Share:
    units = {person.unit_id} | descendants(person.unit_id, parent_of)
    auditee, lead = AUDITEE in person.roles, LEAD in person.roles
    in_units = [
        i
        for i in items
        if auditee and i.nc.unit_id in units and (i.kind != "action" or (i.late and i.owner_id != person.id))
    ]
    team = {a.id for a in facts.audits.values() if person.id in a.team}
    may_verify = AUDITOR in person.roles and not lead  # the lead's summary lists every record waiting
    return _Share(
        in_units=in_units,
        own=[i for i in items if i.kind == "action" and i.owner_id == person.id],
        to_verify=[nc for nc in waiting if may_verify and nc.unit_id not in units and nc.audit_id in team],
        lead_late=[i for i in items if i.late] if lead else [],
        lead_waiting=list(waiting) if lead else [],
    )


def _digest(person: DigestPerson, share: _Share, facts: OrgFacts, today: date, days: int) -> Digest:
    locale = as_locale(person.locale) or facts.default_locale
    words = _Words(facts, locale, person.id)
    sections: list[Section] = []
    for title, part in ((_IN_UNITS, share.in_units), (_YOUR_ACTIONS, share.own)):
        if part:
            sections.append(Section(words.t(title), tuple(Line(words.item(i)) for i in part)))
    if share.to_verify:
        sections.append(Section(words.t(_TO_VERIFY), tuple(Line(words.verify(nc)) for nc in share.to_verify)))
    sections += _lead_sections(words, share.lead_late, share.lead_waiting)
    told = {_key(i): i for i in [*share.in_units, *share.own, *share.lead_late]}
    late = sum(i.late for i in told.values())
    verify = len({nc.id for nc in [*share.to_verify, *share.lead_waiting]})
    return Digest(
        person_id=person.id,
        username=person.username,
        email=person.email,
        locale=locale,
        subject=words.t(_SUBJECT, date=today.isoformat()),
        greeting=words.t(_HELLO, name=words.local(person.name)),
        counts=words.t(_COUNTS, late=late, days=days, soon=len(told) - late, verify=verify),
        sections=tuple(sections),
        footer=words.t(_FOOTER),
        late=late,
        soon=len(told) - late,
        to_verify=verify,
    )


def compose_digests(
    records: list[Nonconformity], facts: OrgFacts, today: date, soon_days: int = DEFAULT_SOON_DAYS
) -> list[Digest]:
    """One digest for each person with something late, due within ``soon_days`` days or to verify on
    ``today``, in the order of ``facts.people``."""
    items = _items(records, today, soon_days)
    waiting = [nc for nc in records if nc.status is NcStatus.VERIFICATION]
    parent_of = {u.id: u.parent_id for u in facts.units.values()}
    digests = []
    for person in facts.people:
        share = _share(person, items, waiting, facts, parent_of)
        if not share.empty():
            digests.append(_digest(person, share, facts, today, soon_days))
    return digests

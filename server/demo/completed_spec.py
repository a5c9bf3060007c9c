"""The demo's completed audit as data (``completed_audit.yaml``) and the sync ops its tablets send:
pure functions, no I/O. ``completed_audit.py`` plans the audit, uploads the files and pushes these
ops through the real services."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Final

import msgspec
import yaml

from server.lib.structs import LocalizedName
from server.sync.schemas import (
    Attendee,
    ConclusionData,
    FindingData,
    MeetingData,
    MeetingKind,
    Signature,
    SignatureRole,
    StandardDegree,
    UpsertConclusion,
    UpsertFinding,
    UpsertMeeting,
    Verdict,
)

if TYPE_CHECKING:
    from server.lib.principal import Principal
    from server.org.schemas import PersonOut
    from server.settings import Settings

__all__ = [
    "COMPLETED_AUDIT_FILE",
    "MOROCCO",
    "AttendeeSpec",
    "CompletedAudit",
    "ConclusionSpec",
    "DemoOrg",
    "DemoRun",
    "FindingSpec",
    "MeetingSpec",
    "PhotoSpec",
    "SignatureSpec",
    "SyncSpec",
    "TabletOp",
    "attendee",
    "audit_days",
    "conclusion_op",
    "finding_op",
    "meeting_op",
    "ops_of",
    "read_completed_audit",
]

COMPLETED_AUDIT_FILE = Path(__file__).with_name("completed_audit.yaml")
MOROCCO: Final = timezone(timedelta(hours=1))
"""The tablets' clock: Morocco keeps UTC+1 outside Ramadan."""
_IDS: Final = uuid.UUID("6f1d2c3e-7a8b-5c9d-8e0f-a1b2c3d4e5f6")
"""The namespace of the ids the tablets made (findings, meetings, conclusion, batch keys)."""
TabletOp = UpsertFinding | UpsertMeeting | UpsertConclusion


class PhotoSpec(msgspec.Struct, forbid_unknown_fields=True):
    scene: str
    label: str
    at: str


class FindingSpec(msgspec.Struct, forbid_unknown_fields=True):
    question: str
    verdict: Verdict
    author: str
    site: str
    day: int
    at: str
    statement: str = ""
    evidence: str = ""
    response: str = ""
    clauses: list[str] = []
    photos: list[PhotoSpec] = []


class AttendeeSpec(msgspec.Struct, forbid_unknown_fields=True):
    person: str | None = None
    """A demo username; the person's name, unit and job title come from the organisation."""
    name: str = ""
    role: str = ""
    unit: str | None = None
    organisation: str = ""
    present: bool = True


class MeetingSpec(msgspec.Struct, forbid_unknown_fields=True):
    kind: MeetingKind
    author: str
    day: int
    at: str
    place: str
    attendees: list[AttendeeSpec]
    notes: str


class SignatureSpec(msgspec.Struct, forbid_unknown_fields=True):
    role: SignatureRole
    person: str
    signer_role: str
    at: str


class ConclusionSpec(msgspec.Struct, forbid_unknown_fields=True):
    author: str
    day: int
    at: str
    summary: str
    conclusions: str
    degrees: list[StandardDegree]
    diverging_opinions: str
    signatures: list[SignatureSpec]


class SyncSpec(msgspec.Struct, forbid_unknown_fields=True):
    author: str
    day: int
    at: str


class CompletedAudit(msgspec.Struct, forbid_unknown_fields=True):
    process: str
    sites: list[str]
    auditees: list[str]
    lead: str
    auditors: list[str]
    devices: dict[str, str]
    title: LocalizedName
    criteria: list[str]
    objectives: str
    agenda: str
    findings: list[FindingSpec]
    meetings: list[MeetingSpec]
    conclusion: ConclusionSpec
    syncs: list[SyncSpec]


def read_completed_audit(path: Path = COMPLETED_AUDIT_FILE) -> CompletedAudit:
    return msgspec.convert(yaml.safe_load(path.read_text(encoding="utf-8")), CompletedAudit)


def audit_days(today: date, busy: list[tuple[date, date]]) -> tuple[date, date]:
    """Two working days (a Tuesday and the Wednesday after) in the calendar quarter before ``today``'s,
    as near the middle of the quarter as the team's unavailable periods (``busy``) allow."""
    first_month = (today.month - 1) // 3 * 3 + 1
    this_quarter = date(today.year, first_month, 1)
    quarter_start = (this_quarter - timedelta(days=80)).replace(day=1)
    middle = quarter_start.replace(month=quarter_start.month + 1, day=14)
    tuesdays = [
        middle + timedelta(days=(1 - middle.weekday()) % 7 + 7 * k) for k in sorted(range(-6, 6), key=abs)
    ]
    for start in tuesdays:
        end = start + timedelta(days=1)
        inside = quarter_start <= start and end < this_quarter
        if inside and not any(s <= end and start <= e for s, e in busy):
            return start, end
    raise RuntimeError("no two working days of the previous quarter suit the demo audit's team")


@dataclass(frozen=True)
class DemoOrg:
    """The demo organisation as the loader needs it, by username and by code."""

    principals: dict[str, Principal]
    people: dict[str, PersonOut]
    units: dict[str, str]
    sites: dict[str, str]
    processes: dict[str, tuple[str, str]]
    """Code → (process id, owner unit id)."""

    def principal_of_person(self, person_id: str) -> Principal:
        return next(p for p in self.principals.values() if p.person_id == person_id)


@dataclass(frozen=True)
class DemoRun:
    """One loading of the completed audit: who, which audit, which days, which files."""

    settings: Settings
    spec: CompletedAudit
    org: DemoOrg
    days: tuple[date, date]
    audit_id: str = ""
    files: dict[str, str] | None = None
    """Photo or signature key → SHA-256 of the uploaded file."""

    def at(self, day: int, clock: str) -> datetime:
        hour, minute = (int(part) for part in clock.split(":"))
        return datetime.combine(self.days[day - 1], time(hour, minute), tzinfo=MOROCCO)

    def text(self, template: str) -> str:
        year = self.days[0].year
        return template.format(year=year, prev_year=year - 1, year_minus_2=year - 2)

    def ident(self, *parts: object) -> str:
        return str(uuid.uuid5(_IDS, "/".join([self.audit_id, *map(str, parts)])))


# ---------------------------------------------------------------- what the tablets send


def finding_op(run: DemoRun, finding: FindingSpec) -> UpsertFinding:
    files = run.files or {}
    photos = [files[f"{finding.question}/{i}"] for i in range(len(finding.photos))]
    return UpsertFinding(
        id=run.ident("finding", finding.question),
        audit_id=run.audit_id,
        data=FindingData(
            verdict=finding.verdict,
            question_id=finding.question,
            statement=run.text(finding.statement),
            evidence=run.text(finding.evidence),
            clause_refs=finding.clauses,
            process_id=run.org.processes[run.spec.process][0],
            site_id=run.org.sites[finding.site],
            auditee_response=run.text(finding.response),
            attachments=photos,
            photos_taken_at={
                sha: run.at(finding.day, photo.at) for sha, photo in zip(photos, finding.photos, strict=True)
            },
            client_updated_at=run.at(finding.day, finding.at),
        ),
    )


def attendee(run: DemoRun, spec: AttendeeSpec) -> Attendee:
    if spec.person is None:
        unit = run.org.units[spec.unit] if spec.unit else None
        return Attendee(
            name=spec.name, role=spec.role, unit_id=unit, organisation=spec.organisation, present=spec.present
        )
    person = run.org.people[spec.person]
    return Attendee(
        name=person.full_name.fr,
        role=spec.role or person.job_title.fr,
        person_id=person.id,
        unit_id=person.unit_id,
        present=spec.present,
    )


def meeting_op(run: DemoRun, meeting: MeetingSpec) -> UpsertMeeting:
    return UpsertMeeting(
        id=run.ident("meeting", meeting.kind),
        audit_id=run.audit_id,
        data=MeetingData(
            kind=meeting.kind,
            held_at=run.at(meeting.day, meeting.at),
            place=meeting.place,
            attendees=[attendee(run, a) for a in meeting.attendees],
            notes=meeting.notes,
            client_updated_at=run.at(meeting.day, meeting.at) + timedelta(minutes=50),
        ),
    )


def conclusion_op(run: DemoRun) -> UpsertConclusion:
    spec = run.spec.conclusion
    files = run.files or {}
    return UpsertConclusion(
        id=run.ident("conclusion"),
        audit_id=run.audit_id,
        data=ConclusionData(
            summary=spec.summary,
            conclusions=spec.conclusions,
            degrees=spec.degrees,
            diverging_opinions=spec.diverging_opinions,
            signatures=[
                Signature(
                    role=s.role,
                    signer_name=run.org.people[s.person].full_name.fr,
                    signer_role=s.signer_role,
                    signed_at=run.at(spec.day, s.at),
                    attachment=files[f"signature/{s.role}"],
                )
                for s in spec.signatures
            ],
            client_updated_at=run.at(spec.day, max(s.at for s in spec.signatures)),
        ),
    )


def ops_of(run: DemoRun, sync: SyncSpec) -> list[TabletOp]:
    """What ``sync.author``'s tablet captured on ``sync.day``, in the order it was captured."""
    spec = run.spec
    timed: list[tuple[str, TabletOp]] = [
        (f.at, finding_op(run, f)) for f in spec.findings if (f.author, f.day) == (sync.author, sync.day)
    ]
    timed += [
        (m.at, meeting_op(run, m)) for m in spec.meetings if (m.author, m.day) == (sync.author, sync.day)
    ]
    if (spec.conclusion.author, spec.conclusion.day) == (sync.author, sync.day):
        timed.append((spec.conclusion.at, conclusion_op(run)))
    return [op for _, op in sorted(timed, key=lambda item: item[0])]

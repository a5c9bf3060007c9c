"""The pack's figures from the aggregate rows ``store.py`` reads: pure functions, no I/O.

The rows are already counted by the database (GROUP BY); here they are only laid out as the model's
tables (every severity and status present, zeros included), labelled, summed and sorted. The
definitions of every figure are in ``model.py``'s docstring.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Final, NamedTuple

from server.review.model import (
    AGEING_BUCKETS,
    NOTABLE_LIMIT,
    AgeingRow,
    CountRow,
    Effectiveness,
    FindingSeverity,
    Names,
    NotableFinding,
    OverdueAction,
    Period,
    QuarterRow,
    RecurringClause,
    ReviewPack,
    SeverityRow,
    StatusRow,
    Totals,
)

__all__ = [
    "DONE_STATUSES",
    "FINDING_VERDICTS",
    "NC_STATUSES",
    "NotableRow",
    "OverdueRow",
    "RawFigures",
    "build_pack",
    "period_of",
    "previous_of",
]

FINDING_VERDICTS: Final[dict[str, FindingSeverity]] = {
    "nc_major": "major",
    "nc_minor": "minor",
    "observation": "observation",
    "improvement": "improvement",
}
"""A finding's verdict → its severity in the pack; other verdicts are no findings here."""
SEVERITIES: Final[tuple[FindingSeverity, ...]] = ("major", "minor", "observation", "improvement")
DONE_STATUSES: Final[tuple[str, ...]] = ("reported", "signed", "closed")
NOT_STARTED_STATUSES: Final[tuple[str, ...]] = ("planned", "prepared")
NC_STATUSES: Final[tuple[str, ...]] = (
    "open",
    "analysis",
    "action_plan",
    "in_progress",
    "verification",
    "closed",
    "rejected",
)
NC_SEVERITIES: Final[tuple[str, ...]] = ("major", "minor", "observation")
CLAUSE_GROUPS: Final[tuple[str, ...]] = ("4", "5", "6", "7", "8", "9", "10")


class OverdueRow(NamedTuple):
    nc_id: str
    action_id: str
    audit_code: str
    unit_id: str
    owner_id: str
    type: str
    due: date
    description: str


class NotableRow(NamedTuple):
    finding_id: str
    audit_code: str
    clauses: tuple[str, ...]
    verdict: str
    statement: str
    unit_id: str | None
    process_id: str | None


NameMap = Mapping[str, tuple[str, str]]
"""id → (ar, fr)."""


@dataclass(frozen=True)
class RawFigures:
    """What the aggregate queries return; ``current`` tells the period's rows from the previous one's."""

    period: Period
    previous: Period
    as_of: date
    realisation: Sequence[tuple[int, int, str, int]] = ()
    """(year, quarter, audit status, audits)."""
    severity: Sequence[tuple[bool, str, int]] = ()
    """(current, verdict, findings)."""
    by_standard: Sequence[tuple[bool, str, str, int]] = ()
    """(current, standard, verdict, findings)."""
    by_group: Sequence[tuple[bool, str, str, int]] = ()
    """(current, main clause number, verdict, findings)."""
    by_process: Sequence[tuple[bool, str | None, str, int]] = ()
    """(current, process id, verdict, findings)."""
    recurring: Sequence[tuple[str, int, int, tuple[str, ...]]] = ()
    """(clause, audits, findings, audit codes)."""
    nc_status: Sequence[tuple[str, str, int]] = ()
    """(status, severity, records)."""
    ageing: Sequence[tuple[str, str, int]] = ()
    """(bucket, severity, records)."""
    overdue: Sequence[OverdueRow] = ()
    verdicts: Sequence[tuple[str, int]] = ()
    """(verdict, verifications)."""
    notable: Sequence[NotableRow] = ()
    units: NameMap = field(default_factory=dict)
    processes: NameMap = field(default_factory=dict)
    people: NameMap = field(default_factory=dict)


# ------------------------------------------------------------------ periods


def period_of(start: date, end: date) -> Period:
    whole_year = start.year == end.year and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31)
    label = str(start.year) if whole_year else f"{start.isoformat()} – {end.isoformat()}"
    return Period(start=start, end=end, label=label)


def _months_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def previous_of(period: Period) -> Period:
    """Whole months (a year, a quarter): as many months just before. Otherwise as many days, ending the
    day before."""
    start, end = period.start, period.end
    after_end = end + timedelta(days=1)
    if start.day == 1 and after_end.day == 1:
        months = (after_end.year - start.year) * 12 + after_end.month - start.month
        return period_of(_months_back(start, months), start - timedelta(days=1))
    days = (end - start).days
    last = start - timedelta(days=1)
    return period_of(last - timedelta(days=days), last)


# ------------------------------------------------------------------ tables


def _names(names: NameMap, key: str | None) -> Names | None:
    found = names.get(key) if key else None
    return Names(ar=found[0], fr=found[1]) if found else None


def realisation(rows: Iterable[tuple[int, int, str, int]], period: Period) -> tuple[QuarterRow, ...]:
    """One row per calendar quarter the period touches, empty quarters included."""
    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for year, quarter, status, n in rows:
        counts[(int(year), int(quarter))][status] += int(n)
    quarters = []
    year, quarter = period.start.year, (period.start.month - 1) // 3 + 1
    last = (period.end.year, (period.end.month - 1) // 3 + 1)
    while (year, quarter) <= last:
        by = counts.get((year, quarter), {})
        done = sum(by.get(s, 0) for s in DONE_STATUSES)
        waiting = sum(by.get(s, 0) for s in NOT_STARTED_STATUSES)
        quarters.append(
            QuarterRow(
                year=year,
                quarter=quarter,
                planned=sum(by.values()),
                done=done,
                in_progress=by.get("in_progress", 0),
                not_started=waiting,
                cancelled=by.get("cancelled", 0),
            )
        )
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return tuple(quarters)


def count_rows(
    rows: Iterable[tuple[bool, str | None, str, int]],
    label: Callable[[str], Names],
    order: Callable[[str], tuple[int, str]] | None = None,
) -> tuple[CountRow, ...]:
    """Findings by key and severity (the period), with the previous period's total beside them. Keys
    seen only in the previous period keep a row (zeros now), so a drop shows."""
    current: dict[str, dict[FindingSeverity, int]] = defaultdict(lambda: defaultdict(int))
    previous: dict[str, int] = defaultdict(int)
    for is_current, key, verdict, n in rows:
        severity = FINDING_VERDICTS.get(verdict)
        if severity is None:
            continue
        k = key or ""
        if is_current:
            current[k][severity] += int(n)
        else:
            previous[k] += int(n)

    def by_size(k: str) -> tuple[int, str]:
        return -sum(current[k].values()), k

    keys = sorted(set(current) | set(previous), key=order or by_size)
    return tuple(
        CountRow(
            key=k,
            label=label(k),
            major=current[k]["major"],
            minor=current[k]["minor"],
            observation=current[k]["observation"],
            improvement=current[k]["improvement"],
            total=sum(current[k].values()),
            previous_total=previous[k],
        )
        for k in keys
    )


def by_severity(rows: Iterable[tuple[bool, str, int]]) -> tuple[SeverityRow, ...]:
    now: dict[str, int] = defaultdict(int)
    before: dict[str, int] = defaultdict(int)
    for is_current, verdict, n in rows:
        severity = FINDING_VERDICTS.get(verdict)
        if severity is not None:
            (now if is_current else before)[severity] += int(n)
    return tuple(SeverityRow(severity=s, current=now[s], previous=before[s]) for s in SEVERITIES)


def _by_severity_table(
    rows: Iterable[tuple[str, str, int]], keys: Sequence[str]
) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {k: defaultdict(int) for k in keys}
    for key, severity, n in rows:
        table.setdefault(key, defaultdict(int))[severity] += int(n)
    return table


def nc_status(rows: Iterable[tuple[str, str, int]]) -> tuple[StatusRow, ...]:
    table = _by_severity_table(rows, NC_STATUSES)
    return tuple(
        StatusRow(
            status=status,
            major=by["major"],
            minor=by["minor"],
            observation=by["observation"],
            total=sum(by[s] for s in NC_SEVERITIES),
        )
        for status, by in table.items()
    )


def nc_ageing(rows: Iterable[tuple[str, str, int]]) -> tuple[AgeingRow, ...]:
    table = _by_severity_table(rows, AGEING_BUCKETS)
    return tuple(
        AgeingRow(
            bucket=bucket,
            major=table[bucket]["major"],
            minor=table[bucket]["minor"],
            observation=table[bucket]["observation"],
            total=sum(table[bucket][s] for s in NC_SEVERITIES),
        )
        for bucket in AGEING_BUCKETS
    )


def overdue(
    rows: Iterable[OverdueRow], as_of: date, units: NameMap, people: NameMap
) -> tuple[OverdueAction, ...]:
    """Most late first, then by audit code."""
    unknown = Names(ar="—", fr="—")
    actions = [
        OverdueAction(
            nc_id=r.nc_id,
            action_id=r.action_id,
            audit_code=r.audit_code,
            unit=_names(units, r.unit_id) or unknown,
            owner=_names(people, r.owner_id) or unknown,
            type=r.type,
            due=r.due,
            days_late=(as_of - r.due).days,
            description=r.description,
        )
        for r in rows
        if r.due < as_of
    ]
    return tuple(sorted(actions, key=lambda a: (-a.days_late, a.audit_code, a.action_id)))


def effectiveness(rows: Iterable[tuple[str, int]]) -> Effectiveness:
    counts: dict[str, int] = defaultdict(int)
    for verdict, n in rows:
        counts[verdict] += int(n)
    verified = counts["effective"] + counts["ineffective"]
    return Effectiveness(
        verified=verified,
        effective=counts["effective"],
        ineffective=counts["ineffective"],
        rate=counts["effective"] / verified if verified else None,
    )


def recurring(
    rows: Iterable[tuple[str, int, int, tuple[str, ...]]], titles: Callable[[str], Names | None]
) -> tuple[RecurringClause, ...]:
    """Most audits first, then most findings, then the clause."""
    items = [
        RecurringClause(
            clause=clause,
            label=titles(clause),
            audits=int(audits),
            findings=int(findings),
            audit_codes=tuple(sorted(codes)),
        )
        for clause, audits, findings, codes in rows
        if int(audits) >= 2
    ]
    return tuple(sorted(items, key=lambda r: (-r.audits, -r.findings, r.clause)))


def notable(rows: Iterable[NotableRow], units: NameMap, processes: NameMap) -> tuple[NotableFinding, ...]:
    """Majors first, then minors, each by audit code; at most ``NOTABLE_LIMIT``."""
    rank = {"nc_major": 0, "nc_minor": 1}
    chosen = sorted(rows, key=lambda r: (rank.get(r.verdict, 2), r.audit_code, r.finding_id))
    return tuple(
        NotableFinding(
            finding_id=r.finding_id,
            audit_code=r.audit_code,
            clauses=r.clauses,
            severity=FINDING_VERDICTS[r.verdict],
            statement=r.statement,
            unit=_names(units, r.unit_id),
            process=_names(processes, r.process_id),
        )
        for r in chosen[:NOTABLE_LIMIT]
        if r.verdict in FINDING_VERDICTS
    )


# ------------------------------------------------------------------ the pack


@dataclass(frozen=True)
class Labels:
    """How keys are named: standards, clause groups and single clauses (from the checklist library)."""

    standard: Callable[[str], Names]
    group: Callable[[str], Names]
    clause: Callable[[str], Names | None]


def _group_order(key: str) -> tuple[int, str]:
    return (int(key), key) if key.isdigit() else (99, key)


def build_pack(raw: RawFigures, labels: Labels, generated_at: datetime) -> ReviewPack:
    quarters = realisation(raw.realisation, raw.period)
    severity = by_severity(raw.severity)
    ageing = nc_ageing(raw.ageing)
    late = overdue(raw.overdue, raw.as_of, raw.units, raw.people)
    no_process = Names(ar="", fr="")

    def process_label(key: str) -> Names:
        return _names(raw.processes, key) or no_process

    planned = sum(q.planned for q in quarters)
    cancelled = sum(q.cancelled for q in quarters)
    done = sum(q.done for q in quarters)
    status = nc_status(raw.nc_status)
    totals = Totals(
        audits_planned=planned,
        audits_done=done,
        audits_cancelled=cancelled,
        realisation_rate=done / (planned - cancelled) if planned > cancelled else None,
        findings=sum(r.current for r in severity),
        previous_findings=sum(r.previous for r in severity),
        nonconformities_opened=sum(r.total for r in status),
        nonconformities_open=sum(r.total for r in ageing),
        overdue_actions=len(late),
    )
    return ReviewPack(
        period=raw.period,
        previous=raw.previous,
        as_of=raw.as_of,
        generated_at=generated_at,
        realisation=quarters,
        findings_by_standard=count_rows(raw.by_standard, labels.standard, order=_standard_order),
        findings_by_clause_group=count_rows(raw.by_group, labels.group, order=_group_order),
        findings_by_process=count_rows(raw.by_process, process_label),
        findings_by_severity=severity,
        recurring_clauses=recurring(raw.recurring, labels.clause),
        nc_status=status,
        nc_ageing=ageing,
        overdue_actions=late,
        effectiveness=effectiveness(raw.verdicts),
        notable=notable(raw.notable, raw.units, raw.processes),
        totals=totals,
    )


_STANDARD_ORDER: Final = {"iso9001": 0, "iso14001": 1, "iso45001": 2}


def _standard_order(key: str) -> tuple[int, str]:
    return _STANDARD_ORDER.get(key, 9), key

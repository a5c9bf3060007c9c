"""The review pack's aggregate queries (the only module of the domain that queries the database).

Each figure is one GROUP BY in the database over audits, findings and nonconformity records; nothing
here loops over findings. All run in one read snapshot, so the tables of a pack agree with each other.
SQLite and PostgreSQL differ in three places, kept in ``_Dialect``: unnesting a JSON list of clause
references (``json_each`` / ``json_array_elements_text``), the year and month of a date, and the days
between two dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Final

from piccolo.engine.postgres import PostgresEngine

from server.lib.db import current_engine, fetch
from server.lib.rows import json_list
from server.review.figures import (
    DONE_STATUSES,
    FINDING_VERDICTS,
    NameMap,
    NotableRow,
    OverdueRow,
    RawFigures,
)
from server.sync.store import read_snapshot

if TYPE_CHECKING:
    from server.review.model import Period

__all__ = ["approved_programme_year", "read_figures"]

_CLOSED: Final = "('closed', 'rejected')"
_DONE: Final = "(" + ", ".join(f"'{s}'" for s in DONE_STATUSES) + ")"
_VERDICTS: Final = "(" + ", ".join(f"'{v}'" for v in FINDING_VERDICTS) + ")"
_NC: Final = "('nc_major', 'nc_minor')"
_PROCESS: Final = "COALESCE(f.process_id, a.process_id)"


@dataclass(frozen=True)
class _Dialect:
    postgres: bool

    def each_ref(self) -> str:
        """A table of the clause references of finding ``f``, one row each (its text in ``c.value``)."""
        if self.postgres:
            return "json_array_elements_text(CAST(f.clause_refs AS json)) AS c(value)"
        return "json_each(f.clause_refs) AS c"

    def refs(self) -> str:
        """A join yielding one row per clause reference of finding ``f``."""
        return f"CROSS JOIN {'LATERAL ' if self.postgres else ''}{self.each_ref()}"

    def standard(self) -> str:
        if self.postgres:
            return "split_part(c.value, ':', 1)"
        return "substr(c.value, 1, instr(c.value, ':') - 1)"

    def group(self) -> str:
        """The main clause number: ``iso9001:8.5.1`` → ``8``."""
        if self.postgres:
            return "split_part(split_part(c.value, ':', 2), '.', 1)"
        number = "substr(c.value, instr(c.value, ':') + 1)"
        return f"substr({number}, 1, instr({number} || '.', '.') - 1)"

    def year_quarter(self, column: str) -> tuple[str, str]:
        if self.postgres:
            return (
                f"CAST(EXTRACT(YEAR FROM {column}) AS INTEGER)",
                f"CAST(EXTRACT(QUARTER FROM {column}) AS INTEGER)",
            )
        return (
            f"CAST(strftime('%Y', {column}) AS INTEGER)",
            f"(CAST(strftime('%m', {column}) AS INTEGER) + 2) / 3",
        )

    def days_since(self, column: str) -> str:
        """Whole days from ``column`` to the date parameter ``?``."""
        if self.postgres:
            return f"(CAST(? AS date) - {column})"
        return f"CAST(julianday(?) - julianday({column}) AS INTEGER)"

    def codes(self) -> str:
        """The distinct audit codes of a group, comma-separated."""
        return "string_agg(DISTINCT a.code, ',')" if self.postgres else "group_concat(DISTINCT a.code)"

    def day(self, value: date) -> Any:
        """A date parameter: PostgreSQL takes the date, SQLite compares ISO text (how Piccolo stores it)."""
        return value if self.postgres else value.isoformat()


def _dialect() -> _Dialect:
    return _Dialect(postgres=isinstance(current_engine(), PostgresEngine))


def _id(value: Any) -> str | None:
    return None if value is None else str(value)


def _findings_from(d: _Dialect, *, refs: bool = False) -> str:
    """The findings of done audits planned from the previous period's start to the period's end.
    Parameters: previous start, end."""
    return f"""
        FROM finding f JOIN audit a ON a.id = f.audit_id {d.refs() if refs else ""}
        WHERE f.deleted = FALSE AND f.verdict IN {_VERDICTS} AND a.status IN {_DONE}
          AND a.planned_start >= ? AND a.planned_start <= ?"""


async def _realisation(d: _Dialect, period: Period) -> list[tuple[int, int, str, int]]:
    year, quarter = d.year_quarter("planned_start")
    rows = await fetch(
        f"""SELECT {year}, {quarter}, status, COUNT(*) FROM audit
            WHERE planned_start >= ? AND planned_start <= ? GROUP BY 1, 2, 3""",  # noqa: S608 - fixed SQL
        [d.day(period.start), d.day(period.end)],
    )
    return [(int(y), int(q), str(s), int(n)) for y, q, s, n in rows]


async def _grouped(d: _Dialect, key: str, period: Period, previous: Period, *, refs: bool) -> list[Any]:
    """(current, key, verdict, findings): each finding once per key (COUNT DISTINCT over its refs)."""
    rows = await fetch(
        f"""SELECT CASE WHEN a.planned_start >= ? THEN 1 ELSE 0 END AS cur, {key} AS k, f.verdict,
                   COUNT(DISTINCT f.id) AS n
            {_findings_from(d, refs=refs)}
            GROUP BY 1, 2, 3""",
        [d.day(period.start), d.day(previous.start), d.day(period.end)],
    )
    return [(bool(cur), _id(k), str(v), int(n)) for cur, k, v, n in rows]


async def _recurring(d: _Dialect, period: Period) -> list[tuple[str, int, int, tuple[str, ...]]]:
    rows = await fetch(
        f"""SELECT c.value, COUNT(DISTINCT a.id) AS audits, COUNT(DISTINCT f.id) AS findings,
                   {d.codes()} AS codes
            FROM finding f JOIN audit a ON a.id = f.audit_id {d.refs()}
            WHERE f.deleted = FALSE AND f.verdict IN {_NC} AND a.status IN {_DONE}
              AND a.planned_start >= ? AND a.planned_start <= ?
            GROUP BY c.value HAVING COUNT(DISTINCT a.id) >= 2""",  # noqa: S608 - fixed SQL
        [d.day(period.start), d.day(period.end)],
    )
    return [(str(c), int(a), int(f), tuple(str(codes).split(","))) for c, a, f, codes in rows]


async def _nc_status(d: _Dialect, period: Period) -> list[tuple[str, str, int]]:
    rows = await fetch(
        """SELECT status, severity, COUNT(*) FROM nonconformity
           WHERE opened_on >= ? AND opened_on <= ? GROUP BY 1, 2""",
        [d.day(period.start), d.day(period.end)],
    )
    return [(str(s), str(v), int(n)) for s, v, n in rows]


async def _ageing(d: _Dialect, as_of: date) -> list[tuple[str, str, int]]:
    age = d.days_since("opened_on")
    rows = await fetch(
        f"""SELECT CASE WHEN age <= 30 THEN '0-30' WHEN age <= 90 THEN '31-90'
                        WHEN age <= 180 THEN '91-180' ELSE '>180' END, severity, COUNT(*)
            FROM (SELECT {age} AS age, severity FROM nonconformity
                  WHERE status NOT IN {_CLOSED} AND opened_on <= ?) aged
            GROUP BY 1, 2""",  # noqa: S608 - fixed SQL
        [d.day(as_of), d.day(as_of)],
    )
    return [(str(b), str(v), int(n)) for b, v, n in rows]


async def _overdue(d: _Dialect, as_of: date) -> list[OverdueRow]:
    rows = await fetch(
        f"""SELECT n.id AS nc_id, x.id AS action_id, a.code, n.unit_id, x.owner_id, x.type, x.due,
                   x.description
            FROM nc_action x JOIN nonconformity n ON n.id = x.nonconformity
            JOIN audit a ON a.id = n.audit_id
            WHERE x.status IN ('planned', 'in_progress') AND n.status NOT IN {_CLOSED} AND x.due < ?""",  # noqa: S608 - fixed SQL
        [d.day(as_of)],
    )
    return [
        OverdueRow(str(nc), str(x), str(code), str(unit), str(owner), str(kind), _date(due), str(text))
        for nc, x, code, unit, owner, kind, due, text in rows
    ]


async def _verdicts(d: _Dialect, period: Period) -> list[tuple[str, int]]:
    rows = await fetch(
        """SELECT verdict, COUNT(*) FROM nc_verification
           WHERE verified_on >= ? AND verified_on <= ? GROUP BY 1""",
        [d.day(period.start), d.day(period.end)],
    )
    return [(str(v), int(n)) for v, n in rows]


async def _notable(d: _Dialect, period: Period, recurring: list[str], limit: int) -> list[NotableRow]:
    """The period's majors, then (if room is left) the minors citing a recurring clause."""
    base = f"""SELECT f.id, a.code, f.clause_refs, f.verdict, f.statement, f.unit_id, a.unit_ids,
                      COALESCE(f.process_id, a.process_id)
               FROM finding f JOIN audit a ON a.id = f.audit_id
               WHERE f.deleted = FALSE AND a.status IN {_DONE}
                 AND a.planned_start >= ? AND a.planned_start <= ?"""  # noqa: S608 - fixed SQL
    params: list[Any] = [d.day(period.start), d.day(period.end)]
    rows = await fetch(f"{base} AND f.verdict = 'nc_major' ORDER BY a.code, f.id LIMIT {int(limit)}", params)
    if len(rows) < limit and recurring:
        marks = ", ".join("?" for _ in recurring)
        cites = f"EXISTS (SELECT 1 FROM {d.each_ref()} WHERE c.value IN ({marks}))"  # noqa: S608
        rows += await fetch(
            f"{base} AND f.verdict = 'nc_minor' AND {cites} ORDER BY a.code, f.id LIMIT {limit - len(rows)}",
            [*params, *recurring],
        )
    return [_notable_row(row) for row in rows]


def _notable_row(row: tuple[Any, ...]) -> NotableRow:
    fid, code, refs, verdict, statement, unit, audit_units, process = row
    units = json_list(audit_units)
    return NotableRow(
        finding_id=str(fid),
        audit_code=str(code),
        clauses=tuple(json_list(refs)),
        verdict=str(verdict),
        statement=str(statement),
        unit_id=_id(unit) or (units[0] if units else None),
        process_id=_id(process),
    )


async def _names(table: str, ar: str, fr: str) -> NameMap:
    rows = await fetch(f"SELECT id, {ar}, {fr} FROM {table}", [])  # noqa: S608 - fixed names
    return {str(i): (str(a), str(f)) for i, a, f in rows}


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


async def read_figures(period: Period, previous: Period, as_of: date) -> RawFigures:
    """Every aggregate of the pack, in one read snapshot."""
    d = _dialect()
    async with read_snapshot():
        recurring = await _recurring(d, period)
        return RawFigures(
            period=period,
            previous=previous,
            as_of=as_of,
            realisation=await _realisation(d, period),
            severity=[(c, v, n) for c, _, v, n in await _grouped(d, "''", period, previous, refs=False)],
            by_standard=await _grouped(d, d.standard(), period, previous, refs=True),
            by_group=await _grouped(d, d.group(), period, previous, refs=True),
            by_process=await _grouped(d, _PROCESS, period, previous, refs=False),
            recurring=recurring,
            nc_status=await _nc_status(d, period),
            ageing=await _ageing(d, as_of),
            overdue=await _overdue(d, as_of),
            verdicts=await _verdicts(d, period),
            notable=await _notable(d, period, [r[0] for r in recurring], 10),
            units=await _names("org_unit", "name_ar", "name_fr"),
            processes=await _names("org_process", "name_ar", "name_fr"),
            people=await _names("org_person", "full_name_ar", "full_name_fr"),
        )


async def approved_programme_year() -> int | None:
    """The year of the latest approved programme, if any."""
    async with read_snapshot():
        rows = await fetch("SELECT MAX(year) FROM programme WHERE status = 'approved'", [])
    return int(rows[0][0]) if rows and rows[0][0] is not None else None

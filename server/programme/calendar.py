"""Months, working days and concrete dates of the programme.

The solver plans by month; auditors' calendars need days. Working days are Monday to Friday, the
week of the Moroccan public administration; public holidays are not modelled (a team moves a day by
hand, the month stays right).

A leave period is ``(first day, last day)``, both included; a period whose end precedes its start is
empty.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta

__all__ = ["months_with_leave", "place_audits", "unavailable_months", "working_days"]

_FRIDAY = 4


def working_days(year: int, month: int) -> list[date]:
    """The Mondays to Fridays of ``month``, in order. Raises ``ValueError`` for a month outside 1..12."""
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12 (got {month})")
    last = _stdlib_calendar.monthrange(year, month)[1]
    days = (date(year, month, day) for day in range(1, last + 1))
    return [day for day in days if day.weekday() <= _FRIDAY]


def _leave_days(year: int, periods: Iterable[tuple[date, date]]) -> set[date]:
    """Every day of ``year`` inside one of ``periods``."""
    first_of_year, last_of_year = date(year, 1, 1), date(year, 12, 31)
    days: set[date] = set()
    for start, end in periods:
        day = max(start, first_of_year)
        stop = min(end, last_of_year)
        while day <= stop:
            days.add(day)
            day += timedelta(days=1)
    return days


def unavailable_months(year: int, periods: Iterable[tuple[date, date]], days_needed: int) -> frozenset[int]:
    """Months of ``year`` in which the leave ``periods`` leave a person fewer than ``days_needed``
    working days free. Free days need not be consecutive: this is the month-level filter the solver
    uses; ``place_audits`` finds the actual days."""
    on_leave = _leave_days(year, periods)
    unavailable: set[int] = set()
    for month in range(1, 13):
        free = [day for day in working_days(year, month) if day not in on_leave]
        if len(free) < days_needed:
            unavailable.add(month)
    return frozenset(unavailable)


def months_with_leave(year: int, periods: Iterable[tuple[date, date]]) -> frozenset[int]:
    """Months of ``year`` in which the leave ``periods`` cover at least one working day. The programme
    plans nobody in such a month: with partial leave, two members of one team could have no working day
    free in common (one away at the start of the month, the other at its end)."""
    on_leave = _leave_days(year, periods)
    return frozenset(m for m in range(1, 13) if any(day in on_leave for day in working_days(year, m)))


def _first_fit(
    month_days: list[date], days: int, team: Sequence[str], busy: Mapping[str, set[date]]
) -> int | None:
    """Index in ``month_days`` of the first run of ``days`` working days where no member is busy."""
    for start in range(len(month_days) - days + 1):
        window = month_days[start : start + days]
        if all(day not in busy.get(person, ()) for person in team for day in window):
            return start
    return None


def place_audits(
    year: int,
    items: Sequence[tuple[str, int, int, Sequence[str]]],
    leave: Mapping[str, Iterable[tuple[date, date]]],
) -> dict[str, tuple[date, date]]:
    """Concrete (first day, last day) of each audit of the programme.

    ``items`` are (entry key, month, days on site, team person ids). Each entry gets ``days``
    consecutive working days of its month (a run may span a weekend: Friday then Monday) on which no
    team member is on leave or already placed on an earlier item: the first such run, items taken in
    the given order, so the result is deterministic. When no run fits, the entry gets the first
    working days of its month anyway (the month is what the programme decided; the clash is for the
    team to settle) and those days count as taken for later items. ``days`` below 1 counts as 1; more
    days than the month has working days gives the whole month.
    """
    busy: dict[str, set[date]] = {person: _leave_days(year, periods) for person, periods in leave.items()}
    placed: dict[str, tuple[date, date]] = {}
    for key, month, days, team in items:
        month_days = working_days(year, month)
        length = min(max(days, 1), len(month_days))
        start = _first_fit(month_days, length, team, busy)
        if start is None:
            start = 0
        window = month_days[start : start + length]
        placed[key] = (window[0], window[-1])
        for person in team:
            busy.setdefault(person, set()).update(window)
    return placed

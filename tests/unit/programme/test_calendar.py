from __future__ import annotations

from datetime import date

import pytest

from server.programme.calendar import place_audits, unavailable_months, working_days


def test_working_days_are_monday_to_friday() -> None:
    days = working_days(2026, 3)  # March 2026 starts on a Sunday
    assert days[0] == date(2026, 3, 2)
    assert days[-1] == date(2026, 3, 31)
    assert len(days) == 22
    assert all(day.weekday() < 5 for day in days)
    with pytest.raises(ValueError, match="month"):
        working_days(2026, 13)


def test_a_month_is_unavailable_when_leave_leaves_too_few_working_days() -> None:
    august = (date(2026, 8, 1), date(2026, 8, 31))
    # Leave to Wednesday the 29th: Thursday 30 and Friday 31 remain.
    late_july = (date(2026, 7, 1), date(2026, 7, 29))
    assert unavailable_months(2026, [august, late_july], days_needed=2) == {8}
    assert unavailable_months(2026, [august, late_july], days_needed=3) == {7, 8}
    assert unavailable_months(2026, [], days_needed=1) == frozenset()


def test_leave_across_the_year_boundary_counts_and_a_reversed_period_is_empty() -> None:
    assert unavailable_months(2026, [(date(2025, 12, 1), date(2026, 1, 31))], days_needed=1) == {1}
    assert unavailable_months(2026, [(date(2026, 3, 10), date(2026, 3, 1))], days_needed=20) == frozenset()


def test_audits_take_the_first_free_run_of_working_days() -> None:
    placed = place_audits(
        2026,
        [("p1#0", 3, 2, ["ana"]), ("p2#0", 3, 2, ["ana", "badr"]), ("p3#0", 3, 1, ["chama"])],
        {"badr": [(date(2026, 3, 4), date(2026, 3, 5))]},
    )
    assert placed["p1#0"] == (date(2026, 3, 2), date(2026, 3, 3))
    # ana is busy on the 2nd and 3rd, badr on leave on the 4th and 5th.
    assert placed["p2#0"] == (date(2026, 3, 6), date(2026, 3, 9))
    assert placed["p3#0"] == (date(2026, 3, 2), date(2026, 3, 2))


def test_without_a_fit_the_audit_keeps_the_first_working_days_of_its_month() -> None:
    leave = {"ana": [(date(2026, 2, 1), date(2026, 2, 28))]}
    placed = place_audits(2026, [("p1#0", 2, 3, ["ana"])], leave)
    assert placed == {"p1#0": (date(2026, 2, 2), date(2026, 2, 4))}


def test_placement_is_deterministic_and_bounded_by_the_month() -> None:
    items = [(f"p{i}#0", 5, 4, ["ana"]) for i in range(7)]
    first = place_audits(2026, items, {})
    assert first == place_audits(2026, items, {})
    assert first["p0#0"] == (date(2026, 5, 1), date(2026, 5, 6))
    # Five runs of four fill the 21 working days of May; the sixth and seventh fall back.
    assert first["p5#0"] == first["p6#0"] == (date(2026, 5, 1), date(2026, 5, 6))
    whole = place_audits(2026, [("long#0", 2, 40, []), ("none#0", 2, 0, [])], {})
    assert whole["long#0"] == (date(2026, 2, 2), date(2026, 2, 27))
    assert whole["none#0"] == (date(2026, 2, 2), date(2026, 2, 2))

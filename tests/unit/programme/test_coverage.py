from __future__ import annotations

import pytest

from server.programme.coverage import (
    CoverageRow,
    clauses_of_process,
    coverage_matrix,
    cycle_bounds,
    required_clauses,
    scope_clauses,
)

QUESTIONS: list[tuple[list[str], list[str]]] = [
    (["iso9001:7.5.3", "iso14001:7.5.3"], []),
    (["iso9001:8.4.1"], ["procurement"]),
    (["iso45001:8.1.4"], ["procurement", "works_site"]),
    (["iso9001:8.5.1"], ["citizen_services"]),
]


def test_untagged_questions_apply_to_every_process_and_tagged_ones_by_shared_tag() -> None:
    clauses = clauses_of_process(["procurement"], ["iso9001", "iso45001"], QUESTIONS)
    assert clauses == {"iso9001:7.5.3", "iso9001:8.4.1", "iso45001:8.1.4"}


def test_only_the_process_standards_count() -> None:
    assert clauses_of_process(["works_site"], ["iso14001"], QUESTIONS) == {"iso14001:7.5.3"}
    assert clauses_of_process([], [], QUESTIONS) == frozenset()


def test_scope_takes_clauses_and_prefixes_on_part_boundaries() -> None:
    clauses = frozenset({"iso9001:8.2.1", "iso9001:8.5.1", "iso9001:9.1", "iso9001:10.2", "iso14001:8.1"})
    assert scope_clauses(clauses, []) == clauses
    assert scope_clauses(clauses, ["iso9001:8"]) == {"iso9001:8.2.1", "iso9001:8.5.1"}
    assert scope_clauses(clauses, ["iso9001:8.2", "iso9001:9.1"]) == {"iso9001:8.2.1", "iso9001:9.1"}
    assert scope_clauses(clauses, ["iso9001:1"]) == frozenset()
    assert scope_clauses(clauses, ["iso14001"]) == {"iso14001:8.1"}


def test_cycle_bounds_run_back_to_back_from_the_start_year() -> None:
    assert cycle_bounds(2025, 2025) == (2025, 2027)
    assert cycle_bounds(2027, 2025) == (2025, 2027)
    assert cycle_bounds(2028, 2025) == (2028, 2030)
    assert cycle_bounds(2024, 2025) == (2022, 2024)
    assert cycle_bounds(2026, 2025, cycle_years=1) == (2026, 2026)
    with pytest.raises(ValueError, match="cycle_years"):
        cycle_bounds(2026, 2025, cycle_years=0)


def test_required_clauses_leave_out_covered_ones_and_report_uncoverable_ones() -> None:
    all_clauses = frozenset({"a:1", "a:2", "a:3", "a:4"})
    required, gaps = required_clauses(all_clauses, frozenset({"a:1"}), frozenset({"a:1", "a:2", "a:3"}))
    assert required == {"a:2", "a:3"}
    assert gaps == {"a:4"}


def test_matrix_rows_are_in_natural_order_with_months_and_gaps() -> None:
    clauses = ["iso45001:5.4", "iso9001:10.1", "iso14001:6.1", "iso9001:9.3", "iso9001:8.10", "iso9001:8.9"]
    rows = coverage_matrix(
        clauses,
        covered_before=frozenset({"iso9001:9.3"}),
        uncoverable=frozenset({"iso45001:5.4"}),
        planned=[(6, frozenset({"iso9001:10.1", "iso14001:6.1"})), (3, frozenset({"iso9001:10.1"}))],
    )
    assert [row.clause for row in rows] == [
        "iso9001:8.9",
        "iso9001:8.10",
        "iso9001:9.3",
        "iso9001:10.1",
        "iso14001:6.1",
        "iso45001:5.4",
    ]
    by_clause = {row.clause: row for row in rows}
    assert by_clause["iso9001:10.1"] == CoverageRow("iso9001:10.1", "iso9001", False, (3, 6), False, False)
    assert by_clause["iso9001:9.3"].gap is False
    assert by_clause["iso9001:8.9"].gap is True
    assert by_clause["iso45001:5.4"] == CoverageRow("iso45001:5.4", "iso45001", False, (), True, True)


def test_matrix_lists_a_clause_once_and_a_month_once() -> None:
    rows = coverage_matrix(
        ["iso9001:4.1", "iso9001:4.1"], frozenset(), frozenset(), [(2, frozenset({"iso9001:4.1"}))] * 2
    )
    assert rows == [CoverageRow("iso9001:4.1", "iso9001", False, (2,), False, False)]

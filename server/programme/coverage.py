"""Clause coverage over the certification cycle: which clauses a process's audit covers, which ones
this year must cover, and the coverage matrix (clauses × months) the programme shows.

A clause reference is ``<standard>:<number>`` (``iso9001:8.2.1``). Every clause of every standard in
scope must be audited at least once per certification cycle; what past audits of the cycle covered
counts, and a clause no process of the universe can cover is a gap to report, not a requirement.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from server.lib.standards import STANDARDS

__all__ = [
    "CoverageRow",
    "clause_sort_key",
    "clauses_of_process",
    "coverage_matrix",
    "cycle_bounds",
    "required_clauses",
    "scope_clauses",
    "standard_of",
]


def standard_of(clause: str) -> str:
    """``iso9001`` for ``iso9001:8.2.1``; empty for a reference without a standard."""
    standard, sep, _ = clause.partition(":")
    return standard if sep else ""


def clause_sort_key(clause: str) -> tuple[int, str, tuple[tuple[int, int, str], ...]]:
    """Natural order: ISO 9001, 14001, 45001 (then any other standard by name), and within a standard
    the clause numbers compared part by part as numbers (``10.1`` after ``9.3``, ``8.10`` after ``8.9``)."""
    standard = standard_of(clause)
    number = clause.partition(":")[2] if standard else clause
    rank = STANDARDS.index(standard) if standard in STANDARDS else len(STANDARDS)
    parts = tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in number.split("."))
    return (rank, standard, parts)


def clauses_of_process(
    tags: Collection[str],
    standards: Collection[str],
    questions: Iterable[tuple[Sequence[str], Sequence[str]]],
) -> frozenset[str]:
    """The clauses an audit of a process covers, read from the checklist library's questions.

    ``questions`` are (clause refs, tags). A question without tags applies to every process; a tagged
    one only to a process sharing at least one of its tags. Only refs of the process's ``standards``
    are kept.
    """
    own_tags = set(tags)
    own_standards = set(standards)
    covered: set[str] = set()
    for refs, question_tags in questions:
        if question_tags and own_tags.isdisjoint(question_tags):
            continue
        covered.update(ref for ref in refs if standard_of(ref) in own_standards)
    return frozenset(covered)


def _in_scope(clause: str, item: str) -> bool:
    """A scope item is a clause, a clause prefix (``iso9001:8`` takes 8.2.1, not 80) or a bare
    standard (``iso9001`` takes all of it)."""
    if ":" not in item:
        return standard_of(clause) == item
    return clause == item or clause.startswith(item + ".")


def scope_clauses(process_clauses: frozenset[str], scope: Sequence[str]) -> frozenset[str]:
    """The clauses an audit with clause ``scope`` covers among ``process_clauses``; an empty scope
    means the whole process."""
    if not scope:
        return process_clauses
    return frozenset(clause for clause in process_clauses if any(_in_scope(clause, item) for item in scope))


def cycle_bounds(year: int, cycle_start_year: int, cycle_years: int = 3) -> tuple[int, int]:
    """First and last year of the certification cycle holding ``year``, cycles running back to back
    from ``cycle_start_year`` (before it too). Raises ``ValueError`` when ``cycle_years`` < 1."""
    if cycle_years < 1:
        raise ValueError(f"cycle_years must be at least 1 (got {cycle_years})")
    first = cycle_start_year + ((year - cycle_start_year) // cycle_years) * cycle_years
    return (first, first + cycle_years - 1)


def required_clauses(
    all_clauses: frozenset[str], covered_before: frozenset[str], coverable: frozenset[str]
) -> tuple[frozenset[str], frozenset[str]]:
    """(required this year, uncoverable gaps): the clauses of the cycle not yet covered, split into
    those some process of this year can cover and those none can."""
    missing = all_clauses - covered_before
    return (missing & coverable, missing - coverable)


@dataclass(frozen=True)
class CoverageRow:
    """One clause of the coverage matrix."""

    clause: str
    standard: str
    covered_before: bool
    """Covered by an audit earlier in the certification cycle."""
    months: tuple[int, ...]
    """Months of this year's planned audits covering it, ascending, each once."""
    gap: bool
    """Neither covered before nor planned: the cycle would end with the clause unaudited."""
    uncoverable: bool
    """No process of the universe covers it (the reason for a gap the solver could not close)."""


def coverage_matrix(
    all_clauses: Iterable[str],
    covered_before: frozenset[str],
    uncoverable: frozenset[str],
    planned: Iterable[tuple[int, frozenset[str]]],
) -> list[CoverageRow]:
    """The rows of the coverage matrix, in ``clause_sort_key`` order, one per distinct clause.

    ``planned`` holds (month, clauses of that audit) for each audit of this year's programme.
    """
    months_of: dict[str, set[int]] = {}
    for month, clauses in planned:
        for clause in clauses:
            months_of.setdefault(clause, set()).add(month)
    rows: list[CoverageRow] = []
    for clause in sorted(set(all_clauses), key=clause_sort_key):
        months = tuple(sorted(months_of.get(clause, ())))
        before = clause in covered_before
        rows.append(
            CoverageRow(
                clause=clause,
                standard=standard_of(clause),
                covered_before=before,
                months=months,
                gap=not before and not months,
                uncoverable=clause in uncoverable,
            )
        )
    return rows

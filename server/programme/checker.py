"""The independent checker of a programme's hard constraints.

Written from the rules as stated (``model.py`` and the issue), apart from the solver's model, so
that a bug in one is unlikely to hide in the other: every programme the solver, the greedy baseline
or a hand edit produces goes through ``check_programme``. Each rule is one plain function over the
audits; speed comes from dictionaries built once, not from cleverness.

Rules (``Violation.rule``):

- ``frequency``: each demand gets between ``min_audits`` and ``max_audits`` audits; an audit of a
  process no demand names is a violation too.
- ``month``: months in 1..12; a process's occurrences are numbered 0..n-1, once each, in distinct
  months, a lower occurrence in an earlier month.
- ``blocked_month``: no audit in a month blocked for everyone.
- ``lead``: each audit has a lead (``lead_id`` not empty), a person with the lead-auditor flag,
  qualified for at least one standard of the demand.
- ``competence``: every member (lead included: an unqualified lead breaks both rules) is qualified for
  at least one standard of the demand, and the team together covers every standard of it.
- ``team``: at most ``max_team_size`` members, nobody twice (the lead among the auditors counts), no
  unknown person.
- ``impartiality``: no member from the owner unit or a unit above it, unless the audit carries a
  written ``override_reason`` and the pin of that (process, occurrence) has the same reason and names
  that person as lead or auditor.
- ``availability``: nobody on an audit in one of their unavailable months.
- ``auditor_capacity``: nobody on more than ``max_per_month`` audits in a month.
- ``month_capacity``: no month holds more than ``capacity_per_month`` audits.
- ``coverage``: each required clause is covered by at least one audit of a demand covering it.
- ``pin``: each pinned occurrence exists, with the pinned month, lead and auditors.

Unknown people and processes are reported once (``team``, ``frequency``); rules that need the
person's or the demand's facts skip them rather than report them again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Literal

from server.programme.model import Auditor, Demand, Pin, PlannedAudit, Problem, Violation

__all__ = ["check_programme"]

_Rule = Literal[
    "frequency",
    "month",
    "blocked_month",
    "competence",
    "lead",
    "team",
    "impartiality",
    "availability",
    "auditor_capacity",
    "month_capacity",
    "coverage",
    "pin",
]
"""``Violation.rule``'s names, for the helper that builds a violation of one audit."""


@dataclass(frozen=True)
class _Facts:
    """Lookups every rule uses, built once per check."""

    problem: Problem
    demand_of: Mapping[str, Demand]
    person_of: Mapping[str, Auditor]
    pin_of: Mapping[tuple[str, int], Pin]


def _facts(problem: Problem) -> _Facts:
    return _Facts(
        problem=problem,
        demand_of={demand.process_id: demand for demand in problem.demands},
        person_of={person.id: person for person in problem.auditors},
        pin_of={(pin.process_id, pin.occurrence): pin for pin in problem.pins},
    )


def _members(audit: PlannedAudit) -> list[str]:
    """The lead (when there is one) then the auditors, as listed (duplicates kept)."""
    return ([audit.lead_id] if audit.lead_id else []) + list(audit.auditor_ids)


def _distinct_members(audit: PlannedAudit) -> list[str]:
    return list(dict.fromkeys(_members(audit)))


def _units_above(unit_id: str, parent_of: Mapping[str, str | None]) -> set[str]:
    """Every unit above ``unit_id`` in the tree (a cycle in the data stops the walk)."""
    above: set[str] = set()
    current = parent_of.get(unit_id)
    while current is not None and current not in above and current != unit_id:
        above.add(current)
        current = parent_of.get(current)
    return above


def _violation(
    rule: _Rule,
    audit: PlannedAudit,
    detail: str,
    *,
    person_id: str | None = None,
    month: int | None = None,
    extra: Mapping[str, object] | None = None,
) -> Violation:
    return Violation(
        rule=rule,
        process_id=audit.process_id,
        occurrence=audit.occurrence,
        person_id=person_id,
        month=month,
        detail=detail,
        extra=extra or {},
    )


def _check_frequency(facts: _Facts, audits: Sequence[PlannedAudit]) -> list[Violation]:
    found: list[Violation] = []
    count = Counter(audit.process_id for audit in audits)
    for demand in facts.problem.demands:
        n = count[demand.process_id]
        if not demand.min_audits <= n <= demand.max_audits:
            found.append(
                Violation(
                    rule="frequency",
                    process_id=demand.process_id,
                    detail=f"{n} audits planned, {demand.min_audits} to {demand.max_audits} required",
                    extra={"count": n, "min": demand.min_audits, "max": demand.max_audits},
                )
            )
    for process_id in count:
        if process_id not in facts.demand_of:
            found.append(Violation(rule="frequency", process_id=process_id, detail="unknown process"))
    return found


def _check_months(facts: _Facts, audits: Sequence[PlannedAudit]) -> list[Violation]:
    found: list[Violation] = []
    by_process: dict[str, list[PlannedAudit]] = {}
    for audit in audits:
        if not 1 <= audit.month <= 12:
            found.append(_violation("month", audit, "month outside 1..12", month=audit.month))
        by_process.setdefault(audit.process_id, []).append(audit)
    for process_id, own in by_process.items():
        occurrences = sorted(audit.occurrence for audit in own)
        if occurrences != list(range(len(own))):
            found.append(
                Violation(
                    rule="month",
                    process_id=process_id,
                    detail=f"occurrences {occurrences}, expected 0..{len(own) - 1} once each",
                    extra={"occurrences": tuple(occurrences)},
                )
            )
        months = Counter(audit.month for audit in own)
        for month, n in months.items():
            if n > 1:
                found.append(
                    Violation(
                        rule="month", process_id=process_id, month=month, detail=f"{n} audits in one month"
                    )
                )
        ordered = sorted(own, key=lambda audit: audit.occurrence)
        for earlier, later in pairwise(ordered):
            if earlier.occurrence < later.occurrence and earlier.month > later.month:
                found.append(
                    _violation(
                        "month",
                        later,
                        f"occurrence {later.occurrence} before occurrence {earlier.occurrence}",
                        month=later.month,
                    )
                )
    return found


def _check_blocked_months(facts: _Facts, audits: Sequence[PlannedAudit]) -> list[Violation]:
    blocked = facts.problem.blocked_months
    return [
        _violation("blocked_month", audit, "audit in a blocked month", month=audit.month)
        for audit in audits
        if audit.month in blocked
    ]


def _check_leads(facts: _Facts, audits: Sequence[PlannedAudit]) -> list[Violation]:
    found: list[Violation] = []
    for audit in audits:
        if not audit.lead_id:
            found.append(_violation("lead", audit, "no lead auditor"))
            continue
        person = facts.person_of.get(audit.lead_id)
        if person is None:
            continue  # reported by the team rule
        if not person.lead:
            found.append(_violation("lead", audit, "lead is not a lead auditor", person_id=person.id))
        demand = facts.demand_of.get(audit.process_id)
        if demand is not None and person.standards.isdisjoint(demand.standards):
            found.append(
                _violation("lead", audit, "lead not qualified for any standard in scope", person_id=person.id)
            )
    return found


def _check_competence(facts: _Facts, audits: Sequence[PlannedAudit]) -> list[Violation]:
    found: list[Violation] = []
    for audit in audits:
        demand = facts.demand_of.get(audit.process_id)
        if demand is None:
            continue
        team_standards: set[str] = set()
        for person_id in _distinct_members(audit):
            person = facts.person_of.get(person_id)
            if person is None:
                continue
            team_standards |= person.standards
            if person.standards.isdisjoint(demand.standards):
                found.append(
                    _violation(
                        "competence",
                        audit,
                        "member not qualified for any standard in scope",
                        person_id=person_id,
                    )
                )
        for standard in demand.standards:
            if standard not in team_standards:
                found.append(
                    _violation(
                        "competence",
                        audit,
                        f"nobody on the team qualified for {standard}",
                        extra={"standard": standard},
                    )
                )
    return found


def _check_teams(facts: _Facts, audits: Sequence[PlannedAudit]) -> list[Violation]:
    found: list[Violation] = []
    limit = facts.problem.max_team_size
    for audit in audits:
        members = _members(audit)
        if len(members) > limit:
            found.append(
                _violation(
                    "team",
                    audit,
                    f"{len(members)} members, at most {limit}",
                    extra={"count": len(members), "limit": limit},
                )
            )
        for person_id, n in Counter(members).items():
            if n > 1:
                found.append(_violation("team", audit, "person on the team twice", person_id=person_id))
        for person_id in _distinct_members(audit):
            if person_id not in facts.person_of:
                found.append(_violation("team", audit, "unknown person", person_id=person_id))
    return found


def _override_allows(facts: _Facts, audit: PlannedAudit, person_id: str) -> bool:
    """True when the audit's written override reason is the one its pin gives, and the pin names the
    person: the override is the audit lead's explicit choice, never the solver's."""
    reason = audit.override_reason.strip()
    pin = facts.pin_of.get((audit.process_id, audit.occurrence))
    if not reason or pin is None or pin.override_reason.strip() != reason:
        return False
    return person_id == pin.lead_id or person_id in (pin.auditor_ids or ())


def _check_impartiality(facts: _Facts, audits: Sequence[PlannedAudit]) -> list[Violation]:
    found: list[Violation] = []
    for audit in audits:
        demand = facts.demand_of.get(audit.process_id)
        if demand is None:
            continue
        conflicted = {demand.owner_unit_id} | _units_above(demand.owner_unit_id, facts.problem.parent_of)
        for person_id in _distinct_members(audit):
            person = facts.person_of.get(person_id)
            if person is None or person.unit_id not in conflicted:
                continue
            if not _override_allows(facts, audit, person_id):
                found.append(
                    _violation(
                        "impartiality",
                        audit,
                        "member from the audited unit or a unit above it",
                        person_id=person_id,
                        extra={"unit_id": person.unit_id},
                    )
                )
    return found


def _check_availability(facts: _Facts, audits: Sequence[PlannedAudit]) -> list[Violation]:
    found: list[Violation] = []
    for audit in audits:
        for person_id in _distinct_members(audit):
            person = facts.person_of.get(person_id)
            if person is not None and audit.month in person.unavailable_months:
                found.append(
                    _violation(
                        "availability",
                        audit,
                        "member unavailable that month",
                        person_id=person_id,
                        month=audit.month,
                    )
                )
    return found


def _check_auditor_capacity(facts: _Facts, audits: Sequence[PlannedAudit]) -> list[Violation]:
    found: list[Violation] = []
    load: Counter[tuple[str, int]] = Counter()
    for audit in audits:
        for person_id in _distinct_members(audit):
            load[(person_id, audit.month)] += 1
    for (person_id, month), n in sorted(load.items()):
        person = facts.person_of.get(person_id)
        if person is not None and n > person.max_per_month:
            found.append(
                Violation(
                    rule="auditor_capacity",
                    person_id=person_id,
                    month=month,
                    detail=f"{n} audits in the month, at most {person.max_per_month}",
                    extra={"count": n, "limit": person.max_per_month},
                )
            )
    return found


def _check_month_capacity(facts: _Facts, audits: Sequence[PlannedAudit]) -> list[Violation]:
    limit = facts.problem.capacity_per_month
    load = Counter(audit.month for audit in audits)
    return [
        Violation(
            rule="month_capacity",
            month=month,
            detail=f"{n} audits in the month, at most {limit}",
            extra={"count": n, "limit": limit},
        )
        for month, n in sorted(load.items())
        if n > limit
    ]


def _check_coverage(facts: _Facts, audits: Sequence[PlannedAudit]) -> list[Violation]:
    covered: set[str] = set()
    for audit in audits:
        demand = facts.demand_of.get(audit.process_id)
        if demand is not None:
            covered |= demand.clauses
    return [
        Violation(rule="coverage", clause=clause, detail="required clause covered by no audit")
        for clause in sorted(facts.problem.required_clauses - covered)
    ]


def _check_pins(facts: _Facts, audits: Sequence[PlannedAudit]) -> list[Violation]:
    found: list[Violation] = []
    audit_of: dict[tuple[str, int], PlannedAudit] = {}
    for planned in audits:
        audit_of.setdefault((planned.process_id, planned.occurrence), planned)
    for pin in facts.problem.pins:
        audit = audit_of.get((pin.process_id, pin.occurrence))
        if audit is None:
            found.append(
                Violation(
                    rule="pin",
                    process_id=pin.process_id,
                    occurrence=pin.occurrence,
                    detail="pinned audit missing",
                )
            )
            continue
        if pin.month is not None and audit.month != pin.month:
            found.append(_violation("pin", audit, f"pinned to month {pin.month}", month=audit.month))
        if pin.lead_id is not None and audit.lead_id != pin.lead_id:
            found.append(_violation("pin", audit, f"pinned lead {pin.lead_id}", person_id=audit.lead_id))
        if pin.auditor_ids is not None and set(audit.auditor_ids) != set(pin.auditor_ids):
            found.append(
                _violation(
                    "pin",
                    audit,
                    "auditors differ from the pinned ones",
                    extra={"pinned": tuple(pin.auditor_ids)},
                )
            )
    return found


_RULES: tuple[Callable[[_Facts, Sequence[PlannedAudit]], list[Violation]], ...] = (
    _check_frequency,
    _check_months,
    _check_blocked_months,
    _check_leads,
    _check_competence,
    _check_teams,
    _check_impartiality,
    _check_availability,
    _check_auditor_capacity,
    _check_month_capacity,
    _check_coverage,
    _check_pins,
)


def check_programme(problem: Problem, audits: Sequence[PlannedAudit]) -> list[Violation]:
    """Every hard constraint ``audits`` break for ``problem``, rule by rule in the order of the module
    docstring; an empty list means the programme is valid."""
    facts = _facts(problem)
    found: list[Violation] = []
    for rule in _RULES:
        found.extend(rule(facts, audits))
    return found

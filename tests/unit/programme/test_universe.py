"""The universe of a programme year from plain facts: risk rows, frequency, clauses already covered in
the cycle, auditors' unavailable months, and the blockers worded for the audit lead."""

from __future__ import annotations

from datetime import date

from server.lib.structs import LocalizedName
from server.programme.model import Blocker
from server.programme.schemas import BlockedMonthIO, PolicyIO
from server.programme.universe import (
    PastAudit,
    PersonFacts,
    PinFacts,
    ProcessFacts,
    RiskFacts,
    audit_days,
    build_universe,
)
from server.programme.wording import Names, blocker_message, period_label

QUESTIONS = [
    (["iso9001:4.1"], []),
    (["iso9001:8.4.1"], ["procurement"]),
    (["iso45001:8.1.2"], ["works_site"]),
    (["iso14001:6.1.2"], ["waste_environment"]),
]
CLAUSES = frozenset({"iso9001:4.1", "iso9001:8.4.1", "iso45001:8.1.2", "iso9001:9.9", "iso14001:6.1.2"})
BUY = ProcessFacts("p-buy", "u-buy", ("iso9001",), ("procurement",))
SITE = ProcessFacts("p-site", "u-works", ("iso9001", "iso45001"), ("works_site",))


def _universe(past: list[PastAudit] | None = None, **changes: object) -> object:
    policy = PolicyIO(
        blocked_months=[BlockedMonthIO(month=8, label=LocalizedName(ar="عطلة", fr="Congés"))],
        cycle_start_year=2026,
    )
    values: dict[str, object] = {
        "year": 2027,
        "policy": policy,
        "processes": [BUY, SITE],
        "risk_inputs": {"p-buy": RiskFacts(criticality=5), "p-site": RiskFacts(criticality=1)},
        "people": [
            PersonFacts(
                "lead",
                "u-qse",
                frozenset({"iso9001", "iso45001"}),
                True,
                ((date(2027, 3, 1), date(2027, 3, 31)),),
            ),
            PersonFacts("novice", "u-buy", frozenset(), False),
        ],
        "parent_of": {"u-buy": None, "u-works": None, "u-qse": None},
        "past": past or [],
        "all_clauses": CLAUSES,
        "questions": QUESTIONS,
        **changes,
    }
    return build_universe(**values)  # type: ignore[arg-type]


def test_risk_levels_turn_into_audits_per_year() -> None:
    universe = _universe()
    buy, site = universe.risks["p-buy"], universe.risks["p-site"]  # type: ignore[attr-defined]
    # 5 × 10 points for criticality + never audited (3 years × 5): 65, high, twice a year.
    assert (buy.score, buy.level, buy.audits_min, buy.audits_max) == (65, "high", 2, 2)
    # 1 × 10 + 15: low, every other year; not audited last year, so this year.
    assert (site.score, site.level, site.audits_min, site.audits_max) == (25, "low", 1, 1)


def test_a_low_risk_process_audited_last_year_is_optional_this_year() -> None:
    last_year = PastAudit("a1", "closed", "p-site", ("iso9001",), (), date(2026, 5, 4), nc_major=0)
    site = _universe([last_year]).risks["p-site"]  # type: ignore[attr-defined]
    assert (site.audits_min, site.audits_max) == (0, 1)
    assert site.inputs.months_since_last_audit == 8


def test_nonconformities_of_recent_audits_raise_the_risk() -> None:
    audit = PastAudit("a1", "signed", "p-site", ("iso9001",), (), date(2026, 2, 1), nc_major=2, nc_minor=1)
    site = _universe([audit]).risks["p-site"]  # type: ignore[attr-defined]
    assert site.inputs.nc_major == 2 and site.inputs.nc_minor == 1
    assert site.score == 10 + 2 * 8 + 3 + (5 * 11) // 12


def test_clauses_covered_earlier_in_the_cycle_are_not_required_again() -> None:
    audit = PastAudit("a1", "closed", "p-buy", ("iso9001",), (), date(2026, 6, 1))
    universe = _universe([audit])
    assert universe.covered_before == frozenset({"iso9001:4.1", "iso9001:8.4.1"})  # type: ignore[attr-defined]
    # 9.9 has no question: a gap to report, not a requirement the solver could never meet.
    assert universe.uncoverable == frozenset({"iso9001:9.9"})  # type: ignore[attr-defined]
    assert universe.problem.required_clauses == frozenset({"iso45001:8.1.2"})  # type: ignore[attr-defined]
    # ISO 14001 is in no process's scope: its clauses are not part of this universe.
    assert "iso14001:6.1.2" not in universe.all_clauses  # type: ignore[attr-defined]


def test_an_audit_planned_but_not_held_covers_nothing() -> None:
    audit = PastAudit("a1", "planned", "p-buy", ("iso9001",), (), date(2026, 6, 1))
    assert _universe([audit]).covered_before == frozenset()  # type: ignore[attr-defined]


def test_auditors_leave_and_blocked_months_reach_the_problem() -> None:
    problem = _universe().problem  # type: ignore[attr-defined]
    assert [a.id for a in problem.auditors] == ["lead"], "someone without a qualification audits nothing"
    assert problem.auditors[0].unavailable_months == frozenset({3})
    assert problem.blocked_months == frozenset({8})
    demand = next(d for d in problem.demands if d.process_id == "p-site")
    assert demand.days == audit_days(PolicyIO(), 2) == 3
    assert demand.clauses == frozenset({"iso9001:4.1", "iso45001:8.1.2"})


def test_pins_pass_through() -> None:
    pin = PinFacts("p-buy", 1, 11, "lead", (), "reason")
    problem = _universe(pins=[pin]).problem  # type: ignore[attr-defined]
    assert [(p.process_id, p.occurrence, p.month, p.lead_id, p.override_reason) for p in problem.pins] == [
        ("p-buy", 1, 11, "lead", "reason")
    ]


def test_a_blocker_names_the_resource_and_the_period_in_each_language() -> None:
    names = Names(processes={"p": "P-SST Santé"}, units={"u": "Service SST"}, people={})
    blocker = Blocker("no_lead_available", process_id="p", standard="iso45001", unit_id="u", months=(4, 5, 6))
    french = blocker_message("fr", blocker, 2027, names)
    assert "ISO 45001" in french and "Service SST" in french and "P-SST" in french
    assert period_label("en", 2027, (4, 5, 6)) == "Q2 2027"
    assert "2027" in period_label("fr", 2027, (5,)) and "mai" in period_label("fr", 2027, (5,))
    arabic = blocker_message("ar", blocker, 2027, names)
    assert "ISO 45001" in arabic and "Service SST" in arabic


def test_partial_leave_takes_the_whole_month_so_a_team_always_has_common_days() -> None:
    # One member away until 8 January, another from 11 January: no common day in January.
    from server.programme.calendar import months_with_leave

    assert months_with_leave(2027, [(date(2026, 12, 14), date(2027, 1, 8))]) == frozenset({1})
    assert months_with_leave(2027, [(date(2027, 1, 11), date(2027, 4, 9))]) == frozenset({1, 2, 3, 4})
    assert months_with_leave(2027, [(date(2027, 5, 1), date(2027, 5, 2))]) == frozenset(), "a weekend only"

"""The review pack's figures from aggregate rows (pure): periods, quarters, tables laid out with zeros,
the previous period beside the current one, sorting, limits and the totals."""

from __future__ import annotations

from datetime import UTC, date, datetime

import msgspec

from server.review import figures
from server.review.figures import NotableRow, OverdueRow, RawFigures
from server.review.model import NOTABLE_LIMIT, Names, ReviewPack

YEAR = figures.period_of(date(2026, 1, 1), date(2026, 12, 31))
UNITS = {"u1": ("وحدة", "Unité 1")}
PEOPLE = {"p1": ("شخص", "Personne 1")}
PROCESSES = {"pr1": ("مسار", "Processus 1")}


def _labels() -> figures.Labels:
    return figures.Labels(
        standard=lambda k: Names(ar=k.upper(), fr=k.upper()),
        group=lambda k: Names(ar=f"g{k}", fr=f"g{k}"),
        clause=lambda ref: Names(ar=ref, fr=ref) if ref.endswith("8.5.1") else None,
    )


def test_a_calendar_year_is_labelled_by_its_year_and_its_previous_period_is_the_year_before() -> None:
    assert YEAR.label == "2026"
    previous = figures.previous_of(YEAR)
    assert (previous.start, previous.end, previous.label) == (date(2025, 1, 1), date(2025, 12, 31), "2025")


def test_whole_months_are_compared_with_as_many_months_just_before() -> None:
    quarter = figures.period_of(date(2026, 4, 1), date(2026, 6, 30))
    previous = figures.previous_of(quarter)
    assert (previous.start, previous.end) == (date(2026, 1, 1), date(2026, 3, 31))
    march = figures.previous_of(figures.period_of(date(2026, 3, 1), date(2026, 3, 31)))
    assert (march.start, march.end) == (date(2026, 2, 1), date(2026, 2, 28))
    winter = figures.previous_of(figures.period_of(date(2026, 1, 1), date(2026, 2, 28)))
    assert (winter.start, winter.end) == (date(2025, 11, 1), date(2025, 12, 31))


def test_any_other_period_is_followed_by_as_many_days_just_before() -> None:
    some = figures.period_of(date(2026, 3, 5), date(2026, 3, 20))
    assert some.label == "2026-03-05 – 2026-03-20"
    previous = figures.previous_of(some)
    assert (previous.start, previous.end) == (date(2026, 2, 17), date(2026, 3, 4))
    assert (previous.end - previous.start).days == (some.end - some.start).days


def test_realisation_fills_every_quarter_the_period_touches_and_sorts_statuses() -> None:
    period = figures.period_of(date(2025, 11, 1), date(2026, 4, 30))
    rows = [
        (2025, 4, "closed", 2),
        (2025, 4, "cancelled", 1),
        (2026, 2, "signed", 1),
        (2026, 2, "reported", 1),
        (2026, 2, "in_progress", 1),
        (2026, 2, "prepared", 2),
        (2026, 2, "planned", 1),
    ]
    quarters = figures.realisation(rows, period)
    assert [(q.year, q.quarter) for q in quarters] == [(2025, 4), (2026, 1), (2026, 2)]
    q4, q1, q2 = quarters
    assert (q4.planned, q4.done, q4.cancelled) == (3, 2, 1)
    assert q1.planned == 0
    assert (q2.planned, q2.done, q2.in_progress, q2.not_started, q2.cancelled) == (6, 2, 1, 3, 0)
    for q in quarters:
        assert q.planned == q.done + q.in_progress + q.not_started + q.cancelled


def test_count_rows_map_verdicts_to_severities_and_keep_keys_seen_only_before() -> None:
    rows = [
        (True, "iso9001", "nc_major", 1),
        (True, "iso9001", "nc_minor", 2),
        (True, "iso9001", "conform", 40),
        (True, "iso14001", "improvement", 1),
        (False, "iso9001", "observation", 5),
        (False, "iso45001", "nc_minor", 3),
    ]
    table = figures.count_rows(rows, _labels().standard)
    by_key = {r.key: r for r in table}
    assert set(by_key) == {"iso9001", "iso14001", "iso45001"}
    assert (by_key["iso9001"].major, by_key["iso9001"].minor, by_key["iso9001"].total) == (1, 2, 3)
    assert by_key["iso9001"].previous_total == 5
    assert (by_key["iso45001"].total, by_key["iso45001"].previous_total) == (0, 3)
    assert by_key["iso14001"].improvement == 1
    assert [r.key for r in table] == ["iso9001", "iso14001", "iso45001"]  # most findings first


def test_severity_rows_are_all_there_with_zeros() -> None:
    rows = figures.by_severity([(True, "nc_major", 2), (False, "nc_major", 1), (False, "improvement", 4)])
    assert [(r.severity, r.current, r.previous) for r in rows] == [
        ("major", 2, 1),
        ("minor", 0, 0),
        ("observation", 0, 0),
        ("improvement", 0, 4),
    ]


def test_record_statuses_and_ageing_buckets_are_all_listed_in_order() -> None:
    status = figures.nc_status([("closed", "minor", 2), ("open", "major", 1), ("open", "minor", 1)])
    assert [r.status for r in status] == list(figures.NC_STATUSES)
    assert (status[0].major, status[0].minor, status[0].total) == (1, 1, 2)
    ageing = figures.nc_ageing([(">180", "observation", 1), ("0-30", "major", 2)])
    assert [r.bucket for r in ageing] == ["0-30", "31-90", "91-180", ">180"]
    assert [r.total for r in ageing] == [2, 0, 0, 1]


def test_overdue_actions_are_most_late_first_with_their_names() -> None:
    as_of = date(2026, 6, 30)
    rows = [
        OverdueRow("n1", "a1", "AI-2", "u1", "p1", "corrective", date(2026, 6, 20), "Fix the register"),
        OverdueRow("n2", "a2", "AI-1", "u1", "nobody", "correction", date(2026, 5, 1), "Train the team"),
        OverdueRow("n3", "a3", "AI-1", "u1", "p1", "correction", date(2026, 6, 30), "Not late yet"),
    ]
    late = figures.overdue(rows, as_of, UNITS, PEOPLE)
    assert [(a.action_id, a.days_late) for a in late] == [("a2", 60), ("a1", 10)]
    assert late[1].owner.fr == "Personne 1" and late[1].unit.ar == "وحدة"
    assert late[0].owner.fr == "—"


def test_effectiveness_is_the_share_of_effective_verdicts_and_none_without_any() -> None:
    e = figures.effectiveness([("effective", 3), ("ineffective", 1)])
    assert (e.verified, e.effective, e.ineffective, e.rate) == (4, 3, 1, 0.75)
    assert figures.effectiveness([]).rate is None


def test_recurring_clauses_need_two_audits_and_are_sorted() -> None:
    rows = [
        ("iso9001:7.5.3", 2, 2, ("AI-2", "AI-1")),
        ("iso9001:8.5.1", 3, 4, ("AI-3", "AI-1", "AI-2")),
        ("iso14001:8.1", 1, 3, ("AI-1",)),
    ]
    recurring = figures.recurring(rows, _labels().clause)
    assert [r.clause for r in recurring] == ["iso9001:8.5.1", "iso9001:7.5.3"]
    assert recurring[0].audit_codes == ("AI-1", "AI-2", "AI-3")
    assert recurring[0].label is not None and recurring[1].label is None


def test_notable_findings_put_majors_first_and_stop_at_the_limit() -> None:
    rows = [
        NotableRow(f"f{i}", f"AI-{i:02}", ("iso9001:8.5.1",), "nc_minor", "s", "u1", "pr1") for i in range(8)
    ] + [NotableRow(f"m{i}", f"AI-{i:02}", ("iso14001:8.1",), "nc_major", "s", None, None) for i in range(5)]
    notable = figures.notable(rows, UNITS, PROCESSES)
    assert len(notable) == NOTABLE_LIMIT
    assert [n.severity for n in notable[:5]] == ["major"] * 5
    assert notable[5].unit is not None and notable[5].process is not None
    assert notable[0].unit is None


def test_the_pack_sums_its_tables_into_its_totals_and_encodes_in_camel_case() -> None:
    raw = RawFigures(
        period=YEAR,
        previous=figures.previous_of(YEAR),
        as_of=date(2026, 12, 2),
        realisation=[(2026, 1, "closed", 3), (2026, 2, "cancelled", 1), (2026, 3, "planned", 2)],
        severity=[(True, "nc_major", 2), (True, "observation", 1), (False, "nc_minor", 4)],
        by_process=[(True, None, "nc_major", 2), (True, "pr1", "observation", 1)],
        nc_status=[("open", "major", 2), ("closed", "minor", 1)],
        ageing=[("0-30", "major", 2)],
        overdue=[OverdueRow("n1", "a1", "AI-1", "u1", "p1", "corrective", date(2026, 11, 1), "d")],
        verdicts=[("effective", 1)],
        units=UNITS,
        processes=PROCESSES,
        people=PEOPLE,
    )
    pack = figures.build_pack(raw, _labels(), datetime(2026, 12, 2, 10, tzinfo=UTC))
    t = pack.totals
    assert (t.audits_planned, t.audits_done, t.audits_cancelled) == (6, 3, 1)
    assert t.realisation_rate == 3 / 5
    assert (t.findings, t.previous_findings) == (3, 4)
    assert (t.nonconformities_opened, t.nonconformities_open, t.overdue_actions) == (3, 2, 1)
    assert pack.effectiveness.rate == 1.0
    assert {r.key: r.label.fr for r in pack.findings_by_process} == {"": "", "pr1": "Processus 1"}
    wire = msgspec.json.decode(msgspec.json.encode(pack))
    assert {"asOf", "generatedAt", "findingsByClauseGroup", "ncAgeing", "overdueActions"} <= set(wire)
    assert wire["overdueActions"][0]["daysLate"] == 31
    assert msgspec.json.decode(msgspec.json.encode(pack), type=ReviewPack) == pack


def test_an_empty_period_has_no_rates() -> None:
    pack = figures.build_pack(
        RawFigures(period=YEAR, previous=figures.previous_of(YEAR), as_of=date(2026, 12, 2)),
        _labels(),
        datetime(2026, 12, 2, tzinfo=UTC),
    )
    assert pack.totals.realisation_rate is None and pack.effectiveness.rate is None
    assert len(pack.realisation) == 4 and all(q.planned == 0 for q in pack.realisation)
    assert pack.findings_by_standard == () and pack.notable == ()

"""The sections of the management-review PDF, one per table of the pack: a table (a total row where a sum
means something) and its chart where one helps: bars by quarter, this period beside the previous one,
ageing by severity, a pie of the records' statuses."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Final

from reportlab.lib.colors import Color, HexColor
from reportlab.platypus import Flowable

from server.lib.i18n import N_
from server.reports.blocks import ACCENT, MUTED, TONES, Kit
from server.reports.facts import clause_label
from server.review.labels import (
    ACTION_TYPE_LABELS,
    AGE_LABELS,
    SEVERITY_LABEL,
    SEVERITY_LABELS,
    STATUS_LABELS,
)
from server.review.pdf_charts import PREVIOUS, ChartSeries, bar_chart, pie_chart
from server.review.pdf_tables import Grid, PackDoc, centred, grid_table, muted, section

if TYPE_CHECKING:
    from server.review.model import CountRow

__all__ = ["SECTIONS"]

_NC_SEVERITIES: Final = ("major", "minor", "observation")
_PROCESS_BARS: Final = 10
"""The process chart shows the processes with the most findings; the table shows them all."""

_SEVERITY_COLOURS: Final[dict[str, Color]] = {
    "major": TONES["nc_major"],
    "minor": TONES["nc_minor"],
    "observation": TONES["observation"],
    "improvement": TONES["improvement"],
}
_STATUS_COLOURS: Final[dict[str, Color]] = {
    status: HexColor(colour)
    for status, colour in [
        ("open", "#A4262C"), ("analysis", "#C55A11"), ("action_plan", "#B58900"), ("in_progress", "#1F5FA8"),
        ("verification", "#6A3D9A"), ("closed", "#2E7D32"), ("rejected", "#8C96A3"),
    ]
}  # fmt: skip


# ------------------------------------------------------------------ sections


def _quarter(doc: PackDoc, year: int, quarter: int) -> str:
    return doc.t(N_("Q{quarter} {year}"), quarter=quarter, year=year)


def realisation(kit: Kit, doc: PackDoc, width: float) -> list[Flowable]:
    """Audits by quarter: planned, done, in progress, not started, cancelled; the bars beside."""
    rows = doc.pack.realisation
    headings = [
        N_("Quarter"),
        N_("Planned"),
        N_("Done"),
        N_("In progress"),
        N_("Not started"),
        N_("Cancelled"),
    ]
    grid = Grid(
        [doc.t(h) for h in headings],
        [
            [_quarter(doc, r.year, r.quarter), r.planned, r.done, r.in_progress, r.not_started, r.cancelled]
            for r in rows
        ],
    )
    if not rows:
        return section(
            kit, doc, N_("Programme realisation"), [muted(kit, doc.t(N_("No audit in the period.")))]
        )
    rate = doc.t(
        N_("Realisation rate (done out of planned and not cancelled): {rate}"),
        rate=doc.rate(doc.pack.totals.realisation_rate),
    )
    chart = bar_chart(
        kit,
        [_quarter(doc, r.year, r.quarter) for r in rows],
        [
            ChartSeries(doc.t(N_("Planned")), [r.planned for r in rows], ACCENT),
            ChartSeries(doc.t(N_("Done")), [r.done for r in rows], TONES["strong_point"]),
            ChartSeries(doc.t(N_("Cancelled")), [r.cancelled for r in rows], PREVIOUS),
        ],
        width=width,
    )
    return section(
        kit, doc, N_("Programme realisation"), [grid_table(kit, doc, grid, width), muted(kit, rate), chart]
    )


def severity(kit: Kit, doc: PackDoc, width: float) -> list[Flowable]:
    """Findings by severity, this period beside the previous one."""
    rows = doc.pack.findings_by_severity
    labels = [doc.t(SEVERITY_LABELS.get(r.severity, r.severity)) for r in rows]
    current, previous = doc.t(N_("This period")), doc.t(N_("Previous period"))
    grid = Grid(
        [doc.t(N_("Severity")), current, previous],
        [[label, r.current, r.previous] for label, r in zip(labels, rows, strict=True)],
    )
    chart = bar_chart(
        kit,
        labels,
        [
            ChartSeries(current, [r.current for r in rows], ACCENT),
            ChartSeries(previous, [r.previous for r in rows], PREVIOUS),
        ],
        width=width,
        height=150,
    )
    return section(
        kit, doc, N_("Findings by severity"), [grid_table(kit, doc, grid, width), chart if rows else None]
    )


def _count_rows(
    kit: Kit,
    doc: PackDoc,
    rows: Sequence[CountRow],
    first: str,
    width: float,
    name: Callable[[CountRow], str],
    *,
    bars: int | None = None,
) -> list[Flowable | None]:
    """A table of findings by severity for each standard, clause group or process, with its total and
    the previous period's; and the bars of the total beside the previous period's."""
    headings = [doc.t(first), *(doc.t(SEVERITY_LABELS[s]) for s in SEVERITY_LABELS)]
    headings += [doc.t(N_("Total")), doc.t(N_("Previous period"))]
    names = [name(r) for r in rows]
    grid = Grid(
        headings,
        [
            [name, r.major, r.minor, r.observation, r.improvement, r.total, r.previous_total]
            for name, r in zip(names, rows, strict=True)
        ],
    )
    if not rows:
        return [muted(kit, doc.t(N_("No finding in the period.")))]
    ranked = sorted(zip(names, rows, strict=True), key=lambda p: -(p[1].total + p[1].previous_total))
    shown = [p for p in ranked if p[1].total or p[1].previous_total][: bars or len(rows)]
    shown.sort(key=lambda p: rows.index(p[1]))
    chart = bar_chart(
        kit,
        [name for name, _ in shown],
        [
            ChartSeries(doc.t(N_("This period")), [r.total for _, r in shown], ACCENT),
            ChartSeries(doc.t(N_("Previous period")), [r.previous_total for _, r in shown], PREVIOUS),
        ],
        width=width,
    )
    return [grid_table(kit, doc, replace(grid, shares=(1.0,)), width), chart if shown else None]


def by_standard(kit: Kit, doc: PackDoc, width: float) -> list[Flowable]:
    note = muted(kit, doc.t(N_("A finding that cites several standards counts once in each.")))
    rows = doc.pack.findings_by_standard
    body = _count_rows(kit, doc, rows, N_("Standard"), width, lambda r: doc.name(r.label))
    return section(kit, doc, N_("Findings by standard"), [note, *body])


def by_clause_group(kit: Kit, doc: PackDoc, width: float) -> list[Flowable]:
    note = muted(
        kit, doc.t(N_("Clauses 4 to 10, shared by the three standards; a finding counts once in each."))
    )

    def group(row: CountRow) -> str:
        title = doc.name(row.label)
        return f"{row.key} — {title}" if title != row.key else row.key

    body = _count_rows(kit, doc, doc.pack.findings_by_clause_group, N_("Clause group"), width, group)
    return section(kit, doc, N_("Findings by clause group"), [note, *body])


def by_process(kit: Kit, doc: PackDoc, width: float) -> list[Flowable]:
    def process(row: CountRow) -> str:
        return doc.name(row.label) if row.key else doc.t(N_("No process"))

    rows = doc.pack.findings_by_process
    body = _count_rows(kit, doc, rows, N_("Process"), width, process, bars=_PROCESS_BARS)
    return section(kit, doc, N_("Findings by process"), body)


def recurring(kit: Kit, doc: PackDoc, width: float) -> list[Flowable]:
    """Clauses cited by a nonconformity in two audits or more: no total (a finding cites several)."""
    rows = doc.pack.recurring_clauses
    note = muted(kit, doc.t(N_("Clauses cited by a nonconformity in two audits or more.")))
    if not rows:
        return section(kit, doc, N_("Recurring clauses"), [note, muted(kit, doc.t(N_("No clause recurs.")))])
    grid = Grid(
        [doc.t(h) for h in (N_("Clause"), N_("Title"), N_("Audit codes"), N_("Audits"), N_("Findings"))],
        [
            [clause_label(r.clause), doc.name(r.label), ", ".join(r.audit_codes), r.audits, r.findings]
            for r in rows
        ],
        shares=(0.9, 2.2, 1.4),
        total=False,
    )
    return section(kit, doc, N_("Recurring clauses"), [note, grid_table(kit, doc, grid, width)])


def nc_status(kit: Kit, doc: PackDoc, width: float) -> list[Flowable]:
    """Records opened in the period by current status and severity; the pie of the statuses."""
    rows = doc.pack.nc_status
    labels = [doc.t(STATUS_LABELS.get(r.status, r.status)) for r in rows]
    grid = Grid(
        [doc.t(N_("Status")), *(doc.t(SEVERITY_LABELS[s]) for s in _NC_SEVERITIES), doc.t(N_("Total"))],
        [[label, r.major, r.minor, r.observation, r.total] for label, r in zip(labels, rows, strict=True)],
    )
    note = muted(kit, doc.t(N_("Nonconformity records opened in the period, by their status today.")))
    if not rows:
        return section(kit, doc, N_("Nonconformities by status"), [note, muted(kit, doc.t(N_("None.")))])
    slices = [
        (label, r.total, _STATUS_COLOURS.get(r.status, MUTED)) for label, r in zip(labels, rows, strict=True)
    ]
    pie = pie_chart(kit, slices, width=width)
    return section(kit, doc, N_("Nonconformities by status"), [note, grid_table(kit, doc, grid, width), pie])


def ageing(kit: Kit, doc: PackDoc, width: float) -> list[Flowable]:
    """Records not closed nor rejected by age, whenever opened; the bars by severity."""
    rows = doc.pack.nc_ageing
    severities = _NC_SEVERITIES
    labels = [doc.t(AGE_LABELS.get(r.bucket, r.bucket)) for r in rows]
    grid = Grid(
        [doc.t(N_("Age")), *(doc.t(SEVERITY_LABELS[s]) for s in severities), doc.t(N_("Total"))],
        [[label, r.major, r.minor, r.observation, r.total] for label, r in zip(labels, rows, strict=True)],
    )
    note = muted(
        kit,
        doc.t(
            N_("Records not closed, whenever opened, by their age on {day}."),
            day=doc.words.day(doc.pack.as_of),
        ),
    )
    chart = bar_chart(
        kit,
        labels,
        [
            ChartSeries(doc.t(SEVERITY_LABELS[s]), [getattr(r, s) for r in rows], _SEVERITY_COLOURS[s])
            for s in severities
        ],
        width=width,
        height=150,
    )
    return section(
        kit,
        doc,
        N_("Ageing of open nonconformities"),
        [note, grid_table(kit, doc, grid, width), chart if rows else None],
    )


def overdue(kit: Kit, doc: PackDoc, width: float) -> list[Flowable]:
    """Actions past their due date, most late first; their count as the total."""
    rows = doc.pack.overdue_actions
    if not rows:
        return section(kit, doc, N_("Overdue actions"), [muted(kit, doc.t(N_("No action is overdue.")))])
    headings = [N_("Audit"), N_("Unit"), N_("Owner"), N_("Action"), N_("Due date"), N_("Days late")]
    grid = Grid(
        [doc.t(h) for h in headings],
        [
            [
                a.audit_code,
                doc.name(a.unit),
                doc.name(a.owner),
                [doc.t(ACTION_TYPE_LABELS.get(a.type, a.type)), a.description],
                doc.words.day(a.due),
                a.days_late,
            ]
            for a in rows
        ],
        shares=(1.15, 1.3, 1.2, 2.5, 1.0),
        total=False,
    )
    count = doc.t(N_("Overdue actions: {count}"), count=len(rows))
    return section(kit, doc, N_("Overdue actions"), [muted(kit, count), grid_table(kit, doc, grid, width)])


def effectiveness(kit: Kit, doc: PackDoc, width: float) -> list[Flowable]:
    """The share of effective verdicts among the verifications of the period, large; the counts below."""
    e = doc.pack.effectiveness
    grid = Grid(
        [doc.t(N_("Verdict")), doc.t(N_("Verifications"))],
        [[doc.t(N_("Effective")), e.effective], [doc.t(N_("Ineffective")), e.ineffective]],
    )
    table = grid_table(kit, doc, grid, width * 0.6)
    table.hAlign = "RIGHT" if kit.rtl else "LEFT"
    if not e.verified:  # no rate to show: a lone dash in large print would look like a figure
        return section(
            kit,
            doc,
            N_("Effectiveness of actions"),
            [muted(kit, doc.t(N_("No verification in the period."))), table],
        )
    figure = centred(kit, doc.rate(e.rate), bold=True, size=28)
    caption = kit.text(
        doc.t(N_("of the verifications made in the period found the actions effective")),
        replace(kit.style(9.5, color=MUTED), align="center"),
    )
    return section(kit, doc, N_("Effectiveness of actions"), [figure, caption, table])


def notable(kit: Kit, doc: PackDoc, width: float) -> list[Flowable]:
    """The major nonconformities, then the minor ones on a recurring clause."""
    rows = doc.pack.notable
    if not rows:
        return section(kit, doc, N_("Notable findings"), [muted(kit, doc.t(N_("No notable finding.")))])
    headings = [N_("Audit"), N_("Severity"), N_("Clauses"), N_("Unit and process"), N_("Statement")]
    grid = Grid(
        [doc.t(h) for h in headings],
        [
            [
                f.audit_code,
                doc.t(SEVERITY_LABEL[f.severity]),
                [clause_label(c) for c in f.clauses],
                [doc.name(n) for n in (f.unit, f.process) if n is not None],
                f.statement,
            ]
            for f in rows
        ],
        shares=(1.15, 0.95, 1.25, 1.4, 2.9),
        total=False,
    )
    return section(kit, doc, N_("Notable findings"), [grid_table(kit, doc, grid, width)])


SECTIONS: Final = (
    realisation, severity, by_standard, by_clause_group, by_process, recurring, nc_status, ageing, overdue,
    effectiveness, notable,
)  # fmt: skip

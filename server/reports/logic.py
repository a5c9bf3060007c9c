"""The report model from an audit's facts: pure, every string worded in the report's language.

Content follows ISO 19011 6.5.1, in this order: the cover; 1 objectives, scope and criteria; 2 team,
auditees, dates and places; 3 summary (counts and a chart per clause group); 4 findings (nonconformities,
major then minor, then observations, opportunities for improvement and strong points); 5 conclusions
(degrees, diverging opinions, the sampling statement); 6 meetings and signatures; 7 annex (evidence files,
checklist version). This module holds the cover and sections 1 to 3; ``findings`` holds section 4,
``conclusions`` sections 5 and 6, ``annex`` section 7, and ``wording`` the language every one is worded in.

``page_label`` is translated but never formatted here: its ``{page}`` and ``{pages}`` are the renderer's
to fill.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo

from babel import Locale as BabelLocale

from server.lib.i18n import N_, text_direction
from server.reports.annex import annex_section
from server.reports.conclusions import conclusions_section, meetings_section
from server.reports.facts import STANDARD_LABELS, clause_key, in_language, standard_of
from server.reports.findings import CLASS_ORDER, findings_section, sorted_findings
from server.reports.model import Chart, ChartSeries, Field, Fields, Para, ReportModel, Section
from server.reports.wording import CLASS_PLURAL_LABELS, DASH, Words, heading, labelled, table

if TYPE_CHECKING:
    from server.reports.facts import MeetingFacts, ReportFacts, TeamMemberFacts
    from server.reports.findings import Finding
    from server.reports.model import Block
    from server.reports.wording import Lang

__all__ = ["CLAUSE_GROUPS", "build_report"]

CLAUSE_GROUPS: Final[tuple[str, ...]] = ("4", "5", "6", "7", "8", "9", "10")
"""The clauses every standard shares (context … improvement): the chart's categories."""
_GAPS: Final = ("nc_major", "nc_minor", "observation", "improvement")


def build_report(facts: ReportFacts, lang: Lang) -> ReportModel:
    """The complete report model of ``facts`` in ``lang``; it needs nothing else and decides no layout."""
    words = Words(lang, ZoneInfo(facts.report.timezone))
    findings = sorted_findings(facts)
    sections = [
        _scope_section(facts, words),
        _team_section(facts, words),
        _summary_section(facts, findings, words),
        findings_section(facts, findings, words),
        conclusions_section(facts, findings, words),
        meetings_section(facts, words),
        annex_section(facts, findings, words),
    ]
    issuer = words.name(facts.report.issuer)
    approval = (
        N_("Approved and digitally signed by the lead auditor, {name}")
        if facts.report.issuer_role == "lead_auditor"
        else N_("Approved and digitally signed by the audit programme lead, {name}")
    )
    return ReportModel(
        lang=lang,
        direction=text_direction(lang),
        title=words(N_("Internal audit report")),
        reference=facts.report.reference,
        organisation=words.name(facts.organisation),
        subtitle=words.name(facts.audit.title),
        cover=_cover(facts, words),
        verification_url=facts.report.verification_url,
        verification_label=words(N_("Check this report at:")),
        # Not formatted: the renderer fills {page} and {pages} on each page.
        page_label=words(N_("Page {page} of {pages}")),
        sections=[
            Section(
                title=words(N_("{number}. {title}"), number=words.number(index), title=s.title),
                blocks=s.blocks,
                new_page=s.new_page,
            )
            for index, s in enumerate(sections, start=1)
        ],
        approval_label=words(approval, name=issuer),
    )


def _audit_period(facts: ReportFacts, words: Words) -> str:
    """From the opening to the closing meeting, as held; the planned dates where a meeting is missing."""
    start = words.local_day(facts.opening.held_at) if facts.opening else facts.audit.planned_start
    end = words.local_day(facts.closing.held_at) if facts.closing else facts.audit.planned_end
    return words.period(start, end)


def _process(facts: ReportFacts, words: Words) -> str:
    return words.name(facts.process) if facts.process else words(N_("No process (audited units only)"))


def _units(facts: ReportFacts, words: Words) -> str:
    return words.items([words.name(unit) for unit in facts.units])


def _sites(facts: ReportFacts, words: Words) -> str:
    return words.items([words.name(site.name) for site in facts.sites])


def _cover(facts: ReportFacts, words: Words) -> list[Field]:
    report = facts.report
    version = words.number(report.version)
    if report.supersedes:
        version = words(N_("{version}, superseding {previous}"), version=version, previous=report.supersedes)
    language = BabelLocale.parse(words.lang).get_language_name(words.lang) or words.lang
    return labelled(
        words,
        [
            (N_("Audit reference"), facts.audit.code),
            (N_("Process"), _process(facts, words)),
            (N_("Audited units"), _units(facts, words)),
            (N_("Sites"), _sites(facts, words)),
            (N_("Audit dates"), _audit_period(facts, words)),
            (N_("Lead auditor"), words.lead_auditor(facts)),
            (N_("Report version"), version),
            (N_("Language"), language[:1].upper() + language[1:]),
            (N_("Issue date"), words.day(words.local_day(report.issued_at))),
        ],
    )


def _scope_section(facts: ReportFacts, words: Words) -> Section:
    audit = facts.audit
    standards = [STANDARD_LABELS[s] for s in audit.standards]
    editions = [f"{STANDARD_LABELS[s]}:{facts.editions.get(s, '')}".rstrip(":") for s in audit.standards]
    clauses = "\n".join(words.clause(facts, ref) for ref in sorted(audit.clauses, key=clause_key))
    scope = [
        (N_("Standards"), words.items(standards)),
        (N_("Clauses"), clauses or words(N_("Every clause of the standards"))),
        (N_("Process"), _process(facts, words)),
        (N_("Audited units"), _units(facts, words)),
        (N_("Sites"), _sites(facts, words)),
    ]
    criteria = [
        (N_("Standards"), "\n".join(editions) or DASH),
        (N_("Documents"), "\n".join(audit.criteria) or DASH),
    ]
    return Section(
        title=words(N_("Objectives, scope and criteria")),
        blocks=[
            heading(words, N_("Objectives")),
            Para(text=audit.objectives.strip() or DASH),
            heading(words, N_("Scope")),
            Fields(items=labelled(words, scope)),
            heading(words, N_("Criteria")),
            Fields(items=labelled(words, criteria)),
        ],
    )


def _meeting_line(meeting: MeetingFacts | None, words: Words) -> str:
    if meeting is None:
        return words(N_("Not recorded."))
    when = words.moment(meeting.held_at)
    return f"{when} — {meeting.place}" if meeting.place.strip() else when


def _team_section(facts: ReportFacts, words: Words) -> Section:
    def _qualified(member: TeamMemberFacts) -> str:
        return words.items([STANDARD_LABELS[s] for s in member.qualifications])

    roles = {"lead": words(N_("Lead auditor")), "auditor": words(N_("Auditor"))}
    team = sorted(facts.team, key=lambda m: m.role != "lead")
    blocks: list[Block] = [
        heading(words, N_("Audit team")),
        table(
            words,
            [N_("Name"), N_("Role"), N_("Qualified for")],
            [[words.name(m.name), roles[m.role], _qualified(m)] for m in team],
            [3, 2, 2],
        ),
        heading(words, N_("Auditees")),
    ]
    if facts.auditees:
        rows = [[words.name(a.name), words.name(a.unit)] for a in facts.auditees]
        blocks.append(table(words, [N_("Name"), N_("Unit")], rows, [3, 3]))
    else:
        blocks.append(Para(text=DASH))
    blocks.append(heading(words, N_("Dates and places")))
    dates = [
        (N_("Audit dates"), _audit_period(facts, words)),
        (N_("Opening meeting"), _meeting_line(facts.opening, words)),
        (N_("Closing meeting"), _meeting_line(facts.closing, words)),
    ]
    blocks.append(Fields(items=labelled(words, dates)))
    if facts.sites:
        rows = [[words.name(s.name), words.name(s.province)] for s in facts.sites]
        blocks.append(table(words, [N_("Site"), N_("Province")], rows, [3, 2]))
    if facts.audit.agenda.strip():
        blocks.extend([heading(words, N_("Agenda")), Para(text=facts.audit.agenda.strip())])
    return Section(title=words(N_("Audit team, auditees, dates and places")), blocks=blocks)


def _summary_section(facts: ReportFacts, findings: list[Finding], words: Words) -> Section:
    standards = list(facts.audit.standards)
    rows = []
    for cls in CLASS_ORDER:
        of_class = [f for f in findings if f.cls == cls]
        counts = [sum(1 for f in of_class if any(standard_of(c) == s for c in f.clauses)) for s in standards]
        rows.append([words(CLASS_PLURAL_LABELS[cls]), *(words.number(n) for n in [*counts, len(of_class)])])
    checked = {f.facts.question_id for f in findings if f.facts.question_id and f.cls != "not_applicable"}
    return Section(
        title=words(N_("Summary of findings")),
        blocks=[
            table(
                words,
                [N_("Class"), *(STANDARD_LABELS[s] for s in standards), N_("Total")],
                rows,
                [4, *([1.5] * len(standards)), 1.5],
            ),
            Para(
                text=words(N_("Checklist questions checked: {count}"), count=words.number(len(checked))),
                style="note",
            ),
            Para(text=words(N_("A finding on several standards is counted under each.")), style="note"),
            _chart(facts, findings, words),
        ],
    )


def _chart(facts: ReportFacts, findings: list[Finding], words: Words) -> Chart:
    """Gaps (nonconformities, observations, opportunities) per clause group, one series per standard; a
    finding counts once in each (standard, group) its clauses reach."""
    categories = []
    for group in CLAUSE_GROUPS:
        titles = [facts.clause_titles.get(f"{s}:{group}") for s in facts.audit.standards]
        title = next((in_language(t, words.lang) for t in titles if t is not None), "")
        number = words.number(int(group))
        categories.append(words(N_("{number}. {title}"), number=number, title=title) if title else number)
    series = []
    for standard in facts.audit.standards:
        reached = [
            {c.partition(":")[2].split(".")[0] for c in f.clauses if standard_of(c) == standard}
            for f in findings
            if f.cls in _GAPS
        ]
        values = [sum(1 for groups in reached if group in groups) for group in CLAUSE_GROUPS]
        series.append(ChartSeries(name=STANDARD_LABELS[standard], values=values))
    title = words(N_("Nonconformities, observations and opportunities for improvement per clause group"))
    return Chart(title=title, categories=categories, series=series)

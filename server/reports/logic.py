"""The report model from an audit's facts: pure, every string worded in the report's language.

Content follows ISO 19011 6.5.1, in this order: the cover; 1 objectives, scope and criteria; 2 team,
auditees, dates and places; 3 summary (counts and a chart per clause group); 4 findings (nonconformities,
major then minor, then observations, opportunities for improvement and strong points); 5 conclusions
(degrees, diverging opinions, the sampling statement); 6 meetings and signatures; 7 annex (evidence files,
checklist version). Dates and numbers come from Babel's ar_MA / fr_MA data; numbers ask for the latn
numbering system explicitly (CLDR's default for ar_MA too), which also keeps Morocco's separators (a
decimal comma) rather than the Arabic ٫ and ٬. Babel never writes Arabic-Indic digits.

Times are shown in the report's time zone (``ReportIssue.timezone``). ``page_label`` is translated but
never formatted here: its ``{page}`` and ``{pages}`` are the renderer's to fill.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Final, Literal
from zoneinfo import ZoneInfo

from babel import Locale as BabelLocale
from babel.dates import format_date, format_time
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.units import format_unit

from server.lib.i18n import N_, text_direction, translate
from server.reports.facts import (
    STANDARD_LABELS,
    FindingClass,
    FindingFacts,
    MeetingFacts,
    QuestionFacts,
    ReportFacts,
    TeamMemberFacts,
    clause_key,
    clause_label,
    finding_class,
    finding_clauses,
    in_language,
    standard_of,
)
from server.reports.model import (
    Block,
    Chart,
    ChartSeries,
    Field,
    Fields,
    FindingCard,
    Para,
    Photo,
    ReportModel,
    Section,
    SignatureItem,
    Signatures,
    Table,
)
from server.sync.schemas import SignatureRole

if TYPE_CHECKING:
    from server.lib.structs import LocalizedName
    from server.reports.model import Tone

__all__ = ["CLAUSE_GROUPS", "build_report"]

Lang = Literal["ar", "fr"]
_BABEL_LOCALES: Final[dict[str, str]] = {"ar": "ar_MA", "fr": "fr_MA"}
_DASH: Final = "—"
CLAUSE_GROUPS: Final[tuple[str, ...]] = ("4", "5", "6", "7", "8", "9", "10")
"""The clauses every standard shares (context … improvement): the chart's categories."""

_ORDER: Final[tuple[FindingClass, ...]] = (
    "nc_major",
    "nc_minor",
    "observation",
    "improvement",
    "strong_point",
    "conform",
    "not_applicable",
)
_PREFIXES: Final[dict[str, str]] = {
    "nc_major": "NC",
    "nc_minor": "NC",
    "observation": "OBS",
    "improvement": "OFI",
    "strong_point": "SP",
}
_GAPS: Final = ("nc_major", "nc_minor", "observation", "improvement")
_ONE: Final[dict[str, str]] = {
    "nc_major": N_("Major nonconformity"),
    "nc_minor": N_("Minor nonconformity"),
    "observation": N_("Observation"),
    "improvement": N_("Opportunity for improvement"),
    "strong_point": N_("Strong point"),
    "conform": N_("Conform"),
    "not_applicable": N_("Not applicable"),
}
_MANY: Final[dict[str, str]] = {
    "nc_major": N_("Major nonconformities"),
    "nc_minor": N_("Minor nonconformities"),
    "observation": N_("Observations"),
    "improvement": N_("Opportunities for improvement"),
    "strong_point": N_("Strong points"),
    "conform": N_("Conforming answers without a statement"),
    "not_applicable": N_("Not applicable"),
}
_DOWNGRADED: Final = N_(
    "Recorded as a nonconformity on a good-practice question, so presented as an observation."
)
_TONES: Final[dict[str, Tone]] = {
    "nc_major": "nc_major",
    "nc_minor": "nc_minor",
    "observation": "observation",
    "improvement": "improvement",
    "strong_point": "strong_point",
}
_DEGREES: Final[dict[str, str]] = {
    "fully": N_("Fully met"),
    "largely": N_("Largely met"),
    "partially": N_("Partially met"),
    "not_met": N_("Not met"),
}
_SIGNERS: Final[dict[SignatureRole, str]] = {
    "lead_auditor": N_("Lead auditor"),
    "auditee_representative": N_("Auditee's representative"),
}


@dataclass(frozen=True)
class _Words:
    """Wording in the report's language: catalog messages, dates, numbers, names."""

    lang: Lang
    zone: ZoneInfo

    @property
    def locale(self) -> str:
        return _BABEL_LOCALES[self.lang]

    def __call__(self, message: str, **params: object) -> str:
        return translate(self.lang, message, **params)

    def number(self, value: float, pattern: str | None = None) -> str:
        return format_decimal(value, format=pattern, locale=self.locale, numbering_system="latn")

    def day(self, value: date) -> str:
        return format_date(value, "long", locale=self.locale)

    def moment(self, value: datetime) -> str:
        local = value.astimezone(self.zone)
        pattern = BabelLocale.parse(self.locale).datetime_formats["medium"]
        clock = format_time(local.time(), "HH:mm", locale=self.locale)
        return str(pattern).format(clock, self.day(local.date()))

    def local_day(self, value: datetime) -> date:
        return value.astimezone(self.zone).date()

    def period(self, start: date | None, end: date | None) -> str:
        if start and end and start != end:
            return self(N_("{start} to {end}"), start=self.day(start), end=self.day(end))
        one = start or end
        return self.day(one) if one else _DASH

    def name(self, text: LocalizedName | None) -> str:
        return in_language(text, self.lang) if text is not None else _DASH

    def joined(self, values: list[str]) -> str:
        """Names side by side, with the language's comma (no 'and': a place, not a list)."""
        return ("، " if self.lang == "ar" else ", ").join(values)

    def items(self, values: list[str]) -> str:
        return format_list(values, locale=self.locale) if values else _DASH

    def size(self, size: int) -> str:
        for unit, scale in (("digital-megabyte", 1_000_000), ("digital-kilobyte", 1_000)):
            if size >= scale:
                amount = self.number(size / scale, "#,##0.#")
                return format_unit(amount, unit, length="short", locale=self.locale)
        return format_unit(self.number(size), "digital-byte", length="short", locale=self.locale)

    def clause(self, facts: ReportFacts, ref: str) -> str:
        """``ISO 9001 8.5.1 — title`` when the title is known."""
        title = facts.clause_titles.get(ref)
        text = in_language(title, self.lang) if title else ""
        return f"{clause_label(ref)} — {text}" if text else clause_label(ref)


@dataclass(frozen=True)
class _Finding:
    facts: FindingFacts
    cls: FindingClass
    clauses: list[str]
    question: QuestionFacts | None
    number: str
    """NC-01, OBS-02…; empty for what the report does not present as a card."""


def build_report(facts: ReportFacts, lang: Lang) -> ReportModel:
    """The complete report model of ``facts`` in ``lang``; it needs nothing else and decides no layout."""
    words = _Words(lang, ZoneInfo(facts.report.timezone))
    findings = _sorted_findings(facts)
    sections = [
        _scope_section(facts, words),
        _team_section(facts, words),
        _summary_section(facts, findings, words),
        _findings_section(facts, findings, words),
        _conclusions_section(facts, findings, words),
        _meetings_section(facts, words),
        _annex_section(facts, findings, words),
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


def _sorted_findings(facts: ReportFacts) -> list[_Finding]:
    """Class order, then clause order; cards numbered per prefix (NC numbers run over major then minor)."""
    rows: list[tuple[FindingFacts, FindingClass, list[str], QuestionFacts | None]] = []
    for finding in facts.findings:
        question = facts.questions.get(finding.question_id) if finding.question_id else None
        rows.append((finding, finding_class(finding, question), finding_clauses(facts, finding), question))
    rows.sort(key=lambda r: (_ORDER.index(r[1]), [clause_key(c) for c in r[2]], r[0].statement, r[0].id))
    counters: dict[str, int] = {}
    result: list[_Finding] = []
    for finding, cls, clauses, question in rows:
        prefix = _PREFIXES.get(cls)
        number = ""
        if prefix:
            counters[prefix] = counters.get(prefix, 0) + 1
            number = f"{prefix}-{counters[prefix]:02d}"
        result.append(_Finding(finding, cls, clauses, question, number))
    return result


def _audit_period(facts: ReportFacts, words: _Words) -> str:
    """From the opening to the closing meeting, as held; the planned dates where a meeting is missing."""
    start = words.local_day(facts.opening.held_at) if facts.opening else facts.audit.planned_start
    end = words.local_day(facts.closing.held_at) if facts.closing else facts.audit.planned_end
    return words.period(start, end)


def _lead_auditor(facts: ReportFacts, words: _Words) -> str:
    leads = [words.name(m.name) for m in facts.team if m.role == "lead"]
    return words.items(leads)


def _process(facts: ReportFacts, words: _Words) -> str:
    return words.name(facts.process) if facts.process else words(N_("No process (audited units only)"))


def _units(facts: ReportFacts, words: _Words) -> str:
    return words.items([words.name(unit) for unit in facts.units])


def _sites(facts: ReportFacts, words: _Words) -> str:
    return words.items([words.name(site.name) for site in facts.sites])


def _cover(facts: ReportFacts, words: _Words) -> list[Field]:
    report = facts.report
    version = words.number(report.version)
    if report.supersedes:
        version = words(N_("{version}, superseding {previous}"), version=version, previous=report.supersedes)
    language = BabelLocale.parse(words.lang).get_language_name(words.lang) or words.lang
    return _labelled(
        words,
        [
            (N_("Audit reference"), facts.audit.code),
            (N_("Process"), _process(facts, words)),
            (N_("Audited units"), _units(facts, words)),
            (N_("Sites"), _sites(facts, words)),
            (N_("Audit dates"), _audit_period(facts, words)),
            (N_("Lead auditor"), _lead_auditor(facts, words)),
            (N_("Report version"), version),
            (N_("Language"), language[:1].upper() + language[1:]),
            (N_("Issue date"), words.day(words.local_day(report.issued_at))),
        ],
    )


def _heading(words: _Words, text: str) -> Para:
    return Para(text=words(text), style="emphasis")


def _labelled(words: _Words, pairs: list[tuple[str, str]]) -> list[Field]:
    """Fields from (message, value) pairs; a pair without a value is left out."""
    return [Field(label=words(label), value=value) for label, value in pairs if value]


def _table(words: _Words, columns: list[str], rows: list[list[str]], widths: list[float]) -> Table:
    """A table whose column headings are messages (a heading already worded passes through unchanged)."""
    return Table(columns=[words(c) for c in columns], rows=rows, widths=widths)


def _scope_section(facts: ReportFacts, words: _Words) -> Section:
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
        (N_("Standards"), "\n".join(editions) or _DASH),
        (N_("Documents"), "\n".join(audit.criteria) or _DASH),
    ]
    return Section(
        title=words(N_("Objectives, scope and criteria")),
        blocks=[
            _heading(words, N_("Objectives")),
            Para(text=audit.objectives.strip() or _DASH),
            _heading(words, N_("Scope")),
            Fields(items=_labelled(words, scope)),
            _heading(words, N_("Criteria")),
            Fields(items=_labelled(words, criteria)),
        ],
    )


def _meeting_line(meeting: MeetingFacts | None, words: _Words) -> str:
    if meeting is None:
        return words(N_("Not recorded."))
    when = words.moment(meeting.held_at)
    return f"{when} — {meeting.place}" if meeting.place.strip() else when


def _team_section(facts: ReportFacts, words: _Words) -> Section:
    def _qualified(member: TeamMemberFacts) -> str:
        return words.items([STANDARD_LABELS[s] for s in member.qualifications])

    roles = {"lead": words(N_("Lead auditor")), "auditor": words(N_("Auditor"))}
    team = sorted(facts.team, key=lambda m: m.role != "lead")
    blocks: list[Block] = [
        _heading(words, N_("Audit team")),
        _table(
            words,
            [N_("Name"), N_("Role"), N_("Qualified for")],
            [[words.name(m.name), roles[m.role], _qualified(m)] for m in team],
            [3, 2, 2],
        ),
        _heading(words, N_("Auditees")),
    ]
    if facts.auditees:
        rows = [[words.name(a.name), words.name(a.unit)] for a in facts.auditees]
        blocks.append(_table(words, [N_("Name"), N_("Unit")], rows, [3, 3]))
    else:
        blocks.append(Para(text=_DASH))
    blocks.append(_heading(words, N_("Dates and places")))
    dates = [
        (N_("Audit dates"), _audit_period(facts, words)),
        (N_("Opening meeting"), _meeting_line(facts.opening, words)),
        (N_("Closing meeting"), _meeting_line(facts.closing, words)),
    ]
    blocks.append(Fields(items=_labelled(words, dates)))
    if facts.sites:
        rows = [[words.name(s.name), words.name(s.province)] for s in facts.sites]
        blocks.append(_table(words, [N_("Site"), N_("Province")], rows, [3, 2]))
    if facts.audit.agenda.strip():
        blocks.extend([_heading(words, N_("Agenda")), Para(text=facts.audit.agenda.strip())])
    return Section(title=words(N_("Audit team, auditees, dates and places")), blocks=blocks)


def _summary_section(facts: ReportFacts, findings: list[_Finding], words: _Words) -> Section:
    standards = list(facts.audit.standards)
    rows = []
    for cls in _ORDER:
        of_class = [f for f in findings if f.cls == cls]
        counts = [sum(1 for f in of_class if any(standard_of(c) == s for c in f.clauses)) for s in standards]
        rows.append([words(_MANY[cls]), *(words.number(n) for n in [*counts, len(of_class)])])
    checked = {f.facts.question_id for f in findings if f.facts.question_id and f.cls != "not_applicable"}
    return Section(
        title=words(N_("Summary of findings")),
        blocks=[
            _table(
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


def _chart(facts: ReportFacts, findings: list[_Finding], words: _Words) -> Chart:
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


def _photo_files(facts: ReportFacts) -> dict[str, bool]:
    """SHA-256 → whether the stored file is an image; a file without metadata is a photo when it has a
    capture time."""
    return {f.sha256: f.media_type.startswith("image/") for f in facts.evidence_files}


def _card(facts: ReportFacts, item: _Finding, words: _Words, first_photo: int) -> FindingCard:
    finding, question = item.facts, item.question
    clauses = words.joined([clause_label(c) for c in item.clauses])
    heading = " — ".join(part for part in (item.number, words(_ONE[item.cls]), clauses) if part)
    place = [words.name(n) for n in (finding.process, finding.unit, finding.site) if n is not None]
    question_text = f"{finding.question_id} — {in_language(question.text, words.lang)}" if question else ""
    kinds = _photo_files(facts)
    photos = [s for s in finding.attachments if kinds.get(s, s in finding.photos_taken_at)]
    documents = [s for s in finding.attachments if s not in photos]
    values = [
        (N_("Clauses concerned"), "\n".join(words.clause(facts, c) for c in item.clauses)),
        (N_("Statement"), finding.statement.strip()),
        (N_("Objective evidence"), finding.evidence.strip()),
        (N_("Auditee's response"), finding.auditee_response.strip()),
        (N_("Question"), question_text),
        (N_("Basis"), words(N_("Good practice")) if question and question.basis == "good_practice" else ""),
        (N_("Note"), words(_DOWNGRADED) if item.cls == "observation" != finding.verdict else ""),
        (N_("Place"), words.joined(place)),
        (N_("Attached documents"), "\n".join(f"SHA-256 {s}" for s in documents)),
    ]
    return FindingCard(
        heading=heading,
        tone=_TONES.get(item.cls, "neutral"),
        fields=_labelled(words, values),
        photos=[_photo(finding, sha, first_photo + i, words) for i, sha in enumerate(photos)],
    )


def _photo(finding: FindingFacts, sha: str, number: int, words: _Words) -> Photo:
    taken = finding.photos_taken_at.get(sha)
    prefix, shown = sha[:12], words.number(number)
    caption = (
        words(
            N_("Photo {number} — SHA-256 {sha}…, taken {time}"),
            number=shown,
            sha=prefix,
            time=words.moment(taken),
        )
        if taken
        else words(N_("Photo {number} — SHA-256 {sha}…"), number=shown, sha=prefix)
    )
    return Photo(sha256=sha, caption=caption)


_CARD_GROUPS: Final = (
    (("nc_major", "nc_minor"), N_("Nonconformities")),
    (("observation",), N_("Observations")),
    (("improvement",), N_("Opportunities for improvement")),
    (("strong_point",), N_("Strong points")),
)


def _findings_section(facts: ReportFacts, findings: list[_Finding], words: _Words) -> Section:
    blocks: list[Block] = []
    photo_number = 1
    for classes, title in _CARD_GROUPS:
        group = [f for f in findings if f.cls in classes]
        if group:
            blocks.append(_heading(words, title))
        for item in group:
            card = _card(facts, item, words, photo_number)
            photo_number += len(card.photos)
            blocks.append(card)
    not_applicable = [f for f in findings if f.cls == "not_applicable"]
    if not_applicable:
        blocks.append(_heading(words, N_("Questions not applicable")))
        rows = [
            [
                f.facts.question_id or _DASH,
                words.joined([clause_label(c) for c in f.clauses]) or _DASH,
                f.facts.statement.strip() or _DASH,
            ]
            for f in not_applicable
        ]
        blocks.append(_table(words, [N_("Question"), N_("Clauses"), N_("Reason")], rows, [1.5, 2.5, 5]))
    if any(f.cls == "conform" for f in findings):
        note = N_("Questions answered as conforming without a statement are counted above, not listed.")
        blocks.append(Para(text=words(note), style="note"))
    if not blocks:
        blocks.append(Para(text=words(N_("No finding was recorded."))))
    return Section(title=words(N_("Findings")), blocks=blocks, new_page=True)


def _conclusions_section(facts: ReportFacts, findings: list[_Finding], words: _Words) -> Section:
    conclusion = facts.conclusion
    counts = "\n".join(
        words(
            N_("{label}: {count}"),
            label=words(_MANY[cls]),
            count=words.number(sum(1 for f in findings if f.cls == cls)),
        )
        for cls in _ORDER[:5]
    )
    degrees = {d.standard: d for d in conclusion.degrees} if conclusion else {}
    rows = []
    for standard in facts.audit.standards:
        given = degrees.get(standard)
        degree = words(_DEGREES[given.degree]) if given else words(N_("Not assessed"))
        rows.append([STANDARD_LABELS[standard], degree, (given.comment.strip() if given else "") or _DASH])
    diverging = conclusion.diverging_opinions.strip() if conclusion else ""
    summary = conclusion.summary.strip() if conclusion else ""
    sampling = N_(
        "An audit examines a sample of the information available, not all of it: its findings and "
        "conclusions rest on that sample, so some uncertainty remains."
    )
    blocks: list[Block] = [
        _heading(words, N_("The lead auditor's conclusions")),
        Para(text=(conclusion.conclusions.strip() if conclusion else "") or words(N_("Not recorded."))),
        _heading(words, N_("Findings summary")),
        Para(text=counts),
        *([Para(text=summary)] if summary else []),
        _heading(words, N_("How far each standard's criteria are met")),
        _table(words, [N_("Standard"), N_("Degree"), N_("Comment")], rows, [2, 2, 5]),
        _heading(words, N_("Diverging opinions")),
        Para(text=diverging or words(N_("No unresolved diverging opinion."))),
        _heading(words, N_("Audit sampling")),
        Para(text=words(sampling)),
    ]
    return Section(title=words(N_("Conclusions")), blocks=blocks)


def _meeting_blocks(meeting: MeetingFacts | None, title: str, words: _Words) -> list[Block]:
    if meeting is None:
        return [_heading(words, title), Para(text=words(N_("Not recorded.")))]
    present = sum(1 for a in meeting.attendees if a.present)
    attendance = words(
        N_("{present} present of {invited} invited"),
        present=words.number(present),
        invited=words.number(len(meeting.attendees)),
    )
    fields = [
        (N_("Date and time"), words.moment(meeting.held_at)),
        (N_("Place"), meeting.place.strip() or _DASH),
        (N_("Attendance"), attendance),
        (N_("Notes"), meeting.notes.strip()),
    ]
    blocks: list[Block] = [_heading(words, title), Fields(items=_labelled(words, fields))]
    if meeting.attendees:
        yes, no = words(N_("Yes")), words(N_("No"))
        rows = [
            [
                a.name,
                a.role or _DASH,
                words.name(a.unit) if a.unit else a.organisation or _DASH,
                yes if a.present else no,
            ]
            for a in meeting.attendees
        ]
        columns = [N_("Name"), N_("Position"), N_("Unit or organisation"), N_("Present")]
        blocks.append(_table(words, columns, rows, [3, 2.5, 3, 1.2]))
    return blocks


def _signature_items(facts: ReportFacts, words: _Words) -> list[SignatureItem]:
    conclusion = facts.conclusion
    signed = {s.role: s for s in conclusion.signatures} if conclusion else {}
    items = []
    for role, label in _SIGNERS.items():
        signature = signed.get(role)
        if signature is not None:
            title, position = words(label), signature.signer_role.strip()
            if position and position.casefold() != title.casefold():
                title = f"{title} — {position}"
            moment = words.moment(signature.signed_at)
            items.append(
                SignatureItem(
                    name=signature.signer_name, role=title, signed_at=moment, image=signature.attachment
                )
            )
            continue
        reason = conclusion.auditee_unsigned_reason.strip() if conclusion and role != "lead_auditor" else ""
        note = words(N_("Did not sign: {reason}"), reason=reason) if reason else words(N_("Not signed."))
        name = _lead_auditor(facts, words) if role == "lead_auditor" else _DASH
        items.append(SignatureItem(name=name, role=words(label), signed_at="", note=note))
    return items


def _meetings_section(facts: ReportFacts, words: _Words) -> Section:
    blocks = [
        *_meeting_blocks(facts.opening, N_("Opening meeting"), words),
        *_meeting_blocks(facts.closing, N_("Closing meeting"), words),
        _heading(words, N_("Signatures")),
        Signatures(items=_signature_items(facts, words)),
    ]
    return Section(title=words(N_("Meetings and signatures")), blocks=blocks)


def _uses(facts: ReportFacts, findings: list[_Finding], words: _Words) -> dict[str, list[str]]:
    """SHA-256 → where the file is used, in the report's order: finding numbers, then signatures."""
    uses: dict[str, list[str]] = {}
    for item in findings:
        where = item.number or f"{words(_ONE[item.cls])} ({item.facts.question_id or _DASH})"
        for sha in item.facts.attachments:
            uses.setdefault(sha, []).append(where)
    for signature in facts.conclusion.signatures if facts.conclusion else []:
        label = words(_SIGNERS[signature.role])
        uses.setdefault(signature.attachment, []).append(
            words(N_("Signature of {name} ({role})"), name=signature.signer_name, role=label)
        )
    return uses


def _annex_section(facts: ReportFacts, findings: list[_Finding], words: _Words) -> Section:
    uses = _uses(facts, findings, words)
    known = {f.sha256: f for f in facts.evidence_files}
    order = list(uses) + sorted(sha for sha in known if sha not in uses)
    rows = []
    for index, sha in enumerate(order, start=1):
        file = known.get(sha)
        rows.append(
            [
                words.number(index),
                sha,
                file.media_type if file else _DASH,
                words.size(file.size) if file else _DASH,
                words.joined(uses.get(sha, [])) or _DASH,
            ]
        )
    columns = [N_("No."), "SHA-256", N_("Type"), N_("Size"), N_("Used in")]
    blocks: list[Block] = [
        _heading(words, N_("Evidence files")),
        _table(words, columns, rows, [0.6, 5, 1.6, 1.2, 2])
        if rows
        else Para(text=words(N_("No evidence file."))),
        Fields(items=_labelled(words, [(N_("Checklist version"), facts.checklist_version or _DASH)])),
    ]
    return Section(title=words(N_("Annex: evidence files and checklist")), blocks=blocks, new_page=True)

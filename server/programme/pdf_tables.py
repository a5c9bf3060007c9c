"""The tables of the programme's PDF: the month grid, the legend, the risk table, the coverage matrix and
the history, as ReportLab tables mirrored for right to left.

Each table is built in logical order (the reading-start column first, month 1 before month 12) with its
style commands in logical coordinates; :func:`mirrored_table` flips both in Arabic, so month 1 lands on
the right. Cell text is drawn by the signed reports' :class:`~server.reports.flowables.BidiText` (shaped,
broken in logical order, each paragraph in the direction of its own words).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final, TypeAlias

from reportlab.lib.colors import Color, HexColor
from reportlab.platypus import Flowable, Table, TableStyle

from server.lib.i18n import N_
from server.programme.export_model import LEVEL_LABELS, VERSION_STATUS_LABELS
from server.reports.blocks import HEADER_FILL, INK, MUTED, RULE
from server.reports.facts import clause_label, in_language
from server.reports.flowables import BidiText, TextStyle
from server.reports.textlayout import mostly_rtl, shape_word
from server.reports.wording import DASH

if TYPE_CHECKING:
    from collections.abc import Sequence

    from server.programme.export_model import ExportDoc
    from server.programme.schemas import EntryOut
    from server.reports.blocks import Kit

__all__ = [
    "COVERED_MARK",
    "OVERRIDE_MARK",
    "PINNED_FILL",
    "Footnote",
    "aligned_text",
    "coverage_table",
    "footnote_text",
    "grid_table",
    "history_table",
    "initials_legend",
    "marks_legend",
    "mirrored_table",
    "override_mark",
    "risk_table",
]

Cell: TypeAlias = "Flowable | list[Flowable] | str"
Command: TypeAlias = tuple[Any, ...]
"""A ReportLab table style command: (name, (col, row), (col, row), *values)."""

OVERRIDE_MARK: Final = "‡"
"""Beside the team of an audit with an independence override, numbered: ‡1, ‡2 (its footnote)."""


def override_mark(number: int) -> str:
    """``‡1``, isolated left to right: it reads ‡1 in an Arabic line too, as in the grid."""
    return f"\u2066{OVERRIDE_MARK}{number}\u2069"


COVERED_MARK: Final = "•"
"""A clause covered by an audit of that month (Amiri has a glyph for it; most symbols it lacks)."""
PINNED_FILL = HexColor("#DCE9F7")
OVERRIDE_FILL = HexColor("#FBE3C4")
BLOCKED_FILL = HexColor("#E6E6E6")
BEFORE_FILL = HexColor("#F2F4F7")
GAP_FILL = HexColor("#F6D3D3")
_LEVEL_FILLS: Final[dict[str, Color]] = {
    "high": HexColor("#F6D3D3"),
    "medium": HexColor("#FBE3C4"),
    "low": HexColor("#DDEFD9"),
}
_MONTHS: Final = range(1, 13)


def _flip(column: int, count: int) -> int:
    return count - 1 - (column % count)


def _mirror(command: Command, count: int) -> Command:
    name, (c0, r0), (c1, r1), *values = command
    left, right = sorted((_flip(c0, count), _flip(c1, count)))
    return (name, (left, r0), (right, r1), *values)


def mirrored_table(
    rows: list[list[Cell]],
    widths: Sequence[float],
    commands: Sequence[Command],
    *,
    rtl: bool,
    header: int = 1,
    lined: bool = True,
) -> Table:
    """A table from rows and column widths (points) in logical order, with a header of ``header`` rows
    (tinted, repeated on every page) and, if ``lined``, a grid; in right to left its columns and style
    commands are mirrored."""
    count = len(widths)
    style: list[Command] = [("BACKGROUND", (0, 0), (-1, header - 1), HEADER_FILL)] if header else []
    style += [("GRID", (0, 0), (-1, -1), 0.4, RULE)] if lined else []
    style += [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        *commands,
    ]
    if rtl:
        rows = [row[::-1] for row in rows]
        widths = list(widths)[::-1]
        style = [_mirror(c, count) for c in style]
    table = Table(rows, colWidths=list(widths), repeatRows=header, splitInRow=1)
    table.setStyle(TableStyle(style))
    return table


def aligned_text(kit: Kit, text: str, style: TextStyle) -> BidiText:
    """A paragraph in the direction of its own words, aligned on the document's side: a Latin code or
    ``ISO 9001`` in an Arabic table sits on the right like the Arabic around it (``Kit.text`` would put
    it on the left, the start of a left-to-right paragraph)."""
    rtl = mostly_rtl(text, style.rtl)
    align = style.align
    if rtl != style.rtl and align != "center":
        align = "end" if align == "start" else "start"
    return BidiText(text, replace(style, rtl=rtl, align=align), kit.typesetter)


def _text(kit: Kit, text: str, size: float = 8.0, *, bold: bool = False, color: Color = INK) -> BidiText:
    return aligned_text(kit, text, kit.style(size, bold=bold, color=color))


def _centred(kit: Kit, text: str, size: float = 8.0, *, bold: bool = False, color: Color = INK) -> Flowable:
    return kit.text(text, replace(kit.style(size, bold=bold, color=color), align="center"))


def _texts(kit: Kit, texts: Sequence[str], size: float = 8.0, *, bold: bool = False) -> list[Cell]:
    """Cells of text, an empty one as an empty string (no flowable to wrap)."""
    return [_text(kit, t, size, bold=bold) if t else "" for t in texts]


_HEADER_SIZE = 7.0
_CELL_PADDING = 12.0  # ReportLab's table cells: 6 points on each side


def _word_fit(kit: Kit, text: str, size: float = _HEADER_SIZE) -> float:
    """Width a cell needs so that no word of ``text`` (bold, ``size``) is cut."""
    font = kit.style(size, bold=True).font
    words = [shape_word(word) for word in text.split()] or [""]
    return max(kit.typesetter.width(word, font) * size for word in words) + _CELL_PADDING


def _headers(kit: Kit, doc: ExportDoc, msgids: Sequence[str]) -> list[Cell]:
    return _texts(kit, [doc.labels(m) for m in msgids], bold=True)


# ------------------------------------------------------------------ the month grid


@dataclass(frozen=True)
class Footnote:
    number: int
    entry: EntryOut


@dataclass
class _Grid:
    rows: list[list[Cell]] = field(default_factory=list)
    commands: list[Command] = field(default_factory=list)
    footnotes: list[Footnote] = field(default_factory=list)


def _team_text(doc: ExportDoc, entries: Sequence[EntryOut], grid: _Grid) -> str:
    """Initials, the lead first; an override numbered for its footnote; one line per audit."""
    texts = []
    for entry in entries:
        text = " ".join(doc.initials_of(p) for p in doc.team_ids(entry))
        if entry.override_reason:
            grid.footnotes.append(Footnote(len(grid.footnotes) + 1, entry))
            text += f" {override_mark(len(grid.footnotes))}"
        texts.append(text)
    return "\n".join(texts)


def _process_cell(kit: Kit, doc: ExportDoc, process_id: str, standards: Sequence[str]) -> list[Flowable]:
    name = f"{doc.process_code(process_id)} — {doc.process_name(process_id)}"
    cell = [_text(kit, name)]
    if standards:
        cell.append(_text(kit, doc.standards_text(standards), 7, color=MUTED))
    return cell


def grid_table(kit: Kit, doc: ExportDoc, width: float) -> tuple[Table, list[Footnote]]:
    """Processes × months: the teams' initials where an audit is planned; pinned cells tinted blue and
    framed, overrides tinted amber and numbered, months without audits greyed. Also the footnotes."""
    grid = _Grid()
    blocked = {b.month for b in doc.programme.blocked_months}
    header: list[Cell] = [_text(kit, doc.labels(N_("Process")), bold=True)]
    header += [_centred(kit, doc.month_name(m), bold=True) for m in _MONTHS]
    grid.rows.append(header)
    for month in blocked:
        grid.commands.append(("BACKGROUND", (month, 0), (month, -1), BLOCKED_FILL))
    for row, pid in enumerate(doc.process_ids_in_order(), start=1):
        entries = [e for e in doc.programme.entries if e.process_id == pid]
        risk = doc.risk_rows.get(pid)
        standards = risk.standards if risk else (entries[0].standards if entries else [])
        cells: list[Cell] = [_process_cell(kit, doc, pid, standards)]
        for month in _MONTHS:
            here = [e for e in entries if e.month == month]
            text = _team_text(doc, here, grid)
            cells.append(_centred(kit, text) if text else "")
            if any(e.override_reason for e in here):
                grid.commands.append(("BACKGROUND", (month, row), (month, row), OVERRIDE_FILL))
            elif any(e.pinned_month or e.pinned_team for e in here):
                grid.commands.append(("BACKGROUND", (month, row), (month, row), PINNED_FILL))
            if any(e.pinned_month or e.pinned_team for e in here):
                grid.commands.append(("BOX", (month, row), (month, row), 1.2, HexColor("#1F4E79")))
        grid.rows.append(cells)
    process_width = min(190.0, width * 0.25)
    widths = [process_width] + [(width - process_width) / 12] * 12
    return mirrored_table(grid.rows, widths, grid.commands, rtl=kit.rtl), grid.footnotes


def footnote_text(doc: ExportDoc, note: Footnote) -> str:
    entry = note.entry
    process = f"{doc.process_code(entry.process_id)} — {doc.process_name(entry.process_id)}"
    text = doc.label(
        N_("{process} ({month}): {reason}"),
        process=process,
        month=doc.month_name(entry.month),
        reason=entry.override_reason.strip(),
    )
    return f"{override_mark(note.number)} {text}"


def initials_legend(kit: Kit, doc: ExportDoc, width: float) -> list[Flowable]:
    """Each initials of the grid beside the person's name, four to a row (nothing when nobody is
    planned yet)."""
    people = dict.fromkeys(p for e in doc.programme.entries for p in doc.team_ids(e))
    pairs = [(doc.initials_of(p), doc.person(p)) for p in sorted(people, key=doc.initials_of)]
    per_row = 4
    rows: list[list[Cell]] = []
    for start in range(0, len(pairs), per_row):
        row: list[Cell] = []
        for initials, name in pairs[start : start + per_row]:
            row += [_text(kit, initials, bold=True), _text(kit, name)]
        rows.append(row + [""] * (2 * per_row - len(row)))
    if not rows:
        return []
    unit = width / per_row
    widths = [32.0, unit - 32.0] * per_row
    return [mirrored_table(rows, widths, [], rtl=kit.rtl, header=0, lined=False)]


def marks_legend(kit: Kit, doc: ExportDoc, width: float) -> Table:
    """What the grid's tints and marks mean, side by side: a sample cell, then its meaning."""
    keys: list[tuple[Color | None, str, str]] = [
        (None, "KA SB", N_("Team initials, the lead auditor first.")),
        (PINNED_FILL, "", N_("Month or team pinned by hand.")),
        (
            OVERRIDE_FILL,
            override_mark(1),
            N_("A member belongs to the audited unit or above it: see the note."),
        ),
        (BLOCKED_FILL, "", N_("No audits this month.")),
    ]
    row: list[Cell] = []
    commands: list[Command] = []
    for index, (fill, sample, msgid) in enumerate(keys):
        row += [_centred(kit, sample) if sample else "", _text(kit, doc.labels(msgid))]
        if fill is not None:
            commands.append(("BACKGROUND", (2 * index, 0), (2 * index, 0), fill))
        commands.append(("BOX", (2 * index, 0), (2 * index, 0), 0.4, RULE))
    sample_width = 34.0
    widths = [sample_width, width / len(keys) - sample_width] * len(keys)
    return mirrored_table([row], widths, commands, rtl=kit.rtl, header=0, lined=False)


# ------------------------------------------------------------------ risks, coverage, history


def risk_table(kit: Kit, doc: ExportDoc, width: float) -> Table:
    """Every process, highest score first: its risk inputs, score, level (tinted) and audits this year."""
    msgids = [
        N_("Code"), N_("Process"), N_("Audited unit"), N_("Criticality"), N_("Major nonconformities"),
        N_("Minor nonconformities"), N_("Open actions"), N_("Changes"), N_("Complaints"),
        N_("Months since the last audit"), N_("Score"), N_("Risk level"), N_("Audits this year"),
    ]  # fmt: skip
    labels = [doc.labels(m) for m in msgids]
    rows: list[list[Cell]] = [_texts(kit, labels, _HEADER_SIZE, bold=True)]
    commands: list[Command] = []
    for index, r in enumerate(sorted(doc.programme.risks, key=lambda r: (-r.score, r.code)), start=1):
        audits = str(r.audits_min) if r.audits_min == r.audits_max else f"{r.audits_min}–{r.audits_max}"
        since = DASH if r.months_since_last_audit is None else str(r.months_since_last_audit)
        numbers = [r.criticality, r.nc_major, r.nc_minor, r.open_actions, r.changes, r.complaints]
        level = doc.labels(LEVEL_LABELS.get(r.level, r.level))
        rows.append(
            [
                *_texts(kit, [r.code, doc.process_name(r.process_id), doc.owner_unit(r.process_id)]),
                *(_centred(kit, str(n)) for n in [*numbers, since]),
                _centred(kit, str(r.score), bold=True),
                _centred(kit, level),
                _centred(kit, audits),
            ]
        )
        commands.append(("BACKGROUND", (11, index), (11, index), _LEVEL_FILLS.get(r.level, HEADER_FILL)))
    # A number column is as wide as the longest word of its heading: headings break between words only.
    fixed = [40.0, 0.0, 0.0] + [max(34.0, _word_fit(kit, label)) for label in labels[3:]]
    rest = width - sum(fixed)
    fixed[1], fixed[2] = rest * 0.55, rest * 0.45
    return mirrored_table(rows, fixed, commands, rtl=kit.rtl)


def _coverage_status(doc: ExportDoc, uncoverable: bool, gap: bool, before: bool) -> str:
    if uncoverable:
        return doc.labels(N_("No question covers it"))
    if gap:
        return doc.labels(N_("Gap: not covered in the cycle"))
    if before:
        return doc.labels(N_("Covered earlier in the cycle"))
    return ""


def coverage_table(kit: Kit, doc: ExportDoc, width: float) -> Table:
    """Clauses × months: a mark where an audit of that month covers the clause; rows covered earlier in
    the cycle greyed and said so; gaps (and clauses no question covers) tinted red."""
    header: list[Cell] = _headers(kit, doc, [N_("Clause"), N_("Title")])
    header += [_centred(kit, doc.month_name(m, short=True), 7, bold=True) for m in _MONTHS]
    header += _headers(kit, doc, [N_("Status")])
    rows: list[list[Cell]] = [header]
    commands: list[Command] = []
    for index, c in enumerate(doc.programme.coverage, start=1):
        color = MUTED if c.covered_before and not c.months else INK
        cells: list[Cell] = [
            _text(kit, clause_label(c.clause), color=color),
            _text(kit, in_language(c.title, doc.lang), color=color),
        ]
        cells += [_centred(kit, COVERED_MARK, 10, bold=True) if m in c.months else "" for m in _MONTHS]
        status = _coverage_status(doc, c.uncoverable, c.gap, c.covered_before)
        cells.append(_text(kit, status, 7.5, color=color) if status else "")
        rows.append(cells)
        if c.gap or c.uncoverable:
            commands.append(("BACKGROUND", (0, index), (-1, index), GAP_FILL))
        elif c.covered_before:
            commands.append(("BACKGROUND", (0, index), (-1, index), BEFORE_FILL))
    month_width, clause_width, status_width = 27.0, 70.0, 150.0
    title_width = width - 12 * month_width - clause_width - status_width
    widths = [clause_width, title_width, *([month_width] * 12), status_width]
    return mirrored_table(rows, widths, commands, rtl=kit.rtl)


def history_table(kit: Kit, doc: ExportDoc, width: float) -> Table:
    """Each submitted version: its status, why it was made, the manager's comment, who and when."""
    msgids = [
        N_("Version"), N_("Status"), N_("Reason"), N_("Comment"), N_("Submitted by"), N_("Submitted on"),
        N_("Decided by"), N_("Decided on"),
    ]  # fmt: skip
    rows: list[list[Cell]] = [_headers(kit, doc, msgids)]
    for v in sorted(doc.programme.history, key=lambda v: v.number):
        status = doc.labels(VERSION_STATUS_LABELS.get(v.status, v.status))
        decided = doc.words.moment(v.decided_at) if v.decided_at else DASH
        texts = [status, v.reason or DASH, v.comment or DASH, doc.person(v.submitted_by)]
        texts += [
            doc.words.moment(v.submitted_at),
            doc.person(v.decided_by) if v.decided_by else DASH,
            decided,
        ]
        rows.append([_centred(kit, str(v.number)), *_texts(kit, texts)])
    fixed = [44.0, 90.0, 0.0, 0.0, 95.0, 88.0, 95.0, 88.0]
    fixed[2] = fixed[3] = (width - sum(fixed)) / 2
    return mirrored_table(rows, fixed, [], rtl=kit.rtl)

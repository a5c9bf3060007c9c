"""A programme as the API shows it, from stored rows and the universe of its year: pure assembly, no
I/O (``service.py`` reads what goes in)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import msgspec

from server.lib.structs import LocalizedName
from server.programme.coverage import cycle_bounds
from server.programme.model import Blocker
from server.programme.schemas import (
    CoverageRowOut,
    EntryOut,
    ExplanationOut,
    PolicyIO,
    ProgrammeOut,
    RiskRowOut,
    SolveOut,
    VersionOut,
)
from server.programme.wording import Names, blocker_message

if TYPE_CHECKING:
    from server.checklists.library import Localized3
    from server.lib.i18n import Locale
    from server.org.schemas import ProcessOut
    from server.programme.store import EntryRow, ProgrammeRow, RiskRow, VersionRow
    from server.programme.universe import Universe

__all__ = ["entry_out", "programme_out", "solve_out", "version_out"]


def entry_out(entry: EntryRow, audit_status: Mapping[str, str]) -> EntryOut:
    return EntryOut(
        id=entry.id,
        process_id=entry.process_id,
        occurrence=entry.occurrence,
        standards=list(entry.standards),  # type: ignore[arg-type]
        month=entry.month,
        start=entry.start,
        end=entry.end,
        lead_id=entry.lead_id,
        auditor_ids=list(entry.auditor_ids),
        pinned_month=entry.pinned_month,
        pinned_team=entry.pinned_team,
        override_reason=entry.override_reason,
        sequence=entry.sequence,
        audit_id=entry.audit_id,
        audit_status=audit_status.get(entry.audit_id) if entry.audit_id else None,
    )


def _risk_rows(
    universe: Universe, processes: Sequence[ProcessOut], notes: Mapping[str, RiskRow]
) -> list[RiskRowOut]:
    rows = []
    for process in sorted(processes, key=lambda p: p.code):
        risk = universe.risks.get(process.id)
        if risk is None:
            continue
        rows.append(
            RiskRowOut(
                process_id=process.id,
                code=process.code,
                name=process.name,
                owner_unit_id=process.owner_unit_id,
                standards=list(process.standards),
                criticality=risk.inputs.criticality,
                nc_major=risk.inputs.nc_major,
                nc_minor=risk.inputs.nc_minor,
                open_actions=risk.inputs.open_actions,
                changes=risk.inputs.changes,
                complaints=risk.inputs.complaints,
                months_since_last_audit=risk.inputs.months_since_last_audit,
                score=risk.score,
                level=risk.level,
                audits_min=risk.audits_min,
                audits_max=risk.audits_max,
                note=notes[process.id].note if process.id in notes else "",
            )
        )
    return rows


def _coverage_rows(
    universe: Universe, entries: Sequence[EntryRow], titles: Mapping[str, Localized3]
) -> list[CoverageRowOut]:
    out = []
    for row in universe.coverage([(e.process_id, e.month) for e in entries]):
        title = titles.get(row.clause)
        out.append(
            CoverageRowOut(
                clause=row.clause,
                standard=row.standard,  # type: ignore[arg-type]
                title=LocalizedName(ar=title.ar, fr=title.fr)
                if title
                else LocalizedName(ar=row.clause, fr=row.clause),
                covered_before=row.covered_before,
                months=list(row.months),
                gap=row.gap,
                uncoverable=row.uncoverable,
            )
        )
    return out


def solve_out(raw: Mapping[str, Any] | None, locale: Locale, year: int, names: Names) -> SolveOut | None:
    """The stored outcome of the last solve, its blockers worded in ``locale``."""
    if not raw:
        return None
    explanations = []
    for item in raw.get("blockers", []):
        blocker = Blocker(**{k: tuple(v) if isinstance(v, list) else v for k, v in item.items()})  # type: ignore[arg-type]
        explanations.append(
            ExplanationOut(
                kind=blocker.kind,
                message=blocker_message(locale, blocker, year, names),
                process_id=blocker.process_id,
                standard=blocker.standard,
                unit_id=blocker.unit_id,
                months=list(blocker.months),
                person_ids=list(blocker.person_ids),
                clause=blocker.clause,
            )
        )
    return SolveOut(
        status=raw["status"],
        objective=raw.get("objective"),
        greedy_objective=raw.get("greedy_objective"),
        seconds=raw.get("seconds", 0.0),
        solved_at=datetime.fromisoformat(raw["solved_at"]),
        explanations=explanations,
    )


def version_out(version: VersionRow) -> VersionOut:
    return VersionOut(
        number=version.number,
        status=version.status,  # type: ignore[arg-type]
        reason=version.reason,
        comment=version.comment,
        submitted_by=version.submitted_by,
        submitted_at=version.submitted_at,
        decided_by=version.decided_by,
        decided_at=version.decided_at,
    )


def programme_out(
    *,
    row: ProgrammeRow,
    entries: Sequence[EntryRow],
    universe: Universe,
    processes: Sequence[ProcessOut],
    notes: Mapping[str, RiskRow],
    titles: Mapping[str, Localized3],
    versions: Sequence[VersionRow],
    audit_status: Mapping[str, str],
    policy: PolicyIO,
    locale: Locale,
    names: Names,
) -> ProgrammeOut:
    return ProgrammeOut(
        id=row.id,
        year=row.year,
        status=row.status,  # type: ignore[arg-type]
        version=row.version,
        rev=row.rev,
        cycle=list(cycle_bounds(row.year, policy.cycle_start_year)),
        entries=[entry_out(e, audit_status) for e in entries],
        risks=_risk_rows(universe, processes, notes),
        coverage=_coverage_rows(universe, entries, titles),
        last_solve=solve_out(row.last_solve, locale, row.year, names),
        history=[version_out(v) for v in versions],
        blocked_months=list(policy.blocked_months),
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def snapshot(programme: ProgrammeOut) -> dict[str, Any]:
    """What a version keeps: the programme as submitted, without its (growing) history."""
    body: dict[str, Any] = msgspec.to_builtins(msgspec.structs.replace(programme, history=[]))
    return body

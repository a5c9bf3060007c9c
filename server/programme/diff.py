"""Differences between two versions of a programme, entry by entry (ISO 19011 asks that revisions of
the programme be recorded; the history shows these changes beside each revision's reason)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal, get_args

__all__ = ["CHANGE_KINDS", "Change", "ChangeKind", "EntryFacts", "diff_entries"]

ChangeKind = Literal["added", "removed", "moved", "team", "override"]
CHANGE_KINDS: Final[tuple[ChangeKind, ...]] = get_args(ChangeKind)


@dataclass(frozen=True)
class EntryFacts:
    """What a version says about one entry of the programme."""

    key: str
    """``process_id#occurrence``: the same audit across versions."""
    process_id: str
    occurrence: int
    month: int
    lead_id: str
    auditor_ids: tuple[str, ...]
    override_reason: str = ""


@dataclass(frozen=True)
class Change:
    """One difference. ``before`` and ``after`` are plain values: a month number for added, removed
    and moved; the team as comma-joined person ids (lead first, then the auditors sorted) for team;
    the reason for override. Empty where there is nothing (``before`` of an added entry)."""

    key: str
    process_id: str
    occurrence: int
    kind: ChangeKind
    before: str = ""
    after: str = ""


def _team(entry: EntryFacts) -> str:
    # The auditors are sorted so that a mere reordering is not reported as a team change.
    return ",".join((entry.lead_id, *sorted(entry.auditor_ids)))


def _by_key(entries: Sequence[EntryFacts], which: str) -> dict[str, EntryFacts]:
    found: dict[str, EntryFacts] = {}
    for entry in entries:
        if entry.key in found:
            raise ValueError(f"entry {entry.key!r} appears twice in the {which} version")
        found[entry.key] = entry
    return found


def _changes_of(before: EntryFacts, after: EntryFacts) -> list[Change]:
    """Changes of an entry present in both versions: its month, its team, its override reason."""
    changes: list[Change] = []

    def change(kind: ChangeKind, old: str, new: str) -> None:
        changes.append(Change(after.key, after.process_id, after.occurrence, kind, old, new))

    if before.month != after.month:
        change("moved", str(before.month), str(after.month))
    if _team(before) != _team(after):
        change("team", _team(before), _team(after))
    if before.override_reason.strip() != after.override_reason.strip():
        change("override", before.override_reason, after.override_reason)
    return changes


def diff_entries(old: Sequence[EntryFacts], new: Sequence[EntryFacts]) -> list[Change]:
    """Every change from ``old`` to ``new``, ordered by process id, then occurrence, then kind (added,
    removed, moved, team, override). A moved entry whose team changed too gives two changes.

    Raises ``ValueError`` when a key appears twice in one version.
    """
    before, after = _by_key(old, "old"), _by_key(new, "new")
    changes: list[Change] = []
    for key, entry in after.items():
        if key not in before:
            changes.append(Change(key, entry.process_id, entry.occurrence, "added", "", str(entry.month)))
        else:
            changes.extend(_changes_of(before[key], entry))
    for key, entry in before.items():
        if key not in after:
            changes.append(Change(key, entry.process_id, entry.occurrence, "removed", str(entry.month), ""))
    changes.sort(key=lambda c: (c.process_id, c.occurrence, CHANGE_KINDS.index(c.kind), c.key))
    return changes

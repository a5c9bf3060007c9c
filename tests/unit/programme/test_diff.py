from __future__ import annotations

import pytest

from server.programme.diff import Change, EntryFacts, diff_entries


def entry(
    process_id: str,
    occurrence: int,
    month: int,
    lead: str = "ana",
    auditors: tuple[str, ...] = (),
    reason: str = "",
) -> EntryFacts:
    return EntryFacts(f"{process_id}#{occurrence}", process_id, occurrence, month, lead, auditors, reason)


def test_identical_versions_have_no_changes() -> None:
    version = [entry("p1", 0, 3, auditors=("badr",)), entry("p1", 1, 9)]
    assert diff_entries(version, list(reversed(version))) == []


def test_added_and_removed_entries_give_their_month() -> None:
    changes = diff_entries([entry("p1", 0, 3)], [entry("p2", 0, 5)])
    assert changes == [
        Change("p1#0", "p1", 0, "removed", "3", ""),
        Change("p2#0", "p2", 0, "added", "", "5"),
    ]


def test_a_moved_entry_with_a_new_team_gives_two_changes() -> None:
    old = [entry("p1", 0, 3, auditors=("badr",))]
    new = [entry("p1", 0, 4, lead="chama", auditors=("badr", "driss"))]
    assert diff_entries(old, new) == [
        Change("p1#0", "p1", 0, "moved", "3", "4"),
        Change("p1#0", "p1", 0, "team", "ana,badr", "chama,badr,driss"),
    ]


def test_reordered_auditors_are_not_a_team_change() -> None:
    old = [entry("p1", 0, 3, auditors=("badr", "chama"))]
    new = [entry("p1", 0, 3, auditors=("chama", "badr"))]
    assert diff_entries(old, new) == []


def test_a_new_or_dropped_override_reason_is_a_change() -> None:
    old = [entry("p1", 0, 3), entry("p2", 0, 3, reason="only ISO 45001 lead")]
    new = [entry("p1", 0, 3, reason="sole qualified auditor"), entry("p2", 0, 3)]
    assert diff_entries(old, new) == [
        Change("p1#0", "p1", 0, "override", "", "sole qualified auditor"),
        Change("p2#0", "p2", 0, "override", "only ISO 45001 lead", ""),
    ]


def test_changes_are_ordered_by_process_occurrence_then_kind() -> None:
    old = [entry("p2", 1, 10), entry("p2", 0, 2), entry("p1", 0, 1, reason="x")]
    new = [entry("p1", 0, 2), entry("p2", 0, 2, lead="badr"), entry("p1", 1, 8)]
    assert [(c.process_id, c.occurrence, c.kind) for c in diff_entries(old, new)] == [
        ("p1", 0, "moved"),
        ("p1", 0, "override"),
        ("p1", 1, "added"),
        ("p2", 0, "team"),
        ("p2", 1, "removed"),
    ]


def test_a_key_twice_in_one_version_is_refused() -> None:
    with pytest.raises(ValueError, match="p1#0"):
        diff_entries([entry("p1", 0, 3), entry("p1", 0, 4)], [])

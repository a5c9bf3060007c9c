from __future__ import annotations

from server.lib.principal import Principal, Role
from server.org.logic import ancestors, descendants, may_see_person_details, would_create_cycle

TREE = {"dgs": None, "daf": "dgs", "daf-bud": "daf", "daf-bud-compta": "daf-bud", "dsi": "dgs"}


def test_ancestors_nearest_first() -> None:
    assert ancestors("daf-bud-compta", TREE) == ["daf-bud", "daf", "dgs"]
    assert ancestors("dgs", TREE) == []


def test_descendants_at_any_depth() -> None:
    assert descendants("daf", TREE) == {"daf-bud", "daf-bud-compta"}
    assert descendants("daf-bud-compta", TREE) == set()


def test_cycles_are_detected() -> None:
    assert would_create_cycle("daf", "daf-bud-compta", TREE)
    assert would_create_cycle("daf", "daf", TREE)
    assert not would_create_cycle("daf", "dsi", TREE)
    assert not would_create_cycle("daf", None, TREE)


def test_person_details_visibility() -> None:
    auditor = Principal(user_id="u", username="a", roles=frozenset({Role.AUDITOR}), person_id="p1")
    manager = Principal(user_id="m", username="m", roles=frozenset({Role.MANAGER}))
    assert may_see_person_details(auditor, "p1")
    assert not may_see_person_details(auditor, "p2")
    assert may_see_person_details(manager, "p2")

from __future__ import annotations

from datetime import date

import pytest

from server.lib.errors import AppError, ErrorCode
from server.lib.principal import Principal, Role
from server.org.logic import (
    ancestors,
    check_unique_standards,
    descendants,
    may_see_person_details,
    would_create_cycle,
)
from server.org.schemas import QualificationIO

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


def test_a_repeated_qualification_is_422_naming_the_entry() -> None:
    held = QualificationIO(standard="iso9001", since=date(2020, 1, 1))
    with pytest.raises(AppError) as repeated:
        check_unique_standards([held, QualificationIO(standard="iso14001", since=date(2021, 1, 1)), held])
    assert (repeated.value.code, repeated.value.status) == (ErrorCode.DUPLICATE_QUALIFICATION, 422)
    assert repeated.value.details == {"field": "qualifications[2].standard"}

from __future__ import annotations

from server.trail.logic import changed_fields


def test_create_and_delete_list_every_field() -> None:
    assert changed_fields(None, {"code": "A", "name": "x"}) == {"code": [None, "A"], "name": [None, "x"]}
    assert changed_fields({"code": "A"}, None) == {"code": ["A", None]}


def test_update_lists_only_written_fields_that_changed() -> None:
    before = {"id": "1", "code": "A", "name": "x"}
    assert changed_fields(before, {"code": "A", "name": "y"}) == {"name": ["x", "y"]}

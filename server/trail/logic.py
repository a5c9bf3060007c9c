"""What changed between two versions of a record, as the audit trail stores it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["changed_fields"]


def changed_fields(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for every field whose value differs (all fields on create/delete).

    On an update only the fields that were written count: a stored column the change did not
    touch (an id, a timestamp) is not a change.
    """
    old = dict(before or {})
    new = dict(after or {})
    keys = new.keys() if before is not None and after is not None else old.keys() | new.keys()
    return {key: [old.get(key), new.get(key)] for key in sorted(keys) if old.get(key) != new.get(key)}

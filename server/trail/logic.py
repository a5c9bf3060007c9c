"""What changed between two versions of a record, as the audit trail stores it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["changed_fields"]


def changed_fields(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for every field whose value differs (all fields on create/delete)."""
    old = dict(before or {})
    new = dict(after or {})
    return {
        key: [old.get(key), new.get(key)]
        for key in sorted(old.keys() | new.keys())
        if old.get(key) != new.get(key)
    }

"""Small helpers for what the stores read back and send in queries: one place each."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

__all__ = ["IN_LIST_CHUNK", "chunked", "json_list", "json_value"]

T = TypeVar("T")

IN_LIST_CHUNK = 1000
"""Values per ``IN (...)`` list: well within SQLite's 32,766 and PostgreSQL's 32,767 parameters."""


def json_value(value: Any) -> Any:
    """A JSON column as Python: SQLite hands back text, PostgreSQL (asyncpg) may hand back text or values."""
    return json.loads(value) if isinstance(value, str) else value


def json_list(value: Any) -> list[str]:
    """A JSON list-of-strings column (null reads as an empty list)."""
    return [str(item) for item in json_value(value) or []]


def chunked(items: Sequence[T], size: int = IN_LIST_CHUNK) -> Iterator[Sequence[T]]:
    """``items`` in consecutive slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]

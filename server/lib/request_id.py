"""The request id: one short token per request, in the ``X-Request-Id`` response header, in every error
body and in the request's log line, so a user's screenshot of an error leads to that line.

A reverse proxy's id (nginx ``$request_id``) is kept when it is a short token of safe characters, so the
proxy's log and ours share it; anything else a client sends (long, spaced, a newline meant to forge a
log line) is ignored and a fresh id is made.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from litestar.types import Scope

__all__ = ["HEADER", "choose_request_id", "request_id_of", "set_request_id"]

HEADER: Final = "x-request-id"
_SAFE: Final = re.compile(r"[A-Za-z0-9._-]{1,64}")
_STATE_KEY: Final = "tadqiq.request_id"


def choose_request_id(headers: Iterable[tuple[bytes, bytes]]) -> str:
    """The incoming ``X-Request-Id`` if it is a safe token (the first one), else a new random id."""
    for name, value in headers:
        if name.lower() == HEADER.encode():
            incoming = value.decode("latin-1")
            return incoming if _SAFE.fullmatch(incoming) else secrets.token_hex(8)
    return secrets.token_hex(8)


def set_request_id(scope: Scope, request_id: str) -> None:
    scope.setdefault("state", {})[_STATE_KEY] = request_id


def request_id_of(scope: Mapping[str, object]) -> str | None:
    """The id of the request of ``scope`` (None outside the app, e.g. in a unit test's bare scope)."""
    state = scope.get("state")
    value = state.get(_STATE_KEY) if isinstance(state, dict) else None
    return value if isinstance(value, str) else None

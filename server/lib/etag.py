"""HTTP preconditions: strong ETags with ``If-None-Match`` → 304 for pre-encoded JSON bodies, and the
revision a client read (``If-Match`` or a ``rev`` field) checked before a write (428 / 412).

A handler sets the strong tag of the bytes it answers; when the answer goes out compressed the
compression middleware weakens it (``W/"…"``, :mod:`server.lib.response_compression`), so
``If-None-Match`` is compared weakly, as RFC 9110 §13.1.2 says (:func:`none_match`). A revision tag
(``"7"``, sent back in ``If-Match``, compared strongly) is never weakened: its answers go uncompressed."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Annotated, Any, Final

from litestar import MediaType, Request, Response
from litestar.datastructures import ResponseHeader
from litestar.params import HeaderParameter

from server.lib.errors import AppError, ErrorCode, FieldError

__all__ = [
    "IF_MATCH_PATTERN",
    "REVISION_ETAG",
    "IfMatch",
    "check_revision",
    "conditional_json",
    "expected_revision",
    "is_revision_etag",
    "none_match",
    "revision_etag",
    "revisions_read",
    "strong_etag",
]


def strong_etag(body: bytes) -> str:
    return f'"{hashlib.sha256(body).hexdigest()[:40]}"'


def none_match(if_none_match: str | None, etag: str) -> bool:
    """True when ``If-None-Match`` is ``*`` or names ``etag``, compared weakly: ``W/"x"`` (the tag of the
    compressed answer) and ``"x"`` name the same content."""
    if not if_none_match:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag.removeprefix("W/") in tags


def conditional_json(
    request: Request[Any, Any, Any], body: bytes, etag: str, headers: dict[str, str] | None = None
) -> Response[Any]:
    """304 with no body when the client already holds ``etag``, else the body as JSON (sent as is)."""
    all_headers = {"ETag": etag, "Cache-Control": "private, no-cache", **(headers or {})}
    if none_match(request.headers.get("if-none-match"), etag):
        return Response(content=b"", status_code=304, headers=all_headers)
    return Response(content=body, media_type=MediaType.JSON, headers=all_headers)


# ---------------------------------------------------------------- revisions (optimistic concurrency)

IF_MATCH_PATTERN: Final = r'^(W/)?"[0-9]{1,10}"$|^[0-9]{1,10}$'
"""What ``If-Match`` may hold: the ``rev`` read, as ``"7"`` (its ETag), ``W/"7"`` or ``7``; ASCII digits."""
_IF_MATCH = re.compile(r'(?:W/)?"([0-9]{1,10})"|([0-9]{1,10})')

IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        required=False,
        pattern=IF_MATCH_PATTERN,
        description='The rev you read, e.g. "7" (the ETag); or send it as the body\'s rev field.',
    ),
]
"""The ``If-Match`` parameter of a route that changes a revisioned item."""

REVISION_ETAG = [
    ResponseHeader(
        name="ETag", documentation_only=True, description='The rev, e.g. "7": send it back as If-Match.'
    )
]
"""The ``ETag`` response header of such a route, for the OpenAPI document."""


def revision_etag(rev: int) -> str:
    return f'"{rev}"'


_REVISION_TAG = re.compile(r'"[0-9]{1,10}"')


def is_revision_etag(etag: str | None) -> bool:
    """Whether ``etag`` is a :func:`revision_etag` (content tags are hashes of 32 hex digits or more):
    such answers are sent uncompressed, so that the tag stays strong for ``If-Match``."""
    return etag is not None and _REVISION_TAG.fullmatch(etag) is not None


def _if_match_revision(if_match: str | None) -> int | None:
    if if_match is None:
        return None
    match = _IF_MATCH.fullmatch(if_match.strip())
    if match is None:
        raise AppError(
            ErrorCode.VALIDATION_FAILED,
            details=[FieldError(field="If-Match", message='expected the rev read, e.g. "7"')],
        )
    return int(match.group(1) or match.group(2))


def revisions_read(if_match: str | None, body_rev: int | None) -> tuple[int, ...]:
    """The revisions the client says it read, from ``If-Match`` and the body's ``rev`` (empty if neither).

    A malformed ``If-Match`` is 400. When both are sent, both must be the stored revision: if they
    differ, :func:`check_revision` refuses the write with 412 (each is well formed on its own)."""
    return tuple(rev for rev in (_if_match_revision(if_match), body_rev) if rev is not None)


def expected_revision(if_match: str | None, body_rev: int | None) -> int | None:
    """The one revision the client says it read (None if neither); a header and a body that disagree
    are refused with 400. Prefer :func:`revisions_read`, which lets the stored revision decide."""
    header_rev = _if_match_revision(if_match)
    if header_rev is not None and body_rev is not None and header_rev != body_rev:
        raise AppError(
            ErrorCode.VALIDATION_FAILED,
            details=[FieldError(field="rev", message="differs from the If-Match header")],
        )
    return header_rev if header_rev is not None else body_rev


def check_revision(read: Sequence[int], current: int) -> None:
    """Call inside the write transaction, with the stored ``current`` revision: 428
    ``request.precondition_required`` when the client did not say which revision it read, 412
    ``request.precondition_failed`` (``details={"currentRev": current}``) when the item moved on since."""
    if not read:
        raise AppError(ErrorCode.PRECONDITION_REQUIRED, details={"header": "If-Match", "field": "rev"})
    if any(rev != current for rev in read):
        raise AppError(ErrorCode.PRECONDITION_FAILED, details={"currentRev": current})

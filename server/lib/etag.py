"""Strong ETags and the ``If-None-Match`` → 304 answer for pre-encoded JSON bodies."""

from __future__ import annotations

import hashlib
from typing import Any

from litestar import MediaType, Request, Response

__all__ = ["conditional_json", "strong_etag"]


def strong_etag(body: bytes) -> str:
    return f'"{hashlib.sha256(body).hexdigest()[:40]}"'


def conditional_json(
    request: Request[Any, Any, Any], body: bytes, etag: str, headers: dict[str, str] | None = None
) -> Response[Any]:
    """304 with no body when the client already holds ``etag``, else the body as JSON (sent as is)."""
    all_headers = {"ETag": etag, "Cache-Control": "private, no-cache", **(headers or {})}
    if etag in [tag.strip() for tag in request.headers.get("if-none-match", "").split(",")]:
        return Response(content=b"", status_code=304, headers=all_headers)
    return Response(content=body, media_type=MediaType.JSON, headers=all_headers)

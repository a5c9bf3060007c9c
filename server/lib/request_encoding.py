"""Compressed request bodies: ``Content-Encoding: gzip`` inflated on the way in, on the routes that opt in.

A tablet on a weak mobile link sends its push batches gzipped (the app's ``CompressionStream``). The
body is inflated while the handler reads it, at most ``SLICE`` bytes per step, so the handler sees the
plain JSON it always saw: the push hashes those bytes for its idempotency check, and a batch sent once
gzipped and once plain is the same batch. Both the bytes received and the bytes inflated are held to the
route's body limit, and inflation stops the moment either passes it: a gzip bomb costs at most the limit
and gets 413.

Any other coding (``br``, ``deflate``, ``compress``, ``zstd``, a stack of several), or gzip on a route
that did not opt in, gets 415: the handler would otherwise read compressed bytes as its body (a JSON
error at best, a stored attachment that is not the file at worst). ``identity`` is no coding at all.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Collection
from typing import TYPE_CHECKING, Final

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import Empty
from litestar.utils.scope.state import ScopeState

from server.lib.errors import AppError, ErrorCode

if TYPE_CHECKING:
    from litestar.types import ASGIApp, HTTPRequestEvent, Receive, ReceiveMessage, Scope, Send

__all__ = ["SLICE", "RequestDecodingMiddleware", "body_codings"]

SLICE: Final = 64 * 1024
"""Most bytes inflated per step: what one ``receive()`` hands the handler, whatever the ratio."""

_GZIP: Final = 31  # zlib wbits: a gzip header and trailer (CRC-32, length) around the deflate stream
_ALIASES: Final = {"x-gzip": "gzip"}  # RFC 9110 §8.4.1.3: x-gzip is gzip
_UNPRINTABLE: Final = re.compile(r"[^\x20-\x7e]")


def body_codings(headers: Collection[tuple[bytes, bytes]]) -> list[str]:
    """The codings applied to the body, in order, ``identity`` left out (every Content-Encoding line)."""
    codings: list[str] = []
    for name, value in headers:
        if name.lower() != b"content-encoding":
            continue
        for token in value.decode("latin-1").split(","):
            coding = token.strip().lower()
            if coding and coding != "identity":
                codings.append(_ALIASES.get(coding, coding))
    return codings


def _unsupported(headers: Collection[tuple[bytes, bytes]]) -> AppError:
    said = ", ".join(
        value.decode("latin-1").strip() for name, value in headers if name.lower() == b"content-encoding"
    )
    return AppError(ErrorCode.UNSUPPORTED_ENCODING, params={"encoding": _UNPRINTABLE.sub("?", said)[:40]})


def _too_large(limit: int) -> AppError:
    # The rest of the body is never read: the connection cannot be reused.
    return AppError(ErrorCode.BODY_TOO_LARGE, params={"limit": limit}, headers={"Connection": "close"})


def _bad_stream() -> AppError:
    return AppError(ErrorCode.BAD_ENCODING)


class _Inflater:
    """A ``receive`` that hands on the inflated body, one bounded slice per call."""

    def __init__(self, receive: Receive, limit: int | None) -> None:
        self._receive = receive
        self._limit = limit
        self._inflate = zlib.decompressobj(wbits=_GZIP)
        self._pending = b""  # received, not yet inflated
        self._full = False  # the last slice was full: zlib may still hold output without more input
        self._ended = False  # the client sent its last bytes
        self._received = 0
        self._produced = 0

    async def __call__(self) -> ReceiveMessage:
        if self._pending or self._full:
            return self._slice()
        if self._ended:
            if not self._inflate.eof:
                raise _bad_stream()  # cut short: the gzip trailer never came
            last: HTTPRequestEvent = {"type": "http.request", "body": b"", "more_body": False}
            return last
        message = await self._receive()
        if message["type"] != "http.request":
            return message  # http.disconnect: the handler's reader knows what to do
        body = message.get("body", b"")
        self._received += len(body)
        if self._limit is not None and self._received > self._limit:
            raise _too_large(self._limit)
        self._ended = not message.get("more_body", False)
        self._pending = body
        return self._slice()

    def _slice(self) -> HTTPRequestEvent:
        if self._inflate.eof:
            # RFC 1952 allows members one after another; anything else there is not gzip (400).
            self._inflate = zlib.decompressobj(wbits=_GZIP)
        try:
            out = self._inflate.decompress(self._pending, SLICE)
        except zlib.error as exc:
            raise _bad_stream() from exc
        self._pending = self._inflate.unconsumed_tail
        if self._inflate.eof:
            self._pending = self._inflate.unused_data + self._pending
        self._full = len(out) == SLICE and not self._inflate.eof
        self._produced += len(out)
        if self._limit is not None and self._produced > self._limit:
            raise _too_large(self._limit)
        inflated: HTTPRequestEvent = {"type": "http.request", "body": out, "more_body": True}
        return inflated


def _route_limit(scope: Scope, default: int | None) -> int | None:
    handler = scope.get("route_handler")
    resolve = getattr(handler, "resolve_request_max_body_size", None)
    limit = resolve() if resolve is not None else None
    return limit if isinstance(limit, int) else default


class RequestDecodingMiddleware(ASGIMiddleware):
    """Inflates gzip request bodies on ``paths``; refuses any other coding, and gzip elsewhere, with 415.

    ``default_limit`` holds an opted-in route that sets no ``request_max_body_size`` of its own (it reads
    the stream and counts itself, like the outbox import); a route's own limit always wins.
    """

    scopes = (ScopeType.HTTP,)

    def __init__(self, paths: Collection[str], *, default_limit: int | None = None) -> None:
        self.paths = frozenset(paths)
        self.default_limit = default_limit

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        headers = list(scope["headers"])
        codings = body_codings(headers)
        if not codings:
            await next_app(scope, receive, send)
            return
        if codings != ["gzip"] or scope["path"] not in self.paths:
            raise _unsupported(headers)
        # The inflated length is unknown: the handler reads to the end of the stream instead.
        scope["headers"] = [
            (name, value)
            for name, value in headers
            if name.lower() not in (b"content-encoding", b"content-length")
        ]
        ScopeState.from_scope(scope).headers = Empty  # an outer middleware may have read them already
        await next_app(scope, _Inflater(receive, _route_limit(scope, self.default_limit)), send)

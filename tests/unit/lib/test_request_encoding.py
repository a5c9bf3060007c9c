"""Gzip request bodies, driven as plain ASGI: inflated a bounded slice at a time, held to the route's limit
before and after inflation (a gzip bomb stops at the limit, in bounded memory), a damaged stream 400, any
other coding 415."""

from __future__ import annotations

import gzip
import os
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from server.lib.errors import AppError, ErrorCode
from server.lib.request_encoding import SLICE, RequestDecodingMiddleware, body_codings

PUSH = "/api/v1/sync/push"


@dataclass
class _Route:
    """What the middleware asks of a route handler: its body limit."""

    limit: int | None

    def resolve_request_max_body_size(self) -> int | None:
        return self.limit


@dataclass
class _Reader:
    """A handler that reads the body to its end, as Litestar's ``request.stream()`` does."""

    keep: bool = True
    chunks: list[int] = field(default_factory=list)
    body: bytearray = field(default_factory=bytearray)
    scope: dict[str, Any] = field(default_factory=dict)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.scope = scope
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return
            self.chunks.append(len(message["body"]))
            if self.keep:
                self.body += message["body"]
            if not message.get("more_body", False):
                return


class _Client:
    """The client side of ``receive``: the body in the given messages, then a disconnect."""

    def __init__(self, parts: Iterator[bytes] | list[bytes]) -> None:
        self._parts = iter(parts)
        self._next: bytes | None = next(self._parts, None)
        self.sent = 0

    async def __call__(self) -> dict[str, Any]:
        if self._next is None:
            return {"type": "http.disconnect"}
        body, self._next = self._next, next(self._parts, None)
        self.sent += len(body)
        return {"type": "http.request", "body": body, "more_body": self._next is not None}


def _scope(encoding: str | None, path: str = PUSH, limit: int | None = 16 << 20) -> dict[str, Any]:
    headers = [(b"content-type", b"application/json"), (b"content-length", b"123")]
    if encoding is not None:
        headers.append((b"content-encoding", encoding.encode()))
    return {"type": "http", "path": path, "headers": headers, "route_handler": _Route(limit)}


async def _run(
    scope: dict[str, Any], parts: Iterator[bytes] | list[bytes], reader: _Reader | None = None, **kw: Any
) -> _Reader:
    reader = reader or _Reader()
    app = RequestDecodingMiddleware(paths={PUSH}, **kw)(reader)
    await app(scope, _Client(parts), None)  # type: ignore[arg-type]  # plain dicts, as an ASGI server sends
    return reader


def _pieces(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)] or [b""]


def _zeros_gzip(total: int, step: int = 1 << 20) -> Iterator[bytes]:
    """``total`` zero bytes gzipped, produced lazily: never more than ``step`` zeros in memory."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(step)
    for _ in range(total // step):
        if out := squeeze.compress(zeros):
            yield out
    yield squeeze.flush()


BATCH = (
    b'{"deviceId":"tablet-1","ops":['
    + b",".join(b'{"op":"deleteFinding","id":"x"}' for _ in range(2000))
    + b"]}"
)


async def test_a_plain_body_passes_untouched() -> None:
    for encoding in (None, "identity", " Identity "):
        scope = _scope(encoding)
        reader = await _run(scope, _pieces(BATCH, 1000))
        assert bytes(reader.body) == BATCH
        assert (b"content-length", b"123") in reader.scope["headers"]


async def test_gzip_sent_in_small_pieces_is_inflated_in_bounded_slices() -> None:
    packed = gzip.compress(BATCH * 40)
    for encoding in ("gzip", "GZIP", "x-gzip", "identity, gzip"):
        reader = await _run(_scope(encoding), _pieces(packed, 7))
        assert bytes(reader.body) == BATCH * 40
        assert max(reader.chunks) <= SLICE
        names = [name for name, _ in reader.scope["headers"]]
        assert b"content-encoding" not in names and b"content-length" not in names
        assert b"content-type" in names


async def test_one_small_message_that_inflates_to_megabytes_comes_out_in_slices() -> None:
    packed = gzip.compress(bytes(3 << 20))
    assert len(packed) < 8 << 10
    reader = await _run(_scope("gzip"), [packed])
    assert len(reader.body) == 3 << 20 and not any(reader.body)
    assert max(reader.chunks) == SLICE and len(reader.chunks) >= (3 << 20) // SLICE


async def test_members_one_after_another_read_as_one_body() -> None:
    reader = await _run(_scope("gzip"), [gzip.compress(b'{"a":'), gzip.compress(b"1}")])
    assert bytes(reader.body) == b'{"a":1}'


async def test_the_inflated_body_is_held_to_the_route_limit() -> None:
    reader = _Reader()
    with pytest.raises(AppError) as caught:
        await _run(_scope("gzip", limit=1 << 20), [gzip.compress(bytes((1 << 20) + 1))], reader)
    assert caught.value.code is ErrorCode.BODY_TOO_LARGE and caught.value.status == 413
    assert caught.value.params == {"limit": 1 << 20}
    assert caught.value.headers == {"Connection": "close"}
    assert len(reader.body) <= 1 << 20  # the slice that passed the limit never reached the handler
    exact = await _run(_scope("gzip", limit=1 << 20), [gzip.compress(bytes(1 << 20))])
    assert len(exact.body) == 1 << 20


async def test_the_gzip_bytes_are_held_to_the_route_limit_too() -> None:
    noise = gzip.compress(os.urandom(200_000))  # incompressible: the gzip is larger than its content
    with pytest.raises(AppError) as caught:
        await _run(_scope("gzip", limit=len(noise) - 1), _pieces(noise, 4096))
    assert caught.value.code is ErrorCode.BODY_TOO_LARGE


async def test_a_route_without_its_own_limit_gets_the_default_one() -> None:
    scope = _scope("gzip", limit=None)
    with pytest.raises(AppError) as caught:
        await _run(scope, [gzip.compress(bytes(300_000))], default_limit=200_000)
    assert caught.value.params == {"limit": 200_000}
    unbounded = await _run(_scope("gzip", limit=None), [gzip.compress(bytes(300_000))])
    assert len(unbounded.body) == 300_000


async def test_a_gigabyte_bomb_stops_at_the_limit_quickly_in_bounded_memory() -> None:
    """1 GiB of zeros gzipped (about 1 MB), sent in pieces as a client would: refused after at most the
    limit, most of the bomb never read, and no more than a few slices ever held."""
    client = _Client(_zeros_gzip(1 << 30))
    reader = _Reader(keep=False)
    app = RequestDecodingMiddleware(paths={PUSH})(reader)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(AppError) as caught:
            await app(_scope("gzip"), client, None)  # type: ignore[arg-type]
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.code is ErrorCode.BODY_TOO_LARGE
    assert sum(reader.chunks) <= 16 << 20
    assert client.sent < 100_000  # 16 MiB of zeros is about 16 KB of gzip
    assert elapsed < 5
    assert peak < 8 << 20, peak  # the compressor's 1 MiB of zeros, a slice or two, zlib's window


@pytest.mark.parametrize(
    "body",
    [
        b"not gzip at all",
        gzip.compress(BATCH)[:-9],  # cut short: no trailer
        gzip.compress(BATCH)[:-4] + b"\0\0\0\0",  # wrong length in the trailer
        gzip.compress(BATCH) + b"trailing",  # not a second member
        b"",
    ],
    ids=["garbage", "truncated", "bad-trailer", "trailing-garbage", "empty"],
)
async def test_a_damaged_stream_is_a_bad_request(body: bytes) -> None:
    with pytest.raises(AppError) as caught:
        await _run(_scope("gzip"), _pieces(body, 100))
    assert caught.value.code is ErrorCode.BAD_ENCODING and caught.value.status == 400


@pytest.mark.parametrize("encoding", ["br", "deflate", "compress", "zstd", "gzip, gzip", "gzip, br", "*"])
async def test_any_other_coding_is_unsupported(encoding: str) -> None:
    reader = _Reader()
    with pytest.raises(AppError) as caught:
        await _run(_scope(encoding), [b"{}"], reader)
    assert caught.value.code is ErrorCode.UNSUPPORTED_ENCODING and caught.value.status == 415
    assert caught.value.params == {"encoding": encoding}
    assert not reader.chunks  # the handler never ran


async def test_gzip_is_unsupported_on_a_route_that_did_not_opt_in() -> None:
    with pytest.raises(AppError) as caught:
        await _run(_scope("gzip", path="/api/v1/attachments/abc"), [gzip.compress(b"{}")])
    assert caught.value.code is ErrorCode.UNSUPPORTED_ENCODING and caught.value.status == 415
    assert caught.value.params == {"encoding": "gzip"}


async def test_the_coding_named_in_the_answer_is_printable_and_short() -> None:
    scope = _scope(None)
    scope["headers"].append((b"content-encoding", "br\u00e9\x01".encode("latin-1") + b"x" * 80))
    with pytest.raises(AppError) as caught:
        await _run(scope, [b"{}"])
    assert caught.value.params["encoding"] == "br??" + "x" * 36


def test_codings_are_read_from_every_header_line() -> None:
    headers = [(b"Content-Encoding", b"identity"), (b"content-encoding", b"gzip , X-Gzip")]
    assert body_codings(headers) == ["gzip", "gzip"]
    assert body_codings([(b"content-type", b"gzip")]) == []


async def test_a_disconnect_reaches_the_handler() -> None:
    async def gone() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    seen: list[str] = []

    async def handler(scope: Any, receive: Any, send: Any) -> None:
        seen.append((await receive())["type"])

    await RequestDecodingMiddleware(paths={PUSH})(handler)(_scope("gzip"), gone, None)  # type: ignore[arg-type]
    assert seen == ["http.disconnect"]

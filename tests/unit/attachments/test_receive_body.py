"""Reading an upload: refused the moment it is known to be too large, never buffered past the limit."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import pytest

from server.attachments.service import receive_body
from server.lib.errors import AppError, ErrorCode

LIMIT = 1000


class Sender:
    """A client sending ``chunk``-byte pieces for ever; counts what the server pulled."""

    def __init__(self, chunk: int) -> None:
        self.chunk = chunk
        self.pulled = 0
        self.closed = False

    async def chunks(self) -> AsyncGenerator[bytes, None]:
        try:
            while True:
                self.pulled += self.chunk
                yield b"x" * self.chunk
        finally:
            self.closed = True


def assert_too_large(caught: pytest.ExceptionInfo[AppError]) -> None:
    assert caught.value.code is ErrorCode.ATTACHMENT_TOO_LARGE
    assert caught.value.status == 413
    assert caught.value.params == {"limit": LIMIT}
    assert caught.value.headers == {"Connection": "close"}


async def test_a_declared_length_over_the_limit_is_refused_before_anything_is_read() -> None:
    sender = Sender(100)
    with pytest.raises(AppError) as caught:
        await receive_body(sender.chunks(), announced=LIMIT + 1, max_bytes=LIMIT)
    assert_too_large(caught)
    assert sender.pulled == 0


async def test_an_endless_body_is_cut_off_one_chunk_past_the_limit() -> None:
    sender = Sender(300)
    with pytest.raises(AppError) as caught:
        await receive_body(sender.chunks(), announced=None, max_bytes=LIMIT)
    assert_too_large(caught)
    assert sender.pulled == 1200  # four chunks: the fourth passed the limit, nothing more was asked
    assert sender.closed


async def test_a_body_that_lies_about_its_length_is_cut_off_too() -> None:
    sender = Sender(600)
    with pytest.raises(AppError) as caught:
        await receive_body(sender.chunks(), announced=10, max_bytes=LIMIT)
    assert_too_large(caught)
    assert sender.pulled == 1200


async def test_a_body_of_exactly_the_limit_is_read_whole() -> None:
    async def chunks() -> AsyncGenerator[bytes, None]:
        for _ in range(4):
            yield b"y" * 250
        yield b""

    assert await receive_body(chunks(), announced=LIMIT, max_bytes=LIMIT) == b"y" * LIMIT

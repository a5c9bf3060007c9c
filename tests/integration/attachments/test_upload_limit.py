"""The upload limit: a body is refused as soon as it passes ``attachment_max_bytes``, nothing stored."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

import httpx
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.settings import Settings
from tests.integration.attachments.support import pdf, sha, stored_blobs

LIMIT = 4096


@asynccontextmanager
async def streaming_client(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    """An auditor's client over httpx's own ASGI transport, which passes a streamed body on chunk by
    chunk (Litestar's test client cannot send an async generator)."""
    app = create_app(replace(settings, attachment_max_bytes=LIMIT))
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with app.lifespan(), httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        login = await client.post("/api/v1/auth/login", json={"username": "auditor1", "password": "demo"})
        assert login.status_code == 200, login.text
        yield client, {"Authorization": f"Bearer {login.json()['token']}"}


async def test_a_body_one_byte_over_the_limit_is_413_and_nothing_is_stored(settings: Settings) -> None:
    demo_files = stored_blobs(settings)
    async with AsyncTestClient(app=create_app(replace(settings, attachment_max_bytes=LIMIT))) as client:
        response = await client.post("/api/v1/auth/login", json={"username": "auditor1", "password": "demo"})
        headers = {"Authorization": f"Bearer {response.json()['token']}"}
        at_limit, over = pdf(LIMIT), pdf(LIMIT + 1)

        refused = await client.put(
            f"/api/v1/attachments/{sha(over)}",
            content=over,
            headers={**headers, "Content-Type": "application/pdf"},
        )
        assert refused.status_code == 413, refused.text
        assert refused.json()["code"] == "attachment.too_large"
        assert str(LIMIT) in refused.json()["message"]
        assert refused.headers["connection"] == "close"
        assert stored_blobs(settings) == demo_files

        accepted = await client.put(
            f"/api/v1/attachments/{sha(at_limit)}",
            content=at_limit,
            headers={**headers, "Content-Type": "application/pdf"},
        )
        assert accepted.status_code == 201, accepted.text


async def test_a_streamed_body_without_content_length_is_cut_off_at_the_limit(settings: Settings) -> None:
    demo_files = stored_blobs(settings)
    pulled = 0

    async def endless() -> AsyncGenerator[bytes, None]:
        nonlocal pulled
        yield pdf()
        while True:
            pulled += 1024
            yield b"%" * 1024

    async with streaming_client(settings) as (client, headers):
        response = await client.put(
            f"/api/v1/attachments/{sha(pdf())}",
            content=endless(),
            headers={**headers, "Content-Type": "application/pdf"},
        )

    assert "content-length" not in response.request.headers
    assert response.status_code == 413, response.text
    assert response.json()["code"] == "attachment.too_large"
    assert pulled <= LIMIT + 1024  # the server stopped asking for more one chunk past the limit
    assert stored_blobs(settings) == demo_files


async def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(
    settings: Settings,
) -> None:
    demo_files = stored_blobs(settings)
    pulled = 0

    async def body() -> AsyncGenerator[bytes, None]:
        nonlocal pulled
        for _ in range(8):
            pulled += 1024
            yield b"%" * 1024

    async with streaming_client(settings) as (client, headers):
        response = await client.put(
            f"/api/v1/attachments/{'a' * 64}",
            content=body(),
            headers={**headers, "Content-Type": "application/pdf", "Content-Length": str(8 * 1024)},
        )

    assert response.status_code == 413 and response.json()["code"] == "attachment.too_large"
    assert response.headers["connection"] == "close"
    assert pulled == 0
    assert stored_blobs(settings) == demo_files

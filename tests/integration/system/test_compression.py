"""Compressed responses (SQLite and PostgreSQL): brotli or gzip as the client asks, the same content once
decoded, ``Vary: Accept-Encoding``, weak ETags on compressed answers that still revalidate (304) under
each encoding; never for files already compressed (photos, PDFs, workbooks) nor under 1 KB.

httpx decodes bodies by itself: each answer here is read raw (``aiter_raw``) and decoded by the test, so
what is checked is what went on the wire."""

from __future__ import annotations

import gzip
import io
import os
from typing import Any

import brotli
import httpx
import pytest
from litestar import Litestar, get
from litestar.response import Stream
from litestar.testing import AsyncTestClient
from PIL import Image

from server.lib.response_compression import COMPRESSION, MINIMUM_SIZE, accepted_encoding
from tests.conftest import login
from tests.contract.support import auditor_on_audit
from tests.integration.attachments.support import cast_of_an_audit, pdf, sha, upload

Client = AsyncTestClient[Any]
ENCODINGS = ["br", "gzip"]
PLAIN = {"Accept-Encoding": "identity"}


async def fetch(client: Client, url: str, headers: dict[str, str], method: str = "GET") -> tuple[Any, bytes]:
    """The answer and its body as sent (not decoded)."""
    async with client.stream(method, url, headers=headers) as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    return response, raw


def decoded(response: httpx.Response, raw: bytes) -> bytes:
    encoding = response.headers.get("content-encoding")
    if encoding == "br":
        return bytes(brotli.decompress(raw))
    if encoding == "gzip":
        return gzip.decompress(raw)
    assert encoding is None, encoding
    return raw


def varies(response: httpx.Response) -> bool:
    tokens = [t.strip().lower() for t in response.headers.get("vary", "").split(",")]
    return tokens.count("accept-encoding") == 1


async def assert_compressed_alike(client: Client, url: str, headers: dict[str, str], encoding: str) -> str:
    """``url`` comes in ``encoding`` and decodes to the plain answer; both vary; returns the plain ETag."""
    plain, plain_raw = await fetch(client, url, {**headers, **PLAIN})
    packed, packed_raw = await fetch(client, url, {**headers, "Accept-Encoding": encoding})
    assert plain.status_code == packed.status_code == 200, plain_raw[:300]
    assert "content-encoding" not in plain.headers and len(plain_raw) >= MINIMUM_SIZE
    assert packed.headers["content-encoding"] == encoding
    assert decoded(packed, packed_raw) == plain_raw and len(packed_raw) < len(plain_raw)
    assert int(packed.headers["content-length"]) == len(packed_raw)
    assert varies(plain) and varies(packed)
    etag: str = plain.headers.get("etag", "")
    if etag:  # the plain bytes keep their strong tag, the compressed ones name it weakly
        assert not etag.startswith("W/") and packed.headers["etag"] == f"W/{etag}"
    return etag


async def assert_revalidates(client: Client, url: str, headers: dict[str, str], strong: str) -> None:
    """Under each encoding, the tag read under any encoding answers 304 (weak comparison)."""
    for encoding in [*ENCODINGS, "identity"]:
        for held in (strong, f"W/{strong}"):
            asked = {**headers, "Accept-Encoding": encoding, "If-None-Match": held}
            response, raw = await fetch(client, url, asked)
            assert response.status_code == 304 and raw == b"", (encoding, held)
            expected = strong if encoding == "identity" else f"W/{strong}"
            assert response.headers["etag"] == expected and varies(response)


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_the_audit_package_comes_compressed_and_revalidates(client: Client, encoding: str) -> None:
    device, audit_id = await auditor_on_audit(client)
    url = f"/api/v1/audits/{audit_id}/package?lang=ar"
    strong = await assert_compressed_alike(client, url, device.headers, encoding)
    assert strong
    await assert_revalidates(client, url, device.headers, strong)


async def test_the_largest_package_shrinks_several_times(client: Client) -> None:
    """The demo's completed audit (its findings and meetings): the size the issue measured, on the wire."""
    lead = await login(client, "lead")
    audits = (await client.get("/api/v1/audits", headers=lead)).json()
    sizes = {}
    for audit in audits:
        url = f"/api/v1/audits/{audit['id']}/package?lang=ar"
        plain, raw = await fetch(client, url, {**lead, **PLAIN})
        if plain.status_code == 200:
            sizes[url] = len(raw)
    url = max(sizes, key=lambda u: sizes[u])
    for encoding in ENCODINGS:
        packed, raw = await fetch(client, url, {**lead, "Accept-Encoding": encoding})
        assert packed.headers["content-encoding"] == encoding and len(raw) * 3 < sizes[url]


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_the_catalogs_come_compressed(client: Client, encoding: str) -> None:
    for locale in ("ar", "fr"):
        await assert_compressed_alike(client, f"/api/v1/i18n/{locale}", {}, encoding)


async def test_a_catalog_revalidates_under_each_encoding(client: Client) -> None:
    plain, _ = await fetch(client, "/api/v1/i18n/ar", PLAIN)
    await assert_revalidates(client, "/api/v1/i18n/ar", {}, plain.headers["etag"])


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_the_app_shell_comes_compressed_and_revalidates(client: Client, encoding: str) -> None:
    for url in ("/", "/sw.js", "/app-manifest.json"):
        strong = await assert_compressed_alike(client, url, {}, encoding)
        await assert_revalidates(client, url, {}, strong)
    assets = (await client.get("/app-manifest.json")).json()["assets"]
    for suffix in (".js", ".css"):
        # The app's biggest script and style sheet, under their hashed URLs (no ETag: immutable).
        sizes = {url: len((await fetch(client, url, PLAIN))[1]) for url in assets if url.endswith(suffix)}
        await assert_compressed_alike(client, max(sizes, key=lambda u: sizes[u]), {}, encoding)
    icon = next(url for url in assets if url.endswith(".png"))
    response, raw = await fetch(client, icon, {"Accept-Encoding": "br, gzip"})
    assert "content-encoding" not in response.headers and len(raw) >= MINIMUM_SIZE
    assert "accept-encoding" not in response.headers.get("vary", "").lower()


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.frombytes("RGB", (64, 48), os.urandom(64 * 48 * 3)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.frombytes("RGB", (40, 30), os.urandom(40 * 30 * 3)).save(buffer, "PNG")
    return buffer.getvalue()


async def test_attachments_are_never_compressed(client: Client) -> None:
    cast = await cast_of_an_audit(client)
    # The PDF is padded with one repeated byte: compressible, still sent as is.
    for data, kind in ((_jpeg(), "image/jpeg"), (_png(), "image/png"), (pdf(20_000), "application/pdf")):
        assert len(data) >= MINIMUM_SIZE
        await cast.attach(client, data, kind)
        url = f"/api/v1/attachments/{sha(data)}"
        stored = (await fetch(client, url, {**cast.member.headers, **PLAIN}))[1]
        for accept in ("br", "gzip", "br, gzip, deflate"):
            headers = {**cast.member.headers, "Accept-Encoding": accept}
            response, raw = await fetch(client, url, headers)
            assert response.status_code == 200 and "content-encoding" not in response.headers, kind
            assert raw == stored and response.headers["etag"] == f'"{sha(stored)}"'
            again, _ = await fetch(client, url, {**headers, "If-None-Match": response.headers["etag"]})
            assert again.status_code == 304 and again.headers["etag"] == f'"{sha(stored)}"'


async def test_an_upload_answer_and_a_report_pdf_are_sent_as_they_are(client: Client) -> None:
    cast = await cast_of_an_audit(client)
    answer = await upload(client, {**cast.member.headers, "Accept-Encoding": "br"}, _png(), "image/png")
    assert answer.status_code == 201 and "content-encoding" not in answer.headers
    manager = await login(client, "manager")
    issued: list[dict[str, Any]] = []
    for audit in (await client.get("/api/v1/audits", headers=manager)).json():
        listed = await client.get(f"/api/v1/audits/{audit['id']}/reports", headers=manager)
        issued += listed.json() if listed.status_code == 200 else []
    assert issued, "the demo's completed audit has issued reports"
    for encoding in ENCODINGS:
        asked = {**manager, "Accept-Encoding": encoding}
        response, raw = await fetch(client, issued[0]["downloadUrl"], asked)
        assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
        assert "content-encoding" not in response.headers and raw.startswith(b"%PDF")


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_the_xlsx_export_is_not_compressed(client: Client, encoding: str) -> None:
    lead = await login(client, "lead")
    url = "/api/v1/checklists/export.xlsx?lang=fr"
    response, raw = await fetch(client, url, {**lead, "Accept-Encoding": encoding})
    assert response.status_code == 200 and raw.startswith(b"PK\x03\x04") and len(raw) >= MINIMUM_SIZE
    assert "content-encoding" not in response.headers


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_a_small_answer_is_not_compressed_but_varies(client: Client, encoding: str) -> None:
    response, raw = await fetch(client, "/api/v1/health", {"Accept-Encoding": encoding})
    assert response.status_code == 200 and len(raw) < MINIMUM_SIZE
    assert "content-encoding" not in response.headers and varies(response)


async def test_a_revisioned_item_keeps_its_strong_tag_for_if_match(client: Client) -> None:
    """An audit (``ETag: "7"``, sent back in If-Match) is sent uncompressed, its tag strong."""
    device, audit_id = await auditor_on_audit(client)
    asked = {**device.headers, "Accept-Encoding": "br"}
    response, raw = await fetch(client, f"/api/v1/audits/{audit_id}", asked)
    assert response.status_code == 200 and len(raw) >= MINIMUM_SIZE
    assert "content-encoding" not in response.headers
    assert response.headers["etag"] == f'"{httpx.Response(200, content=raw).json()["rev"]}"'


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        ("br, gzip, deflate", "br"),
        ("gzip, deflate, br, zstd", "br"),
        ("gzip", "gzip"),
        ("br;q=0, gzip;q=0.8", "gzip"),
        ("gzip;q=0", None),
        ("identity", None),
        ("", None),
        ("*", "br"),
    ],
)
def test_the_encoding_is_the_best_the_client_accepts(header: str, chosen: str | None) -> None:
    assert accepted_encoding(header) == chosen


# ------------------------------------------------------------------ streamed and empty answers


@get("/stream", media_type="application/json")
async def _streamed() -> Stream:
    async def chunks() -> Any:
        yield b"["
        for n in range(2000):
            yield f'{{"n": {n}, "text": "constat"}},'.encode()
        yield b"{}]"

    return Stream(chunks())


@get("/empty", status_code=204)
async def _empty() -> None:
    return None


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_a_streamed_answer_is_compressed_chunk_by_chunk_and_an_empty_one_is_left_alone(
    encoding: str,
) -> None:
    app = Litestar(route_handlers=[_streamed, _empty], compression_config=COMPRESSION)
    async with AsyncTestClient(app=app) as bare:
        plain, plain_raw = await fetch(bare, "/stream", PLAIN)
        packed, packed_raw = await fetch(bare, "/stream", {"Accept-Encoding": encoding})
        assert packed.headers["content-encoding"] == encoding and "content-length" not in packed.headers
        assert decoded(packed, packed_raw) == plain_raw and varies(plain) and varies(packed)
        empty, raw = await fetch(bare, "/empty", {"Accept-Encoding": encoding})
        assert empty.status_code == 204 and raw == b"" and "content-encoding" not in empty.headers

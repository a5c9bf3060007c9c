"""Gzip push bodies through the app (issue #13): a tablet on a weak link sends its batch gzipped. It applies
once, and its replay, plain or gzipped, gets the stored answer (the key is bound to the inflated bytes).
A 1 GiB gzip bomb gets 413 quickly in bounded memory; a damaged stream 400; any other coding 415, in the
caller's language. The outbox import takes a gzip body as well."""

from __future__ import annotations

import functools
import gzip
import json
import time
import tracemalloc
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from litestar.testing import AsyncTestClient

from server.app import create_app
from server.lib.errors import ErrorCode, message_for
from server.settings import Settings
from tests.conftest import login
from tests.contract.support import Device, auditor_on_audit, finding

PUSH = "/api/v1/sync/push"
IMPORT = "/api/v1/sync/import-outbox"
PUSH_LIMIT = 16 * 1024 * 1024  # the push route's request_max_body_size


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def _zeros_gzip(total: int, step: int = 1 << 20) -> Iterator[bytes]:
    """``total`` zero bytes gzipped, produced lazily: never more than ``step`` zeros in memory."""
    squeeze = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(step)
    for _ in range(total // step):
        if out := squeeze.compress(zeros):
            yield out
    yield squeeze.flush()


@functools.cache
def _bomb() -> bytes:
    """1 GiB of zeros as gzip: about 1 MB (made once; the test client sends a body as one piece)."""
    return b"".join(_zeros_gzip(1 << 30))


async def _push(device: Device, body: bytes, key: str, encoding: str | None = "gzip", **headers: str) -> Any:
    sent = {**device.headers, "Idempotency-Key": key, "Content-Type": "application/json", **headers}
    if encoding is not None:
        sent["Content-Encoding"] = encoding
    return await device.client.post(PUSH, content=body, headers=sent)


async def _ids(device: Device, audit_id: str) -> set[str]:
    changes, _ = await device.pull_all(audit_id)
    return {c["id"] for c in changes if not c["deleted"]}


async def test_a_gzip_push_applies_once_and_any_replay_gets_the_stored_answer(
    client: AsyncTestClient[Any],
) -> None:
    device, audit_id = await auditor_on_audit(client)
    ops = [finding(audit_id, statement="Fiche « réception » signée\nsans date"), finding(audit_id)]
    plain = _json({"deviceId": device.device_id, "ops": ops})
    key = str(uuid.uuid4())

    first = await _push(device, gzip.compress(plain), key)
    assert first.status_code == 200, first.text
    assert [r["status"] for r in first.json()["results"]] == ["applied", "applied"]
    for replay in (
        await _push(device, plain, key, encoding=None),
        await _push(device, gzip.compress(plain, compresslevel=1), key),  # other gzip bytes, same batch
        await _push(device, plain, key, encoding="identity"),
    ):
        assert replay.status_code == 200, replay.text
        assert replay.content == first.content
    changes, _ = await device.pull_all(audit_id)
    assert {c["rev"] for c in changes if c["id"] in {op["id"] for op in ops}} == {1}

    other = _json({"deviceId": device.device_id, "ops": [finding(audit_id)]})
    reused = await _push(device, gzip.compress(other), key)
    assert reused.status_code == 422
    assert reused.json()["code"] == ErrorCode.SYNC_IDEMPOTENCY_KEY_REUSED


async def test_a_plain_push_replayed_gzipped_is_the_same_batch(client: AsyncTestClient[Any]) -> None:
    device, audit_id = await auditor_on_audit(client)
    plain = _json({"deviceId": device.device_id, "ops": [finding(audit_id)]})
    key = str(uuid.uuid4())
    first = await _push(device, plain, key, encoding=None)
    assert first.status_code == 200, first.text
    replay = await _push(device, gzip.compress(plain), key, encoding="GZIP")
    assert replay.status_code == 200 and replay.content == first.content


async def test_a_gigabyte_gzip_bomb_gets_413_quickly_in_bounded_memory(client: AsyncTestClient[Any]) -> None:
    device, audit_id = await auditor_on_audit(client)
    bomb = _bomb()
    assert len(bomb) < 2 << 20
    before = await _ids(device, audit_id)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        answer = await _push(device, bomb, str(uuid.uuid4()))
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert answer.status_code == 413, answer.text
    assert answer.json() == {
        "status": 413,
        "code": ErrorCode.BODY_TOO_LARGE,
        "message": message_for(ErrorCode.BODY_TOO_LARGE, "fr", limit=PUSH_LIMIT),  # auditor1 reads French
        "details": None,
        "requestId": answer.headers["x-request-id"],
    }
    assert answer.headers["connection"] == "close"
    # At most the route's 16 MiB is ever inflated (Litestar gathers what the push reads), never 1 GiB.
    assert peak < 64 << 20, f"peak {peak / 2**20:.1f} MiB"
    assert elapsed < 10, f"{elapsed:.1f} s"
    assert await _ids(device, audit_id) == before


async def test_a_stranger_gets_401_before_the_coding_is_looked_at(client: AsyncTestClient[Any]) -> None:
    answer = await client.post(
        PUSH,
        content=gzip.compress(bytes(1 << 20)),
        headers={"Content-Encoding": "br", "Idempotency-Key": str(uuid.uuid4())},
    )
    assert answer.status_code == 401  # the sign-in check comes first: not even a 415


async def test_a_damaged_gzip_body_is_refused_and_nothing_applies(client: AsyncTestClient[Any]) -> None:
    device, audit_id = await auditor_on_audit(client)
    packed = gzip.compress(_json({"deviceId": device.device_id, "ops": [finding(audit_id)]}))
    before = await _ids(device, audit_id)
    for damaged in (packed[: len(packed) // 2], b"{not gzip}", packed[:-4] + b"\xff\xff\xff\xff"):
        answer = await _push(device, damaged, str(uuid.uuid4()))
        assert answer.status_code == 400, answer.text
        assert answer.json()["code"] == ErrorCode.BAD_ENCODING
        assert answer.json()["message"] == message_for(ErrorCode.BAD_ENCODING, "fr")
    assert await _ids(device, audit_id) == before


async def test_an_unknown_coding_gets_415_in_the_caller_s_language(client: AsyncTestClient[Any]) -> None:
    device, audit_id = await auditor_on_audit(client)
    body = _json({"deviceId": device.device_id, "ops": [finding(audit_id)]})
    for coding in ("br", "deflate", "zstd", "gzip, gzip"):
        answer = await _push(device, gzip.compress(body), str(uuid.uuid4()), encoding=coding)
        assert answer.status_code == 415, answer.text
        assert answer.json()["code"] == ErrorCode.UNSUPPORTED_ENCODING
        assert answer.json()["message"] == message_for(ErrorCode.UNSUPPORTED_ENCODING, "fr", encoding=coding)
    auditee = await login(client, "auditee2")  # demo auditees prefer Arabic
    answer = await client.post(
        "/api/v1/auth/logout", content=b"x", headers={**auditee, "Content-Encoding": "br"}
    )
    assert answer.status_code == 415
    assert answer.json()["message"] == message_for(ErrorCode.UNSUPPORTED_ENCODING, "ar", encoding="br")


async def test_gzip_is_refused_where_the_route_did_not_opt_in(client: AsyncTestClient[Any]) -> None:
    device, _ = await auditor_on_audit(client)
    answer = await client.post(
        "/api/v1/auth/login",
        content=gzip.compress(_json({"username": "auditor1", "password": "demo"})),
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert answer.status_code == 415
    assert answer.json()["code"] == ErrorCode.UNSUPPORTED_ENCODING
    assert (await client.get("/api/v1/audits", headers=device.headers)).status_code == 200


async def test_the_outbox_import_takes_a_gzip_body(client: AsyncTestClient[Any]) -> None:
    device, audit_id = await auditor_on_audit(client)
    op = finding(audit_id)
    batch = {"idempotencyKey": str(uuid.uuid4()), "deviceId": "tablet-export", "ops": [op]}
    outbox = {
        "format": "tadqiq-outbox/1",
        "exportedAt": "2026-11-30T17:45:00+01:00",
        "deviceId": "tablet-export",
        "username": "auditor1",
        "batches": [batch],
        "attachments": [],
    }
    plain = json.dumps(outbox, ensure_ascii=False, indent=2).encode()
    headers = {**device.headers, "Content-Type": "application/json"}

    first = await client.post(
        IMPORT, content=gzip.compress(plain), headers={**headers, "Content-Encoding": "gzip"}
    )
    assert first.status_code == 200, first.text
    assert [b["status"] for b in first.json()["batches"]] == ["applied"]
    again = await client.post(IMPORT, content=plain, headers=headers)
    assert [b["status"] for b in again.json()["batches"]] == ["replayed"]
    assert again.json()["batches"][0]["results"] == first.json()["batches"][0]["results"]
    assert op["id"] in await _ids(device, audit_id)


async def test_the_outbox_import_limit_holds_the_inflated_body(settings: Settings) -> None:
    """The import sets no route limit (it counts the stream itself): the middleware's default, the
    import's own limit, holds the gzip body as it inflates (1 MiB here, so the bomb stays cheap)."""
    limit = 1 << 20
    app = create_app(replace(settings, outbox_import_max_bytes=limit))
    async with AsyncTestClient(app=app) as small:
        device, _ = await auditor_on_audit(small)
        answer = await small.post(
            IMPORT,
            content=_bomb(),
            headers={**device.headers, "Content-Type": "application/json", "Content-Encoding": "gzip"},
        )
    assert answer.status_code == 413
    assert answer.json()["code"] == ErrorCode.BODY_TOO_LARGE
    assert answer.json()["message"] == message_for(ErrorCode.BODY_TOO_LARGE, "fr", limit=limit)


def test_the_bomb_really_is_a_gigabyte() -> None:
    inflate = zlib.decompressobj(wbits=31)
    total, pending = 0, _bomb()
    while pending:
        total += len(inflate.decompress(pending, 1 << 24))
        pending = inflate.unconsumed_tail
    assert inflate.eof and total == 1 << 30

"""Compression on a weak link, on a real server on loopback (SQLite; compression is the same on PostgreSQL):
the largest demo audit's package (``GET /api/v1/audits/{id}/package?lang=ar``) plain, gzip and brotli,
as the demo has it and again with 800 findings pushed into it (the issue's measure),
bytes on the wire and time to the last byte (median of ``RUNS``), with the time those bytes take at
400 kbit/s (bytes × 8 / 400,000 s: a weak 3G link, latency left out); and a push of 1,000 findings
plain and gzipped (level 6, as a browser's ``CompressionStream`` does), with their time here and at
150 kbit/s up. Bodies are read raw: the client's decoding is not in the times.
"""

from __future__ import annotations

import asyncio
import gzip
import statistics
import time
import uuid
from typing import Any

import httpx
import msgspec

from bench.bench_sync import _batch
from bench.harness import running_server

RUNS = 9
PUSH_RUNS = 5
FILLED = 800
DOWN_BPS = 400_000
UP_BPS = 150_000
Row = tuple[str, str, str, str]


def _smaller(plain: int, size: int) -> str:
    return "               " if size == plain else f"({plain / size:4.1f}x smaller)"


async def _raw(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
    async with client.stream("GET", url, headers=headers) as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    return response, raw


async def _largest_package(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    audits = (await client.get("/api/v1/audits", headers=headers)).json()
    sizes = {}
    for audit in audits:
        url = f"/api/v1/audits/{audit['id']}/package?lang=ar"
        response, raw = await _raw(client, url, {**headers, "Accept-Encoding": "identity"})
        if response.status_code == 200:
            sizes[url] = len(raw)
    return max(sizes, key=lambda url: sizes[url])


async def _package_rows(
    client: httpx.AsyncClient, headers: dict[str, str], url: str, what: str = "largest package (ar)"
) -> list[Row]:
    times: dict[str, list[float]] = {"identity": [], "gzip": [], "br": []}
    sizes: dict[str, int] = {}
    for _ in range(RUNS):
        for encoding, runs in times.items():  # interleaved, so a busy moment weighs on all three
            started = time.perf_counter()
            response, raw = await _raw(client, url, {**headers, "Accept-Encoding": encoding})
            runs.append(time.perf_counter() - started)
            assert response.status_code == 200, raw[:300]
            assert response.headers.get("content-encoding", "identity") == encoding, response.headers
            sizes[encoding] = len(raw)
    plain = sizes["identity"]
    rows: list[Row] = []
    for encoding, label in (("identity", "plain"), ("gzip", "gzip"), ("br", "brotli")):
        size, median = sizes[encoding], statistics.median(times[encoding]) * 1000
        rows.append(
            (
                f"compression: {what}, {label}",
                f"{size:>9,} B {_smaller(plain, size)}  median {median:6.1f} ms",
                "at 400 kbit/s",
                f"{size * 8 / DOWN_BPS:6.2f} s",
            )
        )
    return rows


async def _push(client: httpx.AsyncClient, headers: dict[str, str], body: bytes, gzipped: bool) -> float:
    content = gzip.compress(body, compresslevel=6) if gzipped else body
    send = {**headers, "Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/json"}
    if gzipped:
        send["Content-Encoding"] = "gzip"
    started = time.perf_counter()
    response = await client.post("/api/v1/sync/push", content=content, headers=send)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text[:500]
    assert {r["status"] for r in response.json()["results"]} == {"applied"}, response.text[:500]
    return elapsed


async def _fill(client: httpx.AsyncClient, headers: dict[str, str], count: int) -> str:
    """The issue measured a package of 244 checklist items and 800 findings: the largest prepared
    audit's package (the signed one takes no more findings) with as many pushed into it; its URL."""
    audits = (await client.get("/api/v1/audits", headers=headers)).json()
    audit = max((a for a in audits if a["status"] == "prepared"), key=lambda a: len(a["standards"]))
    batch = _batch(audit["id"], [f"{standard}:7.5.3" for standard in audit["standards"]])
    batch["ops"] = batch["ops"][:count]
    await _push(client, headers, msgspec.json.encode(batch), gzipped=True)
    return f"/api/v1/audits/{audit['id']}/package?lang=ar"


async def _push_rows(client: httpx.AsyncClient, headers: dict[str, str]) -> list[Row]:
    audits = (await client.get("/api/v1/audits", headers=headers)).json()
    audit = next(a for a in audits if a["status"] == "prepared")
    clauses = [f"{standard}:7.5.3" for standard in audit["standards"]]
    sample = msgspec.json.encode(_batch(audit["id"], clauses))
    sizes = {"plain": len(sample), "gzip": len(gzip.compress(sample, compresslevel=6))}
    times: dict[str, list[float]] = {"plain": [], "gzip": []}
    for run in range(PUSH_RUNS):
        order = ("plain", "gzip") if run % 2 == 0 else ("gzip", "plain")  # the tables grow: alternate
        for kind in order:
            body = msgspec.json.encode(_batch(audit["id"], clauses))  # new finding ids each push
            times[kind].append(await _push(client, headers, body, gzipped=kind == "gzip"))
    return [
        (
            f"compression: push of 1000 findings, {kind}",
            f"{sizes[kind]:>9,} B {_smaller(sizes['plain'], sizes[kind])}  "
            f"median {statistics.median(times[kind]) * 1000:6.1f} ms",
            "at 150 kbit/s up",
            f"{sizes[kind] * 8 / UP_BPS:6.2f} s",
        )
        for kind in ("plain", "gzip")
    ]


async def run() -> list[Row]:
    with running_server() as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as client:
            login = await client.post("/api/v1/auth/login", json={"username": "lead", "password": "demo"})
            headers: dict[str, Any] = {"Authorization": f"Bearer {login.json()['token']}"}
            url = await _largest_package(client, headers)
            rows = await _package_rows(client, headers, url)
            filled = await _fill(client, headers, FILLED)
            rows += await _package_rows(
                client, headers, filled, f"a prepared audit's package + {FILLED} findings"
            )
            return [*rows, *await _push_rows(client, headers)]


if __name__ == "__main__":
    for row in asyncio.run(run()):
        print(row)

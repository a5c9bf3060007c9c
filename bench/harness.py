"""Starting a real Tadqiq server on loopback and driving bounded concurrent load at it."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Server:
    base_url: str
    env: dict[str, str]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(
    extra_env: dict[str, str] | None = None, serve_args: tuple[str, ...] = ()
) -> Iterator[Server]:
    """A migrated database with the demo council, served by uvicorn in a child process
    (``serve_args``, e.g. ``("--workers", "2")``, go to ``tadqiq serve``)."""
    with tempfile.TemporaryDirectory(prefix="tadqiq-bench-") as tmp:
        port = _free_port()
        env = {
            **os.environ,
            "TADQIQ_VAR_DIR": tmp,
            "TADQIQ_PORT": str(port),
            "TADQIQ_HOST": "127.0.0.1",
            "TADQIQ_LOGIN_MAX_FAILURES": "1000000",
            "TADQIQ_LOGIN_MAX_FAILURES_PER_ACCOUNT": "1000000",
            "TADQIQ_LOGIN_MAX_ACCOUNTS_PER_ADDRESS": "1000000",
            **(extra_env or {}),
        }
        if "TADQIQ_DATABASE_URL" not in (extra_env or {}):
            env.pop("TADQIQ_DATABASE_URL", None)  # the embedded SQLite under the temporary var dir
        tadqiq = [sys.executable, "-m", "server.cli"]
        subprocess.run([*tadqiq, "demo"], env=env, cwd=ROOT, check=True, capture_output=True)
        proc = subprocess.Popen(
            [*tadqiq, "serve", *serve_args],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90  # several workers start one after the other on a busy machine
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            else:
                raise RuntimeError("server did not start")
            yield Server(base_url=base, env=env)
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def bench_pg_url() -> str | None:
    """The PostgreSQL server the benchmarks may create scratch databases on, if any."""
    return os.environ.get("TADQIQ_BENCH_DATABASE_URL") or os.environ.get("TADQIQ_TEST_DATABASE_URL")


@asynccontextmanager
async def fresh_pg_database(admin_url: str) -> AsyncIterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped afterwards."""
    name = f"tq_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(admin_url)
    try:
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    try:
        yield admin_url.rpartition("/")[0] + "/" + name
    finally:
        admin = await asyncpg.connect(admin_url)
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        finally:
            await admin.close()


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p95_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


async def drive(
    request: Callable[[httpx.AsyncClient], Awaitable[httpx.Response]],
    *,
    base_url: str,
    concurrency: int = 16,
    total: int = 2000,
    max_seconds: float = 20.0,
    ok: Callable[[httpx.Response], bool] = lambda r: r.status_code < 400,
) -> LoadResult:
    """Send ``total`` requests with ``concurrency`` in flight (bounded in count and in time)."""
    latencies: list[float] = []
    errors = 0
    remaining = total
    deadline = time.monotonic() + max_seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal remaining, errors
            while remaining > 0 and time.monotonic() < deadline:
                remaining -= 1
                started = time.perf_counter()
                response = await request(client)
                latencies.append((time.perf_counter() - started) * 1000)
                if not ok(response):
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else 0.0  # noqa: E731
    return LoadResult(len(latencies), elapsed, errors, pick(0.5), pick(0.95))


def fmt_load(result: LoadResult) -> str:
    latency = f"p50 {result.p50_ms:6.1f} ms  p95 {result.p95_ms:6.1f} ms"
    return f"{result.rps:8.1f} req/s  {latency}  errors {result.errors}"


def report(rows: list[tuple[str, str, str, str]]) -> None:
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)))

"""A real ``tadqiq serve`` process on a free loopback port, for tests that talk HTTP to it."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from server.settings import PROJECT_ROOT, Settings

__all__ = ["free_port", "live_server", "start_server"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    settings: Settings, port: int, extra: dict[str, str] | None = None, log: Path | None = None
) -> subprocess.Popen[bytes]:
    """Start the server on ``settings``' database and wait until its health answers (30 s at most)."""
    env = {
        **os.environ,
        "TADQIQ_DATABASE_URL": settings.database_url,
        "TADQIQ_PORT": str(port),
        "TADQIQ_VAR_DIR": str(settings.var_dir),
        "TADQIQ_ARGON2_TIME_COST": "1",
        "TADQIQ_ARGON2_MEMORY_KIB": "1024",
        "TADQIQ_PROGRAMME_SOLVE_SECONDS": str(settings.programme_solve_seconds),
        **(extra or {}),
    }
    output = log.open("wb") if log is not None else subprocess.DEVNULL
    server = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve"], cwd=PROJECT_ROOT, env=env, stdout=output, stderr=output
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return server
        if server.poll() is not None:
            break
        time.sleep(0.1)
    server.kill()
    raise AssertionError("server did not start" + (f"; see {log}" if log else ""))


@contextlib.contextmanager
def live_server(
    settings: Settings, extra: dict[str, str] | None = None, log: Path | None = None
) -> Iterator[str]:
    """The base URL of a server that stops when the block ends."""
    port = free_port()
    server = start_server(settings, port, extra, log)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()

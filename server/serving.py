"""Serving the app: from one process (``tadqiq serve``), or from several (``--workers N``, PostgreSQL only).

Both believe ``X-Forwarded-For``/``-Proto`` from the ``TADQIQ_TRUSTED_PROXIES`` only (lib/forwarded.py),
and a malformed entry stops start-up before the app is built.

uvicorn's own multi-process mode shares one listening socket, and whichever worker wakes first accepts
every connection waiting: 40 tablets connecting at once all landed on one worker (measured: 38 of
40). Here each worker listens on its own socket with ``SO_REUSEPORT``, so the kernel spreads new
connections over the workers. Each worker builds its app (and engine) from the same ``TADQIQ_*``
environment; no state that matters lives in one process (the in-flight guard of a sync batch is a
PostgreSQL advisory lock).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import signal
import socket
import sys
import tempfile
from multiprocessing.connection import wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

from server.lib.forwarded import uvicorn_proxy_options
from server.settings import load_settings

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

    from server.settings import Settings

__all__ = ["serve_one", "serve_workers"]


def serve_one(settings: Settings) -> int:
    """One uvicorn server in this process until SIGTERM or SIGINT."""
    import uvicorn

    from server.app import create_app

    proxy = uvicorn_proxy_options(settings.trusted_proxies)
    # No access log of uvicorn's: the app writes its own line (route template, never the raw path, whose
    # tokens — /v/{token}, /cal/{token} — must not reach the logs).
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="info",
        access_log=False,
        **proxy,
    )
    return 0


def _worker(host: str, port: int) -> None:
    """One worker process: its own ``SO_REUSEPORT`` socket on the shared address, one uvicorn server."""
    import uvicorn

    from server.app import create_app

    settings = load_settings()
    proxy = uvicorn_proxy_options(settings.trusted_proxies)

    # Its own process group: Ctrl-C in a terminal reaches the supervisor only, which passes it on once
    # (a second signal would make uvicorn skip its graceful shutdown).
    os.setpgrp()
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    # After its graceful shutdown uvicorn raises the signal it caught again: SIGINT arrives as
    # KeyboardInterrupt (uvicorn.run swallows it too), SIGTERM ends the process with -SIGTERM.
    with contextlib.suppress(KeyboardInterrupt):
        config = uvicorn.Config(create_app(settings), log_level="info", access_log=False, **proxy)
        uvicorn.Server(config).run(sockets=[sock])


def _metrics_directory() -> str | None:
    """Prometheus's multiprocess directory for the workers (a scrape reaches any one of them, so they
    count together): the service's own (emptied of a previous run's files), else a temporary one made
    here, which is returned to be removed at the end. Set before the workers start: they inherit it."""
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if given:
        for stale in Path(given).glob("*.db"):
            stale.unlink()
        return None
    made = tempfile.mkdtemp(prefix="tadqiq-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = made
    return made


def serve_workers(host: str, port: int, workers: int) -> int:
    """Run ``workers`` server processes until SIGTERM or SIGINT (passed on to them); if one of them
    exits on its own, stop the others and return 1, for the service manager to restart the lot."""
    uvicorn_proxy_options(load_settings().trusted_proxies)  # the workers read the same environment
    context = multiprocessing.get_context("spawn")
    processes: list[BaseProcess] = [
        context.Process(target=_worker, args=(host, port), name=f"tadqiq-worker-{n}") for n in range(workers)
    ]
    metrics_dir = _metrics_directory()
    stopping = crashed = False

    def stop(signum: int, _: Any) -> None:
        nonlocal stopping
        stopping = True
        for process in processes:
            if process.is_alive() and process.pid is not None:
                os.kill(process.pid, signum)  # uvicorn stops gracefully on either signal

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)
    for process in processes:
        process.start()
    while any(process.is_alive() for process in processes):
        wait([process.sentinel for process in processes if process.is_alive()])
        if not stopping and any(process.exitcode is not None for process in processes):
            print("a worker process exited: stopping the others", file=sys.stderr)
            crashed = True
            stop(signal.SIGTERM, None)
    for process in processes:
        process.join()
    if metrics_dir is not None:
        shutil.rmtree(metrics_dir, ignore_errors=True)
    clean = {0, -signal.SIGTERM, -signal.SIGINT}
    return 0 if not crashed and all(process.exitcode in clean for process in processes) else 1

"""The Prometheus series of the server, and the only module that imports ``prometheus_client``.

Domain code calls the small functions below (``count_sync_results``, ``login_failed`` ...), never the
client library, so what is measured is said in one place and a change of library touches one file.

Several worker processes (``tadqiq serve --workers N``): a scrape reaches whichever worker the kernel
hands the connection to, so per-process counters would jump between scrapes. When
``PROMETHEUS_MULTIPROC_DIR`` names a directory (empty at start, shared by the workers), the client library
keeps every value in files there and a scrape sums all workers (its multiprocess mode); without it the
values are the one process's own.
"""

from __future__ import annotations

import collections
import os
from collections.abc import Iterable
from typing import Final

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

__all__ = [
    "SYNC_RESULTS",
    "count_sync_results",
    "exposition",
    "login_failed",
    "login_throttled",
    "observe_report_issue",
    "observe_request",
    "observe_write_wait",
]

SYNC_RESULTS: Final = ("applied", "unchanged", "conflict", "rejected", "locked")

_REGISTRY = CollectorRegistry(auto_describe=True)

# Requests last from a few ms (a read) to tens of seconds (a 1,000-finding push, an outbox import).
_REQUEST_SECONDS = Histogram(
    "tadqiq_http_request_duration_seconds",
    "Time to answer a request, by route template (not the path: no identifiers or tokens) and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
    registry=_REGISTRY,
)
_REQUESTS = Counter(
    "tadqiq_http_requests",
    "Requests answered, by route template, method and status.",
    ["route", "method", "status"],
    registry=_REGISTRY,
)
_SYNC_OPS = Counter("tadqiq_sync_ops", "Pushed sync operations, by result.", ["result"], registry=_REGISTRY)
_SYNC_CONFLICTS = Counter(
    "tadqiq_sync_conflicts",
    "Pushed operations that met a newer server copy (kept for the audit lead), by operation.",
    ["op"],
    registry=_REGISTRY,
)
# Seconds a write waits for SQLite's single write lock: the process's writer queue, then BEGIN IMMEDIATE.
_WRITE_WAIT = Histogram(
    "tadqiq_sqlite_write_wait_seconds",
    "Time a write transaction waited for SQLite's write lock (writer queue and BEGIN IMMEDIATE).",
    buckets=(0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15),
    registry=_REGISTRY,
)
_LOGIN_FAILURES = Counter(
    "tadqiq_login_failures", "Logins refused for a wrong username or password.", registry=_REGISTRY
)
_LOGIN_THROTTLED = Counter(
    "tadqiq_login_throttled",
    "Logins refused unchecked because the account, the pair or the address was locked out (429).",
    registry=_REGISTRY,
)
_REPORT_ISSUE = Histogram(
    "tadqiq_report_issue_seconds",
    "Time to issue a signed report (gather, draw, sign, store, register).",
    buckets=(0.25, 0.5, 1, 2, 5, 10, 20, 40, 80),
    registry=_REGISTRY,
)

for _result in SYNC_RESULTS:  # every result shows from the start, at 0, so a rate can be taken
    _SYNC_OPS.labels(_result)


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    _REQUEST_SECONDS.labels(route, method).observe(seconds)
    _REQUESTS.labels(route, method, str(status)).inc()


def count_sync_results(results: Iterable[tuple[str, str]]) -> None:
    """Count a pushed batch's ``(operation, result)`` pairs; a ``conflict`` also counts under its op."""
    # Tallied first: a 1,000-op batch makes a few increments, not a thousand locked ones.
    for (op, result), count in collections.Counter(results).items():
        _SYNC_OPS.labels(result).inc(count)
        if result == "conflict":
            _SYNC_CONFLICTS.labels(op).inc(count)


def observe_write_wait(seconds: float) -> None:
    _WRITE_WAIT.observe(seconds)


def login_failed() -> None:
    _LOGIN_FAILURES.inc()


def login_throttled() -> None:
    _LOGIN_THROTTLED.inc()


def observe_report_issue(seconds: float) -> None:
    _REPORT_ISSUE.observe(seconds)


def exposition() -> tuple[bytes, str]:
    """The text a scrape reads, and its content type: every worker's values in multiprocess mode."""
    registry = _REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return generate_latest(registry), CONTENT_TYPE_LATEST

"""One log line per request on standard error, and the request's timing in the metrics.

The line holds these fields and nothing else: ``time``, ``requestId``, ``userId``, ``method``, ``route``
(the route's template, ``/api/v1/findings/{finding_id:str}``: never the path, which may carry a report's
or a calendar's token), ``status`` and ``durationMs``. No header, query or body is ever read here, so no
password, token or finding text can reach the log. ``TADQIQ_LOG_FORMAT``: ``json`` (one JSON object a
line, for a log collector) or ``text`` (the same fields, for a person reading a terminal).

:class:`RequestLog` wraps the whole application, outside Litestar's routing and error handling, so a 404
for an unknown path or a 500 is logged and timed like any answer.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final, Literal

from litestar.enums import ScopeType

from server.lib import metrics
from server.lib.principal import Principal
from server.lib.request_id import HEADER, choose_request_id, set_request_id

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["LogFormat", "RequestLog", "access_logger", "configure_logs", "format_fields"]

LogFormat = Literal["json", "text"]
_UNMATCHED: Final = "(unmatched)"  # no route: the path itself is not logged (any text a client typed)
_logger = logging.getLogger("tadqiq.access")


def format_fields(fields: dict[str, Any], log_format: LogFormat) -> str:
    if log_format == "json":
        return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return (
        f"{fields['time']} request={fields['requestId']} user={fields['userId'] or '-'} "
        f"{fields['method']} {fields['route']} {fields['status']} {fields['durationMs']}ms"
    )


class _Formatter(logging.Formatter):
    def __init__(self, log_format: LogFormat) -> None:
        super().__init__()
        self.log_format = log_format

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "access", None)
        if not isinstance(fields, dict):
            return super().format(record)
        return format_fields(fields, self.log_format)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to the standard error of the moment (a test's captured one too), not the one at startup."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def access_logger() -> logging.Logger:
    return _logger


def configure_logs(log_format: str) -> None:
    """Send the request lines to standard error in ``log_format``; a bad value stops start-up, named."""
    if log_format not in ("json", "text"):
        raise SystemExit(f"TADQIQ_LOG_FORMAT must be json or text, got {log_format!r}")
    handler = next((h for h in _logger.handlers if isinstance(h, _StderrHandler)), None)
    if handler is None:
        handler = _StderrHandler()
        _logger.addHandler(handler)
    handler.setFormatter(_Formatter("json" if log_format == "json" else "text"))
    _logger.setLevel(logging.INFO)
    _logger.propagate = False  # one line per request, whatever the root logger does


class RequestLog:
    """ASGI wrapper: give the request its id, add ``X-Request-Id`` to the answer, log and time it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = choose_request_id(scope["headers"])
        set_request_id(scope, request_id)
        status = 500  # what the client sees if the app fails before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (HEADER.encode(), request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self._record(scope, request_id, status, time.perf_counter() - started)

    @staticmethod
    def _record(scope: Scope, request_id: str, status: int, seconds: float) -> None:
        route = str(scope.get("path_template") or _UNMATCHED)
        method = str(scope.get("method", ""))
        user = scope.get("user")
        metrics.observe_request(route, method, status, seconds)
        _logger.info(
            "request",
            extra={
                "access": {
                    "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                    "requestId": request_id,
                    "userId": user.user_id if isinstance(user, Principal) else None,
                    "method": method,
                    "route": route,
                    "status": status,
                    "durationMs": round(seconds * 1000, 1),
                }
            },
        )

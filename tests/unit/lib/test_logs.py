"""The request line's two formats, the request id a client may bring, and who may read /metrics."""

from __future__ import annotations

import json

import pytest

from server.lib.logs import configure_logs, format_fields
from server.lib.request_id import choose_request_id
from server.system.metrics_handlers import _may_read, allowed_networks

FIELDS = {
    "time": "2025-03-04T09:15:02.120Z",
    "requestId": "nginx-3f9a0c1d",
    "userId": None,
    "method": "POST",
    "route": "/api/v1/auth/login",
    "status": 401,
    "durationMs": 12.5,
}


def test_the_json_line_is_the_fields_and_nothing_else() -> None:
    line = format_fields(FIELDS, "json")
    assert "\n" not in line
    assert json.loads(line) == FIELDS


def test_the_text_line_says_the_same_fields_readably() -> None:
    assert format_fields(FIELDS, "text") == (
        "2025-03-04T09:15:02.120Z request=nginx-3f9a0c1d user=- POST /api/v1/auth/login 401 12.5ms"
    )


def test_an_unknown_log_format_stops_start_up() -> None:
    with pytest.raises(SystemExit, match="TADQIQ_LOG_FORMAT"):
        configure_logs("xml")


@pytest.mark.parametrize("incoming", ["nginx-3f9a0c1d", "a", "0123456789abcdef0123456789abcdef", "x.y_z"])
def test_a_short_safe_incoming_id_is_kept(incoming: str) -> None:
    assert choose_request_id([(b"X-Request-Id", incoming.encode())]) == incoming


@pytest.mark.parametrize("incoming", ["", "x" * 65, "a b", "id\nforged line", '{"status":200}', "é"])
def test_any_other_incoming_id_is_replaced(incoming: str) -> None:
    chosen = choose_request_id([(b"x-request-id", incoming.encode())])
    assert chosen != incoming and len(chosen) == 16


def test_each_request_without_an_id_gets_its_own() -> None:
    assert choose_request_id([]) != choose_request_id([])


def test_metrics_readers_by_address() -> None:
    default = "127.0.0.1/32,::1/128"
    assert _may_read("127.0.0.1", default) and _may_read("::1", default)
    assert _may_read("::ffff:127.0.0.1", default)  # loopback on a dual-stack socket
    assert not _may_read("10.0.0.5", default)
    assert not _may_read("testclient", default) and not _may_read(None, default)
    assert _may_read("10.20.0.5", "10.0.0.0/8") and not _may_read("127.0.0.1", "")


def test_a_mistyped_allowed_entry_stops_start_up() -> None:
    with pytest.raises(SystemExit, match="TADQIQ_METRICS_ALLOWED"):
        allowed_networks("10.0.0.0/8, prometheus.local")

"""TADQIQ_TRUSTED_PROXIES: checked at start-up, and uvicorn, configured from it, believes X-Forwarded-For
and X-Forwarded-Proto from those peers only (the app as uvicorn actually wraps it)."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn

from server.lib.forwarded import trusted_networks, uvicorn_proxy_options


def test_addresses_and_networks_are_read_and_blanks_skipped() -> None:
    assert [str(n) for n in trusted_networks(" 127.0.0.1, ::1 ,10.0.0.0/8,,192.168.1.7/16 ")] == [
        "127.0.0.1/32",
        "::1/128",
        "10.0.0.0/8",
        "192.168.0.0/16",
    ]
    assert trusted_networks("") == []


@pytest.mark.parametrize("entry", ["*", "localhost", "10.0.0.0/33", "127.0.0.256", "10.0.0.1:8080"])
def test_a_malformed_entry_stops_start_up_naming_it(entry: str) -> None:
    with pytest.raises(SystemExit) as stopped:
        uvicorn_proxy_options(f"127.0.0.1,{entry}")
    assert "TADQIQ_TRUSTED_PROXIES" in str(stopped.value)
    assert repr(entry) in str(stopped.value)


async def _seen(trusted: str, peer: str, headers: list[tuple[bytes, bytes]]) -> tuple[str, str]:
    """The client address and scheme the app sees when ``peer`` sends ``headers`` to uvicorn."""
    seen: dict[str, Any] = {}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.update(client=scope["client"][0], scheme=scope["scheme"])

    config = uvicorn.Config(app, log_level="warning", **uvicorn_proxy_options(trusted))
    config.load()
    scope = {"type": "http", "client": (peer, 50000), "scheme": "http", "headers": headers}
    await config.loaded_app(scope, None, None)
    return seen["client"], seen["scheme"]


FORGED = [(b"x-forwarded-for", b"203.0.113.9"), (b"x-forwarded-proto", b"https")]


async def test_no_proxy_is_believed_by_default_not_even_loopback() -> None:
    assert await _seen("", "127.0.0.1", FORGED) == ("127.0.0.1", "http")
    assert await _seen("", "::1", FORGED) == ("::1", "http")


async def test_headers_from_an_untrusted_peer_are_ignored() -> None:
    assert await _seen("127.0.0.1,10.0.0.0/8", "198.51.100.7", FORGED) == ("198.51.100.7", "http")


async def test_a_trusted_peer_gives_the_client_and_the_scheme() -> None:
    assert await _seen("127.0.0.1", "127.0.0.1", FORGED) == ("203.0.113.9", "https")
    assert await _seen("10.0.0.0/8", "10.4.5.6", FORGED) == ("203.0.113.9", "https")


async def test_the_right_most_untrusted_hop_wins_over_what_the_client_wrote() -> None:
    # The client wrote "1.2.3.4"; the proxy appended the address it saw the client at.
    chain = [(b"x-forwarded-for", b"1.2.3.4, 198.51.100.7")]
    assert await _seen("127.0.0.1", "127.0.0.1", chain) == ("198.51.100.7", "http")
    # Two trusted proxies in a row (a load balancer, then nginx): both are skipped.
    chain = [(b"x-forwarded-for", b"1.2.3.4, 198.51.100.7, 10.0.0.5")]
    assert await _seen("127.0.0.1,10.0.0.0/8", "127.0.0.1", chain) == ("198.51.100.7", "http")

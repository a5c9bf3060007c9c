"""The one reader of address lists in settings: what start-up refuses and what ``tadqiq doctor`` lists."""

from __future__ import annotations

import ipaddress

import pytest

from server.lib.networks import parse_networks, split_networks


def test_every_malformed_entry_is_listed_and_the_rest_read() -> None:
    networks, bad = split_networks(" 127.0.0.1, proxy.local ,, 10.1.2.3/8, *, ::1 ")
    assert networks == [
        ipaddress.ip_network("127.0.0.1/32"),
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("::1/128"),
    ]
    assert bad == ["proxy.local", "*"]
    assert split_networks("") == ([], [])


def test_start_up_stops_at_a_malformed_entry_naming_the_setting() -> None:
    with pytest.raises(SystemExit, match=r"TADQIQ_TRUSTED_PROXIES: 'proxy\.local' is not an IP address"):
        parse_networks("127.0.0.1, proxy.local, *", "TADQIQ_TRUSTED_PROXIES")
    assert parse_networks("10.0.0.0/8", "TADQIQ_METRICS_ALLOWED") == [ipaddress.ip_network("10.0.0.0/8")]

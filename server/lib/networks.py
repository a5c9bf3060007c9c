"""Lists of addresses or networks in settings (``TADQIQ_TRUSTED_PROXIES``, ``TADQIQ_METRICS_ALLOWED``)."""

from __future__ import annotations

import ipaddress

__all__ = ["Network", "parse_networks", "split_networks"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def split_networks(raw: str) -> tuple[list[Network], list[str]]:
    """The comma-separated addresses or CIDRs of ``raw`` read as networks, and the entries that are
    neither (empty entries are skipped)."""
    networks: list[Network] = []
    bad: list[str] = []
    for entry in (part.strip() for part in raw.split(",")):
        if not entry:
            continue
        try:
            # strict=False: "10.1.2.3/8" is read as 10.0.0.0/8, as an admin writing it means.
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            bad.append(entry)
    return networks, bad


def parse_networks(raw: str, setting: str) -> list[Network]:
    """The networks of ``raw`` (see ``split_networks``); a malformed entry stops start-up, named with
    the ``setting`` it came from (``tadqiq doctor`` lists them all beforehand)."""
    networks, bad = split_networks(raw)
    if bad:
        raise SystemExit(
            f"{setting}: {bad[0]!r} is not an IP address or a network such as 10.0.0.0/8 "
            "(host names and * are not accepted)"
        )
    return networks

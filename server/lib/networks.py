"""Lists of addresses or networks in settings (``TADQIQ_TRUSTED_PROXIES``, ``TADQIQ_METRICS_ALLOWED``)."""

from __future__ import annotations

import ipaddress

__all__ = ["Network", "parse_networks"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(raw: str, setting: str) -> list[Network]:
    """The comma-separated addresses or CIDRs of ``raw``; a malformed entry stops start-up, named with
    the ``setting`` it came from."""
    networks: list[Network] = []
    for entry in (part.strip() for part in raw.split(",")):
        if not entry:
            continue
        try:
            # strict=False: "10.1.2.3/8" is read as 10.0.0.0/8, as an admin writing it means.
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise SystemExit(
                f"{setting}: {entry!r} is not an IP address or a network such as 10.0.0.0/8 "
                "(host names and * are not accepted)"
            ) from None
    return networks

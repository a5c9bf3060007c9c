"""Which reverse proxies are believed about the client's address and scheme (``TADQIQ_TRUSTED_PROXIES``).

uvicorn does the rewriting itself (its ``ProxyHeadersMiddleware``, which takes CIDRs): only when the
direct peer is trusted, ``X-Forwarded-For`` is read from the right, trusted hops are skipped and the first
untrusted hop becomes ``request.client`` (what the login throttle counts); ``X-Forwarded-Proto`` becomes
the scheme. A client's own forged entries sit left of the address the proxy appends, so they are never
reached. Two things are done here, because uvicorn's defaults would undo the setting:

- an empty setting switches the headers off: uvicorn otherwise believes 127.0.0.1 and ::1, so anyone
  on the machine, or a proxy the admin forgot to declare, could pick the address throttling sees;
- every entry is checked at start-up: uvicorn keeps a mistyped entry as a literal that matches nothing,
  and ``*`` would believe everyone.
"""

from __future__ import annotations

from typing import Any

from server.lib.networks import Network, parse_networks

__all__ = ["trusted_networks", "uvicorn_proxy_options"]


def trusted_networks(raw: str) -> list[Network]:
    """The comma-separated addresses or CIDRs of ``raw``; a malformed entry stops start-up, named."""
    return parse_networks(raw, "TADQIQ_TRUSTED_PROXIES")


def uvicorn_proxy_options(raw: str) -> dict[str, Any]:
    """The keyword arguments of ``uvicorn.Config`` that believe exactly the proxies of ``raw``."""
    networks = trusted_networks(raw)
    if not networks:
        return {"proxy_headers": False}
    # Normalised ("127.0.0.1/32"): uvicorn reads an entry with a "/" as a network, strictly.
    return {"proxy_headers": True, "forwarded_allow_ips": [str(network) for network in networks]}

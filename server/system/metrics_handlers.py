"""``GET /metrics``: the Prometheus series (``server/lib/metrics.py``), for the addresses of
``TADQIQ_METRICS_ALLOWED`` only.

Anyone else gets the 404 of an address where nothing is, so the endpoint is not advertised. The address
is the direct peer's, or the one a trusted proxy forwarded (``TADQIQ_TRUSTED_PROXIES``): a proxy that is
not trusted cannot lend its own loopback address to the whole Internet.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from litestar import Request, Response, get

from server.auth.policy import PUBLIC
from server.lib import metrics
from server.lib.errors import AppError, ErrorCode
from server.lib.networks import Network, parse_networks

__all__ = ["allowed_networks", "read_metrics"]


@lru_cache(maxsize=4)
def allowed_networks(raw: str) -> tuple[Network, ...]:
    """The comma-separated addresses or CIDRs of ``raw``; a malformed entry stops start-up, named."""
    return tuple(parse_networks(raw, "TADQIQ_METRICS_ALLOWED"))


def _may_read(host: str | None, raw: str) -> bool:
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:  # no address, or a name (a Unix socket, a test client)
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in allowed_networks(raw))


@get(
    "/metrics",
    operation_id="getMetrics",
    exclude_from_auth=True,
    guards=[PUBLIC],
    include_in_schema=False,
    sync_to_thread=False,
)
def read_metrics(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The Prometheus text exposition of this server's series (every worker's, in multiprocess mode)."""
    host = request.client.host if request.client else None
    if not _may_read(host, request.app.state.settings.metrics_allowed):
        raise AppError(ErrorCode.ROUTE_NOT_FOUND)
    body, content_type = metrics.exposition()
    return Response(content=body, media_type=content_type)

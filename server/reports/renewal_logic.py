"""When a B-LTA PDF's document timestamps must be renewed: pure decisions, no I/O.

A document timestamp proves what it covers only while its authority's certificate is valid (and
unrevoked). Renewal adds a newer timestamp, from a certificate that lasts longer, while the latest one is
still valid: due from ``window_days`` before the latest certificate expires; after that expiry it is too
late (the newer timestamp could no longer vouch for the older one).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

__all__ = ["RenewalState", "authority_outlasts_window", "renew_from", "renewal_state"]

RenewalState = Literal["not_due", "due", "too_late", "no_timestamp"]
"""- ``not_due``: the latest timestamp's certificate lasts beyond the window;
- ``due``: it expires within the window (renew now);
- ``too_late``: it has expired: the file can no longer be renewed, its proof stops at that date;
- ``no_timestamp``: the file holds no document timestamp (not B-LTA, or unreadable)."""


def renew_from(expires_at: datetime, window_days: int) -> datetime:
    """The moment renewal becomes due: ``window_days`` before the certificate expires."""
    return expires_at - timedelta(days=window_days)


def renewal_state(expires_at: datetime | None, now: datetime, window_days: int) -> RenewalState:
    """Where a file stands, given when its latest document timestamp's certificate expires (None: no
    timestamp)."""
    if expires_at is None:
        return "no_timestamp"
    if expires_at <= now:
        return "too_late"
    return "due" if now >= renew_from(expires_at, window_days) else "not_due"


def authority_outlasts_window(authority_expires_at: datetime, now: datetime, window_days: int) -> bool:
    """The timestamp authority's current certificate lasts beyond the window: a timestamp from it takes
    the file out of the window. Otherwise renewing would only have to be done again at the next run
    (every day), and the authority's provider must renew its certificate first."""
    return renewal_state(authority_expires_at, now, window_days) == "not_due"

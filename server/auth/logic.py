"""Passwords, tokens, login throttling and access decisions: pure functions, no I/O."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.lib.principal import Role

__all__ = [
    "hash_password",
    "hash_token",
    "make_hasher",
    "new_token",
    "parse_roles",
    "retry_after_seconds",
    "slid_expiry",
    "verify_password",
]


def make_hasher(time_cost: int, memory_kib: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)


def hash_password(hasher: PasswordHasher, password: str) -> str:
    return hasher.hash(password)


def verify_password(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_token() -> tuple[str, str]:
    """A fresh bearer token and the hash we store (the token itself is never stored)."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def parse_roles(raw: str) -> frozenset[Role]:
    return frozenset(Role(part) for part in raw.split(",") if part)


def retry_after_seconds(
    failures: Sequence[datetime], *, limit: int, window: timedelta, now: datetime
) -> int | None:
    """Seconds until one more attempt is allowed, or None when it is allowed now.

    ``failures`` are the failure times inside the window. An attempt is allowed while fewer than
    ``limit`` failures are recent; otherwise the client waits until enough of them age out.
    """
    recent = sorted(t for t in failures if now - t < window)
    if len(recent) < limit:
        return None
    # The (len - limit + 1)-th oldest failure must leave the window first.
    frees_at = recent[len(recent) - limit] + window
    return max(1, int((frees_at - now).total_seconds()) + 1)


def slid_expiry(expires_at: datetime, *, now: datetime, ttl: timedelta) -> datetime | None:
    """The new expiry when a token is used, or None when it need not be written yet.

    Sliding at most once an hour keeps authenticated reads from writing on every request.
    """
    fresh = now + ttl
    if fresh - expires_at >= timedelta(hours=1):
        return fresh
    return None

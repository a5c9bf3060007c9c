"""Passwords, tokens, login throttling and access decisions: pure functions, no I/O."""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from server.lib.principal import Role

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "FailedAttempt",
    "KeyVerdict",
    "ThrottleRule",
    "ThrottleScope",
    "ThrottleState",
    "counting_since",
    "failure_evidence",
    "hash_password",
    "hash_token",
    "judge_key",
    "lockout_duration",
    "make_hasher",
    "new_token",
    "normalize_username",
    "parse_roles",
    "slid_expiry",
    "standing_strikes",
    "state_after_success",
    "throttle_keys",
    "throttle_subject",
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


def slid_expiry(expires_at: datetime, *, now: datetime, ttl: timedelta) -> datetime | None:
    """The new expiry when a token is used, or None when it need not be written yet.

    Sliding at most once an hour keeps authenticated reads from writing on every request.
    """
    fresh = now + ttl
    if fresh - expires_at >= timedelta(hours=1):
        return fresh
    return None


# Login throttling. Three keys are watched for each attempt: the account (all addresses together), the
# (account, address) pair, and the address, which counts the distinct accounts it failed on so that typos on
# a few accounts behind one shared address (a council's NAT) never lock everyone out, while credential
# stuffing (one address, many accounts) does.


class ThrottleScope(StrEnum):
    ACCOUNT = "account"
    PAIR = "pair"
    ADDRESS = "address"


class FailedAttempt(NamedTuple):
    """One login attempt counted as a failure (attempts are counted from the moment they are reserved)."""

    username: str
    address: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ThrottleRule:
    limit: int
    """Evidence tolerated inside the window: failures (account, pair) or distinct accounts (address)."""
    window: timedelta
    first_lockout: timedelta


@dataclass(frozen=True, slots=True)
class ThrottleState:
    """What a key remembers between attempts: its lockouts in a row and where its count restarts."""

    strikes: int = 0
    locked_until: datetime | None = None
    counted_from: datetime | None = None
    """Failures before this instant no longer count (set when a lockout ends or on success)."""
    forget_at: datetime | None = None
    """After this instant the state says nothing the window would not, and may be deleted."""


@dataclass(frozen=True, slots=True)
class KeyVerdict:
    wait_seconds: int | None
    """None when the key allows the attempt; otherwise the seconds before it will."""
    new_state: ThrottleState | None
    """The state to store, or None when it does not change."""


def normalize_username(raw: str) -> str:
    return raw.strip().lower()


def throttle_subject(username: str, address: str) -> tuple[str, str]:
    """The username and address as throttling stores them: bounded, so that any input fits the columns."""
    return username[:100], address[:100]


def throttle_keys(username: str, address: str) -> dict[ThrottleScope, str]:
    """The stored key of each scope, for a subject from :func:`throttle_subject`."""
    return {
        ThrottleScope.ACCOUNT: f"account:{username}",
        ThrottleScope.PAIR: f"pair:{address} {username}",
        ThrottleScope.ADDRESS: f"address:{address}",
    }


def lockout_duration(strikes: int, *, first: timedelta, cap: timedelta) -> timedelta:
    """The wait of the ``strikes``-th lockout in a row: ``first``, doubling each time, never above ``cap``."""
    if strikes <= 1:
        return min(first, cap)
    # Past 2**20 the cap has long been reached; the bound keeps the multiplication small.
    doubled: timedelta = first * (1 << min(strikes - 1, 20))
    return min(doubled, cap)


def standing_strikes(state: ThrottleState, *, now: datetime, window: timedelta) -> int:
    """Lockouts in a row that still count: a whole window without lockout forgives them."""
    if state.locked_until is None or now - state.locked_until >= window:
        return 0
    return state.strikes


def counting_since(state: ThrottleState, *, now: datetime, window: timedelta) -> datetime:
    """Failures of a key count from here: the window's start, or later after a success or a lockout."""
    start = now - window
    if state.counted_from is not None and state.counted_from > start:
        return state.counted_from
    return start


def failure_evidence(
    failures: Iterable[FailedAttempt],
    *,
    username: str,
    address: str,
    since: Mapping[ThrottleScope, datetime],
) -> dict[ThrottleScope, int]:
    """Failures of the account and of the pair, and distinct accounts failed on from the address."""
    account = pair = 0
    accounts_from_address: set[str] = set()
    for failure in failures:
        if failure.username == username and failure.at >= since[ThrottleScope.ACCOUNT]:
            account += 1
        if failure.address != address:
            continue
        if failure.username == username and failure.at >= since[ThrottleScope.PAIR]:
            pair += 1
        if failure.at >= since[ThrottleScope.ADDRESS]:
            accounts_from_address.add(failure.username)
    return {
        ThrottleScope.ACCOUNT: account,
        ThrottleScope.PAIR: pair,
        ThrottleScope.ADDRESS: len(accounts_from_address),
    }


def _whole_seconds(delta: timedelta) -> int:
    return max(1, math.ceil(delta.total_seconds()))


def judge_key(state: ThrottleState, evidence: int, *, rule: ThrottleRule, now: datetime) -> KeyVerdict:
    """Whether one key allows another attempt now, and the lockout to store when it just ran out.

    A locked key waits until its lockout ends. Otherwise it allows the attempt while its evidence is
    below the limit; at the limit it is locked (the first lockout short, each further one in a row
    twice as long, capped at the window) and its count restarts when the lockout ends.
    """
    if state.locked_until is not None and state.locked_until > now:
        return KeyVerdict(wait_seconds=_whole_seconds(state.locked_until - now), new_state=None)
    if evidence < rule.limit:
        return KeyVerdict(wait_seconds=None, new_state=None)
    strikes = standing_strikes(state, now=now, window=rule.window) + 1
    until = now + lockout_duration(strikes, first=rule.first_lockout, cap=rule.window)
    locked = ThrottleState(
        strikes=strikes, locked_until=until, counted_from=until, forget_at=until + rule.window
    )
    return KeyVerdict(wait_seconds=_whole_seconds(until - now), new_state=locked)


def state_after_success(*, now: datetime, window: timedelta) -> ThrottleState:
    """A correct password wipes the slate of the account and of the pair: no strikes, no earlier failures."""
    return ThrottleState(strikes=0, locked_until=None, counted_from=now, forget_at=now + window)

"""Passwords, tokens, login throttling and access decisions: pure functions, no I/O."""

from __future__ import annotations

import hashlib
import math
import secrets
import unicodedata
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
    "PAGE_SIZE",
    "TEMPORARY_ALPHABET",
    "AccountFilter",
    "FailedAttempt",
    "KeyVerdict",
    "ThrottleRule",
    "ThrottleScope",
    "ThrottleState",
    "counting_since",
    "failure_evidence",
    "folded",
    "hash_password",
    "hash_token",
    "judge_key",
    "lockout_duration",
    "make_hasher",
    "matches_search",
    "new_token",
    "normalize_username",
    "own_lockout",
    "page_bounds",
    "parse_roles",
    "slid_expiry",
    "standing_strikes",
    "state_after_success",
    "temporary_password",
    "throttle_keys",
    "throttle_subject",
    "throttled_username",
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


# No letter or digit that reads like another (i l 1, o 0): the admin reads it out or writes it down, the
# user types it on a tablet's keyboard, lowercase needing no shift.
TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def temporary_password(groups: int = 4, size: int = 4) -> str:
    """A one-time password after a reset: ``groups`` groups of ``size`` characters joined by "-" (four
    of four: 16 characters from 31, about 79 bits)."""
    return "-".join("".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(size)) for _ in range(groups))


def folded(text: str) -> str:
    """``text`` as a search compares it: case folded, accents and Arabic short vowels dropped."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def matches_search(query: str, texts: Iterable[str]) -> bool:
    """Whether ``query`` (folded) is part of any of ``texts``; an empty query matches everything."""
    wanted = folded(query)
    return not wanted or any(wanted in folded(text) for text in texts)


PAGE_SIZE = 25
"""Accounts in a page asked for by number without a ``limit``."""


def page_bounds(limit: int | None, offset: int | None, page: int | None) -> tuple[int, int | None]:
    """The first row and the row count of a page: ``limit`` rows (all without it) after ``offset``; with
    ``page`` (from 1), that page of ``limit`` rows (``PAGE_SIZE`` by default) after ``offset``."""
    first = offset or 0
    if page is None:
        return first, limit
    size = limit or PAGE_SIZE
    return first + (page - 1) * size, size


@dataclass(frozen=True, slots=True)
class AccountFilter:
    """What an account list keeps: a search (username or linked person's name), a role, active or not."""

    search: str = ""
    role: Role | None = None
    active: bool | None = None

    def keeps(self, *, username: str, roles: Iterable[Role], active: bool, names: Iterable[str]) -> bool:
        if self.active is not None and active != self.active:
            return False
        if self.role is not None and self.role not in roles:
            return False
        return matches_search(self.search, [username, *names])


def own_lockout(
    actor_id: str,
    user_id: str,
    *,
    active: bool | None = None,
    roles: Iterable[Role] | None = None,
    reset: bool = False,
) -> str | None:
    """What would lock an administrator out of their own account, or None: deactivating it ("active"),
    taking away its administrator role ("roles"), or resetting its password ("password": every session
    ends, and nobody else knows the one-time password). Another administrator may do each."""
    if actor_id != user_id:
        return None
    if active is False:
        return "active"
    if roles is not None and Role.ADMIN not in roles:
        return "roles"
    return "password" if reset else None


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


def throttled_username(key: str) -> str | None:
    """The account a stored throttle key holds back: its account key or one of its pairs (an address
    holds back no single account)."""
    scope, _, rest = key.partition(":")
    if scope == ThrottleScope.ACCOUNT:
        return rest
    if scope == ThrottleScope.PAIR:
        return rest.partition(" ")[2] or None
    return None


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

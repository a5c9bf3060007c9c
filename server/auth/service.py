"""Auth use cases: signing in (throttled, with a bounded number of password checks at once) and
account administration. One transaction per step; handlers only decode and encode."""

from __future__ import annotations

import asyncio
import math
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import anyio.to_thread

from server.auth import store
from server.auth.logic import (
    AccountFilter,
    ThrottleRule,
    ThrottleScope,
    ThrottleState,
    counting_since,
    failure_evidence,
    hash_password,
    hash_token,
    judge_key,
    make_hasher,
    new_token,
    normalize_username,
    own_lockout,
    state_after_success,
    temporary_password,
    throttle_keys,
    throttle_subject,
    verify_password,
)
from server.auth.schemas import LoginOut, MeOut, PasswordResetOut
from server.lib import metrics
from server.lib.clock import utcnow
from server.lib.db import write_transaction
from server.lib.errors import AppError, ErrorCode
from server.org import people_store
from server.org.service import check_usable_references

if TYPE_CHECKING:
    from collections.abc import AsyncIterator
    from datetime import datetime

    from server.auth.schemas import PasswordChangeIn, UserCreateIn, UserOut, UserUpdateIn
    from server.lib.principal import Principal, Role
    from server.settings import Settings

__all__ = [
    "VerificationGate",
    "change_own_password",
    "create_user",
    "lift_throttle",
    "list_users",
    "log_in",
    "log_out",
    "reset_password",
    "update_user",
]


class VerificationGate:
    """At most ``size`` password checks at once in this process: each argon2 check holds its memory
    cost (64 MiB by default) for its whole run, on an endpoint anyone can call.

    A login that finds no free slot within ``wait_seconds`` is refused with 503 ``auth.busy``. The
    bound is per process: with several server processes, each has its own gate.
    """

    def __init__(self, size: int, wait_seconds: float) -> None:
        self._slots = asyncio.Semaphore(size)
        self._wait_seconds = wait_seconds

    @classmethod
    def from_settings(cls, settings: Settings) -> VerificationGate:
        return cls(settings.login_max_concurrent_verifications, settings.login_verification_wait_ms / 1000)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        try:
            async with asyncio.timeout(self._wait_seconds):
                await self._slots.acquire()
        except TimeoutError:
            wait = max(1, math.ceil(self._wait_seconds))
            raise AppError(
                ErrorCode.AUTH_BUSY, details={"retryAfter": wait}, headers={"Retry-After": str(wait)}
            ) from None
        try:
            yield
        finally:
            self._slots.release()


# Checked when the username is unknown, so that both failures take the same time.
_DUMMY_HASH_CACHE: dict[tuple[int, int], str] = {}


def _dummy_hash(settings: Settings) -> str:
    key = (settings.argon2_time_cost, settings.argon2_memory_kib)
    if key not in _DUMMY_HASH_CACHE:
        _DUMMY_HASH_CACHE[key] = hash_password(make_hasher(*key), "no-such-user-placeholder")
    return _DUMMY_HASH_CACHE[key]


def _rules(settings: Settings) -> dict[ThrottleScope, ThrottleRule]:
    window = timedelta(seconds=settings.login_window_seconds)
    first = timedelta(seconds=settings.login_first_lockout_seconds)
    return {
        ThrottleScope.ACCOUNT: ThrottleRule(settings.login_max_failures_per_account, window, first),
        ThrottleScope.PAIR: ThrottleRule(settings.login_max_failures, window, first),
        ThrottleScope.ADDRESS: ThrottleRule(settings.login_max_accounts_per_address, window, first),
    }


@dataclass(frozen=True, slots=True)
class _Reservation:
    attempt_id: int | None
    """The attempt recorded as a pending failure, or None when the attempt was refused."""
    wait_seconds: int
    candidate: store.LoginCandidate | None


async def _reserve_attempt(settings: Settings, username: str, address: str, now: datetime) -> _Reservation:
    """Judge the account, the pair and the address and, when all allow it, record the attempt as a
    failure, in one transaction queued behind any other: parallel attempts cannot all pass."""
    rules = _rules(settings)
    window = timedelta(seconds=settings.login_window_seconds)
    who, where = throttle_subject(username, address)
    keys = throttle_keys(who, where)
    async with write_transaction():
        await store.hold_login_lock()
        await store.forget_stale_throttling(now - window, now)
        stored = await store.throttle_states(keys.values())
        states: dict[ThrottleScope, ThrottleState] = {
            scope: stored.get(key, ThrottleState()) for scope, key in keys.items()
        }
        since = {scope: counting_since(states[scope], now=now, window=window) for scope in keys}
        failures = await store.failures_touching(who, where, min(since.values()))
        evidence = failure_evidence(failures, username=who, address=where, since=since)
        verdicts = {
            scope: judge_key(states[scope], evidence[scope], rule=rules[scope], now=now) for scope in keys
        }
        waits = [v.wait_seconds for v in verdicts.values() if v.wait_seconds is not None]
        if waits:
            await store.save_throttle_states(
                {keys[scope]: v.new_state for scope, v in verdicts.items() if v.new_state is not None}
            )
            return _Reservation(attempt_id=None, wait_seconds=max(waits), candidate=None)
        attempt_id = await store.record_attempt(who, where, now)
        candidate = await store.login_candidate(username)
    return _Reservation(attempt_id=attempt_id, wait_seconds=0, candidate=candidate)


async def _password_matches(
    settings: Settings, gate: VerificationGate, candidate: store.LoginCandidate | None, password: str
) -> bool:
    hasher = make_hasher(settings.argon2_time_cost, settings.argon2_memory_kib)
    async with gate.slot():
        stored_hash = candidate.password_hash if candidate else _dummy_hash(settings)
        return await anyio.to_thread.run_sync(verify_password, hasher, stored_hash, password)


async def _open_session(
    settings: Settings, attempt_id: int, candidate: store.LoginCandidate, username: str, address: str
) -> LoginOut:
    """The attempt was no failure: the account and the pair start afresh (the address keeps its evidence
    of the other accounts it failed on), and a token is issued."""
    now = utcnow()
    window = timedelta(seconds=settings.login_window_seconds)
    keys = throttle_keys(*throttle_subject(username, address))
    fresh = state_after_success(now=now, window=window)
    token, token_hash = new_token()
    ttl = timedelta(days=settings.token_ttl_days)
    async with write_transaction():
        await store.hold_login_lock()
        await store.forget_attempt(attempt_id)
        await store.save_throttle_states(
            {keys[ThrottleScope.ACCOUNT]: fresh, keys[ThrottleScope.PAIR]: fresh}
        )
        me = await store.create_token(candidate.id, token_hash, now, ttl)
    return LoginOut(token=token, token_type="Bearer", expires_at=now + ttl, user=me)  # noqa: S106


async def log_in(
    settings: Settings, gate: VerificationGate, *, username: str, password: str, address: str
) -> LoginOut:
    """Exchange a username and password for a bearer token.

    The attempt is counted before the password is checked (429 ``auth.too_many_attempts`` with
    ``Retry-After`` when the account, the pair or the address is locked out), and the check waits for
    a free slot of ``gate`` (503 ``auth.busy`` when none frees up in time; that attempt is not counted).
    """
    name = normalize_username(username)
    attempt_id, candidate = await _checked_attempt(settings, gate, name, address, password)
    if attempt_id is None or candidate is None or not candidate.active:
        metrics.login_failed()
        raise AppError(ErrorCode.INVALID_CREDENTIALS)  # the reserved attempt stays a failure
    return await _open_session(settings, attempt_id, candidate, name, address)


async def _checked_attempt(
    settings: Settings, gate: VerificationGate, name: str, address: str, password: str
) -> tuple[int | None, store.LoginCandidate | None]:
    """Reserve an attempt of ``name`` from ``address`` and check ``password``: the attempt's id when the
    password matches (it still counts as a failure until forgotten), else None and the attempt stays a
    failure. 429 when throttled, 503 when no check slot frees up (that attempt is forgotten)."""
    reservation = await _reserve_attempt(settings, name, address, utcnow())
    if reservation.attempt_id is None:
        wait = reservation.wait_seconds
        metrics.login_throttled()
        raise AppError(
            ErrorCode.TOO_MANY_ATTEMPTS,
            params={"seconds": wait},
            details={"retryAfter": wait},
            headers={"Retry-After": str(wait)},
        )
    candidate = reservation.candidate
    try:
        ok = await _password_matches(settings, gate, candidate, password)
    except AppError as busy:
        if busy.code is ErrorCode.AUTH_BUSY:
            await _forget_attempt(reservation.attempt_id)
        raise
    return (reservation.attempt_id if ok else None), candidate


async def _forget_attempt(attempt_id: int) -> None:
    async with write_transaction():
        await store.hold_login_lock()
        await store.forget_attempt(attempt_id)


async def log_out(token: str) -> None:
    await store.revoke_token(hash_token(token), utcnow())


async def _check_person(person_id: str | None) -> None:
    """422 ``org.unknown_reference`` naming ``personId`` when the linked person does not exist, 409
    ``org.archived`` when they were archived (nobody new signs in as someone who left)."""
    if person_id is None:
        return
    await check_usable_references(person_ids=[person_id], field_names={"people": "personId"})


async def _hash_new_password(settings: Settings, password: str) -> str:
    hasher = make_hasher(settings.argon2_time_cost, settings.argon2_memory_kib)
    return await anyio.to_thread.run_sync(hash_password, hasher, password)


async def create_user(settings: Settings, actor: Principal, data: UserCreateIn) -> UserOut:
    """Create an account with its roles, an initial password and maybe a link to a person."""
    await _check_person(data.person_id)  # before the costly hash; checked again with the insert
    password_hash = await _hash_new_password(settings, data.password)
    async with write_transaction():
        await _check_person(data.person_id)
        return await store.create_user(
            actor,
            username=data.username,
            password_hash=password_hash,
            roles=data.roles,
            person_id=data.person_id,
            locale=data.locale,
            now=utcnow(),
            must_change_password=data.must_change_password,
        )


async def update_user(settings: Settings, actor: Principal, user_id: str, data: UserUpdateIn) -> UserOut:
    """Change roles, password, language, linked person or active flag (revokes tokens when needed). 409
    ``auth.own_account`` for an administrator deactivating themselves or taking away their own role."""
    _refuse_own_lockout(actor, user_id, active=data.active, roles=data.roles)
    await _check_person(data.person_id)
    changes: dict[str, Any] = {}
    if data.roles is not None:
        changes["roles"] = ",".join(sorted(data.roles))
    if data.password is not None:
        changes["password_hash"] = await _hash_new_password(settings, data.password)
    if data.person_id is not None:
        changes["person_id"] = data.person_id
    if data.locale is not None:
        changes["locale"] = data.locale
    if data.active is not None:
        changes["active"] = data.active
    async with write_transaction():
        await _check_person(data.person_id)
        return await store.update_user(actor, user_id, changes, utcnow())


def _refuse_own_lockout(
    actor: Principal,
    user_id: str,
    *,
    active: bool | None = None,
    roles: list[Role] | None = None,
    reset: bool = False,
) -> None:
    field = own_lockout(actor.user_id, user_id, active=active, roles=roles, reset=reset)
    if field is not None:
        raise AppError(ErrorCode.OWN_ACCOUNT, details={"field": field})


async def list_users(search: AccountFilter, offset: int, limit: int | None) -> tuple[list[UserOut], int]:
    """The accounts ``search`` keeps, by username: the page from ``offset`` (``limit`` of them, or all)
    and how many there are in all."""
    names: dict[str, list[str]] = {}
    if search.search.strip():
        people = await people_store.list_people(None)
        names = {p.id: [p.full_name.ar, p.full_name.fr] for p in people}
    kept = [
        user
        for user in await store.list_users()
        if search.keeps(
            username=user.username,
            roles=user.roles,
            active=user.active,
            names=names.get(user.person_id or "", []),
        )
    ]
    return kept[offset : None if limit is None else offset + limit], len(kept)


async def reset_password(settings: Settings, actor: Principal, user_id: str) -> PasswordResetOut:
    """Give the account a one-time password that must be changed at its next sign-in, and end its
    sessions. The password is in this answer only. 409 ``auth.own_account`` for one's own account."""
    _refuse_own_lockout(actor, user_id, reset=True)
    await store.get_user(user_id)  # 404 before the costly hash
    password = temporary_password()
    password_hash = await _hash_new_password(settings, password)
    changes = {"password_hash": password_hash, "must_change_password": True}
    user = await store.update_user(actor, user_id, changes, utcnow())
    return PasswordResetOut(user=user, temporary_password=password)


async def lift_throttle(settings: Settings, actor: Principal, user_id: str) -> UserOut:
    """Let the account sign in again at once: its lockouts and its failures so far no longer count
    (those of the addresses stay: an address guessing many accounts stays held back)."""
    now = utcnow()
    fresh = state_after_success(now=now, window=timedelta(seconds=settings.login_window_seconds))
    return await store.lift_throttle(actor, user_id, now, fresh)


async def change_own_password(
    settings: Settings,
    gate: VerificationGate,
    caller: Principal,
    token: str,
    address: str,
    data: PasswordChangeIn,
) -> MeOut:
    """Change one's own password, knowing the current (or temporary) one; the need to change it ends,
    and so do the account's other sessions (this one stays open).

    A wrong current password counts as a failed sign-in of the account (422
    ``auth.wrong_current_password``; 429 once throttled); the new password must differ from it (422
    ``auth.same_password``), both naming their field.
    """
    if data.new_password == data.current_password:
        raise AppError(ErrorCode.SAME_PASSWORD, details={"field": "newPassword"})
    attempt_id, candidate = await _checked_attempt(
        settings, gate, caller.username, address, data.current_password
    )
    if attempt_id is None or candidate is None or candidate.id != caller.user_id:
        raise AppError(ErrorCode.WRONG_CURRENT_PASSWORD, details={"field": "currentPassword"})
    await _forget_attempt(attempt_id)
    password_hash = await _hash_new_password(settings, data.new_password)
    changes = {"password_hash": password_hash, "must_change_password": False}
    user = await store.update_user(
        caller, caller.user_id, changes, utcnow(), keep_token_hash=hash_token(token)
    )
    return MeOut(
        id=user.id,
        username=user.username,
        roles=user.roles,
        person_id=user.person_id,
        locale=user.locale,
        must_change_password=user.must_change_password,
    )

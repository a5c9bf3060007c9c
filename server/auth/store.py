"""Accounts, tokens and login throttling in the database (the only module touching auth tables)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from piccolo.engine.postgres import PostgresEngine

from server.auth.logic import (
    FailedAttempt,
    ThrottleScope,
    ThrottleState,
    parse_roles,
    slid_expiry,
    throttle_keys,
    throttled_username,
)
from server.auth.schemas import MeOut, UserOut
from server.auth.tables import AuthToken, LoginAttempt, LoginThrottle, User
from server.lib.clock import utcnow
from server.lib.db import current_engine, write_transaction
from server.lib.errors import AppError, ErrorCode
from server.lib.principal import Principal, Role
from server.trail.store import record_change

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "LoginCandidate",
    "TokenCaller",
    "accounts_by_person",
    "caller_for_token",
    "create_token",
    "create_user",
    "failures_touching",
    "forget_attempt",
    "forget_stale_throttling",
    "get_user",
    "hold_login_lock",
    "lift_throttle",
    "list_users",
    "login_candidate",
    "record_attempt",
    "revoke_token",
    "save_throttle_states",
    "throttle_states",
    "update_user",
]


class LoginCandidate:
    __slots__ = ("active", "id", "password_hash", "username")

    def __init__(self, row: dict[str, Any]) -> None:
        self.id = str(row["id"])
        self.username: str = row["username"]
        self.password_hash: str = row["password_hash"]
        self.active: bool = bool(row["active"])


async def login_candidate(username: str) -> LoginCandidate | None:
    row = (
        await User.select(User.id, User.username, User.password_hash, User.active)
        .where(User.username == username.strip().lower())
        .first()
        .run()
    )
    return LoginCandidate(row) if row else None


# Arbitrary, fixed: the PostgreSQL advisory lock that queues login bookkeeping across every app process.
_LOGIN_LOCK_ID = 0x7AD1_0001


async def hold_login_lock() -> None:
    """Queue this write transaction behind any other login bookkeeping until it commits.

    Must run first inside ``write_transaction()``. SQLite's ``BEGIN IMMEDIATE`` already queues writers;
    on PostgreSQL a transaction-scoped advisory lock does the same for the login tables only, so that a
    check of the counters and the recording of an attempt are one atomic step across processes.
    """
    if isinstance(current_engine(), PostgresEngine):
        await LoginAttempt.raw("SELECT pg_advisory_xact_lock({})", _LOGIN_LOCK_ID).run()


async def forget_stale_throttling(attempts_before: datetime, now: datetime) -> None:
    """Delete attempts older than the window and lockout states that no longer mean anything."""
    await LoginAttempt.delete().where(LoginAttempt.at < attempts_before).run()
    await LoginThrottle.delete().where(LoginThrottle.forget_at < now).run()


async def throttle_states(keys: Iterable[str]) -> dict[str, ThrottleState]:
    """The stored state of each key; a key without a row is absent from the result."""
    rows = await LoginThrottle.select().where(LoginThrottle.key.is_in(list(keys))).run()
    return {
        row["key"]: ThrottleState(
            strikes=row["strikes"],
            locked_until=row["locked_until"],
            counted_from=row["counted_from"],
            forget_at=row["forget_at"],
        )
        for row in rows
    }


async def save_throttle_states(states: dict[str, ThrottleState]) -> None:
    for key, state in states.items():
        await (
            LoginThrottle.insert(
                LoginThrottle(
                    key=key,
                    strikes=state.strikes,
                    locked_until=state.locked_until,
                    counted_from=state.counted_from,
                    forget_at=state.forget_at,
                )
            )
            .on_conflict(
                target=LoginThrottle.key,
                action="DO UPDATE",
                values=[
                    LoginThrottle.strikes,
                    LoginThrottle.locked_until,
                    LoginThrottle.counted_from,
                    LoginThrottle.forget_at,
                ],
            )
            .run()
        )


async def failures_touching(username: str, address: str, since: datetime) -> list[FailedAttempt]:
    """Failures since ``since`` of this username (from anywhere) or from this address (any username)."""
    rows = (
        await LoginAttempt.select(LoginAttempt.username, LoginAttempt.address, LoginAttempt.at)
        .where(
            ((LoginAttempt.username == username) | (LoginAttempt.address == address))
            & (LoginAttempt.at >= since)
        )
        .run()
    )
    return [FailedAttempt(row["username"], row["address"], row["at"]) for row in rows]


async def record_attempt(username: str, address: str, at: datetime) -> int:
    """Record an attempt, counted as a failure until :func:`forget_attempt`; returns its id."""
    rows = (
        await LoginAttempt.insert(LoginAttempt(username=username, address=address, at=at))
        .returning(LoginAttempt.id)
        .run()
    )
    return int(rows[0]["id"])


async def forget_attempt(attempt_id: int) -> None:
    """Remove an attempt that turned out not to be a failure (it succeeded, or was never checked)."""
    await LoginAttempt.delete().where(LoginAttempt.id == attempt_id).run()


def _me(row: dict[str, Any], prefix: str = "") -> MeOut:
    return MeOut(
        id=str(row[f"{prefix}id"]),
        username=row[f"{prefix}username"],
        roles=sorted(parse_roles(row[f"{prefix}roles"])),
        person_id=str(row[f"{prefix}person_id"]) if row[f"{prefix}person_id"] else None,
        locale=row[f"{prefix}locale"],
        must_change_password=bool(row[f"{prefix}must_change_password"]),
    )


async def create_token(user_id: str, token_hash: str, now: datetime, ttl: timedelta) -> MeOut:
    """Issue a token to a user who just signed in (their last sign-in is now)."""
    async with write_transaction():
        await AuthToken.insert(
            AuthToken(token_hash=token_hash, user=uuid.UUID(user_id), created_at=now, expires_at=now + ttl)
        ).run()
        await User.update({User.last_sign_in_at: now}).where(User.id == uuid.UUID(user_id)).run()
        row = await User.select().where(User.id == uuid.UUID(user_id)).first().run()
    if row is None:
        raise AppError(ErrorCode.NOT_FOUND, details={"entity": "user", "id": user_id})
    return _me(row)


class TokenCaller(NamedTuple):
    principal: Principal
    must_change_password: bool
    """The account's password was reset: the token opens only the change, its account and logout."""


async def caller_for_token(token_hash: str, now: datetime, ttl: timedelta) -> TokenCaller | None:
    """The caller behind a token, or None when it is unknown, revoked, expired or its user disabled."""
    row = (
        await AuthToken.select(
            AuthToken.expires_at,
            AuthToken.revoked_at,
            AuthToken.user.id,
            AuthToken.user.username,
            AuthToken.user.roles,
            AuthToken.user.person_id,
            AuthToken.user.locale,
            AuthToken.user.active,
            AuthToken.user.must_change_password,
        )
        .where(AuthToken.token_hash == token_hash)
        .first()
        .run()
    )
    if row is None or row["revoked_at"] is not None or row["expires_at"] <= now or not row["user.active"]:
        return None
    new_expiry = slid_expiry(row["expires_at"], now=now, ttl=ttl)
    if new_expiry is not None:
        await (
            AuthToken.update({AuthToken.expires_at: new_expiry})
            .where(AuthToken.token_hash == token_hash)
            .run()
        )
    principal = Principal(
        user_id=str(row["user.id"]),
        username=row["user.username"],
        roles=parse_roles(row["user.roles"]),
        person_id=str(row["user.person_id"]) if row["user.person_id"] else None,
        locale=row["user.locale"],
    )
    return TokenCaller(principal, bool(row["user.must_change_password"]))


async def revoke_token(token_hash: str, now: datetime) -> None:
    async with write_transaction():
        await (
            AuthToken.update({AuthToken.revoked_at: now})
            .where((AuthToken.token_hash == token_hash) & (AuthToken.revoked_at.is_null()))
            .run()
        )


def _user_out(row: dict[str, Any], locks: dict[str, datetime]) -> UserOut:
    locked_until = locks.get(row["username"])
    return UserOut(
        id=str(row["id"]),
        username=row["username"],
        roles=sorted(parse_roles(row["roles"])),
        person_id=str(row["person_id"]) if row["person_id"] else None,
        locale=row["locale"],
        active=bool(row["active"]),
        created_at=row["created_at"],
        last_sign_in_at=row["last_sign_in_at"],
        must_change_password=bool(row["must_change_password"]),
        throttled=locked_until is not None,
        throttled_until=locked_until,
    )


def _trail_view(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("username", "roles", "person_id", "locale", "active", "must_change_password")}


async def _throttle_locks(now: datetime, username: str | None = None) -> dict[str, datetime]:
    """username → the latest instant a lockout of its account or of one of its pairs holds until, for
    the lockouts still running at ``now`` (of ``username`` only, if given)."""
    rows = await (
        LoginThrottle.select(LoginThrottle.key, LoginThrottle.locked_until)
        .where(LoginThrottle.locked_until > now)
        .run()
    )
    locks: dict[str, datetime] = {}
    for row in rows:
        name = throttled_username(row["key"])
        if name is not None and (username is None or name == username):
            locks[name] = max(locks.get(name, row["locked_until"]), row["locked_until"])
    return locks


async def list_users(now: datetime | None = None) -> list[UserOut]:
    """Every account by username, with its lockout as of ``now`` (default: the current time)."""
    rows = await User.select().order_by(User.username).run()
    locks = await _throttle_locks(now or utcnow())
    return [_user_out(row, locks) for row in rows]


async def _user_row(user_id: str) -> dict[str, Any]:
    row = await User.select().where(User.id == uuid.UUID(user_id)).first().run()
    if row is None:
        raise AppError(ErrorCode.NOT_FOUND, details={"entity": "user", "id": user_id})
    return row


async def get_user(user_id: str, now: datetime | None = None) -> UserOut:
    row = await _user_row(user_id)
    return _user_out(row, await _throttle_locks(now or utcnow(), row["username"]))


async def create_user(
    actor: Principal | None,
    *,
    username: str,
    password_hash: str,
    roles: Iterable[Role],
    person_id: str | None,
    locale: str | None,
    now: datetime,
    must_change_password: bool = False,
) -> UserOut:
    async with write_transaction():
        if await User.exists().where(User.username == username).run():
            raise AppError(ErrorCode.USERNAME_TAKEN, details={"field": "username"})
        user = User(
            username=username,
            password_hash=password_hash,
            roles=",".join(sorted(roles)),
            person_id=uuid.UUID(person_id) if person_id else None,
            locale=locale,
            active=True,
            created_at=now,
            must_change_password=must_change_password,
        )
        await User.insert(user).run()
        row = await User.select().where(User.username == username).first().run()
        if row is None:
            raise RuntimeError("the account just inserted cannot be read back")
        await record_change(actor, "create", "user", str(row["id"]), None, _trail_view(row))
        locks = await _throttle_locks(now, username)  # attempts on a name may come before its account
    return _user_out(row, locks)


_UPDATABLE = {"roles", "password_hash", "person_id", "locale", "active", "must_change_password"}


async def _revoke_tokens(user_id: str, now: datetime, keep_token_hash: str | None) -> None:
    query = AuthToken.update({AuthToken.revoked_at: now}).where(
        (AuthToken.user == uuid.UUID(user_id)) & (AuthToken.revoked_at.is_null())
    )
    if keep_token_hash is not None:
        query = query.where(AuthToken.token_hash != keep_token_hash)
    await query.run()


async def update_user(
    actor: Principal,
    user_id: str,
    changes: dict[str, Any],
    now: datetime,
    *,
    keep_token_hash: str | None = None,
) -> UserOut:
    """Apply field changes. A new password, a deactivation or a reactivation ends the account's sessions
    (every token is revoked but ``keep_token_hash``, the one of a user changing their own password)."""
    unknown = set(changes) - _UPDATABLE
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    if changes.get("person_id"):
        changes = {**changes, "person_id": uuid.UUID(changes["person_id"])}
    async with write_transaction():
        before = await _user_row(user_id)
        if changes:
            await (
                User.update({getattr(User, k): v for k, v in changes.items()})
                .where(User.id == uuid.UUID(user_id))
                .run()
            )
        after = await User.select().where(User.id == uuid.UUID(user_id)).first().run()
        if after is None:
            raise RuntimeError("the account just updated cannot be read back")
        if "password_hash" in changes or bool(before["active"]) != bool(after["active"]):
            await _revoke_tokens(user_id, now, keep_token_hash)
        trail_after = _trail_view(after)
        if "password_hash" in changes:
            trail_after["password"] = "changed"  # noqa: S105 - a marker, never the password
        await record_change(actor, "update", "user", user_id, _trail_view(before), trail_after)
        locks = await _throttle_locks(now, after["username"])
    return _user_out(after, locks)


async def lift_throttle(actor: Principal, user_id: str, now: datetime, fresh: ThrottleState) -> UserOut:
    """Give the account and each (account, address) pair it is throttled or has failed from the state
    ``fresh`` (no lockout, earlier failures no longer counted); trailed when a lockout was running.
    Addresses stay as they are."""
    async with write_transaction():
        await hold_login_lock()
        row = await _user_row(user_id)
        name = row["username"]
        pairs = await LoginThrottle.select(LoginThrottle.key).where(LoginThrottle.key.like("pair:%")).run()
        failed_from = (
            await LoginAttempt.select(LoginAttempt.address).where(LoginAttempt.username == name).run()
        )
        keys = {
            throttle_keys(name, "")[ThrottleScope.ACCOUNT],
            *(p["key"] for p in pairs if throttled_username(p["key"]) == name),
            *(throttle_keys(name, row["address"])[ThrottleScope.PAIR] for row in failed_from),
        }
        locked_until = (await _throttle_locks(now, name)).get(name)
        await save_throttle_states(dict.fromkeys(keys, fresh))
        if locked_until is not None:
            await record_change(
                actor, "update", "user", user_id, {"throttled_until": locked_until}, {"throttled_until": None}
            )
    return _user_out(row, {})


async def accounts_by_person(person_ids: Iterable[str]) -> dict[str, MeOut]:
    ids = [uuid.UUID(p) for p in person_ids]
    if not ids:
        return {}
    rows = await User.select().where(User.person_id.is_in(ids)).run()
    return {str(row["person_id"]): _me(row) for row in rows}

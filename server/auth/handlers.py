"""Login, logout, the caller's own account, and account administration."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

import anyio.to_thread
from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, JSONBody

from server.auth import store
from server.auth.guards import bearer_token, principal_of
from server.auth.logic import (
    hash_password,
    hash_token,
    make_hasher,
    new_token,
    retry_after_seconds,
    verify_password,
)
from server.auth.policy import CAN_ADMIN_ACCOUNTS, PUBLIC, SIGNED_IN
from server.auth.schemas import LoginIn, LoginOut, MeOut, MeUpdateIn, UserCreateIn, UserOut, UserUpdateIn
from server.lib.clock import utcnow
from server.lib.errors import AppError, ErrorCode
from server.settings import Settings

__all__ = ["CONTROLLERS", "AuthController", "UsersController"]

# Verified when the username is unknown so that both failures take the same time.
_DUMMY_HASH_CACHE: dict[tuple[int, int], str] = {}


def _dummy_hash(settings: Settings) -> str:
    key = (settings.argon2_time_cost, settings.argon2_memory_kib)
    if key not in _DUMMY_HASH_CACHE:
        _DUMMY_HASH_CACHE[key] = hash_password(make_hasher(*key), "no-such-user-placeholder")
    return _DUMMY_HASH_CACHE[key]


async def _check_throttle(settings: Settings, username: str, address: str) -> None:
    now = utcnow()
    window = timedelta(seconds=settings.login_window_seconds)
    for scope, key, limit in (
        ("account", username, settings.login_max_failures),
        ("address", address, settings.login_max_failures_per_address),
    ):
        wait = retry_after_seconds(
            await store.recent_failures(scope, key, now - window), limit=limit, window=window, now=now
        )
        if wait is not None:
            raise AppError(
                ErrorCode.TOO_MANY_ATTEMPTS,
                params={"seconds": wait},
                details={"retryAfter": wait},
                headers={"Retry-After": str(wait)},
            )


class AuthController(Controller):
    path = "/api/v1"
    tags = ["auth"]

    @post("/auth/login", operation_id="login", exclude_from_auth=True, status_code=200, guards=[PUBLIC])
    async def login(self, request: Request[Any, Any, Any], data: JSONBody[LoginIn]) -> LoginOut:
        """Exchange a username and password for a bearer token (rate-limited)."""
        settings: Settings = request.app.state.settings
        username = data.username.strip().lower()
        address = request.client.host if request.client else "unknown"
        await _check_throttle(settings, username, address)
        hasher = make_hasher(settings.argon2_time_cost, settings.argon2_memory_kib)
        candidate = await store.login_candidate(username)
        stored_hash = candidate.password_hash if candidate else _dummy_hash(settings)
        ok = await anyio.to_thread.run_sync(verify_password, hasher, stored_hash, data.password)
        now = utcnow()
        if not ok or candidate is None or not candidate.active:
            await store.record_failure(username, address, now, now - timedelta(days=1))
            raise AppError(ErrorCode.INVALID_CREDENTIALS)
        await store.clear_account_failures(username)
        token, token_hash = new_token()
        ttl = timedelta(days=settings.token_ttl_days)
        me = await store.create_token(candidate.id, token_hash, now, ttl)
        return LoginOut(token=token, token_type="Bearer", expires_at=now + ttl, user=me)  # noqa: S106

    @post("/auth/logout", operation_id="logout", status_code=204, guards=[SIGNED_IN])
    async def logout(self, request: Request[Any, Any, Any]) -> None:
        """Revoke the token used for this request."""
        token = bearer_token(request)
        if token is None:  # the middleware already refused requests without one
            raise AppError(ErrorCode.UNAUTHENTICATED)
        await store.revoke_token(hash_token(token), utcnow())

    @get("/me", operation_id="getMe", guards=[SIGNED_IN])
    async def me(self, request: Request[Any, Any, Any]) -> MeOut:
        """The signed-in account."""
        principal = principal_of(request)
        user = await store.get_user(principal.user_id)
        return MeOut(
            id=user.id, username=user.username, roles=user.roles, person_id=user.person_id, locale=user.locale
        )

    @patch("/me", operation_id="updateMe", guards=[SIGNED_IN])
    async def update_me(self, request: Request[Any, Any, Any], data: JSONBody[MeUpdateIn]) -> MeOut:
        """Change one's own preferences (language)."""
        principal = principal_of(request)
        user = await store.update_user(principal, principal.user_id, {"locale": data.locale}, utcnow())
        return MeOut(
            id=user.id, username=user.username, roles=user.roles, person_id=user.person_id, locale=user.locale
        )


class UsersController(Controller):
    path = "/api/v1/users"
    tags = ["auth"]

    @get("/", operation_id="listUsers", guards=[CAN_ADMIN_ACCOUNTS])
    async def list_users(self) -> list[UserOut]:
        """Every account (admins only)."""
        return await store.list_users()

    @get("/{user_id:uuid}", operation_id="getUser", guards=[CAN_ADMIN_ACCOUNTS])
    async def get_user(self, user_id: FromPath[UUID]) -> UserOut:
        return await store.get_user(str(user_id))

    @post("/", operation_id="createUser", guards=[CAN_ADMIN_ACCOUNTS])
    async def create_user(self, request: Request[Any, Any, Any], data: JSONBody[UserCreateIn]) -> UserOut:
        """Create an account with its roles and an initial password."""
        settings: Settings = request.app.state.settings
        hasher = make_hasher(settings.argon2_time_cost, settings.argon2_memory_kib)
        password_hash = await anyio.to_thread.run_sync(hash_password, hasher, data.password)
        return await store.create_user(
            principal_of(request),
            username=data.username,
            password_hash=password_hash,
            roles=data.roles,
            person_id=data.person_id,
            locale=data.locale,
            now=utcnow(),
        )

    @patch("/{user_id:uuid}", operation_id="updateUser", guards=[CAN_ADMIN_ACCOUNTS])
    async def update_user(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[UserUpdateIn],
        user_id: FromPath[UUID],
    ) -> UserOut:
        """Change roles, password, language, linked person or active flag (revokes tokens when needed)."""
        settings: Settings = request.app.state.settings
        changes: dict[str, Any] = {}
        if data.roles is not None:
            changes["roles"] = ",".join(sorted(data.roles))
        if data.password is not None:
            hasher = make_hasher(settings.argon2_time_cost, settings.argon2_memory_kib)
            changes["password_hash"] = await anyio.to_thread.run_sync(hash_password, hasher, data.password)
        if data.person_id is not None:
            changes["person_id"] = data.person_id
        if data.locale is not None:
            changes["locale"] = data.locale
        if data.active is not None:
            changes["active"] = data.active
        return await store.update_user(principal_of(request), str(user_id), changes, utcnow())


CONTROLLERS: list[type[Controller]] = [AuthController, UsersController]

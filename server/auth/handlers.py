"""Login, logout, the caller's own account, and account administration."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, JSONBody

from server.auth import service, store
from server.auth.guards import bearer_token, principal_of
from server.auth.policy import CAN_ADMIN_ACCOUNTS, PUBLIC, SIGNED_IN
from server.auth.schemas import LoginIn, LoginOut, MeOut, MeUpdateIn, UserCreateIn, UserOut, UserUpdateIn
from server.lib.clock import utcnow
from server.lib.errors import AppError, ErrorCode
from server.settings import Settings

__all__ = ["CONTROLLERS", "AuthController", "UsersController"]


def _verification_gate(request: Request[Any, Any, Any]) -> service.VerificationGate:
    """The app's one gate on concurrent password checks, made on first use (in this process)."""
    state = request.app.state
    gate: service.VerificationGate | None = state.get("login_verification_gate")
    if gate is None:
        gate = service.VerificationGate.from_settings(state.settings)
        state["login_verification_gate"] = gate
    return gate


class AuthController(Controller):
    path = "/api/v1"
    tags = ["auth"]

    @post("/auth/login", operation_id="login", exclude_from_auth=True, status_code=200, guards=[PUBLIC])
    async def login(self, request: Request[Any, Any, Any], data: JSONBody[LoginIn]) -> LoginOut:
        """Exchange a username and password for a bearer token (rate-limited: 429 with Retry-After when
        the account or the address is locked out, 503 with Retry-After when too many checks run)."""
        settings: Settings = request.app.state.settings
        address = request.client.host if request.client else "unknown"
        return await service.log_in(
            settings,
            _verification_gate(request),
            username=data.username,
            password=data.password,
            address=address,
        )

    @post("/auth/logout", operation_id="logout", status_code=204, guards=[SIGNED_IN])
    async def logout(self, request: Request[Any, Any, Any]) -> None:
        """Revoke the token used for this request."""
        token = bearer_token(request)
        if token is None:  # the middleware already refused requests without one
            raise AppError(ErrorCode.UNAUTHENTICATED)
        await service.log_out(token)

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
        """Create an account with its roles and an initial password (422 for an unknown personId)."""
        return await service.create_user(request.app.state.settings, principal_of(request), data)

    @patch("/{user_id:uuid}", operation_id="updateUser", guards=[CAN_ADMIN_ACCOUNTS])
    async def update_user(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[UserUpdateIn],
        user_id: FromPath[UUID],
    ) -> UserOut:
        """Change roles, password, language, linked person or active flag (revokes tokens when needed)."""
        return await service.update_user(
            request.app.state.settings, principal_of(request), str(user_id), data
        )


CONTROLLERS: list[type[Controller]] = [AuthController, UsersController]

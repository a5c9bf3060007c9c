"""Login, logout, the caller's own account and password, and account administration."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import ResponseHeader
from litestar.params import FromPath, JSONBody, QueryParameter

from server.auth import service, store
from server.auth.guards import OPEN_DURING_PASSWORD_CHANGE, bearer_token, principal_of
from server.auth.logic import AccountFilter, page_bounds
from server.auth.policy import CAN_ADMIN_ACCOUNTS, PUBLIC, SIGNED_IN
from server.auth.schemas import (
    LoginIn,
    LoginOut,
    MeOut,
    MeUpdateIn,
    PasswordChangeIn,
    PasswordResetOut,
    UserCreateIn,
    UserOut,
    UserUpdateIn,
)
from server.lib.clock import utcnow
from server.lib.errors import AppError, ErrorCode
from server.lib.principal import Role
from server.settings import Settings

__all__ = ["CONTROLLERS", "AuthController", "UsersController"]

Req = Request[Any, Any, Any]
DURING_PASSWORD_CHANGE = {OPEN_DURING_PASSWORD_CHANGE: True}
TOTAL_COUNT = [
    ResponseHeader(
        name="X-Total-Count",
        documentation_only=True,
        description="How many accounts the search and filters keep, all pages together.",
    )
]

Search = Annotated[
    str | None,
    QueryParameter(
        max_length=100,
        description="part of the username or of the linked person's name (ar or fr), in any case or accent",
    ),
]
PageNumber = Annotated[
    int | None,
    QueryParameter(
        ge=1, description="page number, from 1, of `limit` accounts (default 25), after `offset` if given"
    ),
]


def _verification_gate(request: Req) -> service.VerificationGate:
    """The app's one gate on concurrent password checks, made on first use (in this process)."""
    state = request.app.state
    gate: service.VerificationGate | None = state.get("login_verification_gate")
    if gate is None:
        gate = service.VerificationGate.from_settings(state.settings)
        state["login_verification_gate"] = gate
    return gate


def _address(request: Req) -> str:
    return request.client.host if request.client else "unknown"


def _me(user: UserOut) -> MeOut:
    return MeOut(
        id=user.id,
        username=user.username,
        roles=user.roles,
        person_id=user.person_id,
        locale=user.locale,
        must_change_password=user.must_change_password,
    )


class AuthController(Controller):
    path = "/api/v1"
    tags = ["auth"]

    @post("/auth/login", operation_id="login", exclude_from_auth=True, status_code=200, guards=[PUBLIC])
    async def login(self, request: Req, data: JSONBody[LoginIn]) -> LoginOut:
        """Exchange a username and password for a bearer token (rate-limited: 429 with Retry-After when
        the account or the address is locked out, 503 with Retry-After when too many checks run)."""
        settings: Settings = request.app.state.settings
        return await service.log_in(
            settings,
            _verification_gate(request),
            username=data.username,
            password=data.password,
            address=_address(request),
        )

    @post(
        "/auth/logout", operation_id="logout", status_code=204, guards=[SIGNED_IN], opt=DURING_PASSWORD_CHANGE
    )
    async def logout(self, request: Req) -> None:
        """Revoke the token used for this request."""
        token = bearer_token(request)
        if token is None:  # the middleware already refused requests without one
            raise AppError(ErrorCode.UNAUTHENTICATED)
        await service.log_out(token)

    @get("/me", operation_id="getMe", guards=[SIGNED_IN], opt=DURING_PASSWORD_CHANGE)
    async def me(self, request: Req) -> MeOut:
        """The signed-in account (``mustChangePassword``: the token opens nothing else but the change)."""
        return _me(await store.get_user(principal_of(request).user_id))

    @patch("/me", operation_id="updateMe", guards=[SIGNED_IN])
    async def update_me(self, request: Req, data: JSONBody[MeUpdateIn]) -> MeOut:
        """Change one's own preferences (language)."""
        principal = principal_of(request)
        return _me(await store.update_user(principal, principal.user_id, {"locale": data.locale}, utcnow()))

    @post(
        "/me/password",
        operation_id="changeMyPassword",
        status_code=200,
        guards=[SIGNED_IN],
        opt=DURING_PASSWORD_CHANGE,
    )
    async def change_password(self, request: Req, data: JSONBody[PasswordChangeIn]) -> MeOut:
        """Change one's own password, giving the current one (after a reset: the temporary one). Ends
        the need to change it and the account's other sessions. 422 ``auth.wrong_current_password``
        (counted as a failed sign-in: 429 once throttled) or ``auth.same_password``, naming the field."""
        token = bearer_token(request)
        if token is None:
            raise AppError(ErrorCode.UNAUTHENTICATED)
        return await service.change_own_password(
            request.app.state.settings,
            _verification_gate(request),
            principal_of(request),
            token,
            _address(request),
            data,
        )


class UsersController(Controller):
    path = "/api/v1/users"
    tags = ["auth"]

    @get("/", operation_id="listUsers", guards=[CAN_ADMIN_ACCOUNTS], response_headers=TOTAL_COUNT)
    async def list_users(
        self,
        q: Search = None,
        role: Annotated[Role | None, QueryParameter(description="accounts having this role")] = None,
        active: Annotated[bool | None, QueryParameter(description="active (true) or deactivated")] = None,
        limit: Annotated[int | None, QueryParameter(ge=1, le=500, description="accounts in a page")] = None,
        offset: Annotated[int, QueryParameter(ge=0, description="accounts skipped")] = 0,
        page: PageNumber = None,
    ) -> Response[list[UserOut]]:
        """Accounts by username (admins only): every one without paging parameters; the header
        ``X-Total-Count`` says how many the search and filters keep."""
        first, count = page_bounds(limit, offset, page)
        wanted = AccountFilter(search=q or "", role=role, active=active)
        users, total = await service.list_users(wanted, first, count)
        return Response(users, headers={"X-Total-Count": str(total)})

    @get("/{user_id:uuid}", operation_id="getUser", guards=[CAN_ADMIN_ACCOUNTS])
    async def get_user(self, user_id: FromPath[UUID]) -> UserOut:
        return await store.get_user(str(user_id))

    @post("/", operation_id="createUser", guards=[CAN_ADMIN_ACCOUNTS])
    async def create_user(self, request: Req, data: JSONBody[UserCreateIn]) -> UserOut:
        """Create an account with its roles and an initial password (422 for an unknown personId)."""
        return await service.create_user(request.app.state.settings, principal_of(request), data)

    @patch("/{user_id:uuid}", operation_id="updateUser", guards=[CAN_ADMIN_ACCOUNTS])
    async def update_user(
        self, request: Req, data: JSONBody[UserUpdateIn], user_id: FromPath[UUID]
    ) -> UserOut:
        """Change roles, password, language, linked person or active flag. A new password, a
        deactivation or a reactivation ends the account's sessions."""
        return await service.update_user(
            request.app.state.settings, principal_of(request), str(user_id), data
        )

    @post(
        "/{user_id:uuid}/password-reset",
        operation_id="resetUserPassword",
        status_code=200,
        guards=[CAN_ADMIN_ACCOUNTS],
    )
    async def reset_password(self, request: Req, user_id: FromPath[UUID]) -> PasswordResetOut:
        """Give the account a one-time temporary password, returned here only: at its next sign-in the
        account must change it before anything else. Ends the account's sessions."""
        return await service.reset_password(request.app.state.settings, principal_of(request), str(user_id))

    @delete(
        "/{user_id:uuid}/throttle",
        operation_id="liftUserThrottle",
        status_code=200,
        guards=[CAN_ADMIN_ACCOUNTS],
    )
    async def lift_throttle(self, request: Req, user_id: FromPath[UUID]) -> UserOut:
        """Let a throttled account sign in again at once (its lockouts and failures so far are
        forgotten; an address guessing many accounts stays held back). Trailed."""
        return await service.lift_throttle(request.app.state.settings, principal_of(request), str(user_id))


CONTROLLERS: list[type[Controller]] = [AuthController, UsersController]

"""The token authentication middleware and the caller of a request (policies: ``policy.py``)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from server.auth import store
from server.auth.logic import hash_token
from server.lib.clock import utcnow
from server.lib.errors import AppError, ErrorCode
from server.lib.principal import Principal

if TYPE_CHECKING:
    from litestar.connection import ASGIConnection

__all__ = ["OPEN_DURING_PASSWORD_CHANGE", "TokenAuthMiddleware", "bearer_token", "principal_of"]

OPEN_DURING_PASSWORD_CHANGE = "open_during_password_change"  # noqa: S105 - an opt key
"""The ``opt`` key of the few routes a token may call while its account must change its password: its
own account (read), the change itself, and logout."""


def bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class TokenAuthMiddleware(AbstractAuthenticationMiddleware):
    """Resolves ``Authorization: Bearer <token>`` to a :class:`Principal` (401 otherwise); a token of
    an account that must change its password opens only the routes marked
    :data:`OPEN_DURING_PASSWORD_CHANGE` (403 ``auth.password_change_required`` otherwise)."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        token = bearer_token(connection)
        if token is None:
            raise AppError(ErrorCode.UNAUTHENTICATED, headers={"WWW-Authenticate": "Bearer"})
        settings = connection.app.state.settings
        caller = await store.caller_for_token(
            hash_token(token), utcnow(), timedelta(days=settings.token_ttl_days)
        )
        if caller is None:
            raise AppError(ErrorCode.INVALID_TOKEN, headers={"WWW-Authenticate": "Bearer"})
        if caller.must_change_password and not _open_during_password_change(connection):
            # In the language the client asks for: the account's own preference cannot be changed until then.
            raise AppError(ErrorCode.PASSWORD_CHANGE_REQUIRED)
        return AuthenticationResult(user=caller.principal, auth=token)


def _open_during_password_change(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    handler = connection.scope.get("route_handler")
    return bool(handler is not None and handler.opt.get(OPEN_DURING_PASSWORD_CHANGE))


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    user = connection.scope.get("user")
    if not isinstance(user, Principal):
        raise AppError(ErrorCode.UNAUTHENTICATED)
    return user

"""Litestar guards by role, and the token authentication middleware."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from server.auth import store
from server.auth.logic import hash_token
from server.lib.clock import utcnow
from server.lib.errors import AppError, ErrorCode
from server.lib.principal import Principal, Role

if TYPE_CHECKING:
    from collections.abc import Callable

    from litestar.connection import ASGIConnection
    from litestar.handlers.base import BaseRouteHandler

__all__ = ["TokenAuthMiddleware", "bearer_token", "principal_of", "requires"]


def bearer_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class TokenAuthMiddleware(AbstractAuthenticationMiddleware):
    """Resolves ``Authorization: Bearer <token>`` to a :class:`Principal` (401 otherwise)."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        token = bearer_token(connection)
        if token is None:
            raise AppError(ErrorCode.UNAUTHENTICATED, 401, headers={"WWW-Authenticate": "Bearer"})
        settings = connection.app.state.settings
        principal = await store.principal_for_token(
            hash_token(token), utcnow(), timedelta(days=settings.token_ttl_days)
        )
        if principal is None:
            raise AppError(ErrorCode.INVALID_TOKEN, 401, headers={"WWW-Authenticate": "Bearer"})
        return AuthenticationResult(user=principal, auth=token)


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    user = connection.scope.get("user")
    if not isinstance(user, Principal):
        raise AppError(ErrorCode.UNAUTHENTICATED, 401)
    return user


def requires(*roles: Role) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]:
    """A guard letting through only callers holding one of ``roles`` (403 otherwise)."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if not principal_of(connection).has_any(*roles):
            raise AppError(ErrorCode.FORBIDDEN, 403, details={"requiredRoles": sorted(roles)})

    return guard

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

__all__ = ["TokenAuthMiddleware", "bearer_token", "principal_of"]


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
            raise AppError(ErrorCode.UNAUTHENTICATED, headers={"WWW-Authenticate": "Bearer"})
        settings = connection.app.state.settings
        principal = await store.principal_for_token(
            hash_token(token), utcnow(), timedelta(days=settings.token_ttl_days)
        )
        if principal is None:
            raise AppError(ErrorCode.INVALID_TOKEN, headers={"WWW-Authenticate": "Bearer"})
        return AuthenticationResult(user=principal, auth=token)


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    user = connection.scope.get("user")
    if not isinstance(user, Principal):
        raise AppError(ErrorCode.UNAUTHENTICATED)
    return user

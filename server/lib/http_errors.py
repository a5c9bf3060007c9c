"""Turning every exception into the one JSON error shape, in the caller's language."""

from __future__ import annotations

import logging
from typing import Any

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    MethodNotAllowedException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.exceptions.http_exceptions import RequestEntityTooLarge

from server.lib.db import is_busy_error
from server.lib.errors import AppError, ErrorCode, FieldError, error_body
from server.lib.i18n import Locale, negotiate_locale
from server.lib.principal import Principal
from server.lib.validation import field_errors

__all__ = ["EXCEPTION_HANDLERS", "request_locale"]

log = logging.getLogger("tadqiq.errors")
Req = Request[Any, Any, Any]


def request_locale(request: Req) -> Locale:
    """The user's preference, else ``Accept-Language``, else French."""
    user = request.scope.get("user")
    preference = user.locale if isinstance(user, Principal) else None
    return negotiate_locale(preference, request.headers.get("accept-language"))


def _respond(request: Req, error: AppError) -> Response[Any]:
    headers = dict(error.headers)
    if request.app.state.get("settings") is not None and error.code is ErrorCode.BODY_TOO_LARGE:
        headers.setdefault("Connection", "close")
    return Response(
        content=error_body(error, request_locale(request)),
        status_code=error.status,
        media_type=MediaType.JSON,
        headers=headers,
    )


def _litestar_field_errors(exc: ValidationException) -> list[FieldError]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    fields = []
    for item in extra:
        if isinstance(item, dict):
            key = str(item.get("key") or item.get("source") or "body")
            fields.append(FieldError(field=key, message=str(item.get("message", ""))[:300]))
    return fields


def _body_problem(request: Req, exc: HTTPException) -> AppError | None:
    """Malformed JSON, or every invalid field of a JSON body, when the 400 came from the body."""
    body = getattr(request, "_connection_state", None)
    raw_body = getattr(body, "body", None)
    if not isinstance(raw_body, bytes) or not raw_body.strip():
        return None
    try:
        raw = msgspec.json.decode(raw_body)
    except msgspec.DecodeError:
        return AppError(ErrorCode.MALFORMED_JSON)
    data_field = request.route_handler.parsed_data_field
    target = data_field.annotation if data_field is not None else None
    if isinstance(target, type) and issubclass(target, msgspec.Struct):
        errors = field_errors(target, raw)
        if errors:
            return AppError(ErrorCode.VALIDATION_FAILED, details=errors)
    if isinstance(exc, ValidationException):
        return AppError(ErrorCode.VALIDATION_FAILED, details=_litestar_field_errors(exc))
    return None


def handle_app_error(request: Req, exc: AppError) -> Response[Any]:
    return _respond(request, exc)


def handle_http_exception(request: Req, exc: HTTPException) -> Response[Any]:
    if exc.status_code == 400:
        problem = _body_problem(request, exc)
        if problem is not None:
            return _respond(request, problem)
        if isinstance(exc, ValidationException):
            return _respond(
                request, AppError(ErrorCode.VALIDATION_FAILED, details=_litestar_field_errors(exc))
            )
    if isinstance(exc, RequestEntityTooLarge):
        route_limit = getattr(request.scope.get("route_handler"), "request_max_body_size", None)
        limit = route_limit if isinstance(route_limit, int) else request.app.state.settings.max_body_bytes
        return _respond(request, AppError(ErrorCode.BODY_TOO_LARGE, params={"limit": limit}))
    if isinstance(exc, NotFoundException):
        return _respond(request, AppError(ErrorCode.ROUTE_NOT_FOUND))
    if isinstance(exc, MethodNotAllowedException):
        return _respond(request, AppError(ErrorCode.METHOD_NOT_ALLOWED, headers=dict(exc.headers or {})))
    if isinstance(exc, NotAuthorizedException):
        return _respond(request, AppError(ErrorCode.UNAUTHENTICATED))
    if isinstance(exc, PermissionDeniedException):
        return _respond(request, AppError(ErrorCode.FORBIDDEN))
    if exc.status_code >= 500:
        return handle_unexpected(request, exc)
    # Any other 4xx Litestar raises keeps its own status under the generic code.
    generic = AppError(ErrorCode.BAD_REQUEST)
    generic.status = exc.status_code
    return _respond(request, generic)


def handle_unexpected(request: Req, exc: Exception) -> Response[Any]:
    if is_busy_error(exc):
        return _respond(request, AppError(ErrorCode.DATABASE_BUSY, headers={"Retry-After": "2"}))
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _respond(request, AppError(ErrorCode.INTERNAL))


EXCEPTION_HANDLERS: Any = {
    AppError: handle_app_error,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}

"""Turning every exception into the one JSON error shape, in the caller's language; the methods a path
accepts, said the same way by a 405 and by OPTIONS."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

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
from litestar.routes import HTTPRoute

from server.lib.db import is_busy_error
from server.lib.errors import AppError, ErrorCode, FieldError, error_body
from server.lib.i18n import Locale, negotiate_locale
from server.lib.principal import Principal
from server.lib.request_id import request_id_of
from server.lib.validation import field_errors

if TYPE_CHECKING:
    from litestar import Litestar

__all__ = ["EXCEPTION_HANDLERS", "allow_header", "answer_options_from_routes", "request_locale"]

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
        content=error_body(error, request_locale(request), request_id_of(request.scope)),
        status_code=error.status,
        media_type=MediaType.JSON,
        headers=headers,
    )


def _wire_name(request: Req, key: str) -> str:
    """The name a client used for a parameter (``beforeId``, ``If-Match``), not the Python one."""
    handler = request.scope.get("route_handler")
    parameter = handler.parsed_fn_signature.parameters.get(key) if handler is not None else None
    kwarg = getattr(parameter, "kwarg_definition", None)
    for attribute in ("name", "query", "header", "cookie"):
        alias = getattr(kwarg, attribute, None)
        if isinstance(alias, str) and alias:
            return alias
    return key


def _litestar_field_errors(request: Req, exc: ValidationException) -> list[FieldError]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    fields = []
    for item in extra:
        if isinstance(item, dict):
            key = _wire_name(request, str(item.get("key") or item.get("source") or "body"))
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
        return AppError(ErrorCode.VALIDATION_FAILED, details=_litestar_field_errors(request, exc))
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
                request, AppError(ErrorCode.VALIDATION_FAILED, details=_litestar_field_errors(request, exc))
            )
    if isinstance(exc, RequestEntityTooLarge):
        route_limit = getattr(request.scope.get("route_handler"), "request_max_body_size", None)
        limit = route_limit if isinstance(route_limit, int) else request.app.state.settings.max_body_bytes
        return _respond(request, AppError(ErrorCode.BODY_TOO_LARGE, params={"limit": limit}))
    if isinstance(exc, NotFoundException):
        return _respond(request, AppError(ErrorCode.ROUTE_NOT_FOUND))
    if isinstance(exc, MethodNotAllowedException):
        listed = next((v for k, v in (exc.headers or {}).items() if k.lower() == "allow"), "")
        allow = allow_header(listed.split(","))
        return _respond(request, AppError(ErrorCode.METHOD_NOT_ALLOWED, headers={"Allow": allow}))
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
    # The route's template, not the path (which may hold a token); the id joins it to the request's line.
    route = request.scope.get("path_template") or "(unmatched)"
    log.exception(
        "unhandled error on %s %s (request %s)",
        request.method,
        route,
        request_id_of(request.scope),
        exc_info=exc,
    )
    return _respond(request, AppError(ErrorCode.INTERNAL))


def allow_header(methods: Iterable[str]) -> str:
    """The ``Allow`` value for a set of methods: upper case, sorted, each once."""
    return ", ".join(sorted({m.strip().upper() for m in methods if m.strip()}))


def _options_answer(allow: str) -> Callable[[Req], Awaitable[Response[None]]]:
    async def answer(_: Req) -> Response[None]:
        return Response(content=None, status_code=204, headers={"Allow": allow}, media_type=MediaType.TEXT)

    return answer


def answer_options_from_routes(app: Litestar) -> None:
    """Make every automatic OPTIONS answer list the methods its path accepts, as a 405 does.

    Litestar 2 builds a path's OPTIONS handler when the first handler of that path is registered and
    keeps it when more are added, so ``Allow`` missed methods (litestar#4169, fixed only in v3). Each
    such handler now answers, before its own code runs, with the methods of the route it serves. Call
    before the first request.
    """
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        allow = allow_header(route.methods)
        for handler in route.route_handlers:
            automatic = getattr(handler.fn, "__qualname__", "").startswith("HTTPRoute.create_options_handler")
            if automatic and handler.http_methods == {"OPTIONS"}:
                handler.before_request = _options_answer(allow)


EXCEPTION_HANDLERS: Any = {
    AppError: handle_app_error,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}

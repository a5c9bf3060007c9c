"""The OpenAPI document as the server behaves: every status an operation can answer is documented, in the
one error shape, with the stable codes that go with it (taken from ``server.lib.errors``); parameters
are described as they are sent; public operations need no token."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Final, get_args

from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Operation, Parameter, Reference, Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.routes import HTTPRoute

from server.lib.errors import ErrorCode, status_of

if TYPE_CHECKING:
    from litestar import Litestar

__all__ = ["UNDOCUMENTED_STATUSES", "document_error_responses", "document_parameters", "error_statuses"]

_ANY_OPERATION: Final = (400, 401, 403, 404, 500, 503)
"""Bad parameters, sign-in, role, unknown item or address, the unexpected, a busy database."""
_WRITE: Final = (409, 413, 422)
"""A body that conflicts with stored data, is too large, or breaks a rule no schema can state."""
_REVISIONED: Final = (412, 428)
"""An ``If-Match`` write: the item moved on since it was read, or the client did not say what it read."""
_RAW_BODY: Final = (415,)
"""A body that is not JSON (a file): its declared type is checked."""
_SIGN_IN: Final = (429,)
"""Too many failed sign-ins."""
UNDOCUMENTED_STATUSES: Final = frozenset({405, 423})
"""405 answers only methods an operation does not have; 423 is the status of a locked op inside a sync
result (``httpStatus``), never of a response."""


def _codes_by_status() -> dict[int, list[str]]:
    by_status: dict[int, list[str]] = {}
    for code in ErrorCode:
        by_status.setdefault(status_of(code), []).append(f"`{code.value}`")
    return by_status


def _is_write(method: str) -> bool:
    return method in ("put", "post", "patch", "delete")


def _has_if_match(parameters: Iterable[Parameter | Reference] | None) -> bool:
    return any(isinstance(p, Parameter) and p.name.lower() == "if-match" for p in parameters or ())


def _has_raw_body(operation: Operation) -> bool:
    body = operation.request_body
    content = getattr(body, "content", None) or {}
    return bool(content) and not any(media.endswith("json") for media in content)


def error_statuses(method: str, operation: Operation) -> list[int]:
    """The error statuses ``operation`` (reached with ``method``) can answer."""
    statuses = set(_ANY_OPERATION)
    if _is_write(method):
        statuses.update(_WRITE)
    if _has_if_match(operation.parameters):
        statuses.update(_REVISIONED)
    if _has_raw_body(operation):
        statuses.update(_RAW_BODY)
    if operation.operation_id in ("login", "changeMyPassword"):  # a wrong password counts as a failed sign-in
        statuses.update(_SIGN_IN)
    return sorted(statuses)


def _operations(app: Litestar) -> Iterator[tuple[str, Operation]]:
    for path_item in (app.openapi_schema.paths or {}).values():
        for method in ("get", "put", "post", "patch", "delete", "head"):
            operation = getattr(path_item, method, None)
            if isinstance(operation, Operation):
                yield method, operation


def _is_null(schema: Schema | Reference) -> bool:
    return isinstance(schema, Schema) and schema.type == OpenAPIType.NULL


def _set_fields(schema: Schema) -> dict[str, Any]:
    return {
        f.name: getattr(schema, f.name)
        for f in dataclasses.fields(schema)
        if getattr(schema, f.name) is not None
    }


def _without_null(schema: Schema) -> Schema:
    """``oneOf: [X, null]`` as X (the outer keywords, e.g. a pattern, kept)."""
    branches = schema.one_of or schema.any_of or []
    kept = [b for b in branches if not _is_null(b)]
    if len(kept) == 1 and isinstance(kept[0], Schema) and len(kept) < len(branches):
        outer = {k: v for k, v in _set_fields(schema).items() if k not in ("one_of", "any_of")}
        return Schema(**{**_set_fields(kept[0]), **outer})
    return schema


def _text_parameters(app: Litestar) -> set[tuple[str, str]]:
    """(operation id, wire name) of every optional parameter typed ``str | None``: there the text "null"
    is a string like any other (a pattern may refuse it), not an absent value. Litestar's lax
    conversion does read "null" as absent for ``int | None``, ``UUID | None`` and the like, so their
    ``null`` branch stays documented."""
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            for name, field in handler.parsed_fn_signature.parameters.items():
                if set(get_args(field.annotation)) == {str, type(None)}:
                    kwarg = field.kwarg_definition
                    alias = getattr(kwarg, "name", None) or getattr(kwarg, "query", None)
                    found.add((str(handler.operation_id), str(alias or name)))
    return found


def _body_may_be_omitted(operation: Operation) -> bool:
    """An optional body (``data: X | None = None``): sending none is as good as sending ``null``."""
    body = operation.request_body
    media = getattr(body, "content", {}).get("application/json") if body is not None else None
    schema = getattr(media, "schema", None)
    return isinstance(schema, Schema) and any(_is_null(b) for b in schema.one_of or schema.any_of or ())


def _public_operation_ids(app: Litestar) -> set[str]:
    return {
        str(handler.operation_id)
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for handler in route.route_handlers
        if handler.opt.get("exclude_from_auth") and isinstance(handler.operation_id, str)
    }


def document_parameters(app: Litestar) -> None:
    """Optional text parameters without their ``null`` branch (a client sends the text "null", which the
    server reads as text), optional bodies not required, and no token asked of public operations."""
    public = _public_operation_ids(app)
    text = _text_parameters(app)
    for _, operation in _operations(app):
        for parameter in operation.parameters or ():
            if (
                isinstance(parameter, Parameter)
                and (operation.operation_id, parameter.name) in text
                and isinstance(parameter.schema, Schema)
            ):
                parameter.schema = _without_null(parameter.schema)
        if _body_may_be_omitted(operation):
            operation.request_body.required = False  # type: ignore[union-attr]
        if operation.operation_id in public:
            operation.security = [{}]


def document_error_responses(app: Litestar) -> None:
    schema = app.openapi_schema
    components = schema.components
    if components.schemas is None:
        components.schemas = {}
    components.schemas["Error"] = Schema(
        type="object",  # type: ignore[arg-type]
        required=["status", "code", "message"],
        properties={
            "status": Schema(type="integer"),  # type: ignore[arg-type]
            "code": Schema(type="string", description="Stable error code"),  # type: ignore[arg-type]
            "message": Schema(type="string", description="Localized message for a person"),  # type: ignore[arg-type]
            "details": Schema(description="Per-field errors or context; may be null"),
            "requestId": Schema(
                type="string",  # type: ignore[arg-type]
                description="The request's id (also its X-Request-Id header and its log line)",
            ),
        },
    )
    ref = Reference(ref="#/components/schemas/Error")
    codes = _codes_by_status()
    for method, operation in _operations(app):
        responses = operation.responses if operation.responses is not None else {}
        for status in error_statuses(method, operation):
            listed = ", ".join(codes.get(status, ["`server.internal_error`"]))
            # Replaces Litestar's default 400 schema too: every error leaves in our one shape.
            responses[str(status)] = OpenAPIResponse(
                description=f"{HTTPStatus(status).phrase}: {listed}",
                content={"application/json": OpenAPIMediaType(schema=ref)},
            )
        operation.responses = responses

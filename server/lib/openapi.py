"""Error responses in the OpenAPI document: every operation answers errors in one documented shape."""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Reference, Schema

if TYPE_CHECKING:
    from litestar import Litestar

__all__ = ["document_error_responses"]

_ERRORS = {
    "400": "Malformed JSON or invalid fields (`request.malformed_json`, `request.validation_failed`)",
    "401": "Not signed in or token expired or was revoked (`auth.unauthenticated`, `auth.invalid_token`)",
    "403": "The caller's role does not allow this (`auth.forbidden`)",
    "404": "No such item or address (`resource.not_found`, `request.not_found`)",
    "409": "Conflicts with stored data (e.g. `org.code_taken`, `org.in_use`)",
    "413": "Request body over the configured limit (`request.body_too_large`)",
    "422": "A referenced item does not exist or a rule is broken (e.g. `org.unknown_reference`)",
    "429": "Too many failed sign-ins; see `Retry-After` (`auth.too_many_attempts`)",
    "500": "Unexpected error; nothing was changed (`server.internal_error`)",
}


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
        },
    )
    ref = Reference(ref="#/components/schemas/Error")
    for path_item in (schema.paths or {}).values():
        for method in ("get", "put", "post", "patch", "delete", "head"):
            operation = getattr(path_item, method, None)
            if operation is None:
                continue
            responses = operation.responses if operation.responses is not None else {}
            for status, description in _ERRORS.items():
                if status == "429" and operation.operation_id != "login":
                    continue
                # Replaces Litestar's default 400 schema too: every error leaves in our one shape.
                responses[status] = OpenAPIResponse(
                    description=description, content={"application/json": OpenAPIMediaType(schema=ref)}
                )
            operation.responses = responses

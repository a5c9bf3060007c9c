"""Listing every bad field of a request body, not only the first one msgspec stops at; reading a
date-time from a query string as strictly as its declared format."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import msgspec

from server.lib.errors import AppError, ErrorCode, FieldError

if TYPE_CHECKING:
    from litestar import Request

__all__ = ["DATE_TIME_PATTERN", "field_errors", "parse_date_time", "strict_json_body"]

_AT = re.compile(r"\s*-\s*at\s*`\$(?P<path>[^`]*)`\s*$")


def _split_message(field: str, message: str) -> FieldError:
    match = _AT.search(message)
    if match:
        return FieldError(field=f"{field}{match.group('path')}", message=message[: match.start()])
    return FieldError(field=field, message=message)


def _integral_as_int(value: Any) -> Any:
    """JSON ``3.0`` as ``3``: JSON Schema counts it as an integer (a schema client may send it), and
    Litestar's own decoding accepts it; only a fraction makes a number a non-integer."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_integral_as_int(item) for item in value]
    if isinstance(value, dict):
        return {key: _integral_as_int(item) for key, item in value.items()}
    return value


def field_errors(struct_type: type[msgspec.Struct], raw: Any) -> list[FieldError]:
    """One error per missing, invalid or unknown field of ``raw`` against ``struct_type``."""
    if not isinstance(raw, dict):
        return [FieldError(field="$", message="Expected a JSON object")]
    errors: list[FieldError] = []
    known: set[str] = set()
    for info in msgspec.structs.fields(struct_type):
        known.add(info.encode_name)
        if info.encode_name not in raw:
            if info.required:
                errors.append(FieldError(field=info.encode_name, message="Object missing required field"))
            continue
        try:
            msgspec.convert(_integral_as_int(raw[info.encode_name]), type=info.type, strict=True)
        except msgspec.ValidationError as exc:
            errors.append(_split_message(info.encode_name, str(exc)))
    if struct_type.__struct_config__.forbid_unknown_fields:
        errors.extend(
            FieldError(field=str(key)[:100], message="Unknown field") for key in raw if key not in known
        )
    return errors


def _body_struct(request: Request[Any, Any, Any]) -> type[msgspec.Struct] | None:
    data_field = request.route_handler.parsed_data_field
    target = data_field.annotation if data_field is not None else None
    if isinstance(target, type) and issubclass(target, msgspec.Struct):
        return target
    return None


async def strict_json_body(request: Request[Any, Any, Any]) -> None:
    """Refuse a JSON body that only lax conversion would accept (``0`` for false, ``"3"`` for 3).

    Litestar converts bodies with ``strict=False`` (needed for query strings, wrong for JSON), so the
    body of every route that takes a Struct is checked strictly first, every bad field listed. Runs as
    the app's ``before_request`` hook, before Litestar parses the parameters.
    """
    target = _body_struct(request)
    if target is None:
        return
    body = await request.body()
    if not body.strip():
        return
    try:
        raw = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return  # Litestar's own parsing answers request.malformed_json
    errors = field_errors(target, raw)
    if errors:
        raise AppError(ErrorCode.VALIDATION_FAILED, details=errors)


DATE_TIME_PATTERN: Final = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
"""An RFC 3339 ``date-time`` (the OpenAPI format): the offset is required, the digits are ASCII."""
_DATE_TIME = re.compile(DATE_TIME_PATTERN)


def _bad_date_time(field: str, message: str) -> AppError:
    return AppError(ErrorCode.VALIDATION_FAILED, details=[FieldError(field=field, message=message)])


def parse_date_time(raw: str, field: str) -> datetime:
    """``raw`` as an aware UTC datetime, or 400 ``request.validation_failed`` naming ``field``.

    Stricter than Litestar's lax query conversion, which takes ``1`` as a Unix time and a time without
    offset as valid. Digits beyond microseconds are cut and a leap second counts as the second before;
    a valid instant outside the years 1-9999 once moved to UTC is clamped to the nearest end, so it
    still filters as the client meant.
    """
    match = _DATE_TIME.fullmatch(raw)
    if match is None:
        raise _bad_date_time(field, "expected an RFC 3339 date-time, e.g. 2026-03-01T08:00:00Z")
    fraction = match.group(1) or ""
    text = raw[: match.start(1)] if fraction else raw[: match.start(2)]
    if text.endswith(":60"):
        text = text[:-2] + "59"
    try:
        value = datetime.fromisoformat(f"{text[:10]}T{text[11:]}{fraction[:7]}{match.group(2).upper()}")
    except ValueError:
        raise _bad_date_time(field, "not a valid date or time of day") from None
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return datetime.min.replace(tzinfo=UTC) if value.year == 1 else datetime.max.replace(tzinfo=UTC)

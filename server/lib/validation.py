"""Listing every bad field of a request body, not only the first one msgspec stops at."""

from __future__ import annotations

import re
from typing import Any

import msgspec

from server.lib.errors import FieldError

__all__ = ["field_errors"]

_AT = re.compile(r"\s*-\s*at\s*`\$(?P<path>[^`]*)`\s*$")


def _split_message(field: str, message: str) -> FieldError:
    match = _AT.search(message)
    if match:
        return FieldError(field=f"{field}{match.group('path')}", message=message[: match.start()])
    return FieldError(field=field, message=message)


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
            msgspec.convert(raw[info.encode_name], type=info.type, strict=True)
        except msgspec.ValidationError as exc:
            errors.append(_split_message(info.encode_name, str(exc)))
    if struct_type.__struct_config__.forbid_unknown_fields:
        errors.extend(
            FieldError(field=str(key)[:100], message="Unknown field") for key in raw if key not in known
        )
    return errors

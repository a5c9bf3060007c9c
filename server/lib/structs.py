"""Base Structs and bounded field types for the API edge (camelCase on the wire)."""

from __future__ import annotations

from typing import Annotated

import msgspec

__all__ = [
    "ApiIn",
    "ApiOut",
    "Code",
    "Email",
    "LocalizedName",
    "LongText",
    "Name",
    "ShortText",
    "Uuid",
]

Code = Annotated[str, msgspec.Meta(min_length=1, max_length=24, pattern=r"^[A-Z0-9][A-Z0-9-]*$")]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
ShortText = Annotated[str, msgspec.Meta(max_length=200)]
LongText = Annotated[str, msgspec.Meta(max_length=4000)]
# Python's and JavaScript's \s differ (\x1c-\x1f and \x85 vs \ufeff): both sets are excluded explicitly, so
# the pattern means the same to msgspec here and to a client validating against the OpenAPI schema.
_NOT_AT_OR_SPACE = r"[^@\s\x1c-\x1f\x85\ufeff]"
Email = Annotated[
    str,
    msgspec.Meta(max_length=200, pattern=rf"^{_NOT_AT_OR_SPACE}+@{_NOT_AT_OR_SPACE}+\.{_NOT_AT_OR_SPACE}+$"),
]
Uuid = Annotated[
    str,
    msgspec.Meta(pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"),
]


class ApiIn(msgspec.Struct, rename="camel", forbid_unknown_fields=True, kw_only=True):
    """A request body: unknown fields are refused so a typo never silently does nothing."""


class ApiOut(msgspec.Struct, rename="camel", kw_only=True):
    """A response body."""


class LocalizedName(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    ar: Name
    fr: Name

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
Email = Annotated[str, msgspec.Meta(max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
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

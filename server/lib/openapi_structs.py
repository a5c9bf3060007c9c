"""Request and response schemas in the OpenAPI document, exactly as msgspec validates them.

Litestar's own schema generation drops constraints that msgspec enforces (a pattern on the items of a
list of ids, ``forbid_unknown_fields``), so a client generated from the schema sends requests the server
refuses. At startup every component that is one of our Structs is replaced by msgspec's own JSON
Schema for it, with ``additionalProperties: false`` where the Struct forbids unknown fields.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec
from litestar.openapi.spec import Reference, Schema

if TYPE_CHECKING:
    from litestar import Litestar

__all__ = ["align_struct_schemas", "schema_from_json"]

_REF_TEMPLATE = "#/components/schemas/{name}"
# JSON Schema keyword → field of Litestar's Schema dataclass, where they differ.
_FIELDS = {
    "anyOf": "any_of",
    "oneOf": "one_of",
    "allOf": "all_of",
    "maxLength": "max_length",
    "minLength": "min_length",
    "maxItems": "max_items",
    "minItems": "min_items",
    "uniqueItems": "unique_items",
    "additionalProperties": "additional_properties",
    "propertyNames": "property_names",
    "exclusiveMinimum": "exclusive_minimum",
    "exclusiveMaximum": "exclusive_maximum",
    "multipleOf": "multiple_of",
    "maxProperties": "max_properties",
    "minProperties": "min_properties",
    "prefixItems": "prefix_items",
}
_NESTED_ONE = {"items", "additional_properties", "contains", "property_names"}
_NESTED_MANY = {"any_of", "one_of", "all_of", "prefix_items"}


def schema_from_json(raw: dict[str, Any]) -> Schema | Reference:
    """A JSON Schema dict (as msgspec writes it) as Litestar's spec objects."""
    if "$ref" in raw:
        return Reference(ref=raw["$ref"])
    values: dict[str, Any] = {}
    for key, value in raw.items():
        name = _FIELDS.get(key, key)
        if name in _NESTED_ONE and isinstance(value, dict):
            values[name] = schema_from_json(value)
        elif name in _NESTED_MANY:
            values[name] = [schema_from_json(item) for item in value]
        elif name == "properties":
            values[name] = {prop: schema_from_json(sub) for prop, sub in value.items()}
        else:
            values[name] = value
    return Schema(**values)


def _structs() -> list[type[msgspec.Struct]]:
    found: list[type[msgspec.Struct]] = []
    pending: list[type[msgspec.Struct]] = list(msgspec.Struct.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("server.") and cls.__struct_fields__:
            found.append(cls)
    return found


def align_struct_schemas(app: Litestar) -> None:
    components = app.openapi_schema.components
    schemas = components.schemas if components.schemas is not None else {}
    structs = [cls for cls in _structs() if cls.__name__ in schemas]
    _, generated = msgspec.json.schema_components(structs, ref_template=_REF_TEMPLATE)
    forbidding = {cls.__name__ for cls in structs if cls.__struct_config__.forbid_unknown_fields}
    for name, raw in generated.items():
        if name in forbidding:
            raw = {**raw, "additionalProperties": False}
        converted = schema_from_json(raw)
        if isinstance(converted, Schema):
            schemas[name] = converted
    components.schemas = schemas

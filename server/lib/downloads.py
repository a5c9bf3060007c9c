"""Files the API hands out (PDF, XLSX, iCalendar): their media types, the OpenAPI description of a
binary answer, and the response with the headers every download carries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from litestar import Response
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Schema,
)

__all__ = ["MEDIA", "Kind", "binary_operation", "file_response"]

Kind = Literal["pdf", "xlsx", "ics"]
MEDIA: Final[dict[Kind, str]] = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ics": "text/calendar; charset=utf-8",
}


def binary_operation(kind: Kind, description: str) -> type[Operation]:
    """An operation whose 200 answer is documented as a file of ``kind``."""
    media_type = MEDIA[kind]

    @dataclass
    class _Binary(Operation):
        def __post_init__(self) -> None:
            schema = Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
            self.responses = {
                **(self.responses or {}),
                "200": OpenAPIResponse(
                    description=description, content={media_type: OpenAPIMediaType(schema=schema)}
                ),
            }

    return _Binary


def file_response(content: bytes, kind: Kind, name: str) -> Response[bytes]:
    """``content`` as a download named ``name``: never cached, never sniffed."""
    return Response(
        content=content,
        media_type=MEDIA[kind],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )

"""Health and the translation catalogs for the PWA (both public)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, MediaType, Request, Response, get
from litestar.params import FromPath, QueryParameter

from server.auth.policy import PUBLIC, SIGNED_IN
from server.lib import db
from server.lib.etag import conditional_json, strong_etag
from server.lib.i18n import Locale, catalog_messages, text_direction
from server.lib.structs import ApiOut

__all__ = ["CONTROLLERS", "BenchBaselineController", "SystemController"]


class MigrationsOut(ApiOut):
    applied: int
    pending: list[str]
    up_to_date: bool


class HealthOut(ApiOut):
    status: Literal["ok", "degraded"]
    version: str
    database: Literal["sqlite", "postgresql"]
    migrations: MigrationsOut


class CatalogOut(ApiOut):
    locale: Locale
    direction: Literal["rtl", "ltr"]
    messages: dict[str, str]


class SystemController(Controller):
    path = "/api/v1"
    tags = ["system"]

    @get("/health", operation_id="getHealth", exclude_from_auth=True, guards=[PUBLIC])
    async def health(self, request: Request[Any, Any, Any]) -> HealthOut:
        """Database kind and migration state; ``degraded`` when migrations are pending."""
        state = await db.migration_state()
        return HealthOut(
            status="ok" if not state.pending else "degraded",
            version=request.app.state.version,
            database=request.app.state.settings.database_kind,
            migrations=MigrationsOut(
                applied=state.applied, pending=state.pending, up_to_date=not state.pending
            ),
        )

    @get("/i18n/{locale:str}", operation_id="getCatalog", exclude_from_auth=True, guards=[PUBLIC])
    async def catalog(
        self, request: Request[Any, Any, Any], locale: FromPath[Locale]
    ) -> Response[CatalogOut]:
        """A locale's messages (msgid → text) for the PWA, with a strong ``ETag`` (``If-None-Match`` →
        304); another locale is refused (400)."""
        out = CatalogOut(locale=locale, direction=text_direction(locale), messages=catalog_messages(locale))
        body = msgspec.json.encode(out)
        return conditional_json(request, body, strong_etag(body))


_PRECOMPUTED: dict[int, bytes] = {}


class BenchBaselineController(Controller):
    """Registered only with ``TADQIQ_BENCH_ROUTES=1``: the cheapest possible authenticated answer."""

    path = "/api/v1/bench"
    include_in_schema = False

    @get("/bytes", operation_id="benchBytes", guards=[SIGNED_IN])
    async def precomputed_bytes(
        self, size: Annotated[int, QueryParameter(ge=0, le=50_000_000)]
    ) -> Response[bytes]:
        body = _PRECOMPUTED.get(size)
        if body is None:
            body = _PRECOMPUTED[size] = b"x" * size
        return Response(content=body, media_type=MediaType.JSON)


CONTROLLERS: list[type[Controller]] = [SystemController]

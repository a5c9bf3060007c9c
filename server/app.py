"""create_app(): the Litestar application with its plugins, controllers and OpenAPI."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from litestar import Controller, Litestar, Router
from litestar.datastructures import State
from litestar.middleware.base import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router

from server.auth.guards import TokenAuthMiddleware
from server.auth.policy import PUBLIC
from server.domains import controllers
from server.lib.db import make_engine, start_engine, stop_engine
from server.lib.http_errors import EXCEPTION_HANDLERS, answer_options_from_routes
from server.lib.logs import RequestLog, configure_logs
from server.lib.openapi import document_error_responses, document_parameters
from server.lib.openapi_structs import align_struct_schemas
from server.lib.request_encoding import RequestDecodingMiddleware
from server.lib.response_compression import COMPRESSION
from server.lib.validation import strict_json_body
from server.settings import Settings, load_settings
from server.system.handlers import BenchBaselineController
from server.system.metrics_handlers import allowed_networks, read_metrics
from server.system.pwa import load_app_shell
from server.system.pwa_handlers import AppShellController

if TYPE_CHECKING:
    from piccolo.engine.base import Engine

__all__ = ["create_app"]

_SWAGGER_UI = Path(__file__).parent / "static" / "swagger-ui"


def _version() -> str:
    try:
        return version("tadqiq")
    except PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        return "0.0.0"


def create_app(settings: Settings | None = None, engine: Engine[Any] | None = None) -> Litestar:
    settings = settings or load_settings()
    the_engine = engine or make_engine(settings)
    configure_logs(settings.log_format)
    allowed_networks(settings.metrics_allowed)  # a mistyped entry stops start-up, not the first scrape

    async def open_database(app: Litestar) -> None:
        await start_engine(the_engine)
        align_struct_schemas(app)
        document_error_responses(app)
        document_parameters(app)
        answer_options_from_routes(app)

    async def close_database() -> None:
        await stop_engine(the_engine)

    bench: list[type[Controller]] = [BenchBaselineController] if settings.bench_routes else []
    app = Litestar(
        route_handlers=[
            *bench,
            # The API browser's assets are served from the package, so /schema works without Internet.
            create_static_files_router(
                path="/schema-assets", directories=[_SWAGGER_UI], include_in_schema=False, guards=[PUBLIC]
            ),
            *controllers(),
            read_metrics,  # /metrics, for TADQIQ_METRICS_ALLOWED only
            AppShellController,  # the tablet app, at / (read from settings.pwa_dir at startup)
        ],
        middleware=[
            DefineMiddleware(TokenAuthMiddleware, exclude=[r"^/schema"]),  # also /schema-assets
            # Gzip request bodies where a tablet sends them (issue #13), inside the sign-in check so a
            # stranger's body is never inflated; any other Content-Encoding is refused (415).
            RequestDecodingMiddleware(
                paths={"/api/v1/sync/push", "/api/v1/sync/import-outbox"},
                default_limit=settings.outbox_import_max_bytes,
            ),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        before_request=strict_json_body,
        request_max_body_size=settings.max_body_bytes,
        compression_config=COMPRESSION,  # brotli or gzip, Vary, weak ETags: lib/response_compression.py
        on_startup=[open_database],
        on_shutdown=[close_database],
        state=State(
            {"settings": settings, "version": _version(), "app_shell": load_app_shell(settings.pwa_dir)}
        ),
        openapi_config=OpenAPIConfig(
            title="Tadqiq API",
            version=_version(),
            description="Internal audits of an integrated QSE management system (ISO 9001, 14001, 45001).",
            openapi_router=Router(
                path="/schema", route_handlers=[], guards=[PUBLIC], include_in_schema=False
            ),
            render_plugins=[
                SwaggerRenderPlugin(
                    path=["/", "/swagger"],
                    js_url="/schema-assets/swagger-ui-bundle.js",
                    css_url="/schema-assets/swagger-ui.css",
                    standalone_preset_js_url="/schema-assets/swagger-ui-standalone-preset.js",
                    favicon="",
                )
            ],
            components=Components(security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}),
            security=[{"bearer": []}],
        ),
        debug=False,
    )
    # Outside routing and error handling: every request, a 404 or a 500 too, gets its id, line and timing.
    app.asgi_handler = RequestLog(app.asgi_handler)
    return app

"""Serving the tablet app: ``/`` (its page), ``/sw.js`` (its service worker), ``/app-manifest.json`` (what
the service worker precaches) and ``/assets/<digest>/<path>`` (everything else, cached for good). All
public: the app signs in through the API. Kept out of the OpenAPI document, which describes the API."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
from litestar import Controller, MediaType, Request, Response, get
from litestar.params import FromPath

from server.auth.policy import PUBLIC
from server.lib.errors import AppError, ErrorCode
from server.lib.etag import none_match

if TYPE_CHECKING:
    from server.system.pwa import AppShell

__all__ = ["AppShellController"]

Req = Request[Any, Any, Any]
_REVALIDATE = "no-cache"
_FOREVER = "public, max-age=31536000, immutable"
_NOSNIFF = {"X-Content-Type-Options": "nosniff"}


def _shell(request: Req) -> AppShell:
    shell: AppShell | None = request.app.state.get("app_shell")
    if shell is None:  # no pwa/index.html: the server runs as an API only
        raise AppError(ErrorCode.ROUTE_NOT_FOUND)
    return shell


def _revalidated(request: Req, body: bytes, media_type: str, headers: dict[str, str]) -> Response[bytes]:
    """A response the browser must check again each time it is used: 304 when its copy is current."""
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    all_headers = {"Cache-Control": _REVALIDATE, "ETag": etag, **_NOSNIFF, **headers}
    if none_match(request.headers.get("if-none-match"), etag):  # W/"…" when it came compressed
        return Response(content=b"", status_code=304, headers=all_headers)
    return Response(content=body, media_type=media_type, headers=all_headers)


class AppShellController(Controller):
    include_in_schema = False

    @get("/", operation_id="getAppPage", exclude_from_auth=True, guards=[PUBLIC])
    async def page(self, request: Req) -> Response[bytes]:
        """The app's page, with its import map; a strict Content-Security-Policy (no eval, no inline code
        but the import map, allowed by its hash)."""
        shell = _shell(request)
        return _revalidated(
            request,
            shell.index,
            "text/html",
            {
                "Content-Security-Policy": shell.content_security_policy,
                "Referrer-Policy": "no-referrer",
            },
        )

    @get("/sw.js", operation_id="getServiceWorker", exclude_from_auth=True, guards=[PUBLIC])
    async def service_worker(self, request: Req) -> Response[bytes]:
        """The service worker, revalidated on every load so that a new version of the app is found."""
        shell = _shell(request)
        if shell.service_worker is None:
            raise AppError(ErrorCode.ROUTE_NOT_FOUND)
        return _revalidated(request, shell.service_worker, "text/javascript", {"Service-Worker-Allowed": "/"})

    @get("/app-manifest.json", operation_id="getAppManifest", exclude_from_auth=True, guards=[PUBLIC])
    async def manifest(self, request: Req) -> Response[bytes]:
        """``{version, assets}``: the URLs the service worker precaches, and the version naming its cache."""
        shell = _shell(request)
        body = msgspec.json.encode({"version": shell.version, "assets": shell.precache_list()})
        return _revalidated(request, body, MediaType.JSON, {})

    @get(
        "/assets/{digest:str}/{path:path}",
        operation_id="getAppAsset",
        exclude_from_auth=True,
        guards=[PUBLIC],
    )
    async def asset(self, request: Req, digest: FromPath[str], path: FromPath[Path]) -> Response[bytes]:
        """A file of the app, when ``digest`` names its current content (an old or made-up URL: 404). Only
        the files read at startup are served: the path is a key, never opened."""
        found = _shell(request).asset(digest, path.as_posix().lstrip("/"))
        if found is None:
            raise AppError(ErrorCode.ROUTE_NOT_FOUND)
        return Response(
            content=found.content,
            media_type=found.media_type,
            headers={"Cache-Control": _FOREVER, **_NOSNIFF},
        )

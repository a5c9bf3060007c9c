"""The tablet app (``pwa/``) as the server sends it, read once at startup: every asset under a URL named
by its content, and ``index.html`` rewritten to point at those URLs.

There is no build step. The app's modules import each other by absolute path (``/scripts/db.js``) or by
relative path (the vendored libraries' ``./lit-html.js``); an import map inserted into ``index.html``
sends each of those to the hashed URL, ``/assets/<sha256, 12 hex>/<path>``, which is cached for good.
A relative import resolves against the importing module's own hashed URL, so the map also holds one
entry for each relative import found in a module. Style sheets and the web manifest name other assets
too: their references are rewritten before they are hashed, so a changed icon changes their URLs as
well. ``index.html`` (served at ``/``) and ``sw.js`` (at ``/sw.js``) keep fixed URLs and are
revalidated on every load; ``/app-manifest.json`` lists what the service worker precaches.
"""

from __future__ import annotations

import base64
import hashlib
import json
import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "ASSET_PREFIX",
    "AppShell",
    "Asset",
    "content_digest",
    "load_app_shell",
]

ASSET_PREFIX = "/assets"
_DIGEST_LENGTH = 12
_INDEX = "index.html"
_SERVICE_WORKER = "sw.js"

# Litestar adds "; charset=utf-8" to every text/* type.
_MEDIA_TYPES: Mapping[str, str] = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".webp": "image/webp",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".woff2": "font/woff2",
    ".txt": "text/plain",
    ".md": "text/plain",
}
_TEXT = "text/plain"
"""Licences and other files without a known suffix: served for reading, never precached."""

# References inside the files that are rewritten: CSS url(...) and @import "...", the web manifest's
# "src" members (icons, screenshots), and index.html's href/src attributes.
_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')\s]+)\1\s*\)|@import\s+(["'])([^"']+)\3""")
_MANIFEST_SRC = re.compile(r'("src"\s*:\s*")([^"]+)(")')
_HTML_ATTRIBUTE = re.compile(r"""(\b(?:href|src)\s*=\s*)(["'])([^"']*)\2""", re.IGNORECASE)
# A module specifier of a static or dynamic import, or of a re-export: false hits (in a comment or a
# string) only add an unused entry to the import map.
_IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(?\s*)(["'])([^"'\n]+)\1""")
_INLINE_ELEMENT = re.compile(r"<(script|style)\b([^>]*)>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)
_FIRST_SCRIPT = re.compile(r"<script\b", re.IGNORECASE)
_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)


def content_digest(content: bytes) -> str:
    """The 12 hex characters of an asset's SHA-256 that name its URL."""
    return hashlib.sha256(content).hexdigest()[:_DIGEST_LENGTH]


@dataclass(frozen=True)
class Asset:
    path: str
    """Where the file is under ``pwa/``, with ``/`` separators: ``scripts/app.js``."""
    content: bytes
    """As served: style sheets and the web manifest with their references rewritten."""
    media_type: str
    digest: str
    """``content_digest(content)``: the name of its URL."""

    @classmethod
    def of(cls, path: str, content: bytes, media_type: str) -> Asset:
        return cls(path=path, content=content, media_type=media_type, digest=content_digest(content))

    @property
    def url(self) -> str:
        return f"{ASSET_PREFIX}/{self.digest}/{self.path}"

    @property
    def precached(self) -> bool:
        """Part of what the app needs offline (not a licence text or a package's metadata)."""
        return self.media_type != _TEXT and posixpath.basename(self.path) != "package.json"


@dataclass(frozen=True)
class AppShell:
    index: bytes
    """``index.html`` with the import map and the hashed URLs."""
    content_security_policy: str
    """For ``index.html``: its own inline scripts and styles (the import map) allowed by hash only."""
    service_worker: bytes | None
    assets: Mapping[str, Asset]
    """Every file served under ``/assets/<digest>/``, by path."""
    import_map: Mapping[str, str]
    version: str
    """Changes whenever any file served changes (the service worker names its cache after it)."""

    def asset(self, digest: str, path: str) -> Asset | None:
        """The asset at ``path`` when ``digest`` is its current one (an old or unknown URL: None)."""
        found = self.assets.get(path)
        return found if found is not None and found.digest == digest else None

    def precache_list(self) -> list[str]:
        """``/`` and the hashed URL of every asset the app needs offline, for ``/app-manifest.json``."""
        return ["/", *sorted(asset.url for asset in self.assets.values() if asset.precached)]


def _media_type(path: str) -> str:
    return _MEDIA_TYPES.get(posixpath.splitext(path)[1].lower(), _TEXT)


def _is_served(relative: str) -> bool:
    """Every file but the maintainers' own: Python (the vendoring script), READMEs and lock files,
    hidden files and caches."""
    parts = relative.split("/")
    name = parts[-1]
    if any(part.startswith(".") or part == "__pycache__" for part in parts):
        return False
    if name.endswith((".py", ".pyc", ".lock", ".lock.json")) or name.upper().startswith("README"):
        return False
    return name not in (_INDEX, _SERVICE_WORKER) or len(parts) > 1


def _files(root: Path) -> Iterator[tuple[str, bytes]]:
    for file in sorted(root.rglob("*")):
        if file.is_file() and not file.is_symlink():
            relative = file.relative_to(root).as_posix()
            if _is_served(relative):
                yield relative, file.read_bytes()


def _target(reference: str, from_path: str) -> str | None:
    """The ``pwa/`` path a reference made in ``from_path`` points at (query and fragment dropped), or
    None for another origin, a data or blob URL, or a path outside the app."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//", reference):
        return None
    path = re.split(r"[?#]", reference, maxsplit=1)[0]
    if not path:
        return None
    joined = path.lstrip("/") if path.startswith("/") else posixpath.join(posixpath.dirname(from_path), path)
    normal = posixpath.normpath(joined)
    return None if normal.startswith("..") or normal == "." else normal


class _Builder:
    """Hashes the assets in dependency order: a style sheet after what it refers to."""

    def __init__(self, files: Mapping[str, bytes]) -> None:
        self.files = files
        self.assets: dict[str, Asset] = {}
        self.visiting: set[str] = set()

    def asset(self, path: str) -> Asset | None:
        if path in self.assets:
            return self.assets[path]
        if path not in self.files or path in self.visiting:  # unknown, or a reference cycle
            return None
        self.visiting.add(path)
        try:
            media_type = _media_type(path)
            content = self.files[path]
            if media_type.startswith("text/css"):
                content = self._rewrite_css(path, content)
            elif media_type == "application/manifest+json":
                content = self._rewrite_manifest(path, content)
            self.assets[path] = Asset.of(path, content, media_type)
        finally:
            self.visiting.discard(path)
        return self.assets[path]

    def url(self, reference: str, from_path: str) -> str | None:
        target = _target(reference, from_path)
        asset = self.asset(target) if target is not None else None
        if asset is None:
            return None
        fragment = reference[len(reference.split("#", 1)[0]) :]
        return asset.url + fragment

    def _rewrite_css(self, path: str, content: bytes) -> bytes:
        def replace(match: re.Match[str]) -> str:
            reference = match.group(2) or match.group(4)
            url = self.url(reference, path)
            return match.group(0) if url is None else match.group(0).replace(reference, url, 1)

        return _CSS_URL.sub(replace, content.decode("utf-8")).encode("utf-8")

    def _rewrite_manifest(self, path: str, content: bytes) -> bytes:
        def replace(match: re.Match[str]) -> str:
            url = self.url(match.group(2), path)
            return match.group(0) if url is None else f"{match.group(1)}{url}{match.group(3)}"

        return _MANIFEST_SRC.sub(replace, content.decode("utf-8")).encode("utf-8")


def _import_map(assets: Mapping[str, Asset]) -> dict[str, str]:
    """Each module's own path, and each relative import as the browser resolves it from the importing
    module's hashed URL, to the hashed URL of the module imported."""
    modules = {
        path: asset for path, asset in assets.items() if asset.media_type.startswith("text/javascript")
    }
    imports = {f"/{path}": asset.url for path, asset in modules.items()}
    for path, asset in modules.items():
        for match in _IMPORT.finditer(asset.content.decode("utf-8", errors="replace")):
            specifier = match.group(2)
            if not specifier.startswith(("./", "../")):
                continue
            target = _target(specifier, path)
            if target is None or target not in modules:
                continue
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(asset.url), specifier))
            if resolved.startswith(f"{ASSET_PREFIX}/{asset.digest}/") and resolved != modules[target].url:
                imports[resolved] = modules[target].url
    return dict(sorted(imports.items()))


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def _content_security_policy(index: str) -> str:
    """No eval, nothing inline but the page's own elements (the import map), by hash."""
    scripts: list[str] = []
    styles: list[str] = []
    for match in _INLINE_ELEMENT.finditer(index):
        kind, attributes, body = match.group(1).lower(), match.group(2), match.group(3)
        if kind == "script" and re.search(r"\bsrc\s*=", attributes, re.IGNORECASE):
            continue
        (scripts if kind == "script" else styles).append(_csp_hash(body))
    directives = [
        "default-src 'self'",
        " ".join(["script-src 'self'", *sorted(set(scripts))]),
        " ".join(["style-src 'self'", *sorted(set(styles))]),
        "img-src 'self' blob: data:",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    return "; ".join(directives)


def _rewrite_index(index: str, builder: _Builder, import_map: Mapping[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        url = builder.url(match.group(3), _INDEX)
        return match.group(0) if url is None else f"{match.group(1)}{match.group(2)}{url}{match.group(2)}"

    rewritten = _HTML_ATTRIBUTE.sub(replace, index)
    if not import_map:
        return rewritten
    # </script> cannot occur in the JSON: keys and URLs are paths of files, escaped as JSON strings.
    text = json.dumps({"imports": dict(import_map)}, separators=(",", ":"), ensure_ascii=True)
    element = '<script type="importmap">' + text.replace("</", "<\\/") + "</script>\n"
    anchor = _FIRST_SCRIPT.search(rewritten) or _HEAD_END.search(rewritten)
    at = anchor.start() if anchor is not None else len(rewritten)
    return rewritten[:at] + element + rewritten[at:]


def load_app_shell(root: Path) -> AppShell | None:
    """The app under ``root``, or None when there is none (no ``index.html``): the API is then served
    alone, and ``/`` answers 404."""
    index_file = root / _INDEX
    if not index_file.is_file():
        return None
    files = dict(_files(root))
    builder = _Builder(files)
    for path in files:
        builder.asset(path)
    assets = dict(sorted(builder.assets.items()))
    import_map = _import_map(assets)
    index = _rewrite_index(index_file.read_text(encoding="utf-8"), builder, import_map)
    worker_file = root / _SERVICE_WORKER
    service_worker = worker_file.read_bytes() if worker_file.is_file() else None
    version = hashlib.sha256()
    for asset in assets.values():
        version.update(f"{asset.path}\0{asset.digest}\n".encode())
    version.update(b"index\0" + index.encode("utf-8") + b"\nsw\0" + (service_worker or b""))
    return AppShell(
        index=index.encode("utf-8"),
        content_security_policy=_content_security_policy(index),
        service_worker=service_worker,
        assets=assets,
        import_map=import_map,
        version=version.hexdigest()[:_DIGEST_LENGTH],
    )

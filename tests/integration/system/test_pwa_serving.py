"""Serving the tablet app: the page with its import map and strict CSP, the service worker, the hashed
assets (cached for good, found again after a change only under a new URL), the precache list, and an
API that still runs without the app.

Each test serves a copy of ``pwa/`` (so files can be changed), completed with a page, a service worker,
a style sheet, a web manifest and an icon where the app does not have them yet."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.settings import PROJECT_ROOT, Settings
from tests.conftest import base_settings

REAL_APP = PROJECT_ROOT / "pwa"
ORIGIN = "http://testserver.local"
_IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"'\n]+)["']""")
_PAGE = """<!doctype html>
<html lang="ar" dir="rtl">
<head>
<meta charset="utf-8">
<link rel="manifest" href="/manifest.webmanifest">
<link rel="icon" href="/icons/test-icon.png">
<link rel="stylesheet" href="/styles/test.css">
<script type="module" src="/scripts/test-main.js"></script>
</head>
<body><main id="app"></main></body>
</html>
"""
# A 1×1 PNG.
_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def _complete(root: Path) -> None:
    """The real app, with the pieces these tests name added (never replacing the app's own)."""
    (root / "icons").mkdir(exist_ok=True)
    (root / "styles").mkdir(exist_ok=True)
    (root / "scripts").mkdir(exist_ok=True)
    (root / "icons" / "test-icon.png").write_bytes(_PNG)
    (root / "styles" / "test.css").write_text(
        "main { background: url(../icons/test-icon.png) no-repeat; margin-inline-start: 1rem; }\n",
        encoding="utf-8",
    )
    (root / "scripts" / "test-main.js").write_text(
        'import { html, render } from "../vendor/lit-html@3.3.3/lit-html.js";\n'
        'import { nothing } from "/vendor/lit-html@3.3.3/lit-html.js";\n'
        "export const ready = () => render(html`<p>${nothing}</p>`, document.body);\n",
        encoding="utf-8",
    )
    if not (root / "index.html").is_file():
        (root / "index.html").write_text(_PAGE, encoding="utf-8")
    else:  # the app's own page: name the test's pieces too
        page = (root / "index.html").read_text(encoding="utf-8")
        extra = (
            '<link rel="icon" href="/icons/test-icon.png"><link rel="stylesheet" href="/styles/test.css">'
            '<script type="module" src="/scripts/test-main.js"></script>'
        )
        (root / "index.html").write_text(page.replace("</head>", extra + "</head>", 1), encoding="utf-8")
    if not (root / "sw.js").is_file():
        (root / "sw.js").write_text('self.addEventListener("fetch", () => {});\n', encoding="utf-8")
    if not (root / "manifest.webmanifest").is_file():
        manifest = {"name": "Tadqiq", "start_url": "/", "display": "standalone", "icons": []}
        (root / "manifest.webmanifest").write_text(json.dumps(manifest), encoding="utf-8")
    manifest = json.loads((root / "manifest.webmanifest").read_text(encoding="utf-8"))
    manifest["icons"] = [*manifest.get("icons", []), {"src": "/icons/test-icon.png", "sizes": "1x1"}]
    (root / "manifest.webmanifest").write_text(json.dumps(manifest), encoding="utf-8")


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    root = tmp_path / "pwa"
    shutil.copytree(REAL_APP, root, ignore=shutil.ignore_patterns("__pycache__"))
    _complete(root)
    return root


@pytest.fixture
def shell_settings(templates: dict[str, str], tmp_path: Path) -> Settings:
    """SQLite only: serving files does not depend on the database kind."""
    path = tmp_path / "tadqiq.sqlite3"
    shutil.copyfile(templates["sqlite"], path)
    return base_settings(tmp_path, f"sqlite:///{path}")


async def _serve(settings: Settings, pwa_dir: Path) -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(app=create_app(replace(settings, pwa_dir=pwa_dir)), base_url=ORIGIN) as client:
        yield client


@pytest.fixture
async def shell(shell_settings: Settings, app_dir: Path) -> AsyncIterator[AsyncTestClient[Any]]:
    async for client in _serve(shell_settings, app_dir):
        yield client


def _import_map(page: str) -> dict[str, str]:
    found = re.search(r'<script type="importmap">(.*?)</script>', page, re.DOTALL)
    assert found is not None, page
    imports: dict[str, str] = json.loads(found.group(1))["imports"]
    return imports


def _resolve(specifier: str, base: str, imports: dict[str, str]) -> str:
    """What the browser fetches: the specifier resolved against the importing module's URL, then looked
    up in the import map (keys and targets are paths of this origin)."""
    url = urljoin(f"{ORIGIN}{base}", specifier).removeprefix(ORIGIN)
    return imports.get(url, url)


async def test_page_import_map_names_every_module_under_an_immutable_url(shell: AsyncTestClient[Any]) -> None:
    page = await shell.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["cache-control"] == "no-cache"
    imports = _import_map(page.text)
    modules = sorted(p.relative_to(REAL_APP).as_posix() for p in REAL_APP.rglob("*.js") if p.name != "sw.js")
    assert {f"/{path}" for path in modules} <= set(imports)
    for target in set(imports.values()):
        answer = await shell.get(target)
        assert answer.status_code == 200, target
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert answer.headers["content-type"] == "text/javascript; charset=utf-8"
        path = target.split("/", 3)[3]
        digest = target.split("/")[2]
        assert digest == hashlib.sha256(answer.content).hexdigest()[:12]
        assert answer.content == (shell.app.state.settings.pwa_dir / path).read_bytes()


async def test_every_import_of_every_module_reaches_the_module_it_names(shell: AsyncTestClient[Any]) -> None:
    """The browser's own resolution: relative imports resolve against the importing module's hashed URL,
    which only the import map turns into the imported module's hashed URL."""
    imports = _import_map((await shell.get("/")).text)
    checked = 0
    for module_url in sorted(set(imports.values())):
        source = (await shell.get(module_url)).text
        importer = module_url.split("/", 3)[3]
        for specifier in _IMPORT.findall(source):
            if not specifier.startswith(("/", "./", "../")):
                continue  # a word in a comment, not an import of the app
            fetched = _resolve(specifier, module_url, imports)
            answer = await shell.get(fetched)
            assert answer.status_code == 200, f"{importer} imports {specifier}: {fetched}"
            expected = urljoin(f"/{importer}", specifier)
            assert fetched.split("/", 3)[3] == expected.lstrip("/"), (importer, specifier, fetched)
            checked += 1
    assert checked >= 10  # the app's modules import each other


async def test_page_links_point_at_hashed_assets_of_the_right_type(shell: AsyncTestClient[Any]) -> None:
    page = (await shell.get("/")).text
    urls = dict(re.findall(r'(?:href|src)="(/assets/[0-9a-f]{12}/([^"]+))"', page))
    kinds = {
        "manifest.webmanifest": "application/manifest+json",
        "icons/test-icon.png": "image/png",
        "styles/test.css": "text/css; charset=utf-8",
        "scripts/test-main.js": "text/javascript; charset=utf-8",
    }
    found = {path: url for url, path in urls.items()}
    for path, media_type in kinds.items():
        assert path in found, f"{path} not rewritten in {page}"
        answer = await shell.get(found[path])
        assert answer.status_code == 200
        assert answer.headers["content-type"] == media_type
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert answer.headers["x-content-type-options"] == "nosniff"
    assert 'href="/manifest.webmanifest"' not in page and 'src="/scripts/' not in page
    # The style sheet and the manifest name the icon by its hashed URL too.
    css = (await shell.get(found["styles/test.css"])).text
    manifest = (await shell.get(found["manifest.webmanifest"])).json()
    assert f"url({found['icons/test-icon.png']})" in css
    assert found["icons/test-icon.png"] in [icon["src"] for icon in manifest["icons"]]


async def test_page_is_served_with_a_strict_content_security_policy(shell: AsyncTestClient[Any]) -> None:
    page = await shell.get("/")
    policy = page.headers["content-security-policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split("; ")}
    found = re.search(r'<script type="importmap">(.*?)</script>', page.text, re.DOTALL)
    assert found is not None
    digest = base64.b64encode(hashlib.sha256(found.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in directives["script-src"]
    assert directives["script-src"][0] == "'self'"
    assert directives["default-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "blob:", "data:"]
    assert directives["connect-src"] == ["'self'"]
    assert directives["worker-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    again = await shell.get("/", headers={"If-None-Match": page.headers["etag"]})
    assert again.status_code == 304


async def test_service_worker_is_revalidated_on_every_load(shell: AsyncTestClient[Any]) -> None:
    answer = await shell.get("/sw.js")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-cache"
    assert answer.headers["service-worker-allowed"] == "/"
    assert answer.headers["content-type"] == "text/javascript; charset=utf-8"
    assert answer.content == (shell.app.state.settings.pwa_dir / "sw.js").read_bytes()
    again = await shell.get("/sw.js", headers={"If-None-Match": answer.headers["etag"]})
    assert again.status_code == 304


async def test_app_manifest_lists_what_the_service_worker_precaches(shell: AsyncTestClient[Any]) -> None:
    answer = await shell.get("/app-manifest.json")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-cache"
    body = answer.json()
    assert re.fullmatch(r"[0-9a-f]{12}", body["version"])
    assert body["assets"][0] == "/"
    imports = _import_map((await shell.get("/")).text)
    assert set(imports.values()) <= set(body["assets"])
    for url in body["assets"][1:]:
        assert (await shell.get(url)).status_code == 200, url
    assert not [url for url in body["assets"] if url.endswith(("LICENSE", "package.json"))]


async def test_a_changed_file_gets_a_new_url_and_the_old_one_is_gone(
    shell_settings: Settings, app_dir: Path
) -> None:
    async for before in _serve(shell_settings, app_dir):
        old_page = (await before.get("/")).text
        old_version = (await before.get("/app-manifest.json")).json()["version"]
    (app_dir / "icons" / "test-icon.png").write_bytes(_PNG + b"\0")  # a changed icon
    async for after in _serve(shell_settings, app_dir):
        new_page = (await after.get("/")).text
        new_version = (await after.get("/app-manifest.json")).json()["version"]
        old_links = dict(re.findall(r'(?:href|src)="(/assets/[0-9a-f]{12}/([^"]+))"', old_page))
        new_links = {
            path: url for url, path in re.findall(r'(?:href|src)="(/assets/[0-9a-f]{12}/([^"]+))"', new_page)
        }
        for old_url, path in old_links.items():
            if path in (
                "icons/test-icon.png",
                "styles/test.css",
                "manifest.webmanifest",
            ):  # the icon and who names it
                assert new_links[path] != old_url
                assert (await after.get(old_url)).status_code == 404
            else:
                assert new_links[path] == old_url
        assert _import_map(new_page) == _import_map(old_page)  # no module changed
        assert new_version != old_version


async def test_an_unknown_or_outdated_digest_is_not_found(shell: AsyncTestClient[Any]) -> None:
    url = _import_map((await shell.get("/")).text)["/scripts/test-main.js"]
    path = url.split("/", 3)[3]
    for wrong in ("000000000000", "zzzz", url.split("/")[2][:-1]):
        answer = await shell.get(f"/assets/{wrong}/{path}")
        assert answer.status_code == 404
        assert answer.json()["code"] == "request.not_found"


async def test_nothing_outside_the_served_files_can_be_reached(
    shell: AsyncTestClient[Any], app_dir: Path
) -> None:
    (app_dir.parent / "secret.txt").write_text("not for the browser", encoding="utf-8")
    imports = _import_map((await shell.get("/")).text)
    digest = imports["/scripts/test-main.js"].split("/")[2]
    attempts = [
        f"/assets/{digest}/%2E%2E/secret.txt",
        f"/assets/{digest}/scripts/%2E%2E/%2E%2E/secret.txt",
        f"/assets/{digest}/..%2Fsecret.txt",
        f"/assets/{digest}/%2Fetc%2Fpasswd",
        f"/assets/{digest}/vendor/refresh.py",
        f"/assets/{digest}/vendor/vendor.lock.json",
        f"/assets/{digest}/vendor/README.md",
        f"/assets/{digest}/index.html",
    ]
    for url in attempts:
        answer = await shell.get(url)
        assert answer.status_code == 404, url
        assert "not for the browser" not in answer.text
    # The maintainers' files are not served under their own digest either.
    lock = app_dir / "vendor" / "vendor.lock.json"
    lock_digest = hashlib.sha256(lock.read_bytes()).hexdigest()[:12]
    assert (await shell.get(f"/assets/{lock_digest}/vendor/vendor.lock.json")).status_code == 404


async def test_without_the_app_the_api_runs_alone(shell_settings: Settings, tmp_path: Path) -> None:
    empty = tmp_path / "no-app"
    empty.mkdir()
    async for client in _serve(shell_settings, empty):
        for url in ("/", "/sw.js", "/app-manifest.json", "/assets/000000000000/scripts/app.js"):
            answer = await client.get(url)
            assert answer.status_code == 404
            assert set(answer.json()) == {"status", "code", "message", "details", "requestId"}
        assert (await client.get("/api/v1/health")).status_code == 200


async def test_the_api_documentation_still_works_and_leaves_the_app_out(shell: AsyncTestClient[Any]) -> None:
    assert (await shell.get("/schema/swagger")).status_code == 200
    schema = (await shell.get("/schema/openapi.json")).json()
    assert not [path for path in schema["paths"] if not path.startswith("/api/")]

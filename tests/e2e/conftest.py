"""Browser tests: Debian's Chromium driven by Playwright for Python (never a downloaded browser) against
a real ``tadqiq serve`` on a copy of the demo database. Without Chromium or Playwright the tests skip,
or fail under ``TADQIQ_STRICT_TESTS=1``."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.conftest import _copy_template_files, base_settings, missing_tool
from tests.contract.live_server import free_port, live_server, start_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright, ViewportSize

    from server.settings import Settings

CHROMIUM = Path(os.environ.get("TADQIQ_CHROMIUM", "/usr/bin/chromium"))
TABLET: ViewportSize = {"width": 1024, "height": 768}


@contextmanager
def playwright_driver() -> Iterator[Playwright]:
    """Playwright with Debian's Chromium, or a skip (a failure in strict mode) when either is missing."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_tool("Playwright for Python is not installed (pip install -e '.[test]')")
    if not CHROMIUM.is_file():
        missing_tool(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def playwright(templates: dict[str, str]) -> Iterator[Playwright]:
    """Per test: Playwright's synchronous API runs an event loop of its own while it is open, so the
    database template (an ``asyncio.run``) is made before and no other test shares it."""
    with playwright_driver() as driver:
        yield driver


@pytest.fixture
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
    yield launched
    launched.close()


@pytest.fixture
def app_url(templates: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """A server with the app on a fresh copy of the demo council (SQLite) and its files (photos, signatures,
    issued reports, the signing key)."""
    database = tmp_path / "tadqiq.sqlite3"
    shutil.copyfile(templates["sqlite"], database)
    _copy_template_files(Path(templates["var"]), tmp_path)
    with live_server(base_settings(tmp_path, f"sqlite:///{database}"), log=tmp_path / "server.log") as base:
        yield base


def sign_in(page: Page, base: str, username: str, password: str = "demo") -> None:
    page.goto(f"{base}/")
    page.get_by_test_id("signin-form").wait_for()
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("[data-testid=signin-form] button").click()
    page.get_by_test_id("sync-bar").wait_for()


def make_available_offline(page: Page, index: int = 0) -> str:
    """Download the index-th audit of "My audits" and wait until the service worker controls the page;
    returns the audit's id."""
    card = page.get_by_test_id("audit-card").nth(index)
    audit_id = card.get_attribute("data-audit-id")
    assert audit_id
    card.get_by_test_id("make-offline").click()
    page.get_by_test_id("toast").wait_for(timeout=30_000)
    page.locator("html[data-offline=ready]").wait_for(state="attached", timeout=30_000)
    return audit_id


def sync_now(page: Page, timeout: float = 30_000) -> None:
    """Press "Sync now" and wait until the run is over (whatever its outcome)."""
    page.get_by_test_id("sync-now").click()
    page.locator("[data-testid=sync-bar]:not([data-state=syncing])").wait_for(timeout=timeout)


def api_token(base: str, username: str, password: str = "demo") -> dict[str, str]:
    response = httpx.post(f"{base}/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def server_package(base: str, username: str, audit_id: str) -> dict[str, Any]:
    response = httpx.get(f"{base}/api/v1/audits/{audit_id}/package", headers=api_token(base, username))
    assert response.status_code == 200, response.text
    package: dict[str, Any] = response.json()
    return package


class Server:
    """``tadqiq serve`` on a fresh copy of the demo that a test stops and starts again, always on the same
    port: the browser's origin, and with it the service worker and IndexedDB, stays the same."""

    def __init__(self, settings: Settings, folder: Path) -> None:
        self.settings = settings
        self.folder = folder
        self.base = f"http://127.0.0.1:{free_port()}"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        port = int(self.base.rsplit(":", 1)[1])
        self.process = start_server(self.settings, port, log=self.folder / f"server-{self.starts}.log")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def blobs(self) -> list[str]:
        """The hashes of the stored files (photos, signatures)."""
        root = self.settings.var_dir / "blobs"
        return sorted(p.name for p in root.glob("*/*/*") if re.fullmatch(r"[0-9a-f]{64}", p.name))

    def tadqiq(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The ``tadqiq`` command on the server's database and files."""
        env = {
            **os.environ,
            "TADQIQ_DATABASE_URL": self.settings.database_url,
            "TADQIQ_VAR_DIR": str(self.settings.var_dir),
        }
        return subprocess.run(
            [sys.executable, "-m", "server.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )


@pytest.fixture
def server(templates: dict[str, str], tmp_path: Path) -> Iterator[Server]:
    """A server with the app on a fresh copy of the demo council (SQLite) that the test may stop."""
    database = tmp_path / "tadqiq.sqlite3"
    shutil.copyfile(templates["sqlite"], database)
    running = Server(base_settings(tmp_path, f"sqlite:///{database}"), tmp_path)
    running.start()
    yield running
    running.stop()


def open_profile(playwright: Playwright, profile: Path, offline: bool = False) -> tuple[BrowserContext, Page]:
    """Chromium on a profile kept on disk: closed and opened again, it keeps IndexedDB and the worker."""
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=str(CHROMIUM), headless=True, viewport=TABLET, offline=offline
    )
    return context, context.pages[0] if context.pages else context.new_page()

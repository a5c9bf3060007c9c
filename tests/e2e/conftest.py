"""Browser tests: Debian's Chromium driven by Playwright for Python (never a downloaded browser) against
a real ``tadqiq serve`` on a copy of the demo database. Without Chromium or Playwright the tests skip,
or fail under ``TADQIQ_STRICT_TESTS=1``."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.conftest import base_settings, missing_tool
from tests.contract.live_server import live_server

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright, ViewportSize

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
    """A server with the app on a fresh copy of the demo council (SQLite)."""
    database = tmp_path / "tadqiq.sqlite3"
    shutil.copyfile(templates["sqlite"], database)
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

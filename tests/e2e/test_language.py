"""The language chosen on the tablet becomes the account's: at once when the server answers (its
messages come back in that language straight away), else at the next sync."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import httpx

from tests.e2e.conftest import TABLET, api_token, sign_in, sync_now

if TYPE_CHECKING:
    from playwright.sync_api import Browser


def _account_locale(base: str, headers: dict[str, str]) -> str:
    response = httpx.get(f"{base}/api/v1/me", headers=headers)
    assert response.status_code == 200, response.text
    locale: str = response.json()["locale"]
    return locale


def _becomes(base: str, headers: dict[str, str], locale: str, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if _account_locale(base, headers) == locale:
            return True
        time.sleep(0.2)
    return False


def test_a_language_chosen_online_is_the_accounts_at_once_and_one_chosen_offline_at_the_next_sync(
    browser: Browser, app_url: str
) -> None:
    context = browser.new_context(viewport=TABLET)
    page = context.new_page()
    sign_in(page, app_url, "auditor1")
    page.locator("[data-testid=sync-bar][data-state=idle]").wait_for()
    headers = api_token(app_url, "auditor1")
    first = _account_locale(app_url, headers)
    other = "ar" if first == "fr" else "fr"

    page.get_by_test_id(f"lang-{other}").click()  # no sync pressed: the choice alone tells the server
    assert _becomes(app_url, headers, other)

    context.set_offline(True)
    page.get_by_test_id(f"lang-{first}").click()
    page.locator(f"html[lang={first}]").wait_for(state="attached")
    assert not _becomes(app_url, headers, first, within=2.0)  # kept on the tablet while offline
    context.set_offline(False)
    sync_now(page)
    assert _becomes(app_url, headers, first)
    context.close()

"""The app's one-minute smoke journey: sign in, download an audit, record a verdict offline, reload
offline from the service worker, come back online, sync: the server holds the finding once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.e2e.conftest import TABLET, make_available_offline, server_package, sign_in, sync_now

if TYPE_CHECKING:
    from playwright.sync_api import Browser

EVIDENCE = "Registre des documents sans colonne de révision (consulté le 3 décembre)"


def test_a_verdict_recorded_offline_reaches_the_server_once(browser: Browser, app_url: str) -> None:
    context = browser.new_context(viewport=TABLET)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, app_url, "auditor1")
    audit_id = make_available_offline(page)

    context.set_offline(True)
    page.reload()
    page.get_by_test_id("audit-card").first.wait_for()  # the page and its modules came from the worker
    page.goto(f"{app_url}/#/audit/{audit_id}/checklist")
    item = page.get_by_test_id("checklist-item").first
    question_id = item.get_attribute("data-question-id")
    item.locator("a").click()
    page.get_by_test_id("verdict-nc_minor").click()
    page.get_by_test_id("finding-evidence").fill(EVIDENCE)
    page.get_by_test_id("finding-statement").click()  # leaving the field saves at once
    page.locator("[data-testid=sync-bar][data-pending='1']").wait_for()

    page.reload()  # still offline: what was recorded is on the tablet
    page.locator("[data-testid=verdict-nc_minor][aria-pressed=true]").wait_for()
    assert page.get_by_test_id("finding-evidence").input_value() == EVIDENCE

    context.set_offline(False)
    sync_now(page)
    page.locator("[data-testid=sync-bar][data-state=idle][data-pending='0']").wait_for()
    sync_now(page)  # a second run sends nothing again

    findings = server_package(app_url, "auditor1", audit_id)["findings"]
    answers = [
        (f["data"]["verdict"], f["data"]["evidence"], f["rev"])
        for f in findings
        if f["data"]["questionId"] == question_id
    ]
    assert answers == [("nc_minor", EVIDENCE, 1)]
    assert errors == []
    context.close()

"""Two details of the auditor's screens: the closing meeting asks why the auditee's representative did not
sign while they have not, and a photo that came from the server is captioned with the time its finding
says it was taken (the file itself carries none)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.e2e.conftest import TABLET, make_available_offline, server_package, sign_in, sync_now
from tests.e2e.journey import answer, draw_signature, jpeg_photos, open_audit_screen, take_photos, teammate

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Browser

REASON = "Le représentant de l'audité a quitté la réunion avant la signature."


def test_the_reason_the_auditee_did_not_sign_is_asked_until_they_sign_and_reaches_the_server(
    browser: Browser, app_url: str
) -> None:
    context = browser.new_context(viewport=TABLET)
    page = context.new_page()
    sign_in(page, app_url, "auditor1")
    audit_id = make_available_offline(page)
    open_audit_screen(page, app_url, audit_id, "closing")
    signature = page.get_by_test_id("signature-auditee_representative")
    reason = signature.get_by_test_id("conclusion-auditeeUnsignedReason")
    reason.fill(f"  {REASON}  ")
    reason.press("Tab")  # leaving the field saves at once
    page.locator("[data-testid=sync-bar][data-pending='1']").wait_for()
    assert page.get_by_test_id("conclusion-auditeeUnsignedReason").count() == 1  # the auditee's only

    sync_now(page)
    page.locator("[data-testid=sync-bar][data-state=idle][data-pending='0']").wait_for()
    conclusion = server_package(app_url, "auditor1", audit_id)["conclusion"]
    assert conclusion["data"]["auditeeUnsignedReason"] == REASON

    page.get_by_test_id("signer-name-auditee_representative").fill("Nadia Berrada")
    draw_signature(page, "auditee_representative")
    assert reason.count() == 0  # signed: nothing to explain
    signature.get_by_role("button", name="Signer à nouveau").click()
    assert reason.input_value().strip() == REASON  # kept, should the signature be taken again
    context.close()


def test_a_photo_from_the_server_is_captioned_with_its_capture_time(
    browser: Browser, app_url: str, tmp_path: Path
) -> None:
    first = browser.new_context(viewport=TABLET)
    page = first.new_page()
    sign_in(page, app_url, "auditor1")
    audit_id = make_available_offline(page)
    open_audit_screen(page, app_url, audit_id, "checklist")
    question_id = page.get_by_test_id("checklist-item").first.get_attribute("data-question-id")
    assert question_id
    answer(page, app_url, audit_id, question_id, "conform")
    take_photos(page, jpeg_photos(tmp_path, 1), 1)
    sync_now(page)
    page.locator("[data-testid=sync-bar][data-state=idle][data-pending='0']").wait_for()
    first.close()
    findings = server_package(app_url, "auditor1", audit_id)["findings"]
    (finding,) = [f for f in findings if f["data"]["questionId"] == question_id]
    ((sha, taken),) = finding["data"]["photosTakenAt"].items()

    second = browser.new_context(viewport=TABLET)  # a teammate's tablet: the photo is only on the server
    page = second.new_page()
    sign_in(page, app_url, teammate(app_url, audit_id, "auditor1"))
    page.locator(f"[data-testid=audit-card][data-audit-id='{audit_id}'] [data-testid=make-offline]").click()
    page.get_by_test_id("toast").wait_for(timeout=30_000)
    page.goto(f"{app_url}/#/audit/{audit_id}/question/{question_id}")
    page.locator(f".photos img[data-sha='{sha}'][src]").wait_for()
    expected = page.evaluate("async (t) => (await import('/scripts/i18n.js')).formatDateTime(t)", taken)
    caption = page.locator(".photos .thumbs li[data-caption]")
    caption.wait_for()
    assert caption.get_attribute("data-caption") == expected
    second.close()

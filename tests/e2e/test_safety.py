"""What keeps an auditor's work safe when things go wrong: sign-out refused while work waits, a sync
that fails while the server is down, a session ended while offline, two tabs on one audit, the
exported outbox imported on the server (once, even twice), photos still being prepared when a sync
lands or the auditor moves on. Each ends by reading the server."""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

import httpx
from PIL import Image

from tests.e2e.conftest import TABLET, api_token, make_available_offline, sign_in, sync_now
from tests.e2e.journey import answer, jpeg_photos, pending, server_findings, take_photos

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Browser, Page, Request

    from tests.e2e.conftest import Server

REFUSAL = (
    "Not now: this tablet holds work the server does not have (%(reasons)s). Sync it, or export it first."
)
EVIDENCE = "Fiche de poste du magasinier non signée (consultée le {n} décembre)."


def catalog(base: str, lang: str = "fr") -> dict[str, str]:
    messages: dict[str, str] = httpx.get(f"{base}/api/v1/i18n/{lang}", timeout=30).json()["messages"]
    return messages


def fill(text: str, **values: object) -> str:
    for name, value in values.items():
        text = text.replace(f"%({name})s", str(value))
    return text


def signed_in_tablet(browser: Browser, base: str, user: str = "auditor1") -> tuple[Page, str, list[str]]:
    page = browser.new_context(viewport=TABLET).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, base, user)
    return page, make_available_offline(page), errors


def questions(page: Page, base: str, audit_id: str, count: int) -> list[str]:
    page.goto(f"{base}/#/audit/{audit_id}/checklist")
    items = page.get_by_test_id("checklist-item")
    items.nth(count - 1).wait_for()
    return [items.nth(i).get_attribute("data-question-id") or "" for i in range(count)]


def record(page: Page, base: str, audit_id: str, qids: list[str], already: int = 0) -> None:
    """Each question answered as a minor nonconformity with its evidence."""
    for n, q in enumerate(qids, start=already + 1):
        answer(page, base, audit_id, q, "nc_minor", EVIDENCE.format(n=n))
        pending(page, n)


def synced(page: Page) -> None:
    sync_now(page)
    page.locator("[data-testid=sync-bar][data-state=idle][data-pending='0']").wait_for(timeout=30_000)


def answers_once(base: str, audit_id: str, qids: list[str]) -> None:
    """The server holds each question's answer once, applied once, with its evidence."""
    findings = [f for f in server_findings(base, audit_id) if f["data"]["questionId"] in qids]
    got = sorted((f["data"]["questionId"], f["rev"], f["data"]["evidence"]) for f in findings)
    assert got == sorted((q, 1, EVIDENCE.format(n=n)) for n, q in enumerate(qids, start=1))


def stored_batches(server: Server) -> int:
    """Batches the server stored under their Idempotency-Key for auditor1 (the demo's completed audit
    brings batches of its own)."""
    with sqlite3.connect(server.settings.database_url.removeprefix("sqlite:///")) as conn:
        count: int = conn.execute(
            "SELECT count(*) FROM sync_batch WHERE user_id IN (SELECT id FROM app_user WHERE username = ?)",
            ("auditor1",),
        ).fetchone()[0]
    return count


def test_sign_out_and_clearing_are_refused_in_words_while_a_change_waits(
    browser: Browser, server: Server
) -> None:
    words = catalog(server.base)
    page, audit_id, errors = signed_in_tablet(browser, server.base)
    qids = questions(page, server.base, audit_id, 1)
    page.context.set_offline(True)
    record(page, server.base, audit_id, qids)

    page.get_by_test_id("nav-device").click()
    reason = fill(words["changes waiting to be sent: %(count)s"], count=1)
    refusal = fill(words[REFUSAL], reasons=reason)
    for button in ("sign-out", "clear-data"):
        page.get_by_test_id(button).click()
        assert page.get_by_test_id("refusal").inner_text() == refusal
    page.reload()  # still signed in, the change still here
    pending(page, 1)
    assert page.get_by_test_id("username").inner_text() == "auditor1"

    page.context.set_offline(False)
    synced(page)
    page.get_by_test_id("sign-out").click()  # nothing waits now: signing out is allowed
    page.get_by_test_id("signin-form").wait_for()
    answers_once(server.base, audit_id, qids)
    assert errors == []


def test_a_sync_failing_while_the_server_is_down_keeps_the_outbox_and_the_retry_succeeds(
    browser: Browser, server: Server
) -> None:
    words = catalog(server.base)
    page, audit_id, errors = signed_in_tablet(browser, server.base)
    qids = questions(page, server.base, audit_id, 2)
    server.stop()
    record(page, server.base, audit_id, qids)
    sync_now(page)
    page.locator("[data-testid=sync-bar][data-state=offline][data-pending='2']").wait_for()
    assert page.get_by_test_id("sync-error").inner_text() == words["No connection to the server."]
    page.reload()  # from the worker: the outbox is kept
    pending(page, 2)

    server.start()
    synced(page)
    assert page.get_by_test_id("sync-error").count() == 0
    answers_once(server.base, audit_id, qids)
    assert stored_batches(server) == 1
    assert errors == []


def test_a_session_ended_while_offline_keeps_the_work_and_sends_it_after_signing_in_again(
    browser: Browser, server: Server
) -> None:
    words = catalog(server.base)
    page = browser.new_context(viewport=TABLET).new_page()
    with page.expect_response("**/api/v1/auth/login") as login:
        sign_in(page, server.base, "auditor1")
    token = login.value.json()["token"]
    audit_id = make_available_offline(page)
    qids = questions(page, server.base, audit_id, 2)
    page.context.set_offline(True)
    record(page, server.base, audit_id, qids)

    revoked = httpx.post(
        f"{server.base}/api/v1/auth/logout", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert revoked.status_code == 204  # the session ends on the server while the tablet is offline
    page.context.set_offline(False)
    sync_now(page)
    page.locator("[data-testid=sync-bar][data-state=signin][data-pending='2']").wait_for()
    page.get_by_test_id("signin-form").wait_for()
    assert (
        page.get_by_test_id("sync-error").inner_text()
        == words["Your session has ended. Sign in again to send your work: nothing is lost."]
    )
    assert page.locator("input[name=username]").input_value() == "auditor1"
    assert server_findings(server.base, audit_id) == []

    page.locator("input[name=password]").fill("demo")
    page.locator("[data-testid=signin-form] button").click()
    page.locator("[data-testid=sync-bar][data-state=idle][data-pending='0']").wait_for(timeout=30_000)
    answers_once(server.base, audit_id, qids)


def test_two_tabs_on_one_audit_send_each_finding_once(browser: Browser, server: Server) -> None:
    first, audit_id, errors = signed_in_tablet(browser, server.base)
    second = first.context.new_page()
    second.on("pageerror", lambda error: errors.append(str(error)))
    second.goto(f"{server.base}/")
    second.get_by_test_id("sync-bar").wait_for()
    qids = questions(first, server.base, audit_id, 2)
    keys: list[str] = []

    def pushed(request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/api/v1/sync/push"):
            keys.append(request.headers["idempotency-key"])

    first.context.on("requestfinished", pushed)
    first.context.set_offline(True)
    record(first, server.base, audit_id, qids[:1])
    record(second, server.base, audit_id, qids[1:], already=1)

    first.context.set_offline(False)  # both tabs hear "online" and sync at once
    first.get_by_test_id("sync-now").click()
    second.get_by_test_id("sync-now").click()
    for page in (first, second):
        page.locator("[data-testid=sync-bar][data-state=idle][data-pending='0']").wait_for(timeout=30_000)
    answers_once(server.base, audit_id, qids)
    assert keys and len(keys) == len(set(keys)) == stored_batches(server)  # no batch sent twice
    assert errors == []


def test_an_exported_outbox_applies_once_even_imported_twice(
    browser: Browser, server: Server, tmp_path: Path
) -> None:
    page, audit_id, errors = signed_in_tablet(browser, server.base)
    qids = questions(page, server.base, audit_id, 3)
    page.context.set_offline(True)
    record(page, server.base, audit_id, qids)
    take_photos(page, jpeg_photos(tmp_path / "camera", 1), 1)  # on the last answer
    pending(page, 3)

    page.get_by_test_id("nav-device").click()
    with page.expect_download() as exported:
        page.get_by_test_id("export-outbox").click()
    file = tmp_path / exported.value.suggested_filename
    exported.value.save_as(file)
    outbox: dict[str, Any] = json.loads(file.read_text())
    assert outbox["format"] == "tadqiq-outbox/1" and outbox["username"] == "auditor1"
    assert sum(len(b["ops"]) for b in outbox["batches"]) == 3
    photo = outbox["attachments"][0]["sha256"]
    assert len(outbox["attachments"]) == 1

    first = server.tadqiq("import-outbox", str(file), "--user", "auditor1")
    assert first.returncode == 0, first.stderr
    answers_once(server.base, audit_id, qids)
    assert server.blobs() == [photo]
    again = httpx.post(
        f"{server.base}/api/v1/sync/import-outbox",
        content=file.read_bytes(),
        headers={**api_token(server.base, "auditor1"), "Content-Type": "application/json"},
        timeout=60,
    )
    assert again.status_code == 200, again.text
    assert {b["status"] for b in again.json()["batches"]} == {"replayed"}
    answers_once(server.base, audit_id, qids)

    page.context.set_offline(False)  # the tablet sends the same batches: answered from the server's store
    synced(page)
    answers_once(server.base, audit_id, qids)
    assert stored_batches(server) == len(outbox["batches"])
    assert server.blobs() == [photo]
    assert errors == []


def large_photos(folder: Path, count: int, seed: int) -> list[Path]:
    """8-megapixel camera photos that take the tablet a while to prepare (decode, resize, encode)."""
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for index in range(count):
        path = folder / f"large-{seed}-{index}.jpg"
        Image.effect_noise((3200, 2400), 40 + 10 * seed + index).convert("RGB").save(path, "JPEG", quality=90)
        made.append(path)
    return made


def test_photos_being_prepared_stay_with_their_finding_when_a_sync_lands_or_the_screen_changes(
    browser: Browser, server: Server, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page, audit_id, errors = signed_in_tablet(browser, server.base)
    first, second, third = questions(page, server.base, audit_id, 3)
    camera = page.get_by_test_id("take-photo").locator("input[type=file]")
    ready = page.locator("[data-testid=take-photo] input:not([disabled])")

    answer(page, server.base, audit_id, first, "conform")
    camera.set_input_files(large_photos(tmp_path, 3, seed=1))
    page.get_by_test_id("sync-now").click()  # the answer reaches the server while the photos are prepared
    page.locator("[data-testid=sync-bar][data-state=idle]").wait_for(timeout=30_000)
    ready.wait_for(state="attached", timeout=60_000)  # prepared and stored
    expect(page.locator(".photos .thumbs img")).to_have_count(3)

    answer(page, server.base, audit_id, second, "conform")
    camera.set_input_files(large_photos(tmp_path, 2, seed=2))
    answer(page, server.base, audit_id, third, "not_applicable")  # on to the next question at once
    ready.wait_for(state="attached", timeout=60_000)
    expect(page.locator(".photos .thumbs img")).to_have_count(0)
    synced(page)

    photos = {
        f["data"]["questionId"]: len(f["data"]["attachments"]) for f in server_findings(server.base, audit_id)
    }
    assert photos == {first: 3, second: 2, third: 0}
    assert len(server.blobs()) == 5
    assert errors == []

"""A weak 3G link, emulated through the DevTools protocol (300 ms latency, 400 kbit/s down, 150 kbit/s up):
"Make available offline" for the demo's largest audit, seeded with 800 findings, completes; with the
link cut halfway and restored it completes without starting over (the bytes counted per request, no
page fetched twice); the app's pushes go gzipped, and plain again, same key, when a server refuses gzip."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from tests.e2e.conftest import TABLET, api_token, make_available_offline, server_package, sign_in, sync_now

if TYPE_CHECKING:
    from playwright.sync_api import Browser, CDPSession, Page, Request, Route

SCREENSHOTS = Path(__file__).parent / "screenshots"
WEAK_3G = {"offline": False, "latency": 300, "downloadThroughput": 50_000, "uploadThroughput": 18_750}
FINDINGS = 800


def _largest_audit(base: str) -> tuple[str, str]:
    """The prepared demo audit with the longest checklist, and an auditor on its team."""
    lead = api_token(base, "lead")
    people = {p["id"]: p["username"] for p in httpx.get(f"{base}/api/v1/people", headers=lead).json()}
    sizes = []
    for audit in httpx.get(f"{base}/api/v1/audits", headers=lead).json():
        if audit["status"] in ("prepared", "in_progress"):
            plan = httpx.get(f"{base}/api/v1/audits/{audit['id']}/package?parts=plan", headers=lead).json()
            sizes.append((len(plan["checklist"]), audit["id"], people[audit["team"][0]["personId"]]))
    _, audit_id, username = max(sizes)
    return audit_id, username


def _seed(base: str, username: str, audit_id: str, count: int = FINDINGS) -> int:
    """``count`` findings as a team records them: questions answered in turn, the rest free findings."""
    headers = api_token(base, username)
    checklist = server_package(base, username, audit_id)["checklist"]
    ops = []
    for n in range(count):
        question = checklist[n] if n < len(checklist) else None
        data = {
            "verdict": "observation" if question is None or n % 3 else "conform",
            "statement": f"Constat {n + 1} : registre tenu, une pièce manque au dossier {n:03d}.",
            "evidence": f"Dossier {n:03d} consulté sur place avec le chef de service ; copie remise.",
            "clauseRefs": [] if question else checklist[n % len(checklist)]["clauses"][:1],
        }
        if question is not None:
            data["questionId"] = question["id"]
        ops.append({"op": "upsertFinding", "id": str(uuid.uuid4()), "auditId": audit_id, "data": data})
    for start in range(0, count, 200):
        response = httpx.post(
            f"{base}/api/v1/sync/push",
            json={"deviceId": "seed", "ops": ops[start : start + 200]},
            headers={**headers, "Idempotency-Key": str(uuid.uuid4())},
            timeout=60,
        )
        refused = [r for r in response.json()["results"] if r["status"] != "applied"]
        assert refused == [], refused[:3]
    return len(checklist)


class Traffic:
    """What the page fetched for the download, from the DevTools protocol: bytes per request (headers
    and body as received, a failed request's partial bytes included) and each request's URL."""

    def __init__(self, cdp: CDPSession, audit_id: str) -> None:
        self.audit_id = audit_id
        self.urls: dict[str, str] = {}
        self.bytes: dict[str, int] = {}
        self.finished: list[tuple[float, str]] = []  # (time, url) of each request that arrived whole
        self.sent: list[tuple[float, str]] = []
        self.failed: list[str] = []
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.loadingFailed", self._failed)
        cdp.on("Network.dataReceived", self._data)
        cdp.on("Network.loadingFinished", self._finished)

    def _ours(self, url: str) -> bool:
        return self.audit_id in url or url.endswith("/api/v1/standards")

    def _sent(self, event: dict[str, Any]) -> None:
        url = event["request"]["url"]
        if self._ours(url):
            self.urls[event["requestId"]] = url
            self.sent.append((time.monotonic(), url))

    def _data(self, event: dict[str, Any]) -> None:
        request = event["requestId"]
        if request in self.urls:
            self.bytes[request] = self.bytes.get(request, 0) + int(event["encodedDataLength"])

    def _failed(self, event: dict[str, Any]) -> None:
        if event["requestId"] in self.urls:
            self.failed.append(self.urls[event["requestId"]])

    def _finished(self, event: dict[str, Any]) -> None:
        url = self.urls.get(event["requestId"])
        if url is not None:
            self.bytes[event["requestId"]] = int(event["encodedDataLength"])
            self.finished.append((time.monotonic(), url))

    def total(self) -> int:
        return sum(self.bytes.values())

    def pages(self) -> list[str]:
        return [url for _, url in self.finished if "/sync/pull" in url]


def _weak_page(browser: Browser, base: str, username: str, audit_id: str) -> tuple[Page, CDPSession, Traffic]:
    context = browser.new_context(viewport=TABLET)  # a fresh profile each time
    page = context.new_page()
    sign_in(page, base, username)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", WEAK_3G)
    return page, cdp, Traffic(cdp, audit_id)


def _card(page: Page, audit_id: str) -> Any:
    return page.locator(f"[data-testid=audit-card][data-audit-id='{audit_id}']")


def _ready(page: Page, audit_id: str) -> None:
    page.get_by_test_id("toast").wait_for(timeout=120_000)
    toast = page.get_by_test_id("toast")
    assert "error" not in (toast.get_attribute("class") or ""), toast.inner_text()
    _card(page, audit_id).locator("[data-testid=make-offline]:not([disabled])").wait_for()
    assert not _card(page, audit_id).get_by_test_id("download-progress").count()


def _offline_records(page: Page, audit_id: str, store: str = "findings") -> int:
    """How many records of the audit the tablet holds in ``store`` (``audits``: its offline copy)."""
    return int(
        page.evaluate(
            """([id, name]) => new Promise((resolve) => { const open = indexedDB.open("tadqiq");
            open.onsuccess = () => { const store = open.result.transaction(name).objectStore(name);
              const read = name === "audits" ? store.count(id) : store.index("auditId").count(id);
              read.onsuccess = () => resolve(read.result); }; })""",
            [audit_id, store],
        )
    )


def test_make_available_offline_on_weak_3g_survives_a_cut(browser: Browser, app_url: str) -> None:
    audit_id, username = _largest_audit(app_url)
    questions = _seed(app_url, username, audit_id)
    assert questions >= 100  # the demo's largest checklist: a package of real size

    # A clean download on the weak link, in French.
    page, _, clean = _weak_page(browser, app_url, username, audit_id)
    started = time.monotonic()
    _card(page, audit_id).get_by_test_id("make-offline").click()
    progress = _card(page, audit_id).get_by_test_id("download-progress")
    page.wait_for_function(
        "(id) => document.querySelector(`[data-audit-id='${id}'] [data-testid=download-progress]`)"
        "?.dataset.percent > 20",
        arg=audit_id,
        timeout=60_000,
    )
    assert "Téléchargement" in progress.inner_text() or "Downloading" in progress.inner_text()
    page.screenshot(path=SCREENSHOTS / f"download-progress-fr-{TABLET['width']}.png", full_page=True)
    _ready(page, audit_id)
    seconds = time.monotonic() - started
    assert _offline_records(page, audit_id) == FINDINGS
    pages = clean.pages()
    assert len(pages) >= 8 and len(set(pages)) == len(pages)
    print(
        f"clean: {clean.total():,} bytes, {len(clean.finished)} requests, {len(pages)} pages, {seconds:.1f} s"
    )

    # Again on a fresh profile, in Arabic, with the link cut once a few pages are in, restored 4 s later.
    page, cdp, cut = _weak_page(browser, app_url, username, audit_id)
    page.get_by_test_id("lang-ar").click()
    page.locator("html[lang=ar]").wait_for(state="attached")
    _card(page, audit_id).get_by_test_id("make-offline").click()
    deadline = time.monotonic() + 60
    while len(cut.pages()) < 3:
        assert time.monotonic() < deadline, "no page arrived"
        page.wait_for_timeout(50)
    cdp.send("Network.emulateNetworkConditions", {**WEAK_3G, "offline": True})
    cut_at = time.monotonic()
    before = {url for _, url in cut.finished}
    # Waiting for the link, the button offers to resume at once; the msgid shows until the catalog has it.
    _card(page, audit_id).locator("[data-testid=make-offline]:not([disabled])").wait_for(timeout=20_000)
    waiting = _card(page, audit_id).get_by_test_id("download-progress").inner_text()
    assert "لا يوجد اتصال" in waiting or "No connection" in waiting
    page.screenshot(path=SCREENSHOTS / f"download-waiting-ar-{TABLET['width']}.png", full_page=True)
    page.wait_for_timeout(max(0, 4000 - (time.monotonic() - cut_at) * 1000))
    cdp.send("Network.emulateNetworkConditions", WEAK_3G)
    _ready(page, audit_id)
    assert _offline_records(page, audit_id) == FINDINGS

    assert cut.failed, "the cut failed no request"
    again = [url for at, url in cut.sent if at > cut_at and url in before]
    assert again == [], f"fetched again after the cut: {again}"
    assert len(set(cut.pages())) == len(cut.pages())
    print(f"cut: {cut.total():,} bytes, {len(cut.finished)} requests ({len(before)} before the cut)")
    print(f"     failed during the cut: {cut.failed}")
    assert cut.total() < 1.5 * clean.total(), (cut.total(), clean.total())


def test_a_download_stopped_by_a_reload_resumes_from_its_last_page(browser: Browser, app_url: str) -> None:
    """The pages already stored stay through a reload: the card says where the download stopped, the
    audit is not offered offline, and "Resume the download" fetches only what is missing."""
    audit_id, username = _largest_audit(app_url)
    _seed(app_url, username, audit_id, 350)
    context = browser.new_context(viewport=TABLET)
    page = context.new_page()
    sign_in(page, app_url, username)
    pulls: list[str] = []
    broken = {"after": 2}  # the link drops once two pages are in

    def pull(route: Route) -> None:
        if len(pulls) >= broken["after"]:
            route.abort("internetdisconnected")
            return
        pulls.append(route.request.url)
        route.continue_()

    page.route("**/api/v1/sync/pull?*", pull)
    _card(page, audit_id).get_by_test_id("make-offline").click()
    _card(page, audit_id).locator("[data-testid=make-offline]:not([disabled])").wait_for(timeout=20_000)
    page.reload()
    stopped = _card(page, audit_id).get_by_test_id("download-progress")
    assert stopped.get_attribute("data-percent") == str(200 * 100 // 350)
    assert _offline_records(page, audit_id) == 200  # the pages stored
    button = _card(page, audit_id).get_by_test_id("make-offline").inner_text()
    assert "Reprendre" in button or "Resume" in button  # the msgid until the catalog has it
    assert _offline_records(page, audit_id, "audits") == 0  # not offered offline until complete
    before = list(pulls)
    broken["after"] = 1000
    _card(page, audit_id).get_by_test_id("make-offline").click()
    _ready(page, audit_id)
    assert _offline_records(page, audit_id) == 350
    assert len(pulls) == 4 and not set(before) & set(pulls[2:]), pulls
    context.close()


def _answer_one(page: Page, base: str, audit_id: str) -> str:
    page.goto(f"{base}/#/audit/{audit_id}/checklist")
    item = page.get_by_test_id("checklist-item").first
    question_id = item.get_attribute("data-question-id")
    assert question_id
    item.locator("a").click()
    page.get_by_test_id("verdict-nc_minor").click()
    page.get_by_test_id("finding-evidence").fill("Registre des documents sans colonne de révision " * 8)
    page.get_by_test_id("finding-statement").click()
    page.locator("[data-testid=sync-bar][data-pending='1']").wait_for()
    return question_id


def _answers(base: str, username: str, audit_id: str, question_id: str) -> list[int]:
    findings = server_package(base, username, audit_id)["findings"]
    return [f["rev"] for f in findings if f["data"].get("questionId") == question_id]


def test_the_app_pushes_gzipped_and_plain_again_when_refused(browser: Browser, app_url: str) -> None:
    context = browser.new_context(viewport=TABLET)
    page = context.new_page()
    pushes: list[dict[str, str]] = []

    def seen(request: Request) -> None:
        if "/sync/push" in request.url:
            pushes.append(request.all_headers())

    page.on("request", seen)
    sign_in(page, app_url, "auditor1")
    audit_id = make_available_offline(page)

    question_id = _answer_one(page, app_url, audit_id)
    sync_now(page)
    page.locator("[data-testid=sync-bar][data-state=idle][data-pending='0']").wait_for()
    assert [p.get("content-encoding") for p in pushes] == ["gzip"]
    assert _answers(app_url, "auditor1", audit_id, question_id) == [1]  # applied once

    # A server that refuses gzip (415): the same batch, same key, goes again plain, then plain for good.
    refused: list[str] = []

    def refuse_gzip(route: Route) -> None:
        if route.request.headers.get("content-encoding") == "gzip":
            refused.append(route.request.headers["idempotency-key"])
            body = '{"status":415,"code":"request.unsupported_encoding","message":"gzip","details":null}'
            route.fulfill(status=415, content_type="application/json", body=body)
        else:
            route.continue_()

    page.route("**/api/v1/sync/push", refuse_gzip)
    pushes.clear()
    page.goto(f"{app_url}/#/audit/{audit_id}/checklist")
    other = page.get_by_test_id("checklist-item").nth(1)
    second_question = other.get_attribute("data-question-id")
    assert second_question
    other.locator("a").click()
    page.get_by_test_id("verdict-conform").click()
    page.locator("[data-testid=sync-bar][data-pending='1']").wait_for()
    sync_now(page)
    page.locator("[data-testid=sync-bar][data-state=idle][data-pending='0']").wait_for()
    assert [p.get("content-encoding") for p in pushes] == ["gzip", None]
    assert [p["idempotency-key"] for p in pushes] == [refused[0]] * 2
    assert _answers(app_url, "auditor1", audit_id, second_question) == [1]
    context.close()

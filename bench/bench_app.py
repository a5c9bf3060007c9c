"""The tablet app in Debian's Chromium (Playwright, headless), its CPU throttled 4x through the DevTools
protocol to stand in for a mid-range tablet, against a live server on the demo council; each figure beside
a baseline measured in the same run:

1. Cold start offline to an interactive "My audits": the browser starts on the installed app's profile
   (worker installed, an audit available offline) with the network off; from the navigation's start to
   the frame that shows every audit card with its button enabled. Baseline: the same cold start of a
   profile whose worker serves, from the same cache, a plain page listing as many buttons.
2. Opening an audit's checklist of all the library's questions (three standards, no process), from its
   plan: from the tab's route change to the frame that shows every question. Baseline: as many plain
   ``<li>`` of the same texts rendered by lit-html into the same page, from the same plan screen. The
   app lays out only the clause groups on screen (``content-visibility: auto``) where the plain list
   lays out every item, so its frame can be the shorter; a second row compares the script alone (to
   the questions in the page: reading IndexedDB, grouping by clause, lit-html's render).
3. A verdict tap stored durably, on 100 questions: from the click event's time stamp to the outbox's
   ``edit`` event, sent once the record and its op are committed (``tx.done``, durability strict).
   Baseline: a bare IndexedDB put of a copy of the stored record (the browser's own API, one
   transaction, durability strict) in the same page, to its ``complete`` event (idb's ``tx.done``).
4. Syncing 200 findings and 20 photos after reconnecting: recorded offline through the app's own outbox
   (``saveRecord``, photos through ``preparePhoto``); from the page's ``online`` event to the sync status
   saying the run is over with nothing waiting; then the server must hold each finding once and every
   photo. Baseline: the same findings and photo bytes sent by httpx (20 PUTs, one push) to a second audit.

Times are taken inside the page, so Playwright's round trips are not in them. Throttling slows the
page's thread, not the service worker's.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import statistics
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from bench import app_probes as js
from bench.app_fixtures import (
    AUDITOR,
    BenchAudits,
    baseline_upload,
    camera_photos,
    findings_to_record,
    login,
    prepare_audits,
)
from bench.harness import running_server

if TYPE_CHECKING:
    from playwright.async_api import BrowserContext, Page, Playwright

CHROMIUM = Path(os.environ.get("TADQIQ_CHROMIUM", "/usr/bin/chromium"))
THROTTLE = 4
RUNS = 7
TAPS = 100
FINDINGS = 200
PHOTOS = 20
TABLET = {"width": 1024, "height": 768}
CARD_READY = "[data-testid=audit-card] [data-testid=make-offline]:enabled"
Row = tuple[str, str, str, str]


@dataclass
class Figures:
    cold: list[float] = field(default_factory=list)
    cold_baseline: list[float] = field(default_factory=list)
    checklist: list[float] = field(default_factory=list)
    checklist_baseline: list[float] = field(default_factory=list)
    in_dom: list[float] = field(default_factory=list)
    in_dom_baseline: list[float] = field(default_factory=list)
    taps: list[float] = field(default_factory=list)
    handled: list[float] = field(default_factory=list)
    puts: list[float] = field(default_factory=list)
    sync: float = 0.0
    sync_baseline: float = 0.0
    photo_bytes: int = 0
    load: float = field(default_factory=lambda: os.getloadavg()[0])
    """Other work on the machine inflates every figure here."""
    problems: list[str] = field(default_factory=list)


async def _launch(driver: Playwright, profile: Path, *, offline: bool) -> tuple[BrowserContext, Page]:
    """The browser started on a persistent profile (a tablet's), its one page throttled."""
    context = await driver.chromium.launch_persistent_context(
        str(profile),
        executable_path=str(CHROMIUM),
        headless=True,
        offline=offline,
        viewport={"width": TABLET["width"], "height": TABLET["height"]},
    )
    page = context.pages[0] if context.pages else await context.new_page()
    page.set_default_timeout(60_000)
    await _throttle(context, page, THROTTLE)
    return context, page


async def _throttle(context: BrowserContext, page: Page, rate: float) -> None:
    cdp = await context.new_cdp_session(page)
    await cdp.send("Emulation.setCPUThrottlingRate", {"rate": rate})


async def _install_app(driver: Playwright, profile: Path, base: str, audit_id: str) -> None:
    """Sign in as the auditor and make the bench audit available offline, the worker in control."""
    context, page = await _launch(driver, profile, offline=False)
    try:
        await page.goto(f"{base}/")
        await page.locator("input[name=username]").fill(AUDITOR)
        await page.locator("input[name=password]").fill("demo")
        await page.locator("[data-testid=signin-form] button").click()
        card = page.locator(f"[data-testid=audit-card][data-audit-id='{audit_id}']")
        await card.get_by_test_id("make-offline").click()
        await page.get_by_test_id("toast").wait_for()
        await page.locator("html[data-offline=ready]").wait_for(state="attached")
    finally:
        await context.close()


async def _install_plain_page(driver: Playwright, profile: Path, base: str, items: int) -> None:
    """A profile whose installed worker serves, as its offline page, a plain list of ``items`` buttons."""
    listed = "".join(
        f"<li><button type=button>BENCH-{n:03d} — Audit n° {n}</button></li>" for n in range(items)
    )
    head = "<!doctype html><html lang=fr><meta charset=utf-8><title>Tadqiq</title>"
    context, page = await _launch(driver, profile, offline=False)
    try:
        await page.goto(f"{base}/")
        await page.locator("html[data-offline=ready]").wait_for(state="attached")
        await page.evaluate(js.PLAIN_PAGE_INSTALL, f"{head}<h1>Mes audits</h1><ul>{listed}</ul>")
    finally:
        await context.close()


async def _cold_start(driver: Playwright, profile: Path, base: str, selector: str, count: int) -> float:
    """Milliseconds from the navigation's start to the frame showing ``count`` of ``selector``, offline."""
    context, page = await _launch(driver, profile, offline=True)
    try:
        await page.add_init_script(js.WATCH.replace("ARGS", json.dumps([selector, count])))
        await page.goto(f"{base}/", wait_until="commit")
        drawn = await page.evaluate("() => window.__benchDrawn")
        served = await page.evaluate("() => performance.getEntriesByType('navigation')[0].deliveryType")
    finally:
        await context.close()
    if served != "cache-storage":
        raise RuntimeError(f"the offline cold start was not served from the worker's cache ({served!r})")
    return float(drawn["drawn"])


async def _show_plan(page: Page, audit_id: str) -> None:
    """The audit's plan on screen, where the "Checklist" tab is tapped from."""
    await page.evaluate(js.GO, f"#/audit/{audit_id}")
    await page.locator("[data-testid=tab-plan][aria-current=page]").wait_for()
    await page.evaluate(js.TWO_FRAMES)


async def _open_checklists(page: Page, audits: BenchAudits, figures: Figures) -> None:
    texts = await page.evaluate(js.CHECKLIST_TEXTS, audits.app)
    lit = await page.evaluate(js.VENDOR, r"^/vendor/lit-html@[^/]+/lit-html\.js$")
    for _ in range(RUNS):
        await _show_plan(page, audits.app)
        opened = await page.evaluate(js.OPEN_CHECKLIST, [f"#/audit/{audits.app}/checklist", len(texts)])
        await _show_plan(page, audits.app)
        plain = await page.evaluate(js.PLAIN_LIST, [lit, texts])
        figures.checklist.append(opened["drawn"])
        figures.checklist_baseline.append(plain["drawn"])
        figures.in_dom.append(opened["ready"])
        figures.in_dom_baseline.append(plain["ready"])


async def _tap_verdicts(page: Page, audits: BenchAudits, figures: Figures) -> None:
    await page.evaluate(js.TAP_PROBE)
    for i, question in enumerate(audits.questions[:TAPS]):
        verdict = "conform" if i % 2 == 0 else "not_applicable"
        await page.evaluate(js.GO, f"#/audit/{audits.app}/question/{question['id']}")
        await page.locator("h1", has_text=question["id"]).wait_for()
        await page.evaluate(js.TWO_FRAMES)  # the question on screen, as the auditor reads it
        await page.get_by_test_id(f"verdict-{verdict}").click()
        await page.locator(f"[data-testid=verdict-{verdict}][aria-pressed=true]").wait_for()
    probe = await page.evaluate("() => window.__benchTaps")
    figures.taps, figures.handled = probe["times"], probe["handled"]
    if len(figures.taps) != TAPS:
        figures.problems.append(f"{len(figures.taps)} verdict taps stored of {TAPS}")
    record = await page.evaluate(
        "async (id) => (await (await import('/scripts/db.js')).byAudit('findings', id))[0]", audits.app
    )
    figures.puts = await page.evaluate(js.BARE_PUTS, [record, TAPS])


async def _sync_after_reconnecting(
    context: BrowserContext, page: Page, audits: BenchAudits, client: httpx.AsyncClient, figures: Figures
) -> None:
    findings = findings_to_record(audits.questions[TAPS:], FINDINGS, PHOTOS)
    if len(findings) != FINDINGS:
        raise RuntimeError(f"{len(audits.questions)} questions: too few to answer {TAPS + FINDINGS}")
    photos = [base64.b64encode(p).decode() for p in camera_photos(PHOTOS)]
    await _throttle(context, page, 1)  # recording is not timed
    recorded = await page.evaluate(
        js.RECORD_OFFLINE, {"auditId": audits.app, "findings": findings, "photos": photos}
    )
    prepared = [base64.b64decode(b) for b in recorded["bytes"]]
    figures.photo_bytes = sum(map(len, prepared))
    await page.wait_for_timeout(3000)  # the app's own attempt after the edits (offline) is over
    await page.locator(
        f"[data-testid=sync-bar][data-pending='{FINDINGS}']:not([data-state=syncing])"
    ).wait_for()
    await _throttle(context, page, THROTTLE)
    await page.evaluate(js.SYNC_PROBE)
    await context.set_offline(False)
    synced = await asyncio.wait_for(page.evaluate("() => window.__benchSync"), timeout=300)
    if synced["state"] != "idle":
        raise RuntimeError(f"the sync ended {synced['state']}: {synced['error']}")
    figures.sync = synced["seconds"]
    ids = [f["id"] for f in findings]
    figures.problems += await _server_problems(client, audits.app, ids, recorded["hashes"])
    figures.sync_baseline, problems = await baseline_upload(client, audits.baseline, findings, prepared)
    figures.problems += problems


async def _server_problems(
    client: httpx.AsyncClient, audit_id: str, ids: list[str], hashes: list[str]
) -> list[str]:
    """What the server lacks of the synced work: each finding once, every photo."""
    headers = await login(client, AUDITOR)
    package = await client.get(f"/api/v1/audits/{audit_id}/package", headers=headers)
    package.raise_for_status()
    held = Counter(f["id"] for f in package.json()["findings"])
    wrong = sum(held[i] != 1 for i in ids)
    problems = [f"{wrong} of {len(ids)} findings not held exactly once"] if wrong else []
    for sha256 in hashes:
        if (await client.head(f"/api/v1/attachments/{sha256}", headers=headers)).status_code != 200:
            problems.append(f"photo {sha256[:12]} missing on the server")
    return problems


async def _scenario(
    driver: Playwright, base: str, tmp: Path, client: httpx.AsyncClient
) -> tuple[BenchAudits, Figures]:
    audits = await prepare_audits(client)
    figures = Figures()
    app_profile, plain_profile = tmp / "app", tmp / "plain"
    await _install_app(driver, app_profile, base, audits.app)
    await _install_plain_page(driver, plain_profile, base, audits.listed)
    for _ in range(RUNS):  # alternated, so that a busy moment of the machine weighs on both
        figures.cold.append(await _cold_start(driver, app_profile, base, CARD_READY, audits.listed))
        figures.cold_baseline.append(
            await _cold_start(driver, plain_profile, base, "li button", audits.listed)
        )
    context, page = await _launch(driver, app_profile, offline=True)
    try:
        await page.goto(f"{base}/")
        await page.get_by_test_id("audit-card").first.wait_for()
        await _open_checklists(page, audits, figures)
        await _tap_verdicts(page, audits, figures)
        await context.set_offline(False)  # the taps reach the server (not timed), then offline again
        await page.locator("[data-testid=sync-bar][data-state=idle][data-pending='0']").wait_for(
            timeout=180_000
        )
        await context.set_offline(True)
        await _sync_after_reconnecting(context, page, audits, client, figures)
    finally:
        await context.close()
    return audits, figures


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _spread(values: list[float]) -> str:
    return f"median {statistics.median(values):6.0f} ms  (min {min(values):4.0f}, max {max(values):4.0f})"


def _latency(values: list[float]) -> str:
    quantiles = (("p50", 0.5), ("p95", 0.95), ("max", 1.0))
    return "  ".join(f"{name} {_percentile(values, q):5.1f} ms" for name, q in quantiles)


def _pair(
    baseline: tuple[str, str], measured: tuple[str, str], value: float, base: float, limit: float, target: str
) -> list[Row]:
    """A baseline's row, then the figure's with its ratio to the baseline and whether it meets its target."""
    met = "met" if value < limit else "MISSED"
    return [(*baseline, "", ""), (*measured, f"{value / base:5.2f}x baseline", f"target {target}: {met}")]


def _rows(audits: BenchAudits, f: Figures) -> list[Row]:
    n, listed = len(audits.questions), audits.listed
    cold, plain = statistics.median(f.cold), statistics.median(f.cold_baseline)
    opened, items = statistics.median(f.checklist), statistics.median(f.checklist_baseline)
    tap95, put95 = _percentile(f.taps, 0.95), _percentile(f.puts, 0.95)
    rows = [
        *_pair((f"app: cold start offline, plain page of {listed} buttons from the worker (baseline)",
                _spread(f.cold_baseline)),
               (f"app: cold start offline to My audits ({listed} audits)", _spread(f.cold)),
               cold, plain, 1000, "< 1 s"),
        *_pair((f"app: {n} plain <li> by lit-html, same page (baseline)", _spread(f.checklist_baseline)),
               (f"app: checklist of {n} questions (library: {audits.integrated}), first render",
                _spread(f.checklist)),
               opened, items, 500, "< 500 ms"),
        ("app:   the same until in the page (script: load, group, render), app", _spread(f.in_dom),
         "plain list", _spread(f.in_dom_baseline)),
        *_pair((f"app: bare IndexedDB put, durability strict, x{TAPS} (baseline)", _latency(f.puts)),
               (f"app: verdict tap to stored, x{len(f.taps)}", _latency(f.taps)),
               tap95, put95, 50, "p95 < 50 ms"),
        ("app:   the same taps from the click handler on", _latency(f.handled), "", ""),
        *_pair((f"app: httpx, {PHOTOS} PUTs + 1 push of {FINDINGS} findings (baseline)",
                f"{f.sync_baseline:6.2f} s  photos {f.photo_bytes / 1e6:4.1f} MB"),
               (f"app: sync after reconnecting, {FINDINGS} findings + {PHOTOS} photos", f"{f.sync:6.2f} s"),
               f.sync, f.sync_baseline, 10, "< 10 s"),
    ]  # fmt: skip
    checked = "server holds each finding once, every photo" if not f.problems else "; ".join(f.problems)
    rows.append((f"app: CPU {THROTTLE}x throttled, load average {f.load:.1f} at the start", checked, "", ""))
    return rows


async def run() -> list[Row]:
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        return [("app: skipped (Playwright for Python is not installed)", "", "", "")]
    if not CHROMIUM.is_file():
        return [(f"app: skipped (no Chromium at {CHROMIUM})", "", "", "")]
    with running_server() as server, tempfile.TemporaryDirectory(prefix="tadqiq-bench-app-") as tmp:
        async with (
            httpx.AsyncClient(base_url=server.base_url, timeout=120) as client,
            async_playwright() as driver,
        ):
            audits, figures = await _scenario(driver, server.base_url, Path(tmp), client)
    return _rows(audits, figures)


if __name__ == "__main__":
    for row in asyncio.run(run()):
        print(row)

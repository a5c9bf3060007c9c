"""The management-review dashboard in the tablet app, against a live server on the demo council: a manager
opens "Management review" and reads the same figures as the API's pack (key figures, findings by severity,
records by status, the programme's realisation), is told beside the field when a period ends before it
starts (the server's own words) or when the server refuses one, shows another period, and downloads the
signed PDF and the workbook in the screen's language; an auditee has no such screen. The audit lead
promotes an observation of the demo's signed audit from its overview and lands on the new record; a
refusal is said in words. The screen's pure module (pwa/scripts/review/logic.js) is checked in Chromium.
Arabic and French, axe-core and screenshots."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.e2e.test_i18n_a11y import check
from tests.e2e.test_lead_screens import NOT_YOURS, api, catalog, open_page, read

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

SEVERITIES = ("major", "minor", "observation", "improvement")
FIGURES = ("auditsPlanned", "auditsDone", "findings", "previousFindings", "nonconformitiesOpened")


def cells(page: Page, table: str, key: str) -> list[str]:
    """The texts of a row's cells (its heading left out), a row named by its key or the total row."""
    row = page.locator(f"[data-testid={table}] tr[data-key='{key}'] td")
    return [text.strip() for text in row.all_inner_texts()]


def same_figures(page: Page, pack: dict[str, Any]) -> None:
    """The screen shows the API's pack: key figures, severities, statuses, realisation, with totals."""
    from playwright.sync_api import expect

    for key in FIGURES:
        expect(page.locator(f"[data-figure={key}] dd")).to_have_text(str(pack["totals"][key]))
    for row in pack["findingsBySeverity"]:
        assert cells(page, "by-severity", row["severity"]) == [str(row["current"]), str(row["previous"])]
    severities = pack["findingsBySeverity"]
    assert cells(page, "by-severity", "total") == [
        str(sum(r["current"] for r in severities)),
        str(sum(r["previous"] for r in severities)),
    ]
    assert int(cells(page, "by-severity", "total")[0]) == pack["totals"]["findings"]
    for row in pack["ncStatus"]:
        expected = [str(row[k]) for k in ("major", "minor", "observation", "total")]
        assert cells(page, "nc-status", row["status"]) == expected
    assert cells(page, "nc-status", "total")[-1] == str(sum(r["total"] for r in pack["ncStatus"]))
    if pack["totals"]["auditsPlanned"]:
        planned = cells(page, "realisation", "total")[:2]
        assert planned == [str(pack["totals"]["auditsPlanned"]), str(pack["totals"]["auditsDone"])]


def downloads(page: Page, pack: dict[str, Any], lang: str) -> None:
    """Both files of the period shown, in the screen's language, with the session's token."""
    period = pack["period"]
    for kind, magic in (("pdf", b"%PDF-"), ("xlsx", b"PK")):
        with page.expect_download(timeout=60_000) as started:
            page.get_by_test_id(f"download-{kind}").click()
        assert started.value.suggested_filename == f"review-{period['start']}-{period['end']}-{lang}.{kind}"
        assert Path(started.value.path()).read_bytes().startswith(magic)


def refused(base: str, lang: str, **period: str) -> str:
    """The server's words for a period it refuses, in `lang`."""
    answer = api(base, "GET", "/api/v1/review/pack", "manager", lang, params=period)
    assert answer.status_code == 422, answer.text
    message: str = answer.json()["details"][0]["message"]
    return message


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_manager_reads_the_pack_changes_the_period_and_downloads_both_files(
    browser: Browser, app_url: str, lang: str
) -> None:
    from playwright.sync_api import expect

    page, errors = open_page(browser, app_url, "manager", lang)
    page.get_by_test_id("nav-review").click()
    page.get_by_test_id("figures").wait_for()
    pack = read(app_url, "/api/v1/review/pack", "manager")
    same_figures(page, pack)
    expect(page.get_by_test_id("review-from")).to_have_value(pack["period"]["start"])
    check(page, "review", lang, catalog(app_url, lang))

    start, backwards = pack["period"]["start"], f"{int(pack['period']['start'][:4]) - 1}-06-30"
    page.get_by_test_id("review-to").fill(backwards)  # before the first day: said as it is typed
    problem = page.locator("[data-testid=problem][data-field=to]")
    expect(problem).to_have_text(refused(app_url, lang, **{"from": start, "to": backwards}))
    expect(page.get_by_test_id("review-to")).to_have_attribute("aria-invalid", "true")
    check(page, "review-refused", lang, catalog(app_url, lang))
    page.get_by_test_id("review-from").fill("1850-01-01")  # only the server knows: its words, beside
    page.get_by_test_id("review-to").fill("1850-12-31")
    expect(problem).to_have_count(0)
    page.get_by_test_id("review-show").click()
    words = refused(app_url, lang, **{"from": "1850-01-01", "to": "1850-12-31"})
    expect(page.locator("[data-testid=problem][data-field=from][role=alert]")).to_have_text(words)
    expect(page.get_by_test_id("review-from")).to_have_attribute("aria-describedby", "review-from-problem")

    quarter = {"from": f"{start[:4]}-07-01", "to": f"{start[:4]}-09-30"}
    page.get_by_test_id("review-from").fill(quarter["from"])
    page.get_by_test_id("review-to").fill(quarter["to"])
    page.get_by_test_id("review-show").click()
    shown = read(app_url, f"/api/v1/review/pack?from={quarter['from']}&to={quarter['to']}", "manager")
    expect(page.locator("[data-figure=findings] dd")).to_have_text(str(shown["totals"]["findings"]))
    same_figures(page, shown)
    downloads(page, shown, lang)
    assert errors == []


def test_an_auditee_has_no_management_review(browser: Browser, app_url: str) -> None:
    from playwright.sync_api import expect

    page, errors = open_page(browser, app_url, "auditee3", "fr")
    page.get_by_test_id("nav-read").wait_for()
    expect(page.get_by_test_id("nav-review")).to_have_count(0)
    page.goto(f"{app_url}/#/review")
    expect(page.locator("main .note.error")).to_have_text(catalog(app_url, "fr").get(NOT_YOURS, NOT_YOURS))
    response = api(app_url, "GET", "/api/v1/review/pack", "auditee3")
    assert response.status_code == 403
    assert errors == []


def findings(base: str) -> tuple[str, list[dict[str, Any]]]:
    """The demo's signed audit: its id and its findings."""
    audit = next(a for a in read(base, "/api/v1/audits") if a["status"] == "signed")
    found = read(base, f"/api/v1/audits/{audit['id']}/package")["findings"]
    return audit["id"], [f for f in found if not f["deleted"] and f["data"]]


def signed_audit(base: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The demo's signed audit: its id, an observation and a conforming answer."""
    audit_id, live = findings(base)
    observation = next(f for f in live if f["data"]["verdict"] == "observation")
    conform = next(f for f in live if f["data"]["verdict"] == "conform")
    return audit_id, observation, conform


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_lead_promotes_an_observation_and_lands_on_its_record(
    browser: Browser, app_url: str, lang: str
) -> None:
    from playwright.sync_api import Route, expect

    audit_id, observation, conform = signed_audit(app_url)
    page, errors = open_page(browser, app_url, "lead", lang)
    page.goto(f"{app_url}/#/lead/{audit_id}")
    item = page.locator("li:has([data-testid=promote])").filter(has_text=observation["data"]["statement"])
    expect(item).to_have_count(1)

    def elsewhere(route: Route) -> None:  # the server refuses another finding: its words are shown
        route.continue_(url=route.request.url.replace(observation["id"], conform["id"]))

    page.route("**/nonconformity", elsewhere)
    item.get_by_test_id("promote").click()
    said = api(app_url, "POST", f"/api/v1/findings/{conform['id']}/nonconformity", "lead", lang)
    assert (said.status_code, said.json()["code"]) == (422, "actions.not_promotable")
    expect(item.locator("[data-testid=problem][role=alert]")).to_have_text(said.json()["message"])
    audit = read(app_url, f"/api/v1/audits/{audit_id}")  # criteria, statements: people's words
    written = "\n".join([*audit["criteria"], *(f["data"]["statement"] or "" for f in findings(app_url)[1])])
    check(page, "lead-promote", lang, {**catalog(app_url, lang), "": written})
    page.unroute("**/nonconformity", elsewhere)

    with page.expect_response(lambda r: r.url.endswith("/nonconformity")) as answered:
        item.get_by_test_id("promote").click()
    assert answered.value.status == 201
    page.wait_for_url(f"**/#/nc/{answered.value.json()['id']}")
    record = read(app_url, f"/api/v1/nonconformities/{answered.value.json()['id']}")
    made = (record["findingId"], record["severity"], record["status"])
    assert made == (observation["id"], "observation", "open")
    page.locator("main h1").wait_for()
    page.go_back()
    with page.expect_response(lambda r: r.url.endswith("/nonconformity")) as again:
        item.get_by_test_id("promote").click()
    assert again.value.status == 200  # already open: the same record
    page.wait_for_url(f"**/#/nc/{record['id']}")
    assert errors == []


def test_the_period_check_bars_and_rates_mirror_the_server(browser: Browser, app_url: str) -> None:
    page = browser.new_page()
    page.goto(f"{app_url}/")
    page.get_by_test_id("signin-form").wait_for()
    checks = page.evaluate("""async () => {
      const m = await import('/scripts/review/logic.js');
      return [m.periodProblems('2026-01-01', '2026-12-31'), m.periodProblems('2026-01-01', '2025-12-31'),
        m.periodProblems('2026-01-01', '2026-01-01'), m.periodProblems('', '2020-01-01'),
        m.periodProblems('2024-01-01', '2026-12-31'), m.periodProblems('2024-01-01', '2027-01-03'),
        m.bar(0, 0), m.bar(5, 5), m.bar(1, 1000), m.bar(1, 4),
        m.percent(null, 'fr'), m.percent(0.6667, 'fr'), m.percent(0.6667, 'ar'), m.percent(1, 'fr')];
    }""")
    assert checks == [
        {},
        {"to": "backwards"},
        {},
        {},
        {},  # three calendar years: 1,096 days, within 3 × 366
        {"to": "too_long"},
        0,
        10,
        0.2,
        2.5,
        "—",
        "66,7 %",
        "66.7%",
        "100 %",
    ]


def test_the_review_group_is_served_and_precached_like_the_shell(app_url: str) -> None:
    """Imported only on its screen, but precached for every tablet like any other module."""
    assets = httpx.get(f"{app_url}/app-manifest.json").json()["assets"]
    group = sorted(p.name for p in (Path(__file__).parents[2] / "pwa/scripts/review").glob("*.js"))
    assert sorted(a.rsplit("/", 1)[1] for a in assets if "/scripts/review/" in a) == group

"""Signed reports in the app, against a live server on the demo council: management opens the completed
audit's Reports screen and downloads a report whose bytes are those the register lists; the lead issuing
an incomplete audit's report meets the completeness gate's missing items as a checklist, and issuing a
second French version supersedes the first; an auditee of another unit sees none of them; offline, the
screen says it needs the server. Screenshots in Arabic and French, and axe-core, on the screen."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.conftest import TABLET, sign_in
from tests.e2e.test_lead_screens import OFFLINE, api, catalog, open_page, read

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

SCREENSHOTS = Path(__file__).parent / "screenshots"
COMPLETED = re.compile(r"AI-\d{4}-T\d-01")  # the demo's completed audit of the previous quarter
REASON = "Correction : la réponse de l'audité à l'écart majeur ope-035 était incomplète."


def completed_audit(base: str) -> dict[str, Any]:
    audit: dict[str, Any] = next(a for a in read(base, "/api/v1/audits") if COMPLETED.fullmatch(a["code"]))
    return audit


def reports_of(base: str, audit_id: str, user: str = "lead") -> list[dict[str, Any]]:
    listed: list[dict[str, Any]] = read(base, f"/api/v1/audits/{audit_id}/reports", user)
    return listed


def shown_reports(page: Page) -> list[tuple[str, str | None]]:
    """(reference, status) of each report on the screen, in its order."""
    cards = page.get_by_test_id("report").all()
    return [(card.locator("h2").inner_text().split()[0], card.get_attribute("data-status")) for card in cards]


def listed_reports(reports: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    return [(r["reference"], r["status"]) for r in reports]


def report_card(page: Page, report: dict[str, Any]) -> Locator:
    return page.get_by_test_id("report").filter(has=page.locator("h2", has_text=report["reference"]))


def accessible_and_photographed(page: Page, name: str, lang: str) -> None:
    """No serious or critical axe-core violation, and a screenshot at tablet width."""
    from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

    violations = Axe().run(page).response["violations"]
    serious = [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], f"{name} ({lang})"
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-{lang}-{TABLET['width']}.png", full_page=True)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_management_downloads_a_signed_report_of_the_completed_audit_byte_for_byte(
    browser: Browser, app_url: str, lang: str
) -> None:
    from playwright.sync_api import expect

    audit = completed_audit(app_url)
    listed = reports_of(app_url, audit["id"], "manager")
    assert audit["status"] == "signed"
    assert sorted((r["lang"], r["version"], r["status"]) for r in listed) == [
        ("ar", 1, "current"),
        ("fr", 1, "current"),
    ]
    page, errors = open_page(browser, app_url, "manager", lang)
    page.locator(f"[data-testid=read-audit][data-code='{audit['code']}'] a").click()
    page.get_by_test_id("tab-reports").click()
    expect(page.get_by_test_id("report")).to_have_count(2)
    assert shown_reports(page) == listed_reports(listed)
    assert page.get_by_test_id("report-lang").count() == 0  # management reads the reports, never issues one
    report = next(r for r in listed if r["lang"] == lang)
    card = report_card(page, report)
    expect(card).to_contain_text(report["sha256"][:16])
    accessible_and_photographed(page, "reports", lang)

    with page.expect_download() as started:
        card.get_by_test_id("download").click()
    download = started.value
    assert download.suggested_filename == f"{report['reference']}.pdf"
    body = Path(download.path()).read_bytes()
    assert body.startswith(b"%PDF-")
    assert hashlib.sha256(body).hexdigest() == report["sha256"]
    assert errors == []


def reported_without_closing(base: str) -> dict[str, Any]:
    """A prepared audit of the demo, started and marked reported by the lead through the API: no closing
    meeting and no conclusion were ever recorded for it."""
    audit: dict[str, Any] = next(a for a in read(base, "/api/v1/audits") if a["status"] == "prepared")
    for status in ("in_progress", "reported"):
        rev = read(base, f"/api/v1/audits/{audit['id']}")["rev"]
        path = f"/api/v1/audits/{audit['id']}/transitions"
        moved = api(base, "POST", path, json={"to": status, "rev": rev})
        assert moved.status_code == 200, moved.text
    return audit


@pytest.mark.parametrize("lang", ["ar"])
def test_the_lead_meets_what_the_report_still_needs_as_a_checklist(
    browser: Browser, app_url: str, lang: str
) -> None:
    from playwright.sync_api import expect

    audit = reported_without_closing(app_url)
    page, errors = open_page(browser, app_url, "lead", lang)
    page.goto(f"{app_url}/#/lead/{audit['id']}")
    page.get_by_test_id("tab-reports").click()
    page.get_by_test_id("no-report").wait_for()
    page.get_by_test_id("report-lang").select_option("fr")
    expect(page.get_by_test_id("report-reason")).to_have_count(0)  # a first version needs no reason
    page.get_by_test_id("issue-report").click()
    items = page.get_by_test_id("problem").locator("li")
    items.first.wait_for()

    refused = api(app_url, "POST", f"/api/v1/audits/{audit['id']}/reports", lang=lang, json={"lang": "fr"})
    assert (refused.status_code, refused.json()["code"]) == (422, "report.incomplete")
    missing = [(m["code"], m["message"]) for m in refused.json()["details"]["missing"]]
    assert {"report.missing.closing_meeting", "report.missing.conclusion"} <= {code for code, _ in missing}
    expect(items).to_have_count(len(missing))
    assert [(li.get_attribute("data-code"), li.inner_text().strip()) for li in items.all()] == missing
    expect(page.get_by_test_id("problem")).to_contain_text(refused.json()["message"])
    accessible_and_photographed(page, "reports-missing", lang)
    assert read(app_url, f"/api/v1/audits/{audit['id']}")["status"] == "reported"
    assert reports_of(app_url, audit["id"]) == []
    assert errors == []


def test_a_second_french_version_is_issued_with_its_reason_and_supersedes_the_first(
    browser: Browser, app_url: str
) -> None:
    from playwright.sync_api import expect

    audit = completed_audit(app_url)
    first = next(r for r in reports_of(app_url, audit["id"]) if r["lang"] == "fr")
    page, errors = open_page(browser, app_url, "lead", "fr")
    page.get_by_test_id("nav-lead").click()
    page.locator(f"[data-testid=lead-audit][data-code='{audit['code']}'] a").click()
    page.get_by_test_id("tab-reports").click()
    expect(page.get_by_test_id("report")).to_have_count(2)
    page.get_by_test_id("report-lang").select_option("fr")
    page.get_by_test_id("issue-report").click()  # no reason yet: the server asks for one
    expect(page.get_by_test_id("problem").locator("li")).to_have_attribute(
        "data-code", "report.missing.reissue_reason"
    )
    assert len(reports_of(app_url, audit["id"])) == 2
    page.get_by_test_id("report-reason").fill(REASON)
    page.get_by_test_id("issue-report").click()
    expect(page.get_by_test_id("report")).to_have_count(3, timeout=60_000)
    expect(page.get_by_test_id("problem")).to_have_count(0)

    after = reports_of(app_url, audit["id"])
    second = next(r for r in after if r["lang"] == "fr" and r["version"] == 2)
    assert (second["status"], second["reason"], second["supersedesId"]) == ("current", REASON, first["id"])
    assert next(r for r in after if r["id"] == first["id"])["status"] == "superseded"
    code = audit["code"]
    expected = [(f"{code}-R1-AR", "current"), (f"{code}-R2-FR", "current"), (f"{code}-R1-FR", "superseded")]
    assert shown_reports(page) == listed_reports(after) == expected
    expect(report_card(page, second)).to_contain_text(REASON)
    expect(page.get_by_test_id("toast")).to_contain_text(second["reference"])
    expect(page.get_by_test_id("report-reason")).to_have_value("")  # version 3 would need its own reason
    accessible_and_photographed(page, "reports-versions", "fr")
    assert errors == []


def test_an_auditee_of_another_unit_sees_none_of_the_reports_and_one_of_the_audit_sees_them(
    browser: Browser, app_url: str
) -> None:
    from playwright.sync_api import expect

    audit = completed_audit(app_url)
    report = reports_of(app_url, audit["id"])[0]
    for path in (f"/api/v1/audits/{audit['id']}/reports", report["downloadUrl"]):
        assert api(app_url, "GET", path, "auditee1").status_code == 404  # as if the audit did not exist

    outsider, errors = open_page(browser, app_url, "auditee1", "fr")  # the procurement division
    expect(outsider.locator(f"[data-testid=read-audit][data-code='{audit['code']}']")).to_have_count(0)
    outsider.goto(f"{app_url}/#/audit/{audit['id']}/reports")
    outsider.locator("main .note.error").wait_for()
    expect(outsider.get_by_test_id("report")).to_have_count(0)

    insider = browser.new_context(viewport=TABLET).new_page()  # an auditee of the audited unit
    sign_in(insider, app_url, "auditee3")
    insider.locator(f"[data-testid=read-audit][data-code='{audit['code']}'] a").click()
    insider.get_by_test_id("tab-reports").click()
    expect(insider.get_by_test_id("report")).to_have_count(2)
    assert insider.get_by_test_id("report-lang").count() == 0
    assert errors == []


def test_offline_the_reports_screen_says_it_needs_the_server_and_shows_them_once_connected(
    browser: Browser, app_url: str
) -> None:
    from playwright.sync_api import expect

    audit = completed_audit(app_url)
    page, errors = open_page(browser, app_url, "auditor2", "fr")  # on the completed audit's team
    page.context.set_offline(True)
    page.evaluate(f"location.hash = '#/audit/{audit['id']}/reports'")
    words = catalog(app_url, "fr")
    expect(page.locator("main .note.error")).to_have_text(words.get(OFFLINE, OFFLINE))
    page.context.set_offline(False)
    page.get_by_test_id("retry").click()
    expect(page.get_by_test_id("report")).to_have_count(2)
    expect(page.get_by_test_id("tab-reports")).to_have_attribute("aria-current", "page")
    assert page.get_by_test_id("report-lang").count() == 0  # an auditor of the team, not its lead auditor
    assert errors == []

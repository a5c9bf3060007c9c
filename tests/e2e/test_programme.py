"""The annual audit programme in the tablet app, against a live server on the demo council: the audit lead
creates next year's programme, solves it, pins an audit to another month by picking it, re-solves (the pin
holds), edits a risk, submits; the manager returns nothing without a comment and approves, and the entries
become planned audits; an auditor sees "My programme" and gets a calendar link that works until revoked;
an impossible programme says why in the lead's terms; an impartiality override asks for its reason beside
the field. axe-core and screenshots on each screen, in Arabic and in French."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.e2e.test_lead_screens import NOT_YOURS, OFFLINE, api, catalog, open_page, read
from tests.e2e.test_reports import accessible_and_photographed

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

YEAR = datetime.now(UTC).astimezone().year + 1  # what the app offers: next year where the tablet is
NOTE = {
    "fr": "Programme construit sur les risques de l'année écoulée.",
    "ar": "برنامج مبني على مخاطر السنة الماضية.",
}
COMMENT = {"fr": "Approuvé : respecter la fenêtre budgétaire.", "ar": "مصادق عليه مع احترام فترة الميزانية."}
REVISION = "Le Conseil a avancé la session budgétaire : audit du budget à déplacer."
OVERRIDE = "Seule responsable d'audit ISO 9001 disponible ; elle n'a pas exécuté les dépenses auditées."


def set_policy(base: str, **changes: Any) -> None:
    policy = read(base, "/api/v1/programme/policy")
    response = api(base, "PUT", "/api/v1/programme/policy", json={**policy, **changes})
    assert response.status_code == 200, response.text


def the_programme(base: str, user: str = "lead") -> dict[str, Any]:
    summary = next(s for s in read(base, "/api/v1/programmes", user) if s["year"] == YEAR)
    programme: dict[str, Any] = read(base, f"/api/v1/programmes/{summary['id']}", user)
    return programme


def write(base: str, programme: dict[str, Any], path: str, user: str = "lead", **body: Any) -> dict[str, Any]:
    """POST …/{path} on the programme read, as `user`."""
    headers = {"If-Match": f'"{programme["rev"]}"'}
    path = f"/api/v1/programmes/{programme['id']}/{path}"
    response = api(base, "POST", path, user, headers=headers, json=body, timeout=120)
    assert response.status_code == 200, response.text
    written: dict[str, Any] = response.json()
    return written


def solved_by_api(base: str) -> dict[str, Any]:
    created = api(base, "POST", "/api/v1/programmes", json={"year": YEAR})
    assert created.status_code == 201, created.text
    return write(base, created.json(), "solve")


def approved_by_api(base: str) -> dict[str, Any]:
    submitted = write(base, solved_by_api(base), "submit", reason="")
    return write(base, submitted, "approve", "manager", comment="")


def entry_button(page: Page, entry: dict[str, Any]) -> Locator:
    return page.locator(f"button[data-entry-id='{entry['id']}']")


def month_of(button: Locator) -> int:
    return int(button.evaluate("b => b.closest('td').dataset.month"))


def solve(page: Page) -> None:
    """Press Solve and wait for the answer and its rendering."""
    with page.expect_response(lambda r: r.url.endswith("/solve"), timeout=120_000) as answered:
        page.get_by_test_id("solve").click()
    assert answered.value.status == 200, answered.value.text()
    page.locator("[data-testid=solve]:not([disabled])").wait_for()


def quiet_month(programme: dict[str, Any], entry: dict[str, Any]) -> int:
    """An open month other than the entry's, with the fewest audits."""
    counts = {m: sum(e["month"] == m for e in programme["entries"]) for m in range(1, 13)}
    blocked = {b["month"] for b in programme["blockedMonths"]}
    return min((m for m in counts if m != entry["month"] and m not in blocked), key=lambda m: (counts[m], m))


def lead_builds_and_submits(page: Page, base: str, lang: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The lead's part of the journey; returns the submitted programme and the entry pinned."""
    from playwright.sync_api import expect

    page.get_by_test_id("nav-programmes").click()
    expect(page.get_by_test_id("programme-year")).to_have_value(str(YEAR))
    accessible_and_photographed(page, "programme-list", lang)
    page.get_by_test_id("create-programme").click()
    page.get_by_test_id("grid").wait_for()
    expect(page.locator(".scroll").first).to_have_css("position", "relative")  # the group's own style sheet
    expect(page.get_by_test_id("not-solved")).to_be_visible()
    policy = read(base, "/api/v1/programme/policy")
    blocked = sorted(policy["blockedMonths"], key=lambda b: b["month"])  # the demo's: August, October
    assert blocked
    expect(page.locator("thead th.blocked small")).to_have_text([b["label"][lang] for b in blocked])
    for month in blocked:  # after the process column, in the order of the months
        expect(page.locator("thead th").nth(month["month"])).to_have_class("blocked")

    solve(page)
    programme = the_programme(base)
    assert programme["lastSolve"]["status"] in ("optimal", "feasible")
    expect(page.get_by_test_id("entry")).to_have_count(len(programme["entries"]))
    for month in blocked:  # nobody audits then
        expect(page.locator(f"td[data-month='{month['month']}'] button.entry")).to_have_count(0)
    once = {r["processId"] for r in programme["risks"] if r["auditsMax"] == 1}
    entry = next(e for e in programme["entries"] if e["processId"] in once)
    target = quiet_month(programme, entry)
    button = entry_button(page, entry)
    assert month_of(button) == entry["month"]

    button.click()
    expect(page.locator("#entry-title")).to_be_focused()
    expect(button).to_have_attribute("aria-pressed", "true")
    page.get_by_test_id("pin-month").select_option(str(target))
    accessible_and_photographed(page, "programme-pin", lang)
    page.get_by_test_id("pin-save").click()
    expect(button).to_have_attribute("data-pinned", "")
    assert month_of(button) == target

    solve(page)  # the rest is planned again around the pin
    pinned = next(e for e in the_programme(base)["entries"] if e["id"] == entry["id"])
    assert (pinned["month"], pinned["pinnedMonth"]) == (target, True)
    expect(button).to_have_attribute("data-pinned", "")
    assert month_of(button) == target
    accessible_and_photographed(page, "programme-grid", lang)

    risk_changes_wait_for_a_new_solve(page, base, entry["processId"], lang)

    page.get_by_test_id("tab-coverage").click()
    coverage = the_programme(base)["coverage"]
    expect(page.get_by_test_id("clause")).to_have_count(len(coverage))
    expect(page.locator("[data-testid=clause][data-gap]")).to_have_count(sum(r["gap"] for r in coverage))
    accessible_and_photographed(page, "programme-coverage", lang)

    page.get_by_test_id("reason").fill(NOTE[lang])
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("programme-status")).to_have_attribute("data-status", "submitted")
    expect(page.get_by_test_id("waiting")).to_be_visible()
    page.get_by_test_id("tab-history").click()
    expect(page.get_by_test_id("version")).to_have_count(1)
    expect(page.get_by_test_id("version")).to_contain_text(NOTE[lang])
    page.get_by_test_id("compare").click()
    expect(page.get_by_test_id("no-diff")).to_be_visible()  # the version is the programme as it is
    accessible_and_photographed(page, "programme-history", lang)
    return the_programme(base), entry


def risk_changes_wait_for_a_new_solve(page: Page, base: str, process_id: str, lang: str) -> None:
    """A risk input saved from the table changes the score; the programme must then be solved again before
    it is submitted, and the server's refusal says so."""
    from playwright.sync_api import expect

    page.get_by_test_id("tab-risks").click()
    before = next(r for r in the_programme(base)["risks"] if r["processId"] == process_id)
    row = page.locator(f"[data-testid=risk-row][data-process-id='{process_id}']")
    row.get_by_test_id("risk-changes").fill("2")
    row.get_by_test_id("risk-changes").press("Tab")
    row.get_by_test_id("risk-save").click()
    expect(row.get_by_test_id("risk-save")).to_be_disabled()
    after = next(r for r in the_programme(base)["risks"] if r["processId"] == process_id)
    per_change = read(base, "/api/v1/programme/policy")["weights"]["change"]
    assert (after["changes"], after["score"]) == (2, before["score"] + 2 * per_change)
    expect(row.get_by_test_id("risk-score")).to_have_text(str(after["score"]))
    accessible_and_photographed(page, "programme-risks", lang)

    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("problem")).to_be_visible()
    assert the_programme(base)["status"] == "draft"
    solve(page)
    expect(page.get_by_test_id("problem")).to_have_count(0)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_lead_pins_resolves_and_submits_and_the_manager_approves_the_programme(
    browser: Browser, app_url: str, lang: str
) -> None:
    from playwright.sync_api import expect

    page, errors = open_page(browser, app_url, "lead", lang)
    submitted, pinned = lead_builds_and_submits(page, app_url, lang)
    assert submitted["status"] == "submitted"

    manager, manager_errors = open_page(browser, app_url, "manager", lang)
    manager.get_by_test_id("nav-programmes").click()
    manager.locator(f"[data-testid=programme-card][data-year='{YEAR}'] a").click()
    manager.get_by_test_id("decision").wait_for()
    expect(manager.get_by_test_id("entry")).to_have_count(len(submitted["entries"]))
    assert manager.get_by_test_id("solve").count() == 0  # the manager decides, never plans
    manager.get_by_test_id("return").click()  # no comment: nothing is sent
    expect(manager.get_by_test_id("error-comment")).to_be_visible()
    expect(manager.locator("#decision-comment")).to_be_focused()
    assert the_programme(app_url, "manager")["status"] == "submitted"
    accessible_and_photographed(manager, "programme-decide", lang)

    manager.get_by_test_id("comment").fill(COMMENT[lang])
    manager.get_by_test_id("approve").click()
    expect(manager.get_by_test_id("programme-status")).to_have_attribute("data-status", "approved")
    approved = the_programme(app_url, "manager")
    assert approved["history"][-1]["comment"] == COMMENT[lang]
    assert all(e["auditId"] for e in approved["entries"])
    expect(manager.locator("button.entry[data-audit-id]")).to_have_count(len(approved["entries"]))
    entry = next(e for e in approved["entries"] if e["id"] == pinned["id"])
    entry_button(manager, entry).click()
    expect(manager.get_by_test_id("entry-audit")).to_have_attribute("href", f"#/read/{entry['auditId']}")
    audit = read(app_url, f"/api/v1/audits/{entry['auditId']}")
    assert (audit["status"], audit["plannedStart"], audit["plannedEnd"]) == (
        "planned",
        entry["start"],
        entry["end"],
    )
    assert {m["personId"] for m in audit["team"] if m["role"] == "lead"} == {entry["leadId"]}
    accessible_and_photographed(manager, "programme-approved", lang)
    with manager.expect_download() as started:
        manager.get_by_test_id(f"download-{lang}").click()
    assert started.value.suggested_filename == f"programme-{YEAR}-{lang}.pdf"
    assert Path(started.value.path()).read_bytes().startswith(b"%PDF-")

    page.reload()  # the lead revises the approved programme, with the reason the history keeps
    expect(page.get_by_test_id("programme-status")).to_have_attribute("data-status", "approved")
    page.get_by_test_id("reason").fill(REVISION)
    page.get_by_test_id("revise").click()
    expect(page.get_by_test_id("programme-status")).to_have_attribute("data-status", "draft")
    assert the_programme(app_url)["version"] == 2
    expect(page.get_by_test_id("reason")).to_have_attribute(
        "required", ""
    )  # the next submission says why too
    assert errors == manager_errors == []


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_an_auditor_sees_their_programme_and_subscribes_with_a_link_that_works_until_revoked(
    browser: Browser, app_url: str, lang: str
) -> None:
    from playwright.sync_api import expect

    approved = approved_by_api(app_url)
    people = {p["id"]: p for p in read(app_url, "/api/v1/people")}
    user = next(
        people[e["leadId"]]["username"]
        for e in approved["entries"]
        if (people[e["leadId"]].get("username") or "").startswith("auditor")
    )
    mine = read(app_url, "/api/v1/me/programme", user)
    page, errors = open_page(browser, app_url, user, lang)
    page.get_by_test_id("nav-mine").click()
    expect(page.get_by_test_id("my-entry")).to_have_count(len(mine))
    assert page.get_by_test_id("nav-programmes").count() == 0
    accessible_and_photographed(page, "my-programme", lang)

    page.get_by_test_id("subscribe").click()
    url = page.get_by_test_id("calendar-url")
    expect(url).to_be_focused()
    feed = urlsplit(url.input_value()).path
    assert feed.startswith("/cal/") and feed.endswith(".ics")
    calendar = httpx.get(f"{app_url}{feed}")
    assert calendar.status_code == 200 and calendar.headers["content-type"].startswith("text/calendar")
    assert calendar.text.count("BEGIN:VEVENT") == len(mine)
    accessible_and_photographed(page, "my-programme-link", lang)

    page.get_by_test_id("revoke-link").click()
    expect(page.get_by_test_id("calendar-url")).to_have_count(0)
    assert httpx.get(f"{app_url}{feed}").status_code == 404

    page.goto(f"{app_url}/#/programmes")
    expect(page.locator("main .note.error")).to_have_text(catalog(app_url, lang).get(NOT_YOURS, NOT_YOURS))
    assert errors == []


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_an_impossible_programme_says_why_in_the_leads_terms(
    browser: Browser, app_url: str, lang: str
) -> None:
    from playwright.sync_api import expect

    set_policy(app_url, capacityPerMonth=1)  # twelve audits at most for a year that calls for more
    created = api(app_url, "POST", "/api/v1/programmes", json={"year": YEAR})
    assert created.status_code == 201, created.text
    page, errors = open_page(browser, app_url, "lead", lang)
    page.goto(f"{app_url}/#/programmes/{created.json()['id']}")
    solve(page)
    explained = the_programme(app_url)["lastSolve"]
    assert explained["status"] == "infeasible"
    expect(page.get_by_test_id("solve-result")).to_have_attribute("data-status", "infeasible")
    shown = page.get_by_test_id("explanations").locator("li")
    path = f"/api/v1/programmes/{created.json()['id']}"
    words = [e["message"] for e in api(app_url, "GET", path, lang=lang).json()["lastSolve"]["explanations"]]
    assert words, explained
    expect(shown).to_have_text(words)
    accessible_and_photographed(page, "programme-infeasible", lang)
    assert errors == []


def test_an_impartiality_override_asks_for_its_reason_beside_the_field(
    browser: Browser, app_url: str
) -> None:
    from playwright.sync_api import expect

    programme = solved_by_api(app_url)
    units = {u["code"]: u["id"] for u in read(app_url, "/api/v1/units")}
    budget = next(r for r in programme["risks"] if r["ownerUnitId"] == units["DAF-DBC"])
    # Not in January: Khadija is away then (the budget year's closing), and nobody is pinned on leave.
    entry = next(e for e in programme["entries"] if e["processId"] == budget["processId"] and e["month"] != 1)
    khadija = next(p["id"] for p in read(app_url, "/api/v1/people") if p["username"] == "auditor1")  # DAF-DBC
    page, errors = open_page(browser, app_url, "lead", "fr")
    page.goto(f"{app_url}/#/programmes/{programme['id']}")
    entry_button(page, entry).click()
    expect(page.get_by_test_id("pin-reason")).to_have_count(0)
    page.get_by_test_id("pin-lead").select_option(khadija)
    page.get_by_test_id("pin-save").click()  # no reason yet: refused beside the field, nothing sent
    expect(page.get_by_test_id("error-overrideReason")).to_be_visible()
    expect(page.get_by_test_id("pin-reason")).to_be_focused()
    expect(page.get_by_test_id("pin-reason")).to_have_attribute(
        "aria-describedby", "pin-overrideReason-error"
    )
    assert not next(e for e in the_programme(app_url)["entries"] if e["id"] == entry["id"])["pinnedTeam"]
    accessible_and_photographed(page, "programme-override", "fr")

    page.get_by_test_id("pin-reason").fill(OVERRIDE)
    page.get_by_test_id("pin-save").click()
    expect(entry_button(page, entry)).to_have_attribute("data-override", "")
    pinned = next(e for e in the_programme(app_url)["entries"] if e["id"] == entry["id"])
    assert (pinned["leadId"], pinned["pinnedTeam"], pinned["overrideReason"]) == (khadija, True, OVERRIDE)
    page.get_by_test_id("unpin").click()  # the solver chooses again at the next solve
    expect(entry_button(page, entry)).not_to_have_attribute("data-pinned", "")
    unpinned = next(e for e in the_programme(app_url)["entries"] if e["id"] == entry["id"])
    assert (unpinned["pinnedMonth"], unpinned["pinnedTeam"]) == (False, False)
    assert errors == []


def test_the_programme_group_is_served_and_precached_like_the_shell(app_url: str) -> None:
    """Imported only by the roles that open it, but precached for every tablet like any other module."""
    assets = httpx.get(f"{app_url}/app-manifest.json").json()["assets"]
    group = sorted(p.name for p in (Path(__file__).parents[2] / "pwa/scripts/programme").glob("*.*"))
    precached = sorted(a.rsplit("/", 1)[1] for a in assets if "/scripts/programme/" in a)
    assert precached == group
    for asset in (a for a in assets if "/scripts/programme/" in a):
        served = httpx.get(f"{app_url}{asset}")
        assert served.status_code == 200
        assert served.headers["content-type"].startswith(
            "text/css" if asset.endswith(".css") else "text/javascript"
        )


def test_offline_the_programme_says_it_needs_the_server_and_shows_once_connected(
    browser: Browser, app_url: str
) -> None:
    from playwright.sync_api import expect

    page, errors = open_page(browser, app_url, "lead", "fr")
    page.context.set_offline(True)
    page.get_by_test_id("nav-programmes").click()
    words = catalog(app_url, "fr")
    expect(page.locator("main .note.error")).to_have_text(words.get(OFFLINE, OFFLINE))
    page.context.set_offline(False)
    page.get_by_test_id("retry").click()
    expect(page.get_by_test_id("create-programme")).to_be_visible()
    assert errors == []

"""The organisation's screens (issue 16) in Chromium against a live server on the demo council: the audit lead
gives a person an ISO 45001 qualification and the person becomes eligible for an ISO 45001 audit's team; a
process an audit uses cannot be deleted, the refusal says why in words and offers to archive it, which is done
and undone; a unit created under a directorate appears in the tree, a code already taken is refused beside the
field (as typed, and by the server when someone took it meanwhile); every screen passes axe-core in Arabic and
in French, with screenshots."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.conftest import TABLET, sign_in
from tests.e2e.test_i18n_a11y import check
from tests.e2e.test_lead_screens import api, catalog, read

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# Data, not the screen's words: names in the other language, and what people wrote (an address) in a <bdi>.
OTHER_LANGUAGE = """(lang) => [...document.querySelectorAll("main [lang], main bdi")]
  .filter((e) => e.lang !== lang).map((e) => e.textContent)"""
SALMA = "Salma Zeroual"  # auditor6 of the demo: ISO 9001 and ISO 14001, no ISO 45001


def lead_page(browser: Browser, base: str, lang: str = "fr") -> tuple[Page, list[str]]:
    page = browser.new_context(viewport=TABLET).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, base, "lead")
    page.get_by_test_id(f"lang-{lang}").click()
    page.locator(f"html[lang={lang}]").wait_for(state="attached")
    return page, errors


def open_part(page: Page, base: str, part: str) -> None:
    page.goto(f"{base}/#/admin?view=org&part={part}")
    page.locator(f"[data-testid=org-{part}][aria-current=page]").wait_for()
    page.locator("main h1").wait_for()


def check_screen(page: Page, name: str, lang: str, words: dict[str, str]) -> None:
    """``check`` of the i18n tests, the data shown counted as words of the screen's: a French unit name on an
    Arabic screen may well hold "Division", which is no word left untranslated."""
    other: list[str] = page.evaluate(OTHER_LANGUAGE, lang)
    check(page, name, lang, {**words, "(names in the other language)": "\n".join(other)})


def iso45001_audit(base: str) -> dict[str, Any]:
    created = api(
        base,
        "POST",
        "/api/v1/audits",
        json={
            "code": f"AI-SST-{uuid.uuid4().hex[:6].upper()}",
            "title": {"ar": "تدقيق الصحة والسلامة المهنية", "fr": "Audit santé et sécurité au travail"},
            "standards": ["iso45001"],
        },
    )
    assert created.status_code == 201, created.text
    audit: dict[str, Any] = created.json()
    return audit


def put_team(base: str, audit_id: str, members: list[dict[str, str]]) -> Any:
    audit = read(base, f"/api/v1/audits/{audit_id}")
    return api(base, "PUT", f"/api/v1/audits/{audit_id}/team", json={"members": members, "rev": audit["rev"]})


def offered_for_the_team(page: Page, base: str, audit_id: str, person_id: str) -> bool:
    page.goto(f"{base}/#/lead/{audit_id}/team")
    page.get_by_test_id("save-team").wait_for()
    return page.locator(f"[data-testid=member][data-person-id='{person_id}']").count() == 1


def test_the_lead_adds_an_iso_45001_qualification_and_the_person_becomes_eligible_for_a_team(
    browser: Browser, app_url: str
) -> None:
    from playwright.sync_api import expect

    people = {p["fullName"]["fr"]: p for p in read(app_url, "/api/v1/people")}
    salma, lead = people[SALMA], people["Latifa Amzil"]
    assert "iso45001" not in {q["standard"] for q in salma["qualifications"]}
    audit = iso45001_audit(app_url)
    team = [{"personId": lead["id"], "role": "lead"}, {"personId": salma["id"], "role": "auditor"}]
    refused = put_team(app_url, audit["id"], team)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "audit.auditor_not_qualified"
    page, errors = lead_page(browser, app_url)
    assert not offered_for_the_team(page, app_url, audit["id"], salma["id"])

    open_part(page, app_url, "people")
    page.get_by_test_id("people-search").fill("zeroual")
    expect(page.get_by_test_id("person")).to_have_count(1)
    page.get_by_test_id("person").get_by_test_id("edit").click()
    page.get_by_test_id("add-qualifications").click()
    new = len(salma["qualifications"])
    expect(page.get_by_test_id(f"field-qualifications-{new}-standard")).to_be_focused()
    expect(page.get_by_test_id(f"field-qualifications-{new}-standard")).to_have_value("iso45001")
    page.get_by_test_id("save").click()  # the date is missing: said beside it, nothing sent
    expect(page.get_by_test_id(f"field-qualifications-{new}-since-problem")).to_be_visible()
    expect(page.get_by_test_id(f"field-qualifications-{new}-since")).to_be_focused()
    page.get_by_test_id(f"field-qualifications-{new}-since").fill("2026-11-05")
    expect(page.get_by_test_id(f"field-qualifications-{new}-since-problem")).to_have_count(0)
    page.get_by_test_id(f"field-qualifications-{new}-training").fill("Formation ISO 45001:2018 (4 jours)")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("toast")).to_contain_text(SALMA)
    stored = read(app_url, f"/api/v1/people/{salma['id']}")
    assert {q["standard"]: q["since"] for q in stored["qualifications"]}["iso45001"] == "2026-11-05"
    assert stored["availability"] == salma["availability"]  # the rest of the person is kept

    assert offered_for_the_team(page, app_url, audit["id"], salma["id"])
    accepted = put_team(app_url, audit["id"], team)
    assert accepted.status_code == 200, accepted.text
    assert salma["id"] in {m["personId"] for m in accepted.json()["team"]}
    assert errors == []


def test_a_process_in_use_cannot_be_deleted_and_is_archived_instead(browser: Browser, app_url: str) -> None:
    from playwright.sync_api import expect

    processes = {p["code"]: p for p in read(app_url, "/api/v1/processes")}
    audit = next(a for a in read(app_url, "/api/v1/audits") if a["processId"] == processes["P-ACH"]["id"])
    page, errors = lead_page(browser, app_url)
    page.on("dialog", lambda dialog: dialog.accept())
    open_part(page, app_url, "processes")
    card = page.locator("[data-testid=process][data-process-code=P-ACH]")
    card.get_by_test_id("delete").click()
    refusal = card.get_by_test_id("refusal")
    expect(refusal).to_contain_text("Impossible de supprimer P-ACH")
    expect(refusal).to_contain_text(audit["code"])
    expect(refusal).to_contain_text("Archivez-le au lieu de le supprimer")
    expect(refusal).to_be_focused()
    assert read(app_url, f"/api/v1/processes/{processes['P-ACH']['id']}")["archivedAt"] is None

    refusal.get_by_test_id("archive-instead").click()
    expect(page.get_by_test_id("toast")).to_contain_text("P-ACH")
    expect(card).to_have_count(0)  # archived ones are hidden until asked for
    assert read(app_url, f"/api/v1/processes/{processes['P-ACH']['id']}")["archivedAt"] is not None
    assert read(app_url, f"/api/v1/audits/{audit['id']}")["processId"] == processes["P-ACH"]["id"]

    page.get_by_test_id("show-archived").check()
    expect(card.get_by_test_id("archived")).to_be_visible()
    card.get_by_test_id("restore").click()
    expect(card.get_by_test_id("archived")).to_have_count(0)
    assert read(app_url, f"/api/v1/processes/{processes['P-ACH']['id']}")["archivedAt"] is None
    assert errors == []


def test_a_unit_created_under_a_directorate_appears_in_the_tree_and_a_taken_code_is_refused_beside_it(
    browser: Browser, app_url: str
) -> None:
    from playwright.sync_api import expect

    units = {u["code"]: u for u in read(app_url, "/api/v1/units")}
    assert units["DAF"]["kind"] == "directorate"
    page, errors = lead_page(browser, app_url)
    open_part(page, app_url, "units")
    directorate = page.locator("[data-testid=unit][data-unit-code=DAF]")
    directorate.locator(":scope > .actions [data-testid=add-sub-unit]").click()
    expect(page.locator("main h1")).to_contain_text("DAF")
    expect(page.get_by_test_id("field-kind")).to_have_value("division")
    expect(page.get_by_test_id("field-parentId")).to_have_value(units["DAF"]["id"])

    code, problem = page.get_by_test_id("field-code"), page.get_by_test_id("field-code-problem")
    code.fill("DAF-DBC")  # the budget division's code: refused as typed
    expect(problem).to_contain_text("Ce code est déjà utilisé")
    expect(code).to_have_attribute("aria-invalid", "true")
    code.fill("daf-qa")
    expect(problem).to_contain_text("Lettres majuscules")
    code.fill("DAF-QA")
    expect(problem).to_have_count(0)
    page.get_by_test_id("field-name-ar").fill("مصلحة الجودة المالية")
    page.get_by_test_id("field-name-fr").fill("Service de la Qualité Financière")
    taken = api(  # someone else takes the code meanwhile: the server refuses it, beside the field
        app_url,
        "POST",
        "/api/v1/units",
        user="admin",
        json={"code": "DAF-QA", "kind": "service", "name": {"ar": "مصلحة", "fr": "Service"}},
    )
    assert taken.status_code == 201, taken.text
    page.get_by_test_id("save").click()
    expect(problem).to_have_text("Ce code est déjà utilisé par un autre élément.")
    expect(code).to_be_focused()
    code.fill("DAF-QF")
    code.press("Enter")
    expect(page.get_by_test_id("toast")).to_contain_text("DAF-QF")

    created = directorate.locator("[data-testid=unit][data-unit-code=DAF-QF]")
    expect(created).to_be_visible()
    expect(created.locator("[role=heading]")).to_have_attribute("aria-level", "4")  # DGS > DAF > DAF-QF
    expect(created).to_contain_text("Service de la Qualité Financière")
    stored = {u["code"]: u for u in read(app_url, "/api/v1/units")}["DAF-QF"]
    assert stored["parentId"] == units["DAF"]["id"] and stored["kind"] == "division"
    assert errors == []


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_every_organisation_screen_is_translated_accessible_and_photographed(
    browser: Browser, app_url: str, lang: str
) -> None:
    words = catalog(app_url, lang)
    page, errors = lead_page(browser, app_url, lang)
    for part in ("units", "sites", "processes", "people"):
        open_part(page, app_url, part)
        check_screen(page, f"org-{part}", lang, words)
    page.get_by_test_id("person").first.get_by_test_id("edit").click()
    page.get_by_test_id("org-form").wait_for()
    page.get_by_test_id("add-qualifications").click()
    page.get_by_test_id("add-availability").click()
    page.get_by_test_id("field-fullName-fr").fill("")
    page.get_by_test_id("save").click()  # problems beside the fields, nothing sent
    page.get_by_test_id("field-fullName-fr-problem").wait_for()
    check_screen(page, "org-person", lang, words)
    open_part(page, app_url, "units")
    page.get_by_test_id("add-sub-unit").first.click()
    page.get_by_test_id("field-code").fill("x")
    check_screen(page, "org-unit", lang, words)
    assert errors == []


def run(page: Page, module: str, body: str, arg: Any) -> Any:
    """``body``, a function of the module's exports and ``arg``, run in the page; its result as JSON."""
    script = f"async (arg) => ({body})(await import('/scripts/admin/{module}.js'), arg)"
    return page.evaluate(script, arg)


def test_the_tree_provinces_and_people_filter_order_the_demo_data(browser: Browser, app_url: str) -> None:
    """The pure helpers the screens use, run as the app loads them, on the demo's own lists."""
    units, sites, people = (read(app_url, f"/api/v1/{name}") for name in ("units", "sites", "people"))
    provinces = read(app_url, "/api/v1/organisation")["provinces"]
    page = browser.new_context(viewport=TABLET).new_page()
    page.goto(f"{app_url}/")
    page.get_by_test_id("signin-form").wait_for()
    tree = run(page, "org-units", "(m, units) => m.treeOrder(units).map(([u, d]) => [u.code, d])", units)
    order, depth = [code for code, _ in tree], dict(tree)
    assert len(tree) == len(units) and tree[0] == ["DGS", 0]
    for unit in units:  # each unit after its parent, one level deeper
        parent = next((u for u in units if u["id"] == unit["parentId"]), None)
        if parent is not None:
            assert depth[unit["code"]] == depth[parent["code"]] + 1
            assert order.index(unit["code"]) > order.index(parent["code"])
    grouped = run(
        page,
        "org-sites",
        "(m, [sites, provinces]) => m.byProvince(sites, provinces).map(([code, , at]) => [code, at.length])",
        [sites, provinces],
    )
    assert [code for code, _ in grouped] == [p["code"] for p in provinces]
    assert sum(count for _, count in grouped) == len(sites)
    matching = "(m, [people, filters]) => m.matching(people, filters).map((p) => p.fullName.fr)"
    found = run(page, "org-people", matching, [people, {"q": " ZEROUAL ", "standard": "iso14001"}])
    assert found == [SALMA]
    qualified = run(page, "org-people", matching, [people, {"standard": "iso45001"}])
    assert len(qualified) == sum("iso45001" in {q["standard"] for q in p["qualifications"]} for p in people)
    assert run(page, "org-people", matching, [people, {"standard": "iso45001", "q": "zeroual"}]) == []

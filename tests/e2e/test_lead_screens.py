"""The audit lead's, manager's and auditee's screens in Chromium against a live server on the demo
council: the lead filters the audits, plans one, meets an impartiality refusal in words, overrides it
with a reason, prepares the audit and follows its progress (in French and in Arabic, right to left);
readers see what their role allows and nothing to plan; a change made meanwhile is a 412 in words."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.e2e.conftest import TABLET, api_token, sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

SCREENSHOTS = Path(__file__).parent / "screenshots"
STALE = "Someone changed this audit meanwhile. Reload it to see their change, then make yours again."
OFFLINE = (
    "This screen works with the server, and there is no connection now. Nothing on this tablet is lost; "
    "try again once connected."
)
NOT_YOURS = "Your role does not open this screen."
PLAN_FIELDS = frozenset(
    [
        "code",
        "title",
        "standards",
        "processId",
        "unitIds",
        "siteIds",
        "clauses",
        "criteria",
        "objectives",
        "auditeeIds",
        "plannedStart",
        "plannedEnd",
        "rev",
    ]
)
REASON = {
    "fr": "Seule auditrice ISO 9001 disponible en février ; elle n'a pas exécuté les dépenses auditées.",
    "ar": "المدققة الوحيدة المؤهلة المتاحة في فبراير، ولم تشارك في تنفيذ النفقات موضوع التدقيق.",
}


def api(
    base: str, method: str, path: str, user: str = "lead", lang: str = "fr", **kwargs: Any
) -> httpx.Response:
    headers = {**api_token(base, user), "Accept-Language": lang, **kwargs.pop("headers", {})}
    return httpx.request(method, f"{base}{path}", headers=headers, **kwargs)


def read(base: str, path: str, user: str = "lead") -> Any:
    response = api(base, "GET", path, user)
    assert response.status_code == 200, response.text
    return response.json()


def catalog(base: str, lang: str) -> dict[str, str]:
    messages: dict[str, str] = httpx.get(f"{base}/api/v1/i18n/{lang}").json()["messages"]
    return messages


def no_serious_violations(page: Page, name: str, lang: str) -> None:
    """axe-core on the screen shown, and a screenshot of it for the people reading the run."""
    from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

    violations = Axe().run(page).response["violations"]
    serious = [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], f"{name} ({lang})"
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"lead-{name}-{lang}-{TABLET['width']}.png", full_page=True)


def open_page(browser: Browser, base: str, user: str, lang: str) -> tuple[Page, list[str]]:
    page = browser.new_context(viewport=TABLET).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, base, user)
    page.get_by_test_id(f"lang-{lang}").click()
    page.locator(f"html[lang={lang}][dir={'rtl' if lang == 'ar' else 'ltr'}]").wait_for(state="attached")
    return page, errors


def filters_narrow_the_list(page: Page, audits: list[dict[str, Any]]) -> None:
    from playwright.sync_api import expect

    cards = page.get_by_test_id("lead-audit")
    expect(cards).to_have_count(len(audits))
    page.get_by_test_id("filter-standard").select_option("iso14001")
    expect(cards).to_have_count(len([a for a in audits if "iso14001" in a["standards"]]))
    page.get_by_test_id("filter-status").select_option("planned")
    expect(cards).to_have_count(
        len([a for a in audits if a["status"] == "planned" and "iso14001" in a["standards"]])
    )
    page.get_by_test_id("clear-filters").click()
    page.get_by_test_id("filter-process").select_option(audits[1]["processId"])
    expect(cards).to_have_count(len([a for a in audits if a["processId"] == audits[1]["processId"]]))
    page.get_by_test_id("clear-filters").click()
    since = audits[3]["plannedStart"]
    page.get_by_test_id("filter-from").fill(since)
    expect(cards).to_have_count(len([a for a in audits if a["plannedEnd"] >= since]))
    page.get_by_test_id("clear-filters").click()
    page.get_by_test_id("filter-text").fill(audits[2]["code"].lower())
    expect(cards).to_have_count(1)
    assert cards.first.get_attribute("data-code") == audits[2]["code"]
    page.get_by_test_id("clear-filters").click()
    expect(cards).to_have_count(len(audits))


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_lead_plans_an_audit_overrides_an_impartiality_refusal_with_a_reason_and_prepares_it(
    browser: Browser, app_url: str, lang: str
) -> None:
    from playwright.sync_api import expect

    words = catalog(app_url, lang)
    units = {u["code"]: u["id"] for u in read(app_url, "/api/v1/units")}
    process = next(p for p in read(app_url, "/api/v1/processes") if p["ownerUnitId"] == units["DAF-DBC"])
    people = {p["fullName"]["fr"]: p["id"] for p in read(app_url, "/api/v1/people")}
    lead, conflicted = people["Latifa Amzil"], people["Khadija Ouaziz"]  # Khadija works in DAF-DBC
    page, errors = open_page(browser, app_url, "lead", lang)

    page.get_by_test_id("nav-lead").click()
    filters_narrow_the_list(page, read(app_url, "/api/v1/audits"))
    no_serious_violations(page, "audits", lang)

    page.get_by_test_id("new-audit").click()
    page.get_by_test_id("plan-code").fill("ai-2027-050")
    page.get_by_test_id("plan-process").select_option(process["id"])
    page.get_by_test_id("save-plan").click()
    expect(page.get_by_test_id("problem").locator("li")).to_have_count(2)  # both titles, in words
    page.get_by_test_id("plan-title-ar").fill("تدقيق داخلي: تنفيذ الميزانية")
    page.get_by_test_id("plan-title-fr").fill("Audit interne : exécution du budget")
    page.get_by_test_id("plan-start").fill("2027-02-01")
    page.get_by_test_id("plan-end").fill("2027-02-02")
    page.get_by_test_id("plan-criteria").fill("Manuel QSE (MQ-01)\n\nProcédure budgétaire (PR-BUD-02)")
    no_serious_violations(page, "plan", lang)
    page.get_by_test_id("save-plan").click()
    page.get_by_test_id("saved").wait_for()
    audit_id = page.url.split("/lead/")[1].split("?")[0]
    audit = read(app_url, f"/api/v1/audits/{audit_id}")
    assert (
        audit["code"],
        audit["processId"],
        audit["standards"],
        audit["criteria"],
        audit["plannedEnd"],
    ) == (
        "AI-2027-050",
        process["id"],
        process["standards"],
        ["Manuel QSE (MQ-01)", "Procédure budgétaire (PR-BUD-02)"],
        "2027-02-02",
    )

    page.get_by_test_id("tab-leadTeam").click()

    def member(person: str) -> Locator:
        return page.locator(f"[data-testid=member][data-person-id='{person}']")

    member(lead).get_by_test_id("member-role").select_option("lead")
    member(conflicted).get_by_test_id("member-role").select_option("auditor")
    page.get_by_test_id("save-team").click()
    refused = api(
        app_url,
        "PUT",
        f"/api/v1/audits/{audit_id}/team",
        lang=lang,
        headers={"If-Match": f'"{audit["rev"]}"'},
        json={"members": [{"personId": lead, "role": "lead"}, {"personId": conflicted, "role": "auditor"}]},
    )
    assert (refused.status_code, refused.json()["code"]) == (409, "audit.not_impartial")
    expect(member(conflicted).get_by_test_id("refusal")).to_have_text(refused.json()["message"])
    expect(page.get_by_test_id("refusal")).to_have_count(1)
    expect(member(conflicted).get_by_test_id("override-reason")).to_be_focused()
    assert read(app_url, f"/api/v1/audits/{audit_id}")["team"] == []
    no_serious_violations(page, "team", lang)
    member(conflicted).get_by_test_id("override-reason").fill(REASON[lang])
    page.get_by_test_id("save-team").click()
    page.get_by_test_id("saved").wait_for()
    expect(page.get_by_test_id("override-note")).to_contain_text(REASON[lang])
    team = read(app_url, f"/api/v1/audits/{audit_id}")["team"]
    assert sorted((m["personId"], m["role"], m["overrideReason"]) for m in team) == sorted(
        [(lead, "lead", ""), (conflicted, "auditor", REASON[lang])]
    )

    page.get_by_test_id("move-prepared").click()
    prepared_label = words.get("Prepared", "Prepared")
    expect(page.get_by_test_id("audit-status")).to_have_text(
        prepared_label, timeout=30_000
    )  # pins the checklist
    prepared = read(app_url, f"/api/v1/audits/{audit_id}")
    assert prepared["status"] == "prepared" and prepared["checklistVersion"]
    no_serious_violations(page, "overview", lang)

    page.get_by_test_id("tab-leadProgress").click()
    questions = read(app_url, f"/api/v1/audits/{audit_id}/progress")["questions"]
    assert questions > 0
    expect(page.get_by_test_id("answered")).to_contain_text(str(questions))
    expect(page.get_by_test_id("count-nc_major")).to_have_text("0")
    no_serious_violations(page, "progress", lang)
    assert errors == []


def report_with_a_finding(base: str, audit: dict[str, Any]) -> str:
    """The lead starts the audit, records a minor nonconformity and marks the audit reported."""
    for status in ("in_progress", "reported"):
        if status == "reported":
            op = {
                "op": "upsertFinding",
                "id": str(uuid.uuid4()),
                "auditId": audit["id"],
                "data": {
                    "verdict": "nc_minor",
                    "statement": "Registre des marchés non tenu à jour depuis octobre",
                    "evidence": "Registre consulté : dernière inscription le 14 octobre",
                    "clauseRefs": ["iso9001:7.5.3"],
                },
            }
            pushed = api(
                base,
                "POST",
                "/api/v1/sync/push",
                headers={"Idempotency-Key": str(uuid.uuid4())},
                json={"deviceId": "test-lead", "ops": [op]},
            )
            assert pushed.json()["results"][0]["status"] == "applied", pushed.text
        rev = read(base, f"/api/v1/audits/{audit['id']}")["rev"]
        moved = api(
            base, "POST", f"/api/v1/audits/{audit['id']}/transitions", json={"to": status, "rev": rev}
        )
        assert moved.status_code == 200, moved.text
    return "Registre des marchés non tenu à jour depuis octobre"


@pytest.mark.parametrize("lang", ["ar"])
def test_readers_see_the_audits_their_role_allows_and_the_findings_once_reported(
    browser: Browser, app_url: str, lang: str
) -> None:
    from playwright.sync_api import expect

    audits = read(app_url, "/api/v1/audits")
    units = {u["id"]: u["code"] for u in read(app_url, "/api/v1/units")}
    reported = next(a for a in audits if units[a["unitIds"][0]] == "DAF-DMP")  # auditee1's division
    statement = report_with_a_finding(app_url, reported)

    page, errors = open_page(browser, app_url, "auditee1", lang)
    expect(page.get_by_test_id("read-audit")).to_have_count(1)  # home is the readers' list
    assert page.get_by_test_id("nav-lead").count() == page.get_by_test_id("nav-audits").count() == 0
    assert page.get_by_test_id("read-audit").get_attribute("data-code") == reported["code"]
    no_serious_violations(page, "read-list", lang)
    page.get_by_test_id("read-audit").locator("a").click()
    expect(page.get_by_test_id("finding")).to_have_count(1)
    expect(page.get_by_test_id("finding")).to_contain_text(statement)
    assert page.get_by_test_id("finding").get_attribute("data-verdict") == "nc_minor"
    no_serious_violations(page, "read-audit", lang)
    page.goto(f"{app_url}/#/lead")
    expect(page.locator("main .note.error")).to_have_text(catalog(app_url, lang).get(NOT_YOURS, NOT_YOURS))
    assert errors == []

    other, _ = open_page(browser, app_url, "auditee2", lang)  # the budget division: nothing reported
    other.get_by_test_id("read-none").wait_for()

    manager, errors = open_page(browser, app_url, "manager", lang)
    expect(manager.get_by_test_id("read-audit")).to_have_count(len(audits))  # management reads every audit
    assert manager.get_by_test_id("nav-lead").count() == manager.get_by_test_id("nav-audits").count() == 0
    manager.locator(f"[data-testid=read-audit][data-code='{audits[-1]['code']}'] a").click()
    manager.get_by_test_id("not-reported").wait_for()  # prepared: no finding shown yet
    assert errors == []


def test_a_plan_changed_meanwhile_is_refused_in_words_and_reloaded(browser: Browser, app_url: str) -> None:
    from playwright.sync_api import expect

    audit = next(a for a in read(app_url, "/api/v1/audits") if a["status"] == "prepared")  # plan editable
    page, errors = open_page(browser, app_url, "lead", "fr")
    page.goto(f"{app_url}/#/lead/{audit['id']}/plan")
    page.get_by_test_id("plan-agenda").fill("09:00 ouverture · 16:00 clôture")
    plan = {k: v for k, v in audit.items() if k in PLAN_FIELDS}
    changed = api(app_url, "PUT", f"/api/v1/audits/{audit['id']}", json={**plan, "agenda": "Changé ailleurs"})
    assert changed.status_code == 200, changed.text
    page.get_by_test_id("save-plan").click()
    words = catalog(app_url, "fr")
    expect(page.get_by_test_id("problem")).to_contain_text(words.get(STALE, STALE))
    assert read(app_url, f"/api/v1/audits/{audit['id']}")["agenda"] == "Changé ailleurs"
    page.get_by_test_id("reload-audit").click()
    expect(page.get_by_test_id("plan-agenda")).to_have_value("Changé ailleurs")

    page.context.set_offline(True)
    page.get_by_test_id("tab-leadProgress").click()
    expect(page.locator("main .note.error")).to_have_text(words.get(OFFLINE, OFFLINE))
    page.context.set_offline(False)
    page.get_by_test_id("retry").click()
    page.get_by_test_id("progress").wait_for()
    assert errors == []


AUDITS = """[
  {code: "A-1", title: {ar: "تدقيق المشتريات", fr: "Achats"}, status: "planned", processId: "p1",
   standards: ["iso9001"], plannedStart: "2027-01-10", plannedEnd: "2027-01-11"},
  {code: "A-2", title: {ar: "الأرشيف", fr: "Archives"}, status: "prepared", processId: "p2",
   standards: ["iso14001", "iso9001"], plannedStart: "2027-03-01", plannedEnd: "2027-03-02"},
  {code: "A-3", title: {ar: "السلامة", fr: "Sécurité"}, status: "planned", processId: null,
   standards: ["iso45001"], plannedStart: null, plannedEnd: null},
]"""
FILTERS = [
    ("{}", ["A-1", "A-2", "A-3"]),
    ("{status: 'planned'}", ["A-1", "A-3"]),
    ("{process: 'p2'}", ["A-2"]),
    ("{standard: 'iso9001'}", ["A-1", "A-2"]),
    ("{from: '2027-01-11'}", ["A-1", "A-2"]),  # ends that day; an audit without dates is left out
    ("{to: '2027-01-10'}", ["A-1"]),
    ("{text: ' a-2 '}", ["A-2"]),
    ("{text: 'مشتريات'}", ["A-1"]),
    ("{text: 'sécu'}", ["A-3"]),
    ("{standard: 'iso9001', status: 'prepared'}", ["A-2"]),
]


def test_the_lead_rules_as_the_browser_loads_them(browser: Browser, app_url: str) -> None:
    from server.audits.logic import TRANSITIONS

    page = browser.new_page()
    page.goto(f"{app_url}/")
    page.get_by_test_id("signin-form").wait_for()

    def run(body: str) -> Any:
        return page.evaluate(
            f"async () => {{ const m = await import('/scripts/leadLogic.js'); return ({body})(m); }}"
        )

    for chosen, codes in FILTERS:
        assert run(f"(m) => m.filterAudits({AUDITS}, {chosen}).map((a) => a.code)") == codes, chosen
    assert {k: sorted(v) for k, v in run("(m) => m.NEXT").items()} == {
        k: sorted(v - {"signed"}) for k, v in TRANSITIONS.items()
    }  # signing comes with the report, never by hand
    wrong = """{code: "ai-1", title: {ar: " ", fr: "x"}, standards: [], plannedStart: "2027-02-02",
      plannedEnd: "2027-02-01", criteria: ["x".repeat(201)]}"""
    assert run(f"(m) => m.planProblems({wrong})") == ["code", "titleAr", "standards", "period", "criteria"]
    body = run("""(m) => m.planBody({code: " AI-1 ", title: {ar: " أ ", fr: " b "}, standards: ["iso9001"],
      processId: "", unitIds: [], siteIds: [], clauses: [], criteria: ["c"], objectives: "", auditeeIds: [],
      plannedStart: "", plannedEnd: "2027-01-02", agenda: "", id: "x", rev: 3, team: []})""")
    assert body["code"] == "AI-1" and body["title"] == {"ar": "أ", "fr": "b"}
    assert (body["processId"], body["plannedStart"], body["plannedEnd"]) == (None, None, "2027-01-02")
    assert set(body) == {
        "code",
        "title",
        "standards",
        "processId",
        "unitIds",
        "siteIds",
        "clauses",
        "criteria",
    } | {
        "objectives",
        "auditeeIds",
        "plannedStart",
        "plannedEnd",
        "agenda",
    }  # the server refuses unknown fields: nothing of the read audit (id, rev, team) is sent back
    assert run("(m) => m.lines('a\\n\\n  b  \\n')") == ["a", "b"]
    members = """{p1: {role: "lead", reason: ""}, p2: {role: "auditor", reason: "  because  "},
      p3: {role: "", reason: "x"}}"""
    assert run(f"(m) => m.teamMembers({members})") == [
        {"personId": "p1", "role": "lead"},
        {"personId": "p2", "role": "auditor", "overrideReason": "because"},
    ]
    team = '[{personId: "a"}, {personId: "b"}]'
    assert run(f"(m) => m.refusedPerson({{personId: 'p9', field: 'members[0]'}}, {team})") == "p9"
    assert run(f"(m) => m.refusedPerson({{field: 'members[1].personId'}}, {team})") == "b"
    assert run(f"(m) => m.refusedPerson([{{field: 'members', message: 'exactly one lead'}}], {team})") is None
    people = """[{id: "a", qualifications: [{standard: "iso9001"}]},
      {id: "b", qualifications: [{standard: "iso14001"}]},
      {id: "c", archivedAt: "2026-01-01", qualifications: [{standard: "iso9001"}]},
      {id: "d", qualifications: null}]"""
    chosen = run(f"(m) => m.candidates({people}, ['iso9001'], new Set(['d'])).map((p) => p.id)")
    assert chosen == ["a", "d"]  # qualified and active, or already on the team
    owners = 'new Map([["p", {ownerUnitId: "u3"}], ["q", {ownerUnitId: "u1"}]])'
    assert run(f"(m) => m.auditedUnits({{unitIds: ['u1', 'u2'], processId: 'p'}}, {owners})") == [
        "u1",
        "u2",
        "u3",
    ]
    assert run(f"(m) => m.auditedUnits({{unitIds: ['u1', 'u2'], processId: 'q'}}, {owners})") == ["u1", "u2"]

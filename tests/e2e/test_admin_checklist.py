"""The checklist and audit-trail screens (issue 16) in Chromium against a live server on the demo council:
a workbook exported from the screen, with one bad row added, is refused with that row shown and nothing
imported, and imports once the row is gone; the audit lead adds a question of the organisation (checked as
typed, the server's refusal beside the field), finds it in the library in both languages, retires it and
sees it retired; the admin's audit trail shows that change by person and record with its before and after;
each audit's pinned version opens. axe-core and screenshots in Arabic and French; the screens' pure
functions are checked in Chromium."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from openpyxl import load_workbook

from tests.e2e.test_i18n_a11y import check
from tests.e2e.test_lead_screens import api, catalog, open_page, read

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
QUESTION = {
    "ar": "هل يُمسك سجل طلبات الحصول على المعلومات ويُحيَّن أسبوعيًا؟",
    "fr": "Le registre des demandes d'accès à l'information est-il tenu et mis à jour chaque semaine ?",
}
HINT = {
    "ar": "اطلب السجل وقارن خمسة طلبات بتواريخ الرد.",
    "fr": "Demander le registre et comparer cinq demandes.",
}
BETTER_HINT = "Demander le registre, comparer cinq demandes et leurs dates de réponse."
BAD_CLAUSE = "iso9001:99.1"


def open_section(page: Page, base: str, query: str, ready: str) -> None:
    page.goto(f"{base}/#/admin?{query}")
    page.get_by_test_id(ready).first.wait_for()
    page.locator("main h1").wait_for()


def shown_words(base: str, lang: str, *texts: str) -> dict[str, str]:
    """The catalog, and what people or the library wrote (shown as it is, never a msgid to translate)."""
    library = read(base, f"/api/v1/checklists?lang={lang}")["items"]
    written = [text for item in library for text in (item["text"], item["guidance"])]
    audits = [a["title"][lang] for a in read(base, "/api/v1/audits")]
    return {**catalog(base, lang), "": "\n".join([*written, *audits, *texts])}


def edited_workbook(exported: bytes, rows: list[list[str]]) -> tuple[bytes, list[int]]:
    """The exported workbook with `rows` appended to its ISO 9001 sheet; their row numbers."""
    workbook = load_workbook(io.BytesIO(exported))
    sheet = workbook["ISO 9001"]
    numbers = []
    for row in rows:
        sheet.append(row)
        numbers.append(sheet.max_row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), numbers


def upload(page: Page, path: Path) -> None:
    page.get_by_test_id("field-workbook").set_input_files(str(path))
    with page.expect_response(lambda r: r.url.endswith("/api/v1/checklists/import")):
        page.get_by_test_id("import-xlsx").click()
    page.get_by_test_id("import-report").wait_for()


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_workbook_with_one_bad_row_is_refused_with_that_row_shown(
    browser: Browser, app_url: str, lang: str, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page, errors = open_page(browser, app_url, "lead", lang)
    open_section(page, app_url, "view=checklist&part=workbook", "download-xlsx")
    with page.expect_download(timeout=60_000) as started:
        page.get_by_test_id("download-xlsx").click()
    assert started.value.suggested_filename == f"tadqiq-checklist-{lang}.xlsx"
    exported = Path(started.value.path()).read_bytes()
    good = ["", "", "iso9001:8.2.1", QUESTION["ar"], QUESTION["fr"], "", HINT["ar"], HINT["fr"], "", "", ""]
    bad = ["", "", BAD_CLAUSE, "", "Clause inventée", "", "", "", "", "", ""]
    content, (good_row, bad_row) = edited_workbook(exported, [good, bad])
    (tmp_path / "bad.xlsx").write_bytes(content)
    before = read(app_url, "/api/v1/org-questions?includeRetired=true")

    page.get_by_test_id("field-workbook").set_input_files(str(tmp_path / "bad.xlsx"))
    expect(page.get_by_test_id("field-workbook-problem")).to_have_count(0)
    upload(page, tmp_path / "bad.xlsx")
    said = api(
        app_url,
        "POST",
        "/api/v1/checklists/import",
        "lead",
        lang,
        content=content,
        headers={"Content-Type": XLSX},
    )
    assert (said.status_code, said.json()["code"]) == (422, "checklists.import_refused")
    reasons = next(r for r in said.json()["details"]["rows"] if r["action"] == "refused")["reasons"]
    expect(page.locator("[data-testid=import-report][data-applied=false]")).to_have_count(1)
    refused = page.locator("[data-testid=import-row][data-action=refused]")
    expect(refused).to_have_count(1)
    expect(refused).to_have_attribute("data-row", str(bad_row))
    expect(refused.locator("td").last).to_have_text(" ; ".join(reasons))
    assert any(BAD_CLAUSE in reason for reason in reasons)
    expect(page.locator(f"[data-testid=import-row][data-row='{good_row}']")).to_have_attribute(
        "data-action", "added"
    )
    expect(page.get_by_test_id("refusal")).to_have_text(said.json()["message"])
    assert read(app_url, "/api/v1/org-questions?includeRetired=true") == before  # nothing imported
    check(page, "admin-checklist-import-refused", lang, shown_words(app_url, lang, *reasons))

    (tmp_path / "notes.txt").write_text("pas un classeur")
    page.get_by_test_id("field-workbook").set_input_files(str(tmp_path / "notes.txt"))  # said as chosen
    expect(page.get_by_test_id("field-workbook")).to_have_attribute("aria-invalid", "true")
    content, _ = edited_workbook(exported, [good])
    (tmp_path / "good.xlsx").write_bytes(content)
    upload(page, tmp_path / "good.xlsx")
    expect(page.locator("[data-testid=import-report][data-applied=true]")).to_have_count(1)
    added = [q for q in read(app_url, "/api/v1/org-questions") if q not in before]
    assert [(q["text"]["fr"], q["clauses"]) for q in added] == [(QUESTION["fr"], ["iso9001:8.2.1"])]
    assert errors == []


def fill_question(page: Page) -> None:
    page.get_by_test_id("field-standard-0").select_option("iso9001")
    page.get_by_test_id("field-clause-0").select_option("7.5.3.2")
    for lang in ("ar", "fr"):
        page.get_by_test_id(f"field-text-{lang}").fill(QUESTION[lang])
        page.get_by_test_id(f"field-guidance-{lang}").fill(HINT[lang])


def a_refusal_is_said_beside_the_field(page: Page, base: str, lang: str) -> None:
    """Only the server knows some refusals (a clause with sub-clauses): its words, beside the clauses."""
    from playwright.sync_api import Route, expect

    body = {"clauses": ["iso9001:7.5"], "text": QUESTION, "guidance": HINT}

    def elsewhere(route: Route) -> None:
        route.continue_(post_data=(route.request.post_data or "").replace("iso9001:7.5.3.2", "iso9001:7.5"))

    page.route("**/api/v1/org-questions", elsewhere)
    page.get_by_test_id("save-question").click()
    said = api(base, "POST", "/api/v1/org-questions", "lead", lang, json=body)
    assert (said.status_code, said.json()["code"]) == (422, "checklists.unknown_clause")
    expect(page.get_by_test_id("field-clauses-problem")).to_have_text(said.json()["message"])
    page.unroute("**/api/v1/org-questions", elsewhere)


def the_question_is_in_the_library(page: Page, base: str, code: str, lang: str) -> None:
    from playwright.sync_api import expect

    other = "fr" if lang == "ar" else "ar"
    open_section(page, base, "view=checklist&part=library", "found")
    page.get_by_test_id("field-query").fill(QUESTION[lang][:30])
    found = page.locator(f"[data-testid=library-question][data-id='{code}']")
    expect(found).to_have_attribute("data-source", "organisation")
    expect(found.get_by_test_id("question-text")).to_have_text(QUESTION[lang])
    page.get_by_test_id("show-other").check()
    expect(found.get_by_test_id("other-text").first).to_have_text(QUESTION[other])
    expect(found.get_by_test_id("other-text").first).to_have_attribute("lang", other)
    check(page, "admin-checklist-library", lang, shown_words(base, lang, QUESTION[other], HINT[other]))
    page.get_by_test_id("show-other").uncheck()


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_the_lead_adds_a_question_finds_it_in_the_library_and_retires_it(
    browser: Browser, app_url: str, lang: str
) -> None:
    from playwright.sync_api import expect

    words = catalog(app_url, lang)
    page, errors = open_page(browser, app_url, "lead", lang)
    open_section(page, app_url, "view=checklist&part=own", "question-form")
    page.get_by_test_id("field-text-ar").fill("x")
    page.get_by_test_id("field-text-ar").fill("")  # as typed: the problem beside the field
    missing = words.get("Write the question in this language.", "Write the question in this language.")
    expect(page.get_by_test_id("field-text-ar-problem")).to_have_text(missing)
    expect(page.get_by_test_id("field-text-ar")).to_have_attribute("aria-invalid", "true")
    page.get_by_test_id("save-question").click()  # nothing sent: every problem shown
    expect(page.get_by_test_id("field-clause-0-problem")).to_be_visible()
    expect(page.get_by_test_id("field-text-fr-problem")).to_have_text(missing)
    check(page, "admin-checklist-own-problems", lang, words)

    fill_question(page)
    expect(page.locator("[aria-invalid=true]")).to_have_count(0)
    a_refusal_is_said_beside_the_field(page, app_url, lang)
    with page.expect_response(
        lambda r: r.url.endswith("/api/v1/org-questions") and r.status == 201
    ) as created:
        page.get_by_test_id("save-question").click()
    code = created.value.json()["code"]
    row = page.locator(f"[data-testid=own-question][data-code='{code}']")
    expect(row).to_have_attribute("data-retired", "false")
    check(page, "admin-checklist-own", lang, {**words, "": "\n".join([*QUESTION.values(), *HINT.values()])})

    row.get_by_test_id("edit-question").click()  # a change names the revision it was read at
    expect(page.get_by_test_id("field-text-ar")).to_be_focused()
    expect(page.get_by_test_id(f"field-text-{lang}")).to_have_value(QUESTION[lang])
    page.get_by_test_id("field-guidance-fr").fill(BETTER_HINT)
    with page.expect_response(lambda r: r.request.method == "PUT") as changed:
        page.get_by_test_id("save-question").click()
    assert changed.value.status == 200 and changed.value.json()["rev"] == 2
    expect(page.get_by_test_id("field-guidance-fr")).to_have_value("")  # the form is free again

    the_question_is_in_the_library(page, app_url, code, lang)

    open_section(page, app_url, "view=checklist&part=own", "question-form")
    row.get_by_test_id("retire-question").click()
    expect(page.get_by_test_id("confirm-retire")).to_be_focused()
    page.get_by_test_id("confirm-retire").click()
    expect(row).to_have_attribute("data-retired", "true")
    stored = next(q for q in read(app_url, "/api/v1/org-questions?includeRetired=true") if q["code"] == code)
    assert stored["retiredAt"] is not None
    expect(row.get_by_test_id("retire-question")).to_have_count(0)
    open_section(page, app_url, "view=checklist&part=library", "found")
    page.get_by_test_id("field-query").fill(QUESTION[lang][:30])
    expect(page.locator(f"[data-testid=library-question][data-id='{code}']")).to_have_count(0)
    assert errors == []
    the_trail_shows_the_change(browser, app_url, code, lang)


def the_trail_shows_the_change(browser: Browser, base: str, code: str, lang: str) -> None:
    """The admin finds the lead's changes to the question, newest first, and opens each before and after."""
    from playwright.sync_api import expect

    page, errors = open_page(browser, base, "admin", lang)
    open_section(page, base, "view=trail", "trail-filters")
    page.get_by_test_id("field-actor").fill("lead sans")  # as typed
    expect(page.get_by_test_id("field-actor")).to_have_attribute("aria-invalid", "true")
    page.get_by_test_id("field-actor").fill("lead")
    page.get_by_test_id("field-entity").select_option("question")
    page.get_by_test_id("field-entityId").fill(code)
    page.get_by_test_id("trail-show").click()
    entries = page.get_by_test_id("trail-entry")
    expect(entries).to_have_count(3)
    assert [e.get_attribute("data-action") for e in entries.all()] == ["retire", "update", "create"]
    stored = read(base, f"/api/v1/audit-trail?entity=question&entityId={code}&actor=lead", "admin")["items"]
    assert [e["action"] for e in stored] == ["retire", "update", "create"]
    detail = page.get_by_test_id("entry-detail")
    entries.nth(0).get_by_test_id("open-entry").click()
    expect(entries.nth(0).get_by_test_id("open-entry")).to_have_attribute("aria-expanded", "true")
    expect(detail.locator("tr[data-field]")).to_have_count(len(stored[0]["changes"]))
    expect(detail.locator("tr[data-field=retired_at] td").last).not_to_be_empty()
    entries.nth(1).get_by_test_id("open-entry").click()  # one open at a time: the change, field by field
    expect(detail).to_have_count(1)
    assert stored[1]["changes"] == {"guidance_fr": [HINT["fr"], BETTER_HINT]}
    expect(detail.locator("tr[data-field]")).to_have_count(1)
    expect(detail.locator("tr[data-field=guidance_fr] td")).to_have_text([HINT["fr"], BETTER_HINT])
    entries.nth(2).get_by_test_id("open-entry").click()  # the creation: what the lead wrote, isolated
    text = detail.locator(f"tr[data-field=text_{lang}] td")
    expect(text.last).to_have_text(QUESTION[lang])
    expect(text.last.locator("bdi")).to_have_count(1)
    check(
        page,
        "admin-trail",
        lang,
        {**catalog(base, lang), "": "\n".join([*QUESTION.values(), *HINT.values(), BETTER_HINT, code])},
    )
    page.get_by_test_id("field-actor").fill("auditor1")
    page.get_by_test_id("trail-show").click()
    expect(page.get_by_test_id("trail-empty")).to_be_visible()
    the_whole_trail_pages_newest_first(page, base)
    assert errors == []


def the_whole_trail_pages_newest_first(page: Page, base: str) -> None:
    from playwright.sync_api import expect

    first = read(base, "/api/v1/audit-trail?limit=25", "admin")
    second = read(base, f"/api/v1/audit-trail?limit=25&beforeId={first['nextBeforeId']}", "admin")
    page.get_by_test_id("trail-clear").click()
    entries = page.get_by_test_id("trail-entry")
    expect(entries.first).to_have_attribute("data-id", str(first["items"][0]["id"]))
    page.get_by_test_id("page-next").click()
    expect(entries.first).to_have_attribute("data-id", str(second["items"][0]["id"]))
    ids = [int(e.get_attribute("data-id") or 0) for e in entries.all()]
    assert ids == [e["id"] for e in second["items"]] and ids == sorted(ids, reverse=True)
    expect(page.locator("#trail-results")).to_be_focused()
    page.get_by_test_id("page-previous").click()
    expect(entries.first).to_have_attribute("data-id", str(first["items"][0]["id"]))


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_each_audit_shows_the_version_it_pinned_and_opens_it(
    browser: Browser, app_url: str, lang: str
) -> None:
    from playwright.sync_api import expect

    audits = read(app_url, "/api/v1/audits")
    page, errors = open_page(browser, app_url, "lead", lang)
    open_section(page, app_url, "view=checklist&part=versions", "pinned-versions")
    rows = page.get_by_test_id("pinned")
    expect(rows).to_have_count(min(len(audits), 20))
    pinned = next(a for a in audits if a["checklistVersion"])
    page.locator(f"[data-testid=pinned][data-code='{pinned['code']}'] [data-testid=version-link]").click()
    version = pinned["checklistVersion"]
    snapshot = read(app_url, f"/api/v1/checklists/versions/{version}")
    shown = page.locator(f"[data-testid=version][data-version='{version}'] [data-testid=version-questions]")
    codes = [q["code"] for q in snapshot["organisationQuestions"]] + [q["id"] for q in snapshot["questions"]]
    expect(shown.locator("tbody tr")).to_have_count(min(25, len(codes)))
    expect(shown.locator("tbody tr th")).to_have_text(codes[:25])
    page.locator("[data-testid=version] [data-testid=page-next]").click()  # the next page of the same version
    expect(shown.locator("tbody tr th")).to_have_text(codes[25:50])
    check(
        page,
        "admin-checklist-versions",
        lang,
        shown_words(app_url, lang, *(q["text"][lang] for q in snapshot["questions"])),
    )
    assert errors == []


def test_the_screens_pure_checks(browser: Browser, app_url: str) -> None:
    page = browser.new_page()
    page.goto(f"{app_url}/")
    page.get_by_test_id("signin-form").wait_for()
    results: Any = page.evaluate("""async () => {
      const lib = await import('/scripts/admin/checklist.js');
      const own = await import('/scripts/admin/checklist-own.js');
      const trail = await import('/scripts/admin/trail.js');
      const items = [
        { id: 'a', clauses: ['iso9001:7.5.3.2', 'iso14001:7.5.3'], text: 'Délai légal', guidance: '' },
        { id: 'b', clauses: ['iso9001:7.1.5.1'], text: 'Étalonnage', guidance: 'سجلّ' }];
      const ids = (standard, clause, query) => lib.libraryFilter(items, { standard, clause, query })
        .map((i) => i.id);
      const leaves = { iso9001: [['7.5.3.2', ''], ['7.1.5.1', '']] };
      const at = (...numbers) => numbers.map((number) => ({ standard: 'iso9001', number }));
      const problems = (clauses, ar, fr) => Object.keys(own.questionProblems(
        { clauses, text: { ar, fr }, guidance: { ar: '', fr: 'x'.repeat(2001) } }, leaves));
      const f = { entity: 'question', entityId: 'org-001', actor: ' Lead ' };
      Object.assign(f, { from: '2026-03-01', to: '2026-03-31' });
      const query = (beforeId) => new URLSearchParams(trail.trailQuery(f, beforeId));
      return [ids('iso9001', '7.5', ''), ids('', '', 'delai'), ids('iso9001', '', 'سجل'),
        ids('iso9001', '7.1.5', 'legal'),
        lib.clauseCounts(items, 'iso9001'),
        problems(at('7.5.3.2'), 'س', 'q'), problems(at('', '7.5'), '', ' '),
        problems(at('7.1.5.1', '7.1.5.1'), 'a', 'b'),
        Object.keys(trail.filterProblems(f)),
        Object.keys(trail.filterProblems({ ...f, actor: 'a b', to: '2026-02-01' })),
        query(41).get('actor'), query(41).get('beforeId'), query().has('beforeId'),
        (new Date(query().get('until')) - new Date(query().get('since'))) / 86400000];
    }""")
    assert results == [
        ["a"],
        ["a"],
        ["b"],
        [],
        {"7": 2, "7.5": 1, "7.5.3": 1, "7.5.3.2": 1, "7.1": 1, "7.1.5": 1, "7.1.5.1": 1},
        ["guidance-fr"],
        ["clause-0", "clause-1", "text-ar", "text-fr", "guidance-fr"],
        ["clause-1", "guidance-fr"],
        [],
        ["actor", "to"],
        "lead",
        "41",
        False,
        31,
    ]

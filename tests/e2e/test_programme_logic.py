"""The programme screens' pure module (pwa/scripts/programme/logic.js), run in Chromium as the app loads
it: month names, initials, the grid's rows, impartiality, the pin's form and body, the field a refusal
is about, coverage by standard, what a version's change says, the risk inputs sent."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import base_settings
from tests.contract.live_server import live_server
from tests.e2e.conftest import CHROMIUM, playwright_driver

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Page


@pytest.fixture(scope="module")
def page(templates: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    """One server, browser and page for the module: these tests only read the module."""
    tmp = tmp_path_factory.mktemp("programme-logic")
    shutil.copyfile(templates["sqlite"], tmp / "tadqiq.sqlite3")
    with (
        live_server(base_settings(tmp, f"sqlite:///{tmp / 'tadqiq.sqlite3'}")) as base,
        playwright_driver() as driver,
    ):
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        opened = browser.new_page()
        opened.goto(f"{base}/")
        opened.get_by_test_id("signin-form").wait_for()
        yield opened
        browser.close()


def run(page: Page, body: str) -> Any:
    """``body`` is a function of the module's exports; its result comes back as JSON."""
    script = f"async () => {{ const m = await import('/scripts/programme/logic.js'); return ({body})(m); }}"
    return page.evaluate(script)


ENTRY = """{id: "e1", processId: "p1", occurrence: 0, month: 3, leadId: "a", auditorIds: ["b", "c"],
  pinnedMonth: false, pinnedTeam: false, overrideReason: "", auditId: null}"""
UNITS = """new Map([["dir", {parentId: null}], ["div", {parentId: "dir"}], ["svc", {parentId: "div"}],
  ["other", {parentId: "dir"}], ["loop1", {parentId: "loop2"}], ["loop2", {parentId: "loop1"}]])"""
PEOPLE = """new Map([["a", {unitId: "other"}], ["b", {unitId: "div"}], ["c", {unitId: "svc"}],
  ["d", {unitId: "dir"}]])"""


def test_months_are_named_in_the_screens_language_january_first(page: Page) -> None:
    names = run(page, "(m) => [m.monthNames('fr-MA', 'long'), m.monthNames('ar-MA-u-nu-latn', 'long')]")
    assert names[0][0] == "janvier" and names[0][11] == "décembre" and len(names[0]) == 12
    assert names[1][0] == "يناير" and names[1][7] == "غشت"  # Morocco's month names


def test_initials_take_the_first_and_last_words_and_keep_arabic_letters_apart(page: Page) -> None:
    shown = run(
        page, """(m) => ["Latifa Amzil", "Saïd Aït Benhaddou", "Anas", "  ", "لطيفة أمزيل"].map(m.initials)"""
    )
    assert shown == ["LA", "SB", "A", "", "ل\u200cأ"]  # a zero-width non-joiner: no lam-alef ligature


def test_the_grid_has_a_row_per_process_in_the_risk_tables_order_with_entries_by_month(page: Page) -> None:
    rows = run(
        page,
        """(m) => m.gridRows([{processId: "p2", code: "B"}, {processId: "p1", code: "A"}], [
          {id: "x", processId: "p1", occurrence: 1, month: 9},
          {id: "y", processId: "p1", occurrence: 0, month: 2},
          {id: "z", processId: "p2", occurrence: 0, month: 9},
          {id: "lost", processId: "p9", occurrence: 0, month: 1}])
          .map((r) => [r.code, r.cells.map((c) => c.map((e) => e.id).join("")).join("|")])""",
    )
    assert rows == [["B", "||||||||z|||"], ["A", "|y|||||||x|||"]]


def test_a_member_of_the_audited_unit_or_of_a_unit_above_it_needs_an_override(page: Page) -> None:
    found = run(
        page,
        f"""(m) => [m.needingOverride(["a", "b", "c", "d", "nobody"], "div", {PEOPLE}, {UNITS}),
          m.conflicted("svc", "div", {UNITS}), m.conflicted("x", "loop1", {UNITS}), m.teamOf({ENTRY})]""",
    )
    assert found == [["b", "d"], False, False, ["a", "b", "c"]]  # a unit below the audited one is no conflict


def test_the_pin_form_starts_from_the_entry_and_sends_what_the_solver_may_not_change(page: Page) -> None:
    forms = run(
        page,
        f"""(m) => [m.pinForm({ENTRY}), m.pinForm({{...{ENTRY}, pinnedTeam: true, overrideReason: "why"}}),
          m.pinBody({{month: "5", leadId: "", auditorIds: ["b"], overrideReason: " "}}),
          m.pinBody({{month: "", leadId: "a", auditorIds: ["a", "b"], overrideReason: " because "}})]""",
    )
    assert forms[0] == {"month": "3", "leadId": "", "auditorIds": [], "overrideReason": ""}
    assert forms[1] == {"month": "3", "leadId": "a", "auditorIds": ["b", "c"], "overrideReason": "why"}
    assert forms[2] == {"month": 5, "leadId": None, "auditorIds": None, "overrideReason": ""}
    assert forms[3] == {"month": None, "leadId": "a", "auditorIds": ["b"], "overrideReason": "because"}


def test_the_pin_form_refuses_nothing_to_pin_and_an_override_without_its_reason(page: Page) -> None:
    problems = run(
        page,
        """(m) => [m.pinProblems({month: "", leadId: "", overrideReason: ""}, []),
          m.pinProblems({month: "4", leadId: "a", overrideReason: "  "}, ["a"]),
          m.pinProblems({month: "4", leadId: "a", overrideReason: "ok"}, ["a"]),
          m.pinProblems({month: "4", leadId: "", overrideReason: ""}, ["a"])]""",
    )
    assert problems == [["month"], ["overrideReason"], [], []]


def test_a_refusal_goes_beside_the_field_it_is_about(page: Page) -> None:
    fields = run(
        page,
        """(m) => [m.refusedField("programme.override_required", {personIds: ["a"]}),
          m.refusedField("request.validation_failed", [{field: "$.leadId", message: "x"}]),
          m.refusedField("request.validation_failed", [{field: "auditorIds[1]", message: "x"}]),
          m.refusedField("programme.pin_invalid", {field: "month"}),
          m.refusedField("request.precondition_failed", {currentRev: 4}),
          m.refusedField("request.validation_failed", [{field: "$.rev", message: "x"}])]""",
    )
    assert fields == ["overrideReason", "leadId", "auditorIds", "month", None, None]


def test_coverage_is_grouped_by_standard_with_its_gaps_and_uncoverable_clauses(page: Page) -> None:
    groups = run(
        page,
        """(m) => m.coverageGroups([
          {clause: "iso9001:4.1", standard: "iso9001", gap: false, uncoverable: false},
          {clause: "iso9001:4.2", standard: "iso9001", gap: true, uncoverable: false},
          {clause: "iso14001:6.1", standard: "iso14001", gap: true, uncoverable: true},
          {clause: "iso9001:10.2", standard: "iso9001", gap: true, uncoverable: false}])
          .map((g) => [g.standard, g.rows.map((r) => r.clause), g.gaps, g.uncoverable])""",
    )
    assert groups == [
        ["iso9001", ["iso9001:4.1", "iso9001:4.2", "iso9001:10.2"], 2, 0],  # the server's clause order
        ["iso14001", ["iso14001:6.1"], 1, 1],
    ]


def test_a_versions_change_reads_as_months_names_or_the_reason(page: Page) -> None:
    said = run(
        page,
        """(m) => {
          const month = (n) => ["jan", "feb", "mar"][n - 1];
          const person = (id) => id.toUpperCase();
          const said = (kind, value) => m.changeValue(kind, value, month, person);
          return [said("moved", "3"), said("added", ""), said("team", "a,b,c"), said("override", "because")];
        }""",
    )
    assert said == ["mar", "", "A, B, C", "because"]


def test_risk_inputs_are_sent_whole_and_within_bounds(page: Page) -> None:
    bodies = run(
        page,
        """(m) => [
          m.riskBody({criticality: "7", changes: "2", complaints: "-1", openActions: "1.6", note: " n "}),
          m.riskBody({criticality: "", changes: "", complaints: "x", openActions: 5000}),
          [m.auditsPerYear({auditsMin: 0, auditsMax: 1}), m.auditsPerYear({auditsMin: 2, auditsMax: 2})],
          [m.reasonRequired({version: 1}), m.reasonRequired({version: 2})]]""",
    )
    assert bodies[0] == {"criticality": 5, "changes": 2, "complaints": 0, "openActions": 2, "note": "n"}
    assert bodies[1] == {"criticality": 1, "changes": 0, "complaints": 0, "openActions": 1000, "note": ""}
    assert bodies[2:] == [["0–1", "2"], [False, True]]

"""The app's pure modules (no DOM, no storage), run in Chromium as the app loads them: the checklist
by clause, filters, merge, op shapes, drafts, routes and message formatting."""

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
    """One server, browser and page for the module: these tests only read the app's modules."""
    tmp = tmp_path_factory.mktemp("logic")
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


def run(page: Page, module: str, body: str) -> Any:
    """``body`` is a function of the module's exports; its result comes back as JSON."""
    script = f"async () => {{ const m = await import('/scripts/{module}.js'); return ({body})(m); }}"
    return page.evaluate(script)


ITEMS = """[
  {id: "a-001", clauses: ["iso9001:10.2"]}, {id: "a-002", clauses: ["iso14001:4.1", "iso9001:4.1"]},
  {id: "a-003", clauses: ["iso9001:4.10"]}, {id: "a-004", clauses: ["iso45001:4.1.2"]},
  {id: "a-005", clauses: ["iso9001:9.1.2"]},
]"""
ANSWERS = """new Map([["a-002", {data: {verdict: "nc_major"}}], ["a-004", {data: {verdict: "conform"}}],
  ["a-005", {data: {}}]])"""


def test_the_checklist_is_grouped_by_clause_in_clause_order_with_its_progress(page: Page) -> None:
    groups = run(page, "auditLogic", f"(m) => m.groupByClause({ITEMS}, {ANSWERS}, 'all')")
    assert [(g["number"], g["ref"], [i["id"] for i in g["items"]]) for g in groups] == [
        ("4.1", "iso14001:4.1", ["a-002", "a-004"]),
        ("4.10", "iso9001:4.10", ["a-003"]),
        ("9.1", "iso9001:9.1", ["a-005"]),
        ("10.2", "iso9001:10.2", ["a-001"]),
    ]
    progress = [(g["answered"], g["total"], g["nonconformities"]) for g in groups]
    assert progress == [(2, 2, 1), (0, 1, 0), (0, 1, 0), (0, 1, 0)]


def test_filters_keep_the_unanswered_or_the_nonconformities_and_counts_stay_whole(page: Page) -> None:
    unanswered = run(
        page, "auditLogic", f"(m) => m.filterItems({ITEMS}, 'unanswered', {ANSWERS}).map((i) => i.id)"
    )
    assert unanswered == ["a-001", "a-003", "a-005"]  # a verdict-less draft is not an answer
    groups = run(page, "auditLogic", f"(m) => m.groupByClause({ITEMS}, {ANSWERS}, 'nc')")
    first = groups[0]
    assert (first["number"], [i["id"] for i in first["items"]], first["total"]) == ("4.1", ["a-002"], 2)
    assert all(not g["items"] for g in groups[1:])


def test_verdict_counts_ignore_deleted_findings_and_drafts_without_verdict(page: Page) -> None:
    counts = run(
        page,
        "auditLogic",
        """(m) => m.verdictCounts([{data: {verdict: "conform"}}, {data: {verdict: "conform"}},
        {deleted: true, data: {verdict: "nc_minor"}}, {data: {}}, {data: {verdict: "improvement"}}])""",
    )
    assert counts == {
        "conform": 2,
        "nc_major": 0,
        "nc_minor": 0,
        "observation": 0,
        "improvement": 1,
        "not_applicable": 0,
    }


def test_a_merge_takes_each_chosen_field_from_its_side(page: Page) -> None:
    merged = run(
        page,
        "auditLogic",
        """(m) => m.mergeFields(
        {verdict: "nc_minor", statement: "mine", evidence: "E1", questionId: "q-001"},
        {verdict: "observation", statement: "theirs", evidence: "E2", questionId: "q-001"},
        ["verdict", "statement", "evidence"], {statement: "theirs"})""",
    )
    assert merged == {"verdict": "nc_minor", "statement": "theirs", "evidence": "E1", "questionId": "q-001"}


def test_ops_follow_the_sync_protocol(page: Page) -> None:
    ops = run(
        page,
        "ops",
        """(m) => [
      m.pushOp({entity: "finding", kind: "upsert", id: "f1", auditId: "a1",
        data: {verdict: "conform", statement: "  ok  ", clientUpdatedAt: "2026-12-03T10:00:00.000Z"}}, null),
      m.pushOp({entity: "meeting", kind: "upsert", id: "m1", auditId: "a1", data: {kind: "opening",
        heldAt: "2026-12-03T09:00:00.000Z",
        attendees: [{name: " Amina ", role: "", present: false}, {name: "  "}]}}, 3),
      m.pushOp({entity: "finding", kind: "delete", id: "f2", auditId: "a1", data: {}}, 4),
      m.entityOfOp({op: "upsertConclusion"}),
    ]""",
    )
    assert ops[0] == {
        "op": "upsertFinding",
        "id": "f1",
        "auditId": "a1",
        "data": {
            "verdict": "conform",
            "questionId": None,
            "statement": "ok",
            "evidence": "",
            "clauseRefs": [],
            "auditeeResponse": "",
            "attachments": [],
            "photosTakenAt": {},
            "clientUpdatedAt": "2026-12-03T10:00:00.000Z",
        },
    }
    assert ops[1]["baseRev"] == 3
    assert ops[1]["data"]["attendees"] == [{"name": "Amina", "role": "", "present": False}]
    assert ops[2] == {"op": "deleteFinding", "id": "f2", "baseRev": 4}
    assert ops[3] == "conclusion"


def test_a_conclusion_op_says_why_the_auditee_did_not_sign(page: Page) -> None:
    data = run(
        page,
        "ops",
        """(m) => [m.pushOp({entity: "conclusion", kind: "upsert", id: "c1", auditId: "a1",
        data: {auditeeUnsignedReason: "  Absent at the closing meeting. "}}, 1).data,
        m.pushOp({entity: "conclusion", kind: "upsert", id: "c1", auditId: "a1", data: {}}, 2).data]""",
    )
    assert [d["auditeeUnsignedReason"] for d in data] == ["Absent at the closing meeting.", ""]


def test_a_finding_op_carries_the_capture_time_of_its_attached_photos_only(page: Page) -> None:
    kept, dropped = "a" * 64, "b" * 64
    data = run(
        page,
        "ops",
        f"""(m) => m.pushOp({{entity: "finding", kind: "upsert", id: "f1", auditId: "a1", data: {{
        verdict: "conform", attachments: ["{kept}"], photosTakenAt: {{
          "{kept}": "2026-12-03T09:58:12.000Z", "{dropped}": "2026-12-03T09:59:40.000Z"}}}}}}, 2).data""",
    )
    assert data["attachments"] == [kept]
    assert data["photosTakenAt"] == {kept: "2026-12-03T09:58:12.000Z"}


def test_a_record_the_server_would_refuse_stays_a_draft(page: Page) -> None:
    reasons = run(
        page,
        "ops",
        """(m) => [
      m.draftReason("finding", {questionId: "q-001"}),
      m.draftReason("finding", {questionId: "q-001", verdict: "observation", evidence: "  "}),
      m.draftReason("finding", {verdict: "conform"}),
      m.draftReason("finding", {verdict: "conform", clauseRefs: ["iso9001:4.1"]}),
      m.draftReason("finding", {questionId: "q-001", verdict: "improvement"}),
      m.attachmentsOf("conclusion", {signatures: [{attachment: "ab"}, {attachment: "cd"}]}),
    ]""",
    )
    assert reasons[0] == "Choose a verdict."
    assert reasons[1] == "A nonconformity or an observation needs its evidence."
    assert reasons[2] == "Cite at least one clause."
    assert reasons[3:5] == [None, None]
    assert reasons[5] == ["ab", "cd"]


def test_routes_read_back_what_href_writes(page: Page) -> None:
    routes = run(
        page,
        "router",
        """(m) => [
      m.parseRoute(m.href("question", {auditId: "a 1", questionId: "ctx-001"})),
      m.parseRoute(m.href("checklist", {auditId: "a1"}, {filter: "nc"})),
      m.parseRoute("#/nowhere/at/all"),
    ]""",
    )
    question = {"auditId": "a 1", "questionId": "ctx-001"}
    assert routes[0] == {"name": "question", "params": question, "query": {}}
    assert routes[1] == {"name": "checklist", "params": {"auditId": "a1"}, "query": {"filter": "nc"}}
    assert routes[2]["name"] == "audits"


def test_placeholders_are_filled_and_isolated_in_arabic(page: Page) -> None:
    texts = run(
        page,
        "i18n",
        """async (m) => {
      const french = m.format("%(count)s changes, %(missing)s", {count: 3});
      await m.setLanguage("ar");
      return [french, m.format("%(count)s", {count: 3}), document.documentElement.dir];
    }""",
    )
    assert texts == ["3 changes, %(missing)s", "\u20683\u2069", "rtl"]


def test_a_report_is_issued_by_the_audits_lead_auditor_or_the_audit_lead_once_the_audit_is_reported(
    page: Page,
) -> None:
    allowed = run(
        page,
        "leadLogic",
        """(m) => {
      const team = [{personId: "p1", role: "lead"}, {personId: "p2", role: "auditor"}];
      const cases = [
        ["reported", ["auditor"], "p1"], ["signed", ["auditor"], "p1"], ["closed", ["auditor"], "p1"],
        ["in_progress", ["auditor"], "p1"], ["cancelled", ["auditor"], "p1"], ["reported", ["auditor"], "p2"],
        ["signed", ["audit_lead", "auditor"], "p9"], ["prepared", ["audit_lead"], "p9"],
        ["signed", ["manager"], "p7"], ["signed", ["auditee"], null]];
      return cases.map(([status, roles, personId]) => m.mayIssue({roles, personId}, {status, team}));
    }""",
    )
    assert allowed == [True, True, True, False, False, False, True, False, False, False]

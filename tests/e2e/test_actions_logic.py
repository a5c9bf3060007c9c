"""The nonconformity screens' pure module (pwa/scripts/actions/logic.js), run in Chromium as the app loads
it: the step a record waits for, age and the board's counts, the analysis, plan, progress and verdict checks
that mirror the server's refusals, the field a refusal is about; and the tablet's database upgraded to the
version with the nonconformity store without losing what an older version stored."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import base_settings
from tests.contract.live_server import live_server
from tests.e2e.conftest import CHROMIUM, playwright_driver

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, Page


@pytest.fixture(scope="module")
def served(
    templates: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Browser]]:
    tmp = tmp_path_factory.mktemp("actions-logic")
    shutil.copyfile(templates["sqlite"], tmp / "tadqiq.sqlite3")
    with (
        live_server(base_settings(tmp, f"sqlite:///{tmp / 'tadqiq.sqlite3'}")) as base,
        playwright_driver() as driver,
    ):
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield base, browser
        browser.close()


@pytest.fixture(scope="module")
def page(served: tuple[str, Browser]) -> Page:
    """One page for the module: these tests only read the module."""
    base, browser = served
    opened = browser.new_page()
    opened.goto(f"{base}/")
    opened.get_by_test_id("signin-form").wait_for()
    return opened


def run(page: Page, body: str) -> Any:
    """``body`` is a function of the module's exports; its result comes back as JSON."""
    script = f"async () => {{ const m = await import('/scripts/actions/logic.js'); return ({body})(m); }}"
    return page.evaluate(script)


NC = """(status, actions = [], more = {}) => ({status, actions, severity: "minor", openedOn: "2026-10-01",
  ageDays: 10, ...more})"""


def test_the_next_step_follows_the_status_and_the_actions_progress(page: Page) -> None:
    steps = run(
        page,
        f"""(m) => {{ const nc = {NC}; return [
          ...["open", "analysis", "action_plan", "verification", "closed",
            "rejected"].map((s) => m.nextStep(nc(s))),
          m.nextStep(nc("in_progress", [{{status: "done"}}, {{status: "planned"}}])),
          m.nextStep(nc("in_progress", [{{status: "done"}}, {{status: "cancelled"}}]))]; }}""",
    )
    assert steps == ["start", "analysis", "plan", "verify", None, None, "actions", "ask"]


def test_a_record_read_later_ages_and_the_board_counts_by_status_and_age(page: Page) -> None:
    found = run(
        page,
        f"""(m) => {{ const nc = {NC}, day = 86400000, at = "2026-12-01T08:00:00Z",
          now = Date.parse(at) + 3 * day + 1000;
          const ncs = [nc("open", [], {{ageDays: 27}}), nc("open", [], {{ageDays: 31}}), nc("closed", [],
            {{ageDays: 400}}),
            nc("analysis", [], {{ageDays: 0}}), nc("unknown", [], {{ageDays: 1}})];
          return {{ages: ncs.map((n) => m.ageNow(n, at, now)), columns: [0, 30, 31, 90, 91, 180, 181,
            5000].map(m.ageColumn),
            board: m.board(ncs, at, now).map((r) => [r.status, r.counts.join(","), r.total]),
            cell: ncs.filter((n) => m.inCell(n, "open", "1", at, now)).length,
            row: ncs.filter((n) => m.inCell(n, "open", "", at, now)).length,
            column: ncs.filter((n) => m.inCell(n, "", "0", at, now)).length}}; }}""",
    )
    assert found["ages"] == [30, 34, 403, 3, 4]  # three days since it was fetched
    assert found["columns"] == [0, 0, 1, 1, 2, 2, 3, 3]
    assert found["board"] == [
        ["open", "1,1,0,0", 2],
        ["analysis", "1,0,0,0", 1],
        ["action_plan", "0,0,0,0", 0],
        ["in_progress", "0,0,0,0", 0],
        ["verification", "0,0,0,0", 0],
        ["closed", "0,0,0,1", 1],
        ["rejected", "0,0,0,0", 0],
    ]
    assert (found["cell"], found["row"], found["column"]) == (1, 2, 3)


def test_the_analysis_is_checked_as_the_server_would_and_sent_without_blank_whys(page: Page) -> None:
    found = run(
        page,
        """(m) => {
          const form = m.analysisForm({correction: "", rootCause: null});
          const empty = [m.analysisProblems(form, false), m.analysisProblems(form, true)];
          Object.assign(form, {correction: " Registre complété ", cause: "Pas de procédure", whys: ["a",
            "b ", "", "", ""]});
          const good = m.analysisProblems(form, true), body = m.analysisBody(form);
          form.whys = ["a", "", "c", "", ""];
          const gap = m.analysisProblems(form, true);
          Object.assign(form, {method: "categories", categories: []});
          const none = m.analysisProblems(form, true);
          form.categories = ["method"];
          const kept = m.analysisForm({correction: "x", rootCause: {method: "five_whys", cause: "c",
            whys: ["w1"], categories: []}});
          return {empty, good, body, gap, none, categories: m.analysisBody(form).rootCause, kept: kept.whys};
        }""",
    )
    assert found["empty"] == [
        {"cause": "actions.root_cause_required", "whys": "actions.whys_invalid"},
        {
            "correction": "actions.correction_required",
            "cause": "actions.root_cause_required",
            "whys": "actions.whys_invalid",
        },
    ]
    assert found["good"] == {}
    assert found["body"] == {
        "correction": "Registre complété",
        "rootCause": {
            "method": "five_whys",
            "cause": "Pas de procédure",
            "whys": ["a", "b"],
            "categories": [],
        },
    }
    assert found["gap"] == {"whys": "actions.whys_invalid"}
    assert found["none"] == {"categories": "actions.categories_required"}
    assert found["categories"] == {
        "method": "categories",
        "cause": "Pas de procédure",
        "whys": [],
        "categories": ["method"],
    }
    assert found["kept"] == ["w1", "", "", "", ""]


def test_an_action_the_plan_the_progress_and_the_verdict_are_checked_before_sending(page: Page) -> None:
    found = run(
        page,
        f"""(m) => {{ const nc = {NC};
          const planned = {{id: "a1", type: "correction", description: "Compléter", ownerId: "p1",
            due: "2026-10-20",
            status: "planned", evidence: [], note: ""}};
          const record = nc("action_plan", [planned], {{severity: "major"}});
          return {{
            empty: m.actionProblems(m.emptyAction(), "2026-10-01"),
            early: m.actionProblems({{description: "x", ownerId: "p", due: "2026-09-30"}}, "2026-10-01"),
            fine: m.actionProblems({{description: "x", ownerId: "p", due: "2026-10-01"}}, "2026-10-01"),
            body: m.planBody(record, {{type: "corrective", description: " Procédure ", ownerId: "p2",
              due: "2026-11-01"}}),
            dropped: m.planBody(record, null, "a1"),
            major: m.planProblem(record), none: m.planProblem(nc("action_plan")),
            minor: m.planProblem(nc("action_plan", [planned])),
            cancelledOnly: m.planProblem(nc("action_plan", [{{...planned, status: "cancelled"}}])),
            done: m.progressProblems({{status: "done", evidence: [], note: ""}}),
            cancelled: m.progressProblems({{status: "cancelled", evidence: [], note: " "}}),
            going: m.progressProblems({{status: "in_progress", evidence: [], note: ""}}),
            ask: [m.askProblem(nc("in_progress", [planned])), m.askProblem(nc("in_progress",
              [{{...planned, status: "cancelled"}}])),
              m.askProblem(nc("in_progress", [{{...planned, status: "done"}}]))],
            verdicts: [m.verifyProblems({{verdict: "", comment: "", evidence: []}}),
              m.verifyProblems({{verdict: "effective", comment: "", evidence: []}}),
              m.verifyProblems({{verdict: "ineffective", comment: "", evidence: []}}),
              m.verifyProblems({{verdict: "effective", comment: "", evidence: ["ab"]}})],
          }}; }}""",
    )
    invalid = "actions.action_invalid"
    assert found["empty"] == {"description": invalid, "owner": invalid, "due": invalid}
    assert found["early"] == {"due": invalid} and found["fine"] == {}
    assert found["body"] == [
        {"id": "a1", "type": "correction", "description": "Compléter", "ownerId": "p1", "due": "2026-10-20"},
        {"type": "corrective", "description": "Procédure", "ownerId": "p2", "due": "2026-11-01"},
    ]
    assert found["dropped"] == []
    assert (found["major"], found["none"], found["minor"], found["cancelledOnly"]) == (
        "actions.corrective_required",
        "actions.no_action",
        None,
        "actions.no_action",
    )
    assert found["done"] == {"evidence": "actions.evidence_required"}
    assert found["cancelled"] == {"reason": "actions.reason_required"}
    assert found["going"] == {}
    assert found["ask"] == ["actions.open_actions", "actions.no_action", None]
    assert found["verdicts"] == [
        {"verdict": "verdict"},
        {"evidence": "actions.evidence_required"},
        {"reason": "actions.reason_required"},
        {},
    ]


def test_a_refusal_names_the_field_it_is_about(page: Page) -> None:
    fields = run(
        page,
        """(m) => [
          m.refusedField("actions.whys_invalid", {most: 5}), m.refusedField("actions.correction_required"),
          m.refusedField("actions.action_invalid", {action: "x", field: "owner"}),
          m.refusedField("actions.action_invalid", {action: "x", field: "due"}),
          m.refusedField("actions.reason_required"), m.refusedField("actions.evidence_required",
            {action: "a"}),
          m.refusedField("request.validation_failed", [{field: "$.actions[0].ownerId"}]),
          m.refusedField("request.validation_failed", [{field: "$.rootCause.whys[2]"}]),
          m.refusedField("request.validation_failed", [{field: "$.comment"}]),
          m.refusedField("request.validation_failed", [{field: "$.constructor"}]),
          m.refusedField("actions.wrong_status", {status: "open"}),
            m.refusedField("request.precondition_failed"),
        ]""",
    )
    assert fields == [
        "whys",
        "correction",
        "owner",
        "due",
        "reason",
        "evidence",
        "owner",
        "whys",
        "reason",
        None,
        None,
        None,
    ]


def test_a_file_is_named_by_its_sha256_in_hex(page: Page) -> None:
    digest = run(
        page, """async (m) => m.hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode("abc")))"""
    )
    assert digest == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


V1_STORES = """(db) => {
  db.createObjectStore("meta");
  db.createObjectStore("audits", { keyPath: "id" });
  db.createObjectStore("checklists", { keyPath: "auditId" });
  for (const name of ["findings", "meetings", "conclusions", "conflicts", "batches", "blobs"]) {
    db.createObjectStore(name, { keyPath: { batches: "key",
      blobs: "sha256" }[name] || "id" }).createIndex("auditId", "auditId");
  }
  const outbox = db.createObjectStore("outbox", { keyPath: "seq", autoIncrement: true });
  outbox.createIndex("auditId", "auditId");
  outbox.createIndex("ref", "id");
}"""


def test_the_upgrade_adds_the_nonconformity_store_and_keeps_what_version_1_stored(
    served: tuple[str, Browser],
) -> None:
    """A tablet that ran the app before the nonconformity screens: its database (version 1, as that
    version made it) holds a session, a finding and a change waiting to be sent."""
    base, browser = served
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/api/v1/health")  # the origin, without the app opening its database first
    page.evaluate(
        f"""() => new Promise((resolve, reject) => {{
          const request = indexedDB.open("tadqiq", 1);
          request.onupgradeneeded = () => ({V1_STORES})(request.result);
          request.onerror = () => reject(request.error);
          request.onsuccess = () => {{
            const db = request.result, tx = db.transaction(["meta", "findings", "outbox"], "readwrite");
            tx.objectStore("meta").put("tablette-7", "deviceId");
            tx.objectStore("findings").put({{id: "f1", auditId: "a1", data: {{verdict: "nc_minor"}}}});
            tx.objectStore("outbox").put({{id: "f1", auditId: "a1", op: "upsertFinding"}});
            tx.oncomplete = () => {{ db.close(); resolve(); }};
          }};
        }})"""
    )
    page.goto(f"{base}/")
    page.get_by_test_id("signin-form").wait_for()
    found = page.evaluate(
        """async () => {
          const db = await import('/scripts/db.js');
          await db.write(["ncs"], (tx) => tx.objectStore("ncs").put({data: [], fetchedAt: "t"}, "list:mine"));
          const version = await new Promise((resolve) => { const r = indexedDB.open("tadqiq");
            r.onsuccess = () => { resolve([r.result.version, [...r.result.objectStoreNames].sort()]);
              r.result.close(); }; });
          return {device: await db.getMeta("deviceId"), finding: await db.get("findings", "f1"),
            outbox: (await db.byAudit("outbox", "a1")).map((o) => [o.seq, o.op]),
            kept: await db.get("ncs", "list:mine"), version};
        }"""
    )
    context.close()
    assert found["device"] == "tablette-7"
    assert found["finding"] == {"id": "f1", "auditId": "a1", "data": {"verdict": "nc_minor"}}
    assert found["outbox"] == [[1, "upsertFinding"]]
    assert found["kept"] == {"data": [], "fetchedAt": "t"}
    assert found["version"][0] == 2
    version_1 = [
        "audits",
        "batches",
        "blobs",
        "checklists",
        "conclusions",
        "conflicts",
        "findings",
        "meetings",
    ]
    assert found["version"][1] == sorted([*version_1, "meta", "outbox", "ncs"])

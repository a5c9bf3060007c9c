"""Every route × every role × an own and a foreign object, compared with the table below.

The table says, for each operation, which roles get past authorization on an object of their own (an
audit whose team includes the auditor and whose audited unit is the auditee's) and on a foreign one.
"Denied" is 401/403/404 (a push refused per op counts too); anything else, a 409 for a business rule
included, means the request got past authorization. A route the table does not list, or a route that
declares no policy from ``server/auth/policy.py``, fails the test.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient
from PIL import Image

from server.auth.policy import policies_of
from server.settings import Settings
from tests.conftest import login
from tests.contract.support import finding, force_status
from tests.integration.actions.support import open_record
from tests.integration.programme.support import created as programme_created
from tests.integration.programme.support import solved as programme_solved
from tests.integration.programme.support import submitted as programme_submitted
from tests.integration.reports.support import register_fake_report

ROLES = ("admin", "lead", "auditor", "manager", "auditee")
ALL = frozenset(ROLES)
PROGRAMME = frozenset({"admin", "lead"})
READERS_OF_FOREIGN = frozenset({"admin", "lead", "manager"})
WRITERS = frozenset({"lead", "auditor"})
ADMIN_ONLY = frozenset({"admin"})
LEAD = frozenset({"lead"})
ANSWER = frozenset({"lead", "auditee"})  # the record's unit (the auditee heading it) and the audit lead


@dataclass
class World:
    """The objects of the scenario: ``own`` and ``foreign`` variants, by name."""

    headers: dict[str, dict[str, str]]
    own: dict[str, str]
    foreign: dict[str, str]
    shared: dict[str, str] = field(default_factory=dict)

    def of(self, which: str) -> dict[str, str]:
        return {**self.shared, **(self.own if which == "own" else self.foreign)}


Send = Callable[[AsyncTestClient[Any], World, str, str], Awaitable[httpx.Response]]


@dataclass(frozen=True)
class Row:
    policy: str
    own: frozenset[str]
    foreign: frozenset[str]
    send: Send
    per_op: bool = False  # push: refused ops are answered in the results, not by the status


def call(method: str, path: str, body: Any = None, raw: bytes | None = None) -> Send:
    async def send(client: AsyncTestClient[Any], world: World, role: str, which: str) -> httpx.Response:
        values = world.of(which)
        url = path.format(**values)
        headers = dict(world.headers[role])
        kwargs: dict[str, Any] = {}
        if raw is not None:
            kwargs["content"] = raw
            headers["Content-Type"] = "application/octet-stream"
        elif body is not None:
            kwargs["json"] = body(values, role) if callable(body) else body
        if "rev" in values:
            headers.setdefault("If-Match", f'"{values["rev"]}"')
        if path.endswith("/sync/push"):
            headers["Idempotency-Key"] = str(uuid.uuid4())
        return await client.request(method, url, headers=headers, **kwargs)

    return send


def step(method: str, path: str, **body: Any) -> Send:
    """A step of the scenario's nonconformity record, decided on a rev it never had (412 once past)."""
    return call(method, "/api/v1/nonconformities/{nc}/" + path, {"rev": 999, **body})


def unit_body(values: dict[str, str], role: str) -> dict[str, Any]:
    return {
        "code": f"T-{uuid.uuid4().hex[:6].upper()}",
        "kind": "service",
        "name": {"ar": "مصلحة", "fr": "Service"},
        "parentId": values["unit"],
    }


def site_body(values: dict[str, str], role: str) -> dict[str, Any]:
    return {
        "code": f"S-{uuid.uuid4().hex[:6].upper()}",
        "kind": "annex",
        "province": "azilal",
        "name": {"ar": "ملحقة", "fr": "Annexe"},
    }


def process_body(values: dict[str, str], role: str) -> dict[str, Any]:
    return {
        "code": f"P-{uuid.uuid4().hex[:6].upper()}",
        "name": {"ar": "مسار", "fr": "Processus"},
        "ownerUnitId": values["unit"],
        "standards": ["iso9001"],
        "criticality": "low",
    }


def person_body(values: dict[str, str], role: str) -> dict[str, Any]:
    return {"fullName": {"ar": "شخص", "fr": "Personne"}, "unitId": values["unit"]}


def audit_body(values: dict[str, str], role: str) -> dict[str, Any]:
    return {
        "code": f"AI-T-{uuid.uuid4().hex[:6].upper()}",
        "title": {"ar": "تدقيق", "fr": "Audit"},
        "standards": ["iso9001"],
        "processId": values["process"],
    }


def question_body(values: dict[str, str], role: str) -> dict[str, Any]:
    texts = {"ar": "هل يوجد سجل؟", "fr": "Le registre existe-t-il ?", "en": "Is there a register?"}
    return {"clauses": ["iso9001:7.5.3.2"], "text": texts, "guidance": texts}


def push_body(values: dict[str, str], role: str) -> dict[str, Any]:
    op = finding(values["audit"], attachments=[values["sha"]])
    return {"deviceId": f"policy-{role}", "ops": [op]}


def outbox_body(values: dict[str, str], role: str) -> dict[str, Any]:
    batch = {"idempotencyKey": str(uuid.uuid4()), **push_body(values, role)}
    return {"format": "tadqiq-outbox/1", "batches": [batch], "attachments": []}


def app_asset() -> Send:
    """A file of the tablet app under its current hashed URL."""

    async def send(client: AsyncTestClient[Any], world: World, role: str, which: str) -> httpx.Response:
        shell = client.app.state.app_shell
        assert shell is not None, "pwa/index.html is missing"
        return await client.get(shell.precache_list()[1], headers=world.headers[role])

    return send


def metrics_scrape() -> Send:
    """``/metrics`` from loopback, which ``TADQIQ_METRICS_ALLOWED`` allows by default (the test client's
    own peer, ``testclient``, is no address: refused, see tests/integration/system/test_observability.py).
    Straight to the app: the route touches no database, so it needs no test client's event loop."""

    async def send(client: AsyncTestClient[Any], world: World, role: str, which: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=client.app, client=("127.0.0.1", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as direct:
            return await direct.get("/metrics", headers=world.headers[role])

    return send


TABLE: dict[str, Row] = {
    # public
    "login": Row(
        "public", ALL, ALL, call("POST", "/api/v1/auth/login", {"username": "manager", "password": "demo"})
    ),
    "getHealth": Row("public", ALL, ALL, call("GET", "/api/v1/health")),
    "getCatalog": Row("public", ALL, ALL, call("GET", "/api/v1/i18n/ar")),
    "getAppPage": Row("public", ALL, ALL, call("GET", "/")),
    "getServiceWorker": Row("public", ALL, ALL, call("GET", "/sw.js")),
    "getAppManifest": Row("public", ALL, ALL, call("GET", "/app-manifest.json")),
    "getAppAsset": Row("public", ALL, ALL, app_asset()),
    "getMetrics": Row("public", ALL, ALL, metrics_scrape()),  # by address, not by role
    # anyone signed in
    "logout": Row("signed_in", ALL, ALL, call("POST", "/api/v1/auth/logout")),
    "getMe": Row("signed_in", ALL, ALL, call("GET", "/api/v1/me")),
    "updateMe": Row("signed_in", ALL, ALL, call("PATCH", "/api/v1/me", {"locale": "fr"})),
    "changeMyPassword": Row("signed_in", ALL, ALL, call("POST", "/api/v1/me/password", {})),
    "listUnits": Row("signed_in", ALL, ALL, call("GET", "/api/v1/units")),
    "getUnit": Row("signed_in", ALL, ALL, call("GET", "/api/v1/units/{unit}")),
    "listSites": Row("signed_in", ALL, ALL, call("GET", "/api/v1/sites")),
    "getSite": Row("signed_in", ALL, ALL, call("GET", "/api/v1/sites/{site}")),
    "listProcesses": Row("signed_in", ALL, ALL, call("GET", "/api/v1/processes")),
    "getProcess": Row("signed_in", ALL, ALL, call("GET", "/api/v1/processes/{process}")),
    "listPeople": Row("signed_in", ALL, ALL, call("GET", "/api/v1/people")),
    "getPerson": Row("signed_in", ALL, ALL, call("GET", "/api/v1/people/{person}")),
    "listStandards": Row("signed_in", ALL, ALL, call("GET", "/api/v1/standards")),
    "getChecklist": Row("signed_in", ALL, ALL, call("GET", "/api/v1/checklists?standards=iso9001")),
    "exportChecklist": Row("signed_in", ALL, ALL, call("GET", "/api/v1/checklists/export.xlsx")),
    "getChecklistVersion": Row("signed_in", ALL, ALL, call("GET", "/api/v1/checklists/versions/{version}")),
    "listOrgQuestions": Row("signed_in", ALL, ALL, call("GET", "/api/v1/org-questions")),
    # organisation
    "getOrganisation": Row("signed_in", ALL, ALL, call("GET", "/api/v1/organisation")),
    "updateOrganisation": Row("can_edit_org", PROGRAMME, PROGRAMME, call("PUT", "/api/v1/organisation", {})),
    "createUnit": Row("can_edit_org", PROGRAMME, PROGRAMME, call("POST", "/api/v1/units", unit_body)),
    "updateUnit": Row("can_edit_org", PROGRAMME, PROGRAMME, call("PUT", "/api/v1/units/{unit}", {})),
    "deleteUnit": Row("can_edit_org", PROGRAMME, PROGRAMME, call("DELETE", "/api/v1/units/{unit}")),
    "archiveUnit": Row(
        "can_edit_org", PROGRAMME, PROGRAMME, call("POST", "/api/v1/units/{spare_unit}/archive")
    ),
    "restoreUnit": Row(
        "can_edit_org", PROGRAMME, PROGRAMME, call("POST", "/api/v1/units/{spare_unit}/restore")
    ),
    "createSite": Row("can_edit_org", PROGRAMME, PROGRAMME, call("POST", "/api/v1/sites", site_body)),
    "updateSite": Row("can_edit_org", PROGRAMME, PROGRAMME, call("PUT", "/api/v1/sites/{site}", {})),
    "deleteSite": Row("can_edit_org", PROGRAMME, PROGRAMME, call("DELETE", "/api/v1/sites/{site}")),
    "archiveSite": Row(
        "can_edit_org", PROGRAMME, PROGRAMME, call("POST", "/api/v1/sites/{spare_site}/archive")
    ),
    "restoreSite": Row(
        "can_edit_org", PROGRAMME, PROGRAMME, call("POST", "/api/v1/sites/{spare_site}/restore")
    ),
    "createProcess": Row(
        "can_edit_org", PROGRAMME, PROGRAMME, call("POST", "/api/v1/processes", process_body)
    ),
    "updateProcess": Row(
        "can_edit_org", PROGRAMME, PROGRAMME, call("PUT", "/api/v1/processes/{process}", {})
    ),
    "deleteProcess": Row("can_edit_org", PROGRAMME, PROGRAMME, call("DELETE", "/api/v1/processes/{process}")),
    "archiveProcess": Row(
        "can_edit_org", PROGRAMME, PROGRAMME, call("POST", "/api/v1/processes/{spare_process}/archive")
    ),
    "restoreProcess": Row(
        "can_edit_org", PROGRAMME, PROGRAMME, call("POST", "/api/v1/processes/{spare_process}/restore")
    ),
    "createPerson": Row("can_edit_org", PROGRAMME, PROGRAMME, call("POST", "/api/v1/people", person_body)),
    "updatePerson": Row("can_edit_org", PROGRAMME, PROGRAMME, call("PUT", "/api/v1/people/{person}", {})),
    "deletePerson": Row("can_edit_org", PROGRAMME, PROGRAMME, call("DELETE", "/api/v1/people/{person}")),
    "archivePerson": Row(
        "can_edit_org", PROGRAMME, PROGRAMME, call("POST", "/api/v1/people/{spare_person}/archive")
    ),
    "restorePerson": Row(
        "can_edit_org", PROGRAMME, PROGRAMME, call("POST", "/api/v1/people/{spare_person}/restore")
    ),
    # accounts
    "listUsers": Row("can_admin_accounts", ADMIN_ONLY, ADMIN_ONLY, call("GET", "/api/v1/users")),
    "getUser": Row("can_admin_accounts", ADMIN_ONLY, ADMIN_ONLY, call("GET", "/api/v1/users/{user}")),
    "createUser": Row("can_admin_accounts", ADMIN_ONLY, ADMIN_ONLY, call("POST", "/api/v1/users", {})),
    "updateUser": Row(
        "can_admin_accounts", ADMIN_ONLY, ADMIN_ONLY, call("PATCH", "/api/v1/users/{user}", {})
    ),
    "resetUserPassword": Row(
        "can_admin_accounts", ADMIN_ONLY, ADMIN_ONLY, call("POST", "/api/v1/users/{user}/password-reset")
    ),
    "liftUserThrottle": Row(
        "can_admin_accounts", ADMIN_ONLY, ADMIN_ONLY, call("DELETE", "/api/v1/users/{user}/throttle")
    ),
    # checklist library
    "importChecklist": Row(
        "can_edit_checklists",
        PROGRAMME,
        PROGRAMME,
        call("POST", "/api/v1/checklists/import", raw=b"not xlsx"),
    ),
    "pinChecklist": Row("can_edit_checklists", PROGRAMME, PROGRAMME, call("POST", "/api/v1/checklists/pin")),
    "createOrgQuestion": Row(
        "can_edit_checklists", PROGRAMME, PROGRAMME, call("POST", "/api/v1/org-questions", question_body)
    ),
    "updateOrgQuestion": Row(
        "can_edit_checklists", PROGRAMME, PROGRAMME, call("PUT", "/api/v1/org-questions/{question}", {})
    ),
    "retireOrgQuestion": Row(
        "can_edit_checklists",
        PROGRAMME,
        PROGRAMME,
        call("POST", "/api/v1/org-questions/{question}/retire", {}),
    ),
    # audit trail
    "listAuditTrail": Row("can_read_trail", PROGRAMME, PROGRAMME, call("GET", "/api/v1/audit-trail")),
    # audits
    "listAudits": Row("can_read_audit", ALL, ALL, call("GET", "/api/v1/audits")),
    "getAudit": Row("can_read_audit", ALL, READERS_OF_FOREIGN, call("GET", "/api/v1/audits/{audit}")),
    "createAudit": Row("can_plan", PROGRAMME, PROGRAMME, call("POST", "/api/v1/audits", audit_body)),
    "updateAudit": Row("can_plan", PROGRAMME, PROGRAMME, call("PUT", "/api/v1/audits/{audit}", audit_body)),
    "setAuditTeam": Row(
        "can_plan", PROGRAMME, PROGRAMME, call("PUT", "/api/v1/audits/{audit}/team", {"members": []})
    ),
    # an illegal target (reported → closed): whoever gets past authorization meets the 409 of the rule
    "transitionAudit": Row(
        "can_transition_audit",
        frozenset({"admin", "lead", "auditor"}),
        PROGRAMME,
        call("POST", "/api/v1/audits/{audit}/transitions", {"to": "closed"}),
    ),
    # findings
    "pushOps": Row(
        "can_write_findings", WRITERS, frozenset({"lead"}), call("POST", "/api/v1/sync/push", push_body), True
    ),
    "pullChanges": Row(
        "can_read_findings", ALL, READERS_OF_FOREIGN, call("GET", "/api/v1/sync/pull?auditId={audit}")
    ),
    "getAuditPackage": Row(
        "can_read_findings", ALL, READERS_OF_FOREIGN, call("GET", "/api/v1/audits/{audit}/package")
    ),
    "listFindingConflicts": Row(
        "can_read_findings", ALL, READERS_OF_FOREIGN, call("GET", "/api/v1/findings/{finding}/conflicts")
    ),
    "getFindingHistory": Row(
        "can_read_finding_history",
        WRITERS,
        frozenset({"lead"}),
        call("GET", "/api/v1/findings/{finding}/history"),
    ),
    "listMeetingConflicts": Row(
        "can_read_findings", ALL, READERS_OF_FOREIGN, call("GET", "/api/v1/meetings/{meeting}/conflicts")
    ),
    "getMeetingHistory": Row(
        "can_read_finding_history",
        WRITERS,
        frozenset({"lead"}),
        call("GET", "/api/v1/meetings/{meeting}/history"),
    ),
    "listConclusionConflicts": Row(
        "can_read_findings",
        ALL,
        READERS_OF_FOREIGN,
        call("GET", "/api/v1/conclusions/{conclusion}/conflicts"),
    ),
    "getConclusionHistory": Row(
        "can_read_finding_history",
        WRITERS,
        frozenset({"lead"}),
        call("GET", "/api/v1/conclusions/{conclusion}/history"),
    ),
    "listLateSubmissions": Row(
        "can_review_late",
        frozenset({"admin", "lead", "auditor"}),
        PROGRAMME,
        call("GET", "/api/v1/audits/{audit}/late-submissions"),
    ),
    # attachments
    "putAttachment": Row(
        "can_upload_attachments", WRITERS, WRITERS, call("PUT", "/api/v1/attachments/{sha}", raw=b"x")
    ),
    "hasAttachment": Row(
        "can_upload_attachments", WRITERS, WRITERS, call("HEAD", "/api/v1/attachments/{sha}")
    ),
    "getAttachment": Row(
        "can_read_attachment", ALL, READERS_OF_FOREIGN, call("GET", "/api/v1/attachments/{sha}")
    ),
    # the audit lead's view of the team's work
    "getAuditProgress": Row(
        "can_read_findings", ALL, READERS_OF_FOREIGN, call("GET", "/api/v1/audits/{audit}/progress")
    ),
    "importOutbox": Row(
        "can_write_findings",
        WRITERS,
        frozenset({"lead"}),
        call("POST", "/api/v1/sync/import-outbox", outbox_body),
        True,
    ),
    # reports: whoever gets past authorization meets the completeness gate's 422
    "issueReport": Row(
        "can_issue_report",
        frozenset({"lead", "auditor"}),
        frozenset({"lead"}),
        call("POST", "/api/v1/audits/{audit}/reports", {"lang": "fr"}),
    ),
    "listReports": Row(
        "can_read_reports", ALL, READERS_OF_FOREIGN, call("GET", "/api/v1/audits/{audit}/reports")
    ),
    "getReportPdf": Row(
        "can_read_reports", ALL, READERS_OF_FOREIGN, call("GET", "/api/v1/reports/{report}.pdf")
    ),
    "listReportRevisions": Row(
        "can_read_reports", ALL, READERS_OF_FOREIGN, call("GET", "/api/v1/reports/{report}/revisions")
    ),
    "getReportRevisionPdf": Row(
        "can_read_reports", ALL, READERS_OF_FOREIGN, call("GET", "/api/v1/reports/{report}/revisions/1.pdf")
    ),
    "verifyReport": Row("signed_in", ALL, ALL, call("POST", "/api/v1/reports/verify", raw=b"%PDF-1.7 x")),
    "getVerificationPage": Row("public", ALL, ALL, call("GET", "/v/{report_token}")),
    # the annual programme: writes answer 412 to the scenario's If-Match once authorization has passed
    "getProgrammePolicy": Row(
        "can_read_programme", READERS_OF_FOREIGN, READERS_OF_FOREIGN, call("GET", "/api/v1/programme/policy")
    ),
    "replaceProgrammePolicy": Row(
        "can_plan", PROGRAMME, PROGRAMME, call("PUT", "/api/v1/programme/policy", {})
    ),
    "listProgrammes": Row(
        "can_read_programme", READERS_OF_FOREIGN, READERS_OF_FOREIGN, call("GET", "/api/v1/programmes")
    ),
    "createProgramme": Row(
        "can_plan", PROGRAMME, PROGRAMME, call("POST", "/api/v1/programmes", {"year": 2031})
    ),
    "getProgramme": Row(
        "can_read_programme",
        READERS_OF_FOREIGN,
        READERS_OF_FOREIGN,
        call("GET", "/api/v1/programmes/{programme}"),
    ),
    "setProgrammeRisk": Row(
        "can_plan",
        PROGRAMME,
        PROGRAMME,
        call("PUT", "/api/v1/programmes/{programme}/risks/{process}", {"criticality": 3}),
    ),
    "solveProgramme": Row(
        "can_plan", PROGRAMME, PROGRAMME, call("POST", "/api/v1/programmes/{programme}/solve", {})
    ),
    "pinProgrammeEntry": Row(
        "can_plan",
        PROGRAMME,
        PROGRAMME,
        call("PUT", "/api/v1/programmes/{programme}/entries/{entry}/pin", {}),
    ),
    "unpinProgrammeEntry": Row(
        "can_plan", PROGRAMME, PROGRAMME, call("DELETE", "/api/v1/programmes/{programme}/entries/{entry}/pin")
    ),
    "submitProgramme": Row(
        "can_plan", PROGRAMME, PROGRAMME, call("POST", "/api/v1/programmes/{programme}/submit", {})
    ),
    "approveProgramme": Row(
        "can_approve_programme",
        frozenset({"manager"}),
        frozenset({"manager"}),
        call("POST", "/api/v1/programmes/{programme}/approve", {}),
    ),
    "returnProgramme": Row(
        "can_approve_programme",
        frozenset({"manager"}),
        frozenset({"manager"}),
        call("POST", "/api/v1/programmes/{programme}/return", {"comment": "À revoir."}),
    ),
    "reviseProgramme": Row(
        "can_plan",
        PROGRAMME,
        PROGRAMME,
        call("POST", "/api/v1/programmes/{programme}/revise", {"reason": "x"}),
    ),
    "getProgrammeVersion": Row(
        "can_read_programme",
        READERS_OF_FOREIGN,
        READERS_OF_FOREIGN,
        call("GET", "/api/v1/programmes/{programme}/versions/1"),
    ),
    "diffProgramme": Row(
        "can_read_programme",
        READERS_OF_FOREIGN,
        READERS_OF_FOREIGN,
        call("GET", "/api/v1/programmes/{programme}/diff?from=1"),
    ),
    "getProgrammePdf": Row(
        "can_read_programme",
        READERS_OF_FOREIGN,
        READERS_OF_FOREIGN,
        call("GET", "/api/v1/programmes/{programme}/programme.pdf?lang=ar"),
    ),
    "getProgrammeWorkbook": Row(
        "can_read_programme",
        READERS_OF_FOREIGN,
        READERS_OF_FOREIGN,
        call("GET", "/api/v1/programmes/{programme}/programme.xlsx"),
    ),
    "getProgrammeCalendar": Row(
        "can_read_programme",
        READERS_OF_FOREIGN,
        READERS_OF_FOREIGN,
        call("GET", "/api/v1/programmes/{programme}/calendar.ics"),
    ),
    # nonconformity follow-up: a stale rev (412) or a rule (409/422) once authorization has passed
    "listNonconformities": Row("can_read_ncs", ALL, ALL, call("GET", "/api/v1/nonconformities")),
    "listOverdue": Row("can_read_ncs", ALL, ALL, call("GET", "/api/v1/nonconformities/overdue")),
    "getNonconformity": Row(
        "can_read_ncs", ALL, READERS_OF_FOREIGN, call("GET", "/api/v1/nonconformities/{nc}")
    ),
    "startAnalysis": Row("can_answer_nc", ANSWER, LEAD, step("POST", "analysis/start")),
    "recordAnalysis": Row("can_answer_nc", ANSWER, LEAD, step("PUT", "analysis")),
    "submitAnalysis": Row("can_answer_nc", ANSWER, LEAD, step("POST", "analysis/submit")),
    "planActions": Row("can_answer_nc", ANSWER, LEAD, step("PUT", "plan", actions=[])),
    "startActions": Row("can_answer_nc", ANSWER, LEAD, step("POST", "plan/start")),
    "updateAction": Row(
        "can_add_nc_evidence", ANSWER, LEAD, step("PUT", "actions/{entry}", status="planned")
    ),
    "askVerification": Row("can_answer_nc", ANSWER, LEAD, step("POST", "verification/ask")),
    "verifyNonconformity": Row(
        "can_verify_nc", frozenset({"lead", "auditor"}), LEAD, step("POST", "verify", verdict="effective")
    ),
    "rejectNonconformity": Row("can_manage_ncs", LEAD, LEAD, step("POST", "reject", reason="x")),
    "putNcEvidence": Row(
        "can_add_nc_evidence",
        ANSWER,
        LEAD,
        call("PUT", "/api/v1/nonconformities/{nc}/evidence/{sha}", raw=b"x"),
    ),
    "promoteObservation": Row(
        "can_manage_ncs", LEAD, LEAD, call("POST", "/api/v1/findings/{finding}/nonconformity")
    ),
    "getDuePolicy": Row("can_read_due_policy", ALL, ALL, call("GET", "/api/v1/nonconformities/due-policy")),
    "replaceDuePolicy": Row(
        "can_manage_ncs", LEAD, LEAD, call("PUT", "/api/v1/nonconformities/due-policy", {})
    ),
    # the management-review pack
    "getReviewPack": Row(
        "can_read_review", READERS_OF_FOREIGN, READERS_OF_FOREIGN, call("GET", "/api/v1/review/pack")
    ),
    "getReviewPackWorkbook": Row(
        "can_read_review", READERS_OF_FOREIGN, READERS_OF_FOREIGN, call("GET", "/api/v1/review/pack.xlsx")
    ),
    "getReviewPackPdf": Row(
        "can_read_review",
        READERS_OF_FOREIGN,
        READERS_OF_FOREIGN,
        call("GET", "/api/v1/review/pack.pdf?lang=ar"),
    ),
    "getMyProgramme": Row("signed_in", ALL, ALL, call("GET", "/api/v1/me/programme")),
    # before the link rows below: they replace or revoke the scenario's subscription
    "getCalendarFeed": Row("public", ALL, ALL, call("GET", "/cal/{cal_token}")),
    "createCalendarLink": Row("signed_in", ALL, ALL, call("POST", "/api/v1/me/calendar-link")),
    "revokeCalendarLink": Row("signed_in", ALL, ALL, call("DELETE", "/api/v1/me/calendar-link")),
}


def operations(app: Litestar) -> dict[str, tuple[str, list[str]]]:
    """operation id → (path, policy names) of every route of the app, OPTIONS and the docs aside."""
    found: dict[str, tuple[str, list[str]]] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if handler.http_methods == {"OPTIONS"}:
                continue
            if route.path.startswith("/schema"):  # the API documentation and its assets
                assert [p.name for p in policies_of(handler)] == ["public"], route.path
                continue
            operation_id = handler.operation_id if isinstance(handler.operation_id, str) else handler.name
            names = [policy.name for policy in policies_of(handler)]
            found[str(operation_id or f"{sorted(handler.http_methods)} {route.path}")] = (route.path, names)
    return found


def test_every_route_declares_exactly_one_policy_and_is_in_the_table(client: AsyncTestClient[Any]) -> None:
    found = operations(client.app)
    assert {op: names for op, (_, names) in found.items() if len(names) != 1} == {}
    assert sorted(set(found) - set(TABLE)) == [], "routes missing from the table"
    assert sorted(set(TABLE) - set(found)) == [], "table rows for routes that do not exist"
    assert {op: names[0] for op, (_, names) in found.items()} == {op: row.policy for op, row in TABLE.items()}


def test_a_route_without_a_policy_is_reported(client: AsyncTestClient[Any]) -> None:
    route = next(r for r in client.app.routes if r.path == "/api/v1/audits")
    handler = next(h for h in route.route_handlers if "POST" in h.http_methods)
    saved = handler.guards
    handler.guards = []
    try:
        found = operations(client.app)
    finally:
        handler.guards = saved
    assert found["createAudit"][1] == []


def _png(red: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (red, 40, 40)).save(out, "PNG")
    return out.getvalue()


async def _world(client: AsyncTestClient[Any], settings: Settings) -> World:
    lead = await login(client, "lead")
    admin = await login(client, "admin")
    people = (await client.get("/api/v1/people", headers=lead)).json()
    by_username = {p["username"]: p for p in people if p["username"]}
    auditor = by_username["auditor1"]
    audits = (await client.get("/api/v1/audits", headers=lead)).json()
    processes = {p["id"]: p for p in (await client.get("/api/v1/processes", headers=lead)).json()}

    def audited(audit: dict[str, Any]) -> set[str]:
        owner = processes[audit["processId"]]["ownerUnitId"] if audit["processId"] else None
        return {*audit["unitIds"], *([owner] if owner else [])}

    def on_team(audit: dict[str, Any]) -> bool:
        return any(m["personId"] == auditor["id"] for m in audit["team"])

    own = next(a for a in audits if on_team(a) and a["status"] == "prepared")
    foreign = next(
        a for a in audits if not on_team(a) and a["status"] == "prepared" and not (audited(a) & audited(own))
    )
    # An auditee account heading a unit of the own audit (and none of the foreign one).
    own_unit = sorted(audited(own))[0]
    person = (
        await client.post(
            "/api/v1/people",
            json={"fullName": {"ar": "رئيس قسم", "fr": "Chef de division"}, "unitId": own_unit},
            headers=lead,
        )
    ).json()
    created = await client.post(
        "/api/v1/users",
        json={
            "username": "policy-auditee",
            "password": "policy-auditee-1",
            "roles": ["auditee"],
            "personId": person["id"],
        },
        headers=admin,
    )
    assert created.status_code in (200, 201), created.text
    findings: dict[str, str] = {}
    records: dict[str, dict[str, str]] = {}
    shas: dict[str, str] = {}
    reports: dict[str, str] = {}
    tokens: dict[str, str] = {}
    for red, audit in ((200, own), (100, foreign)):  # a photo of each audit: seen only with its audit
        png = _png(red)
        sha = shas[audit["id"]] = hashlib.sha256(png).hexdigest()
        uploaded = await client.put(
            f"/api/v1/attachments/{sha}", content=png, headers={**lead, "Content-Type": "image/png"}
        )
        assert uploaded.status_code in (200, 201), uploaded.text
        op = finding(audit["id"], attachments=[sha])
        records[audit["id"]] = {"meeting": str(uuid.uuid4()), "conclusion": str(uuid.uuid4())}
        meeting = {
            "op": "upsertMeeting",
            "id": records[audit["id"]]["meeting"],
            "auditId": audit["id"],
            "data": {"kind": "opening", "heldAt": "2026-11-23T09:00:00+01:00"},
        }
        conclusion = {
            "op": "upsertConclusion",
            "id": records[audit["id"]]["conclusion"],
            "auditId": audit["id"],
            "data": {"summary": "Synthèse"},
        }
        pushed = await client.post(
            "/api/v1/sync/push",
            json={"deviceId": "policy-setup", "ops": [op, meeting, conclusion]},
            headers={**lead, "Idempotency-Key": str(uuid.uuid4())},
        )
        assert [r["status"] for r in pushed.json()["results"]] == ["applied"] * 3, pushed.text
        findings[audit["id"]] = op["id"]
        await force_status(settings, audit["id"], "reported")
        registered = await register_fake_report(settings, audit["id"], audit["code"])
        reports[audit["id"]], tokens[audit["id"]] = registered
    ncs = {
        own["id"]: await open_record(settings, own["id"], own_unit),
        foreign["id"]: await open_record(settings, foreign["id"], sorted(audited(foreign))[0]),
    }
    headers = {
        "admin": admin,
        "lead": lead,
        "auditor": await login(client, "auditor1"),
        "manager": await login(client, "manager"),
        "auditee": await login(client, "policy-auditee", "policy-auditee-1"),
    }
    users = (await client.get("/api/v1/users", headers=admin)).json()
    question = (await client.post("/api/v1/org-questions", json=question_body({}, ""), headers=lead)).json()
    spare = {
        "spare_unit": (
            await client.post("/api/v1/units", json=unit_body({"unit": own_unit}, ""), headers=lead)
        ).json()["id"],
        "spare_site": (await client.post("/api/v1/sites", json=site_body({}, ""), headers=lead)).json()["id"],
        "spare_process": (
            await client.post("/api/v1/processes", json=process_body({"unit": own_unit}, ""), headers=lead)
        ).json()["id"],
        "spare_person": (
            await client.post("/api/v1/people", json=person_body({"unit": own_unit}, ""), headers=lead)
        ).json()["id"],
    }
    version = (await client.post("/api/v1/checklists/pin", headers=lead)).json()["version"]
    programme, _ = await programme_created(client, 2030)
    submitted = await programme_submitted(client, await programme_solved(client, programme, lead), lead)
    link = (await client.post("/api/v1/me/calendar-link", headers=await login(client, "auditor2"))).json()
    shared = {
        "unit": own_unit,
        "site": own["siteIds"][0] if own["siteIds"] else next(iter(processes.values()))["siteIds"][0],
        "process": own["processId"],
        "person": auditor["id"],
        "user": next(u["id"] for u in users if u["username"] == "auditor2"),
        "question": question["id"],
        "version": version,
        "programme": submitted["id"],
        "entry": str(uuid.uuid4()),
        "cal_token": link["url"].rsplit("/", 1)[1],
        **spare,
    }
    return World(
        headers=headers,
        own={
            "audit": own["id"],
            "finding": findings[own["id"]],
            **records[own["id"]],
            "rev": str(own["rev"]),
            "sha": shas[own["id"]],
            "report": reports[own["id"]],
            "report_token": tokens[own["id"]],
            "nc": ncs[own["id"]],
        },
        foreign={
            "audit": foreign["id"],
            "finding": findings[foreign["id"]],
            **records[foreign["id"]],
            "rev": str(foreign["rev"]),
            "sha": shas[foreign["id"]],
            "report": reports[foreign["id"]],
            "report_token": tokens[foreign["id"]],
            "nc": ncs[foreign["id"]],
        },
        shared=shared,
    )


def _denied(response: httpx.Response, per_op: bool) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    if per_op and response.status_code == 200:
        body = response.json()
        result = (body["batches"][0] if "batches" in body else body)["results"][0]  # an outbox: its batch
        return result["status"] == "rejected" and result["code"] in ("auth.forbidden", "resource.not_found")
    return False


async def test_each_role_reaches_exactly_what_the_table_says(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    world = await _world(client, settings)
    mismatches: list[str] = []
    for operation, row in TABLE.items():
        for which in ("own", "foreign"):
            allowed = row.own if which == "own" else row.foreign
            for role in ROLES:
                if operation == "logout":  # revoke a token of its own, not the scenario's
                    world.headers[role] = await login(client, *_credentials(role))
                response = await row.send(client, world, role, which)
                if response.status_code >= 500:
                    mismatches.append(
                        f"{operation} {which} {role}: {response.status_code} {response.text[:200]}"
                    )
                    continue
                passed = not _denied(response, row.per_op)
                if passed != (role in allowed):
                    mismatches.append(
                        f"{operation} {which} {role}: expected {'allowed' if role in allowed else 'denied'}, "
                        f"got {response.status_code} {response.text[:160]}"
                    )
                if operation == "logout":
                    world.headers[role] = await login(client, *_credentials(role))
    assert mismatches == []


def _credentials(role: str) -> tuple[str, str]:
    if role == "auditee":
        return "policy-auditee", "policy-auditee-1"
    return {"auditor": "auditor1"}.get(role, role), "demo"

"""The full offline day: an auditor downloads an audit, loses the network (the browser offline, or the
server gone), reloads the app from its service worker, records 30 findings with 5 photos, the opening
meeting and the closing meeting with both drawn signatures, closes the browser, opens it again on the
same profile, comes back and syncs: the server then holds exactly that work, each piece once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.e2e.conftest import Server, api_token, make_available_offline, open_profile, sign_in, sync_now
from tests.e2e.journey import (
    EVIDENCE_NEEDED,
    answer,
    draw_signature,
    free_finding,
    jpeg_photos,
    open_audit_screen,
    pending,
    take_photos,
)

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Page, Playwright

VERDICTS = ["conform", "nc_minor", "observation", "improvement", "not_applicable", "nc_major"]
FREE = [  # findings tied to no question: clause, verdict
    ("iso9001:7.5.3", "nc_minor"),
    ("iso14001:6.1.2", "observation"),
    ("iso45001:8.1.2", "improvement"),
    ("iso9001:8.4", "nc_major"),
]
PLACE = "Salle de réunion du Conseil, siège de la Région"
CONCLUSIONS = "Système mis en œuvre ; la maîtrise des informations documentées reste à renforcer."
AUDITEE_REPRESENTATIVE = "Nadia Berrada"


def evidence(index: int) -> str:
    return (
        f"Constat n° {index + 1} : registre consulté, pièce justificative absente (dossier {index + 1:03d})."
    )


def expected_answers(checklist: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
    """26 questions answered: question id → (verdict, evidence); good-practice ones never as an NC."""
    answers = {}
    for index, item in enumerate(checklist[:26]):
        verdict = VERDICTS[index % len(VERDICTS)]
        if item["basis"] == "good_practice" and verdict.startswith("nc_"):
            verdict = "improvement"
        answers[item["id"]] = (verdict, evidence(index) if verdict in EVIDENCE_NEEDED else "")
    return answers


def attendees(plan: dict[str, Any]) -> int:
    """Who "Add the audit team and the auditees" puts on the attendance sheet."""
    return len(plan["team"]) + len(plan["auditees"])


def record_the_day(page: Page, base: str, plan: dict[str, Any], photos: list[Path]) -> None:
    """30 findings (5 photos among them), the opening meeting and the closing one with its conclusion."""
    audit_id = plan["audit"]["id"]
    done = 0
    for index, (question_id, (verdict, text)) in enumerate(expected_answers(plan["checklist"]).items()):
        answer(page, base, audit_id, question_id, verdict, text)
        if index == 0:
            take_photos(page, photos[:2], 2)
        if index == 7:
            take_photos(page, photos[2:3], 1)
        done += 1
        pending(page, done)
    for index, (clause, verdict) in enumerate(FREE):
        free_finding(page, base, audit_id, clause, verdict, evidence(100 + index))
        if index == 1:
            take_photos(page, photos[3:5], 2)
        done += 1
        pending(page, done)

    for kind in ("opening", "closing"):
        open_audit_screen(page, base, audit_id, kind)
        page.get_by_test_id("meeting-place").fill(PLACE)
        page.get_by_test_id("add-team").click()
        page.get_by_test_id("attendee").nth(attendees(plan) - 1).wait_for()
        done += 1
        pending(page, done)

    page.get_by_test_id("conclusion-conclusions").fill(CONCLUSIONS)
    page.get_by_test_id("conclusion-conclusions").press("Tab")
    done += 1
    pending(page, done)
    for standard in plan["audit"]["standards"]:
        page.get_by_test_id(f"degree-{standard}").locator("select").select_option("largely")
    draw_signature(page, "lead_auditor")
    page.get_by_test_id("signer-name-auditee_representative").fill(AUDITEE_REPRESENTATIVE)
    draw_signature(page, "auditee_representative")
    pending(page, done)  # still one change per record: the latest version of each waits


def server_holds_the_day(server: Server, plan: dict[str, Any]) -> None:
    """Read as the audit lead: 30 findings, 2 meetings, the conclusion, 7 files, each applied once."""
    audit_id = plan["audit"]["id"]
    headers = api_token(server.base, "lead")
    package = httpx.get(f"{server.base}/api/v1/audits/{audit_id}/package", headers=headers, timeout=30).json()
    findings = package["findings"]
    assert len(findings) == 30
    assert all(f["rev"] == 1 for f in findings)  # applied once: a second application would be rev 2
    answered = {f["data"]["questionId"]: (f["data"]["verdict"], f["data"]["evidence"]) for f in findings}
    answered.pop(None)
    assert answered == expected_answers(plan["checklist"])
    free = sorted(
        (f["data"]["clauseRefs"], f["data"]["verdict"]) for f in findings if not f["data"]["questionId"]
    )
    assert free == sorted(([clause], verdict) for clause, verdict in FREE)

    meetings = {m["data"]["kind"]: m for m in package["meetings"]}
    assert sorted(meetings) == ["closing", "opening"]
    for meeting in meetings.values():
        assert (meeting["rev"], meeting["data"]["place"], len(meeting["data"]["attendees"])) == (
            1,
            PLACE,
            attendees(plan),
        )
    conclusion = package["conclusion"]
    assert (conclusion["rev"], conclusion["data"]["conclusions"]) == (1, CONCLUSIONS)
    assert sorted(d["degree"] for d in conclusion["data"]["degrees"]) == ["largely"] * len(
        plan["audit"]["standards"]
    )
    signatures = {s["role"]: s for s in conclusion["data"]["signatures"]}
    assert sorted(signatures) == ["auditee_representative", "lead_auditor"]
    assert signatures["auditee_representative"]["signerName"] == AUDITEE_REPRESENTATIVE
    lead = next(m for m in plan["team"] if m["role"] == "lead")
    assert signatures["lead_auditor"]["signerName"] == lead["fullName"]["fr"]  # the app's suggestion

    photos = [sha for f in findings for sha in f["data"]["attachments"]]
    files = sorted({*photos, *(s["attachment"] for s in signatures.values())})
    assert len(photos) == 5 and len(files) == 7
    # each photo's capture time travelled with its finding (the resized file has no EXIF)
    assert all(sorted(f["data"]["photosTakenAt"]) == sorted(f["data"]["attachments"]) for f in findings)
    for sha in files:
        head = httpx.head(f"{server.base}/api/v1/attachments/{sha}", headers=headers, timeout=30)
        assert head.status_code == 200, sha
    assert server.blobs() == files  # the files stored once each, and nothing else

    pulled = httpx.get(
        f"{server.base}/api/v1/sync/pull",
        params={"since": "0", "auditId": audit_id},
        headers=headers,
        timeout=30,
    ).json()
    assert (len(pulled["changes"]), len(pulled["meetings"]), len(pulled["conclusions"])) == (30, 2, 1)


@pytest.mark.parametrize("cut", ["browser_offline", "server_stopped"])
def test_a_day_recorded_offline_reaches_the_server_once_after_the_browser_restarts(
    playwright: Playwright, server: Server, tmp_path: Path, cut: str
) -> None:
    profile = tmp_path / "profile"
    photos = jpeg_photos(tmp_path / "camera", 5)
    errors: list[str] = []

    def watch(page: Page) -> None:
        page.on("pageerror", lambda error: errors.append(str(error)))

    context, page = open_profile(playwright, profile)
    watch(page)
    sign_in(page, server.base, "auditor1")
    audit_id = make_available_offline(page)
    plan = httpx.get(
        f"{server.base}/api/v1/audits/{audit_id}/package?lang=fr",
        headers=api_token(server.base, "auditor1"),
        timeout=30,
    ).json()
    assert {clause.split(":")[0] for clause, _ in FREE} <= set(plan["audit"]["standards"]), (
        "the demo audit changed"
    )

    if cut == "browser_offline":
        context.set_offline(True)
    else:
        server.stop()
    reloaded = page.reload()
    assert reloaded is not None and reloaded.from_service_worker
    page.get_by_test_id("audit-card").first.wait_for()
    record_the_day(page, server.base, plan, photos)
    context.close()

    context, page = open_profile(playwright, profile, offline=cut == "browser_offline")
    watch(page)
    reopened = page.goto(f"{server.base}/#/audit/{audit_id}/checklist")
    assert reopened is not None and reopened.from_service_worker
    pending(page, 33)  # 30 findings, 2 meetings, 1 conclusion: all still on the tablet
    page.get_by_test_id("checklist-item").first.wait_for()

    if cut == "browser_offline":
        context.set_offline(False)
    else:
        server.start()
    sync_now(page)
    page.locator("[data-testid=sync-bar][data-state=idle][data-pending='0']").wait_for(timeout=30_000)
    context.close()

    server_holds_the_day(server, plan)
    assert errors == []

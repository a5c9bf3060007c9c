"""Two auditors of one audit change the same findings offline, each on a tablet of their own. The first
to sync wins; the second meets the conflict screen and resolves each conflict one way (keeps hers,
takes the server's, merges field by field). The server ends with the resolved versions, and every
version that lost stays retrievable: in the finding's history or among its conflicts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from tests.e2e.conftest import TABLET, api_token, make_available_offline, sign_in, sync_now
from tests.e2e.journey import answer, pending, revise, server_findings, teammate

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

FIRST = "Registre des réclamations tenu, mais sans date de clôture pour {q}."
MINE = "Réclamations de {q} : 4 dossiers sur 12 sans réponse écrite (vérifié avec le chef de service)."
THEIRS = "Réclamations de {q} : registre à jour depuis octobre, réponses archivées au bureau d'ordre."
RESPONSE = "Le service s'engage à répondre par écrit sous 15 jours ({q})."


def tablet(browser: Browser, base: str, user: str, audit_id: str | None = None) -> tuple[Page, str]:
    page = browser.new_context(viewport=TABLET).new_page()
    sign_in(page, base, user)
    cards = page.get_by_test_id("audit-card")
    cards.first.wait_for()
    ids = [card.get_attribute("data-audit-id") for card in cards.all()]
    index = ids.index(audit_id) if audit_id else 0
    return page, make_available_offline(page, index)


def synced(page: Page) -> None:
    sync_now(page)
    page.locator("[data-testid=sync-bar][data-state=idle][data-pending='0']").wait_for(timeout=30_000)


def lead_reads(base: str, path: str) -> Any:
    response = httpx.get(f"{base}{path}", headers=api_token(base, "lead"), timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_second_auditor_resolves_each_conflict_and_the_losing_versions_stay_on_the_server(
    browser: Browser, app_url: str
) -> None:
    khadija, audit_id = tablet(browser, app_url, "auditor1")
    errors: list[str] = []
    khadija.on("pageerror", lambda error: errors.append(str(error)))
    checklist = khadija.get_by_test_id("checklist-item")
    khadija.goto(f"{app_url}/#/audit/{audit_id}/checklist")
    checklist.nth(2).wait_for()
    keep_mine, keep_theirs, merge = [
        checklist.nth(i).get_attribute("data-question-id") or "" for i in (0, 1, 2)
    ]
    questions = [keep_mine, keep_theirs, merge]
    for done, q in enumerate(questions, start=1):
        answer(khadija, app_url, audit_id, q, "nc_minor", FIRST.format(q=q))
        pending(khadija, done)
    synced(khadija)
    ids = {f["data"]["questionId"]: f["id"] for f in server_findings(app_url, audit_id)}

    colleague = teammate(app_url, audit_id, "auditor1")
    brahim, _ = tablet(browser, app_url, colleague, audit_id)  # downloads the findings at rev 1
    brahim.on("pageerror", lambda error: errors.append(str(error)))
    for page in (khadija, brahim):
        page.context.set_offline(True)
    for done, q in enumerate(questions, start=1):
        revise(khadija, app_url, audit_id, q, {"evidence": THEIRS.format(q=q)})
        pending(khadija, done)
        fields = {"evidence": MINE.format(q=q)}
        if q == merge:
            fields["auditeeResponse"] = RESPONSE.format(q=q)
        revise(brahim, app_url, audit_id, q, fields)
        pending(brahim, done)

    khadija.context.set_offline(False)
    synced(khadija)  # first back: her versions become rev 2
    brahim.context.set_offline(False)
    sync_now(brahim)
    brahim.locator("[data-testid=sync-bar][data-pending='0']").wait_for(timeout=30_000)
    brahim.get_by_test_id("tab-conflicts").locator(".badge").wait_for()
    brahim.get_by_test_id("tab-conflicts").click()
    conflicts = brahim.get_by_test_id("conflict")
    conflicts.nth(2).wait_for()
    assert conflicts.count() == 3

    def resolve(q: str, button: str) -> None:
        card = conflicts.filter(has_text=q)
        if button == "merge":  # the server's evidence, her auditee response
            card.locator(f"input[type=radio][name='{ids[q]}-evidence']").nth(1).check()
        card.get_by_test_id(button).click()
        card.wait_for(state="detached")

    resolve(keep_mine, "keep-mine")
    resolve(keep_theirs, "keep-theirs")
    resolve(merge, "merge")
    brahim.get_by_test_id("no-conflicts").wait_for()
    synced(brahim)
    synced(khadija)  # she pulls the resolved versions

    on_server = {f["data"]["questionId"]: f for f in server_findings(app_url, audit_id)}
    resolved = {q: (on_server[q]["rev"], on_server[q]["data"]["evidence"]) for q in questions}
    assert resolved == {
        keep_mine: (3, MINE.format(q=keep_mine)),
        keep_theirs: (2, THEIRS.format(q=keep_theirs)),
        merge: (3, THEIRS.format(q=merge)),
    }
    assert on_server[merge]["data"]["auditeeResponse"] == RESPONSE.format(q=merge)
    assert on_server[keep_mine]["data"]["auditeeResponse"] == ""

    # what lost stays on the server: her version in the history, his among the conflicts
    history = lead_reads(app_url, f"/api/v1/findings/{ids[keep_mine]}/history")
    assert [v["data"]["evidence"] for v in history] == [
        FIRST.format(q=keep_mine),
        THEIRS.format(q=keep_mine),
        MINE.format(q=keep_mine),
    ]
    for q in questions:
        lost = lead_reads(app_url, f"/api/v1/findings/{ids[q]}/conflicts")
        assert [(c["username"], c["baseRev"], c["op"]["data"]["evidence"]) for c in lost] == [
            (colleague, 1, MINE.format(q=q))
        ]

    revise(khadija, app_url, audit_id, merge, {})  # her tablet shows the merged answer
    assert khadija.get_by_test_id("finding-auditeeResponse").input_value() == RESPONSE.format(q=merge)
    assert khadija.get_by_test_id("finding-evidence").input_value() == THEIRS.format(q=merge)
    assert errors == []

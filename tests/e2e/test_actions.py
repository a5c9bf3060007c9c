"""Nonconformity follow-up in the app, against a live server on the demo council, whose issued report opened
the records: the auditee of the record's unit opens "My unit's nonconformities", starts the analysis, is told
what is missing as the server would, writes a correction and a five-whys root cause, submits, adds a
corrective action (a plan changed meanwhile is refused in the server's words), starts the plan, marks the
action done with a photo, asks for verification; the list and the record read offline after a reload with
the network cut, their write buttons off. An auditor of another unit records "effective" with a comment and a
PDF: the record shows closed. The lead's board counts by status and age. Arabic and French, each screen
checked for untranslated words and axe-core, and photographed."""

from __future__ import annotations

import hashlib
import io
import struct
import zlib
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.e2e.test_i18n_a11y import check
from tests.e2e.test_lead_screens import api, catalog, open_page, read

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

AUDITEE, VERIFIER = "auditee3", "auditor1"  # the records' unit (DEI-DST); an auditor in DAF-DBC
CORRECTION = {
    "fr": "Trousse de secours complétée et extincteur contrôlé le jour même.",
    "ar": "تم تجهيز صندوق الإسعافات في اليوم نفسه.",
}
WHYS = {
    "fr": ["Personne ne vérifiait la trousse.", "Aucune consigne n'attribue ce contrôle."],
    "ar": ["لم يكن أحد يراقب الصندوق.", "لا توجد تعليمات تسند هذه المراقبة."],
}
CAUSE = {
    "fr": "Les contrôles des chantiers n'ont pas de responsable désigné.",
    "ar": "لا يوجد مسؤول معين عن مراقبة الأوراش.",
}
ACTION = {
    "fr": "Désigner un responsable sécurité par chantier et l'inscrire au PV d'ouverture.",
    "ar": "تعيين مسؤول سلامة لكل ورش.",
}
REASON = {
    "fr": "Doublon : le même écart est déjà suivi sous une autre fiche.",
    "ar": "مكرر: نفس عدم المطابقة متتبع في بطاقة أخرى.",
}
COMMENT = {
    "fr": "Vérifié sur deux chantiers : responsables désignés et trousses complètes.",
    "ar": "تم التحقق في ورشين.",
}


def png() -> bytes:
    """A 2×2 grey PNG: a photo of the evidence as the tablet's camera would give one."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80\x80\x80" * 2 for _ in range(2))
    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def pdf() -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    sheet = Canvas(out)
    sheet.drawString(72, 720, "PV de visite de chantier")
    sheet.save()
    return out.getvalue()


def records(base: str, user: str = "lead", view: str = "all") -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = read(base, f"/api/v1/nonconformities?view={view}", user)
    return found


def record(base: str, nc_id: str, user: str = "lead") -> dict[str, Any]:
    found: dict[str, Any] = read(base, f"/api/v1/nonconformities/{nc_id}", user)
    return found


def status_is(page: Page, status: str) -> None:
    page.locator(f"h1 ~ section [data-testid=nc-status][data-status={status}]").wait_for()


def analyses(page: Page, lang: str) -> None:
    """Start, be told what is missing, then write the correction and the five whys and submit."""
    from playwright.sync_api import expect

    page.get_by_test_id("analysis-start").click()
    status_is(page, "analysis")
    page.get_by_test_id("analysis-submit").click()  # nothing written: the client says what the server would
    problems = page.locator("[data-testid=step-analysis] [data-testid=problem]")
    expect(problems).to_have_count(3)
    expect(page.get_by_test_id("correction")).to_have_attribute("aria-invalid", "true")
    page.get_by_test_id("correction").fill(CORRECTION[lang])
    page.get_by_test_id("why-1").fill(WHYS[lang][0])
    page.get_by_test_id("why-3").fill(WHYS[lang][1])  # a gap between two answers
    expect(page.locator("[data-testid=problem][data-field=whys]")).to_be_visible()
    page.get_by_test_id("why-3").fill("")
    page.get_by_test_id("why-2").fill(WHYS[lang][1])
    page.get_by_test_id("root-cause").fill(CAUSE[lang])
    expect(problems).to_have_count(0)  # as the user types
    check(page, "nc-analysis", lang, catalog(page_base(page), lang))
    page.get_by_test_id("analysis-submit").click()
    status_is(page, "action_plan")


def page_base(page: Page) -> str:
    return page.url.split("/#", 1)[0]


def plans(page: Page, base: str, nc: dict[str, Any], lang: str) -> None:
    """A plan changed meanwhile on the server is refused in its words; then the action is added and the
    plan started."""
    from playwright.sync_api import expect

    page.get_by_test_id("plan-add").click()  # nothing filled in: told beside each field
    shown = page.locator("[data-testid=add-action] [data-testid=problem]")
    expect(shown).to_have_count(2)  # what and when; the owner is the auditee unless changed
    due = (date.fromisoformat(nc["openedOn"]) + timedelta(days=45)).isoformat()
    page.get_by_test_id("action-type").select_option("corrective")
    page.get_by_test_id("action-description").fill(ACTION[lang])
    page.get_by_test_id("action-due").fill(due)
    expect(shown).to_have_count(0)
    path, stale = (
        f"/api/v1/nonconformities/{nc['id']}/plan",
        {"rev": record(base, nc["id"])["rev"], "actions": []},
    )
    moved = api(base, "PUT", path, AUDITEE, lang, json=stale)  # a colleague saves the plan meanwhile
    assert moved.status_code == 200, moved.text
    page.get_by_test_id("plan-add").click()
    refused = page.locator("[data-testid=step-plan] [data-testid=problem][role=alert]")
    expect(refused).to_have_text(api(base, "PUT", path, AUDITEE, lang, json=stale).json()["message"])
    page.get_by_test_id("reload").click()
    expect(page.get_by_test_id("reload")).to_have_count(0)  # the current version shown
    page.get_by_test_id("action-description").fill(ACTION[lang])  # the form is the new version's
    page.get_by_test_id("action-due").fill(due)
    page.get_by_test_id("plan-add").click()
    expect(page.get_by_test_id("action")).to_have_count(1)
    check(page, "nc-plan", lang, catalog(base, lang))
    page.get_by_test_id("plan-start").click()
    status_is(page, "in_progress")


def carries_out(page: Page, lang: str) -> None:
    from playwright.sync_api import expect

    progress = page.get_by_test_id("progress")
    progress.get_by_test_id("progress-status").select_option("done")
    progress.locator("[data-testid$=-save]").click()  # done without evidence: refused before sending
    expect(progress.locator("[data-testid=problem][data-field=evidence]")).to_be_visible()
    progress.locator("input[type=file]").set_input_files(
        {"name": "trousse.png", "mimeType": "image/png", "buffer": png()}
    )
    expect(progress.get_by_test_id("evidence").locator("li")).to_have_count(1)
    expect(progress.locator("[data-testid=problem]")).to_have_count(0)
    progress.locator("[data-testid$=-save]").click()
    page.locator("[data-testid=action][data-status=done]").wait_for()
    check(page, "nc-actions", lang, catalog(page_base(page), lang))
    page.get_by_test_id("ask").click()
    status_is(page, "verification")


def reads_offline(page: Page, nc_id: str, lang: str) -> None:
    """After a reload with the network cut: the list and the record as last fetched, writes off and said
    so."""
    from playwright.sync_api import expect

    page.get_by_test_id("nav-nc-mine").click()
    page.locator(f"[data-testid=nc-card][data-nc-id='{nc_id}'][data-status=verification]").wait_for()
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30_000)
    page.context.set_offline(True)
    page.reload()
    page.locator("[data-testid=fetched][data-offline=true]").wait_for()
    expect(page.locator(f"[data-testid=nc-card][data-nc-id='{nc_id}']")).to_have_attribute(
        "data-status", "verification"
    )
    check(page, "nc-mine-offline", lang, catalog_offline(page))
    page.locator(f"[data-testid=nc-card][data-nc-id='{nc_id}'] h2 a").click()
    page.get_by_test_id("writes-offline").wait_for()
    status_is(page, "verification")
    page.context.set_offline(False)


def catalog_offline(page: Page) -> dict[str, str]:
    """The catalog the app keeps for offline use (the server cannot be asked now)."""
    words: dict[str, str] = page.evaluate(
        "async () => (await import('/scripts/db.js')).getMeta(`catalog:${document.documentElement.lang}`)"
    )
    return words


def verifies(browser: Browser, base: str, nc_id: str, lang: str) -> list[str]:
    from playwright.sync_api import expect

    page, errors = open_page(browser, base, VERIFIER, lang)
    page.get_by_test_id("nav-nc-verify").click()
    card = page.locator(f"[data-testid=nc-card][data-nc-id='{nc_id}']")
    card.wait_for()
    check(page, "nc-verify", lang, catalog(base, lang))
    card.locator("h2 a").click()
    page.get_by_test_id("verdict-effective").check()
    page.get_by_test_id("verify-comment").fill(COMMENT[lang])
    page.get_by_test_id("verify-send").click()  # effective without evidence: told beside the file
    expect(
        page.locator("[data-testid=step-verify] [data-testid=problem][data-field=evidence]")
    ).to_be_visible()
    broken = b"%PDF-1.4\n" + b"0" * 2048  # not a readable PDF: the server's refusal beside the file
    page.get_by_test_id("verify-file").set_input_files(
        {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": broken}
    )
    path = f"/api/v1/nonconformities/{nc_id}/evidence/{hashlib.sha256(broken).hexdigest()}"
    refusal = api(
        base, "PUT", path, VERIFIER, lang, content=broken, headers={"Content-Type": "application/pdf"}
    )
    assert refusal.status_code == 422, refusal.text
    refused = page.locator("[data-testid=step-verify] [data-testid=problem][data-field=evidence][role=alert]")
    expect(refused).to_have_text(refusal.json()["message"])
    page.get_by_test_id("verify-file").set_input_files(
        {"name": "pv.pdf", "mimeType": "application/pdf", "buffer": pdf()}
    )
    expect(page.locator("[data-testid=step-verify] [data-testid=evidence] li")).to_have_count(1)
    check(page, "nc-verify-record", lang, catalog(base, lang))
    page.get_by_test_id("verify-send").click()
    status_is(page, "closed")
    expect(page.get_by_test_id("verification")).to_have_attribute("data-verdict", "effective")
    page.get_by_test_id("nav-nc-verify").click()
    expect(card).to_have_count(0)
    return errors


def lead_board(browser: Browser, base: str, lang: str) -> list[str]:
    from playwright.sync_api import expect

    page, errors = open_page(browser, base, "lead", lang)
    page.get_by_test_id("nav-nc-board").click()
    page.get_by_test_id("board").wait_for()
    every = records(base)
    for status in ("open", "closed", "verification"):
        row = page.locator(f"[data-testid=board-row][data-status={status}]")
        expect(row.locator("td").last).to_have_text(str(sum(nc["status"] == status for nc in every)))
    young = sum(nc["status"] == "open" and nc["ageDays"] <= 30 for nc in every)
    expect(page.locator("[data-testid=board-row][data-status=open] td").first).to_have_text(str(young))
    expect(page.get_by_test_id("nc-card")).to_have_count(len(every))
    check(page, "nc-board", lang, catalog(base, lang))
    page.locator("[data-testid=board-cell][data-status=closed][data-age='0']").click()
    expect(page.get_by_test_id("nc-card")).to_have_count(
        sum(nc["status"] == "closed" and nc["ageDays"] <= 30 for nc in every)
    )
    for card in page.get_by_test_id("nc-card").all():
        expect(card).to_have_attribute("data-status", "closed")
    return errors


def lead_rejects(browser: Browser, base: str, lang: str) -> list[str]:
    """The lead rejects a record raised in error: refused without a reason, then rejected with it."""
    from playwright.sync_api import expect

    nc = next(n for n in records(base) if n["status"] == "open" and n["severity"] == "minor")
    page, errors = open_page(browser, base, "lead", lang)
    page.get_by_test_id("nav-nc-board").click()
    page.locator(f"[data-testid=nc-card][data-nc-id='{nc['id']}'] h2 a").click()
    status_is(page, "open")
    page.locator("[data-testid=reject] summary").click()
    page.get_by_test_id("reject-send").click()
    expect(page.locator("[data-testid=reject] [data-testid=problem]")).to_have_count(1)
    page.get_by_test_id("reject-reason").fill(REASON[lang])
    page.get_by_test_id("reject-send").click()
    status_is(page, "rejected")
    check(page, "nc-rejected", lang, catalog(base, lang))
    rejected = record(base, nc["id"])
    assert (rejected["status"], rejected["rejectedReason"]) == ("rejected", REASON[lang])
    return errors


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_an_auditee_answers_a_nonconformity_and_an_auditor_of_another_unit_verifies_it(
    browser: Browser, app_url: str, lang: str
) -> None:
    mine = records(app_url, AUDITEE, "mine")
    nc = next(
        n for n in mine if n["severity"] == "major" and n["status"] == "open"
    )  # opened by the demo's report
    page, errors = open_page(browser, app_url, AUDITEE, lang)
    page.get_by_test_id("nav-nc-mine").click()
    page.get_by_test_id("nc-card").first.wait_for()
    assert sorted(
        c.get_attribute("data-nc-id") or "" for c in page.get_by_test_id("nc-card").all()
    ) == sorted(n["id"] for n in mine)
    check(page, "nc-mine", lang, catalog(app_url, lang))
    page.locator(f"[data-testid=nc-card][data-nc-id='{nc['id']}'] h2 a").click()
    status_is(page, "open")
    analyses(page, lang)
    plans(page, app_url, nc, lang)
    carries_out(page, lang)
    reads_offline(page, nc["id"], lang)
    done = record(app_url, nc["id"], AUDITEE)
    assert done["rootCause"] == {
        "method": "five_whys",
        "cause": CAUSE[lang],
        "whys": WHYS[lang],
        "categories": [],
    }
    assert [(a["type"], a["status"], len(a["evidence"])) for a in done["actions"]] == [
        ("corrective", "done", 1)
    ]

    errors += verifies(browser, app_url, nc["id"], lang)
    closed = record(app_url, nc["id"])
    assert closed["status"] == "closed"
    assert [(v["verdict"], v["comment"], len(v["evidence"])) for v in closed["verifications"]] == [
        ("effective", COMMENT[lang], 1)
    ]
    evidence = closed["verifications"][0]["evidence"][0]
    stored = api(app_url, "GET", f"/api/v1/attachments/{evidence}")  # named by the hash the tablet computed
    assert stored.status_code == 200 and stored.content.startswith(b"%PDF")
    assert hashlib.sha256(stored.content).hexdigest() == evidence
    errors += lead_board(browser, app_url, lang)
    errors += lead_rejects(browser, app_url, lang)
    assert errors == []


def test_the_nonconformity_group_is_served_and_precached_like_the_shell(app_url: str) -> None:
    """Imported only on its screens, but precached for every tablet: the lists read offline."""
    assets = httpx.get(f"{app_url}/app-manifest.json").json()["assets"]
    group = sorted(p.name for p in (Path(__file__).parents[2] / "pwa/scripts/actions").glob("*.js"))
    assert sorted(a.rsplit("/", 1)[1] for a in assets if "/scripts/actions/" in a) == group

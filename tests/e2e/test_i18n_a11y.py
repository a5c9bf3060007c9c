"""Each main screen in Arabic (right to left) and in French: no English source string of the catalog
left untranslated in what is shown or read out, no serious or critical axe-core violation, and
screenshots at tablet (1024 px) and phone (390 px) widths under tests/e2e/screenshots/."""

from __future__ import annotations

import re
import uuid
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from babel.messages.pofile import read_po

from tests.e2e.conftest import TABLET, api_token, make_available_offline, sign_in, sync_now
from tests.e2e.journey import answer, pending, revise, server_findings, teammate

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

SCREENSHOTS = Path(__file__).parent / "screenshots"
TEMPLATE = Path(__file__).parents[2] / "locales" / "messages.pot"
PHONE = 390
# What the screen shows and what a screen reader reads out: the text, labels, alternatives, the title.
# The screen's own words, without the checklist's questions: those are the library's, in the screen's language
# already (a French question may open with "Comment", which is also an English msgid).
SHOWN = """() => [document.title, [...document.querySelectorAll(".qtext, .question-text")]
  .reduce((text, question) => text.replace(question.innerText, ""), document.body.innerText),
  ...[...document.querySelectorAll("[aria-label], [alt], [placeholder], [title]")]
  .flatMap((e) => ["aria-label", "alt", "placeholder", "title"].map((name) => e.getAttribute(name)))
].filter(Boolean).join("\\n")"""
EVIDENCE = "Registre des déchets dangereux sans bordereau de suivi pour le lot de novembre."


@cache
def source_strings() -> tuple[str, ...]:
    """The English msgids of the template (both forms of a plural)."""
    with TEMPLATE.open("rb") as handle:
        ids = [m.id for m in read_po(handle) if m.id]
    return tuple(text for msgid in ids for text in ([msgid] if isinstance(msgid, str) else msgid))


def untranslated(text: str, words: dict[str, str]) -> list[str]:
    """English source strings visible in ``text``. A string is searched piece by piece between its
    placeholders; a piece of fewer than four letters (of, at) tells nothing, nor one the translations
    themselves use (a proper noun, a code, a word both languages share: "audits", "Observation")."""
    translated = "\n".join(words.values())

    def shown(piece: str, where: str) -> bool:
        return re.search(rf"(?<!\w){re.escape(piece)}(?!\w)", where) is not None

    found = []
    for msgid in source_strings():
        for piece in (p.strip() for p in re.split(r"%\(\w+\)s", msgid)):
            if (
                len(re.findall(r"[A-Za-z]", piece)) >= 4
                and shown(piece, text)
                and not shown(piece, translated)
            ):
                found.append(msgid)
                break
    return found


def check(page: Page, name: str, lang: str, words: dict[str, str]) -> None:
    """The screen shown: its language and direction, every string translated, axe-core, screenshots."""
    from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

    page.locator(f"html[lang={lang}][dir={'rtl' if lang == 'ar' else 'ltr'}]").wait_for(state="attached")
    page.locator("main h1").wait_for()
    assert untranslated(page.evaluate(SHOWN), words) == [], f"{name} ({lang})"
    violations = Axe().run(page).response["violations"]
    serious = [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], f"{name} ({lang})"
    SCREENSHOTS.mkdir(exist_ok=True)
    for width in (TABLET["width"], PHONE):
        page.set_viewport_size({"width": width, "height": TABLET["height"]})
        page.screenshot(path=SCREENSHOTS / f"{name}-{lang}-{width}.png", full_page=True)
    page.set_viewport_size(TABLET)


def audit_screen(page: Page, base: str, audit_id: str, screen: str) -> None:
    page.goto(f"{base}/#/audit/{audit_id}/{screen}")
    page.locator(f"[data-testid=tab-{screen}][aria-current=page]").wait_for()


def conflict_with_a_colleague(page: Page, base: str, audit_id: str, question_id: str) -> str:
    """A finding of the tablet changed meanwhile on the server by another auditor of the team, and
    changed again on the tablet: the next sync meets a conflict. Returns the finding's id."""
    answer(page, base, audit_id, question_id, "nc_minor", EVIDENCE)
    pending(page, 1)
    sync_now(page)
    pending(page, 0)
    finding = next(f for f in server_findings(base, audit_id) if f["data"]["questionId"] == question_id)
    page.context.set_offline(True)  # no pull brings the colleague's version before the edit
    pushed = httpx.post(
        f"{base}/api/v1/sync/push",
        headers={
            **api_token(base, teammate(base, audit_id, "auditor1")),
            "Idempotency-Key": str(uuid.uuid4()),
        },
        json={
            "deviceId": "tablette-brahim",
            "ops": [
                {
                    "op": "upsertFinding",
                    "id": finding["id"],
                    "auditId": audit_id,
                    "baseRev": 1,
                    "data": {
                        **finding["data"],
                        "verdict": "nc_major",
                        "statement": "Écart répété sur trois lots.",
                    },
                }
            ],
        },
        timeout=30,
    )
    assert [r["status"] for r in pushed.json()["results"]] == ["applied"], pushed.text
    revise(page, base, audit_id, question_id, {"auditeeResponse": "Bordereaux demandés au prestataire."})
    pending(page, 1)
    page.context.set_offline(False)
    sync_now(page)
    page.get_by_test_id("tab-conflicts").locator(".badge").wait_for()
    return str(finding["id"])


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_every_main_screen_is_translated_accessible_and_photographed(
    browser: Browser, app_url: str, lang: str
) -> None:
    words: dict[str, str] = httpx.get(f"{app_url}/api/v1/i18n/{lang}", timeout=30).json()["messages"]
    page = browser.new_context(viewport=TABLET).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{app_url}/")
    page.get_by_test_id(f"lang-{lang}").click()
    check(page, "signin", lang, words)

    sign_in(page, app_url, "auditor1")
    audit_id = make_available_offline(page)
    check(page, "audits", lang, words)
    audit_screen(page, app_url, audit_id, "checklist")
    question_id = page.get_by_test_id("checklist-item").first.get_attribute("data-question-id") or ""
    finding_id = conflict_with_a_colleague(page, app_url, audit_id, question_id)

    page.goto(f"{app_url}/#/audit/{audit_id}")
    page.get_by_test_id("tab-plan").and_(page.locator("[aria-current=page]")).wait_for()
    check(page, "plan", lang, words)
    for screen in ("checklist", "findings", "opening", "closing", "conflicts"):
        audit_screen(page, app_url, audit_id, screen)
        if screen == "conflicts":
            page.get_by_test_id("conflict").wait_for()
        check(page, screen, lang, words)
    revise(page, app_url, audit_id, question_id, {})
    check(page, "question", lang, words)
    page.goto(f"{app_url}/#/audit/{audit_id}/history/{finding_id}")
    page.get_by_test_id("history").wait_for()
    check(page, "history", lang, words)
    page.get_by_test_id("nav-device").click()
    page.get_by_test_id("export-outbox").wait_for()
    check(page, "device", lang, words)

    lead = browser.new_context(viewport=TABLET).new_page()
    lead.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(lead, app_url, "lead")
    lead.get_by_test_id(f"lang-{lang}").click()
    lead.get_by_test_id("nav-lead").click()
    lead.get_by_test_id("lead-audit").first.wait_for()
    check(lead, "lead-list", lang, words)
    assert errors == []

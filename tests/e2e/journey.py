"""Steps of the browser journeys, as an auditor takes them on the tablet: screens reached by their
address, answers recorded through the buttons and fields, photos from files, signatures drawn with the
mouse; and what the server holds afterwards, read through its API."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from PIL import Image, ImageDraw

from tests.e2e.conftest import api_token

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

__all__ = [
    "EVIDENCE_NEEDED",
    "answer",
    "draw_signature",
    "free_finding",
    "jpeg_photos",
    "open_audit_screen",
    "pending",
    "revise",
    "server_findings",
    "take_photos",
    "teammate",
]

EVIDENCE_NEEDED = {"nc_major", "nc_minor", "observation"}


def jpeg_photos(folder: Path, count: int, prefix: str = "photo") -> list[Path]:
    """Distinct JPEGs as a camera would give them, some larger than the app's 1600 px."""
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for index in range(count):
        size = (2400, 1800) if index % 2 == 0 else (1200, 900)
        image = Image.new("RGB", size, (40 + 40 * index % 200, 120, 200 - 30 * index % 180))
        pen = ImageDraw.Draw(image)
        for step in range(0, size[0], 150):
            colour = (250, 250 - step % 250, step % 250)
            pen.line([(step, 0), (size[0] - step, size[1])], fill=colour, width=12)
        pen.rectangle([100 + 60 * index, 100, 500 + 60 * index, 400], fill=(255, 255, 255))
        path = folder / f"{prefix}-{index + 1}.jpg"
        image.save(path, "JPEG", quality=88)
        made.append(path)
    return made


def pending(page: Page, count: int, timeout: float = 15_000) -> None:
    """Wait until the sync bar counts ``count`` changes waiting to be sent."""
    page.locator(f"[data-testid=sync-bar][data-pending='{count}']").wait_for(timeout=timeout)


def open_audit_screen(page: Page, base: str, audit_id: str, screen: str) -> None:
    """One of the audit's tabbed screens (plan, checklist, findings, opening, closing, conflicts)."""
    page.goto(f"{base}/#/audit/{audit_id}/{screen if screen != 'plan' else ''}".rstrip("/"))
    page.locator(f"[data-testid=tab-{screen}][aria-current=page]").wait_for()


def _leave(field: Locator, text: str) -> None:
    """Type into a field and leave it: leaving saves at once."""
    field.fill(text)
    field.press("Tab")


def answer(page: Page, base: str, audit_id: str, question_id: str, verdict: str, evidence: str = "") -> None:
    """Answer a checklist question: its verdict and, when the verdict needs it, the evidence."""
    from playwright.sync_api import expect

    page.goto(f"{base}/#/audit/{audit_id}/question/{question_id}")
    expect(page.locator("h1")).to_contain_text(question_id)
    page.get_by_test_id(f"verdict-{verdict}").click()
    page.locator(f"[data-testid=verdict-{verdict}][aria-pressed=true]").wait_for()
    if evidence:
        _leave(page.get_by_test_id("finding-evidence"), evidence)


def free_finding(page: Page, base: str, audit_id: str, clause: str, verdict: str, evidence: str) -> str:
    """A finding tied to no question, citing ``clause``; returns its id."""
    page.goto(f"{base}/#/audit/{audit_id}/findings")
    page.get_by_test_id("new-finding").click()
    page.get_by_test_id("clause-select").select_option(clause)
    page.get_by_test_id("add-clause").click()
    page.get_by_test_id("verdict-" + verdict).click()
    page.locator(f"[data-testid=verdict-{verdict}][aria-pressed=true]").wait_for()
    _leave(page.get_by_test_id("finding-evidence"), evidence)
    return page.url.rsplit("/", 1)[1]


def take_photos(page: Page, files: list[Path], shown: int) -> None:
    """Photos for the finding on screen, as the camera input gives them; ``shown`` thumbnails after."""
    from playwright.sync_api import expect

    page.get_by_test_id("take-photo").locator("input[type=file]").set_input_files(files)
    expect(page.locator(".photos .thumbs img[src]")).to_have_count(shown, timeout=15_000)


def draw_signature(page: Page, role: str) -> None:
    """A signature drawn with the finger (the mouse here) on the role's pad, then saved; each role's its
    own shape, as two people's signatures are (the same drawing would be the same file)."""
    pad = page.get_by_test_id(f"signature-{role}").locator("canvas")
    pad.scroll_into_view_if_needed()  # the mouse acts in the viewport only
    box = pad.bounding_box()
    assert box is not None
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + w * 0.1, y + h * 0.6)
    page.mouse.down()
    rise = 0.3 if role == "lead_auditor" else 0.4
    for step in range(1, 25):
        page.mouse.move(x + w * (0.1 + 0.033 * step), y + h * (0.6 - rise * ((step % 6) / 5)), steps=2)
    page.mouse.up()
    page.get_by_test_id(f"save-signature-{role}").click()
    page.get_by_test_id(f"signature-{role}").locator("img[src]").wait_for()


def server_findings(base: str, audit_id: str, username: str = "lead") -> list[dict[str, Any]]:
    """The audit's live findings on the server, as the audit lead reads them."""
    response = httpx.get(f"{base}/api/v1/audits/{audit_id}/package", headers=api_token(base, username))
    assert response.status_code == 200, response.text
    findings: list[dict[str, Any]] = response.json()["findings"]
    return findings


def revise(page: Page, base: str, audit_id: str, question_id: str, fields: dict[str, str]) -> None:
    """Change fields of a question's answer (``evidence``, ``statement``, ``auditeeResponse``)."""
    from playwright.sync_api import expect

    page.goto(f"{base}/#/audit/{audit_id}/question/{question_id}")
    expect(page.locator("h1")).to_contain_text(question_id)
    for field, text in fields.items():
        _leave(page.get_by_test_id(f"finding-{field}"), text)


def teammate(base: str, audit_id: str, besides: str) -> str:
    """Another demo auditor on the audit's team."""
    for number in range(1, 11):
        username = f"auditor{number}"
        if username == besides:
            continue
        audits = httpx.get(f"{base}/api/v1/audits", headers=api_token(base, username), timeout=30).json()
        if any(a["id"] == audit_id for a in audits):
            return username
    raise AssertionError(f"no other auditor on the team of {audit_id}")

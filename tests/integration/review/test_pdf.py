"""The management-review PDF through the API, checked by independent tools: its total rows, read back
with ``pdftotext -bbox``, are the workbook's total rows, sheet for sheet; pdfsig (poppler) validates
its signature; pdftoppm draws its pages for people to look at (under tests/review/pages/, not
committed)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

import pytest
from anyio import to_thread
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from server.app import create_app
from server.lib.i18n import translate
from server.reports.signing import verify_pdf
from server.review.xlsx import SHEETS, TOTALLED
from server.settings import Settings
from tests.conftest import login, missing_tool
from tests.pki.local_pki import LocalPki
from tests.unit.reports.pdftext import need_poppler
from tests.unit.reports.test_preflight import closed_port_url
from tests.unit.review.test_pdf_render import PAGES_DIR, pdf_total_rows, write_pages

Lang = Literal["ar", "fr"]


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        missing_tool(f"{name} is not installed (apt-get install poppler-utils)")
    return str(found)


async def _download(client: AsyncTestClient[Any], kind: str, lang: Lang) -> bytes:
    headers = await login(client, "manager")
    response = await client.get(f"/api/v1/review/pack.{kind}", params={"lang": lang}, headers=headers)
    assert response.status_code == 200, response.text[:300]
    return response.content


def _workbook_totals(content: bytes, lang: Lang) -> list[list[int]]:
    """The count cells of each totalled sheet's last row, sheet after sheet."""
    book = load_workbook(io.BytesIO(content))
    total = translate(lang, "Total")
    rows = []
    for msgid, sheet in zip(SHEETS, book.worksheets, strict=True):
        if msgid not in TOTALLED:
            continue
        last = [cell.value for cell in sheet[sheet.max_row]]
        if last[0] == total:  # an empty table has no total row, in the PDF neither
            rows.append([int(v) for v in last[1:] if isinstance(v, int)])
    return rows


@pytest.mark.parametrize("lang", ["ar", "fr"])
async def test_the_pdf_prints_the_workbooks_totals(
    client: AsyncTestClient[Any], settings: Settings, lang: Lang
) -> None:
    need_poppler()
    pdf = await _download(client, "pdf", lang)
    workbook = await _download(client, "xlsx", lang)
    write_pages(f"api-{settings.database_kind}-{lang}", pdf)
    expected = _workbook_totals(workbook, lang)
    assert len(expected) >= 7, "the demo council's pack has findings, records and quarters"
    assert pdf_total_rows(pdf, translate(lang, "Total"), rtl=lang == "ar") == expected
    assert list(PAGES_DIR.glob(f"api-{settings.database_kind}-{lang}-*.png"))


async def test_pdfsig_validates_the_signed_pack(
    client: AsyncTestClient[Any], settings: Settings, tmp_path: Path
) -> None:
    pdfsig = _tool("pdfsig")
    pdf = await _download(client, "pdf", "ar")
    path = tmp_path / "review.pdf"
    path.write_bytes(pdf)
    checked = subprocess.run([pdfsig, str(path)], capture_output=True, text=True, timeout=120, check=True)
    assert "Signature is Valid" in checked.stdout and "Total document signed" in checked.stdout, (
        checked.stdout
    )
    start, length = (int(n) for n in re.findall(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)", pdf)[-1])
    tampered = bytearray(pdf)
    tampered[start + length // 2] ^= 0x01
    path.write_bytes(bytes(tampered))
    changed = subprocess.run([pdfsig, str(path)], capture_output=True, text=True, timeout=120, check=False)
    assert "Digest Mismatch" in changed.stdout, "pdfsig exits 0 even then: its words say it"


async def test_the_pack_is_signed_at_the_configured_level_like_a_report(
    settings: Settings, local_pki: LocalPki
) -> None:
    """With trust roots and a TSA, the pack is B-LTA (validation data embedded, a document timestamp);
    with the TSA down it is refused in words, as a report's issue is, unless a downgrade is allowed,
    and then the stamp says the lower level."""
    b_lta = local_pki.configure(settings)
    async with AsyncTestClient(app=create_app(b_lta)) as client:
        pdf = await _download(client, "pdf", "fr")
    verdict = await to_thread.run_sync(verify_pdf, pdf)
    assert verdict.valid and verdict.intact, verdict
    assert verdict.level == "B-LTA", verdict

    down = replace(b_lta, tsa_url=closed_port_url())
    async with AsyncTestClient(app=create_app(down)) as client:
        headers = await login(client, "manager")
        refused = await client.get("/api/v1/review/pack.pdf", params={"lang": "fr"}, headers=headers)
    assert refused.status_code == 503, refused.text
    assert refused.json()["code"] == "report.signature_level_unavailable"
    assert down.tsa_url in refused.json()["message"]

    async with AsyncTestClient(app=create_app(replace(down, signature_allow_downgrade=True))) as client:
        lower = await _download(client, "pdf", "fr")
    verdict = await to_thread.run_sync(verify_pdf, lower)
    assert verdict.level == "B-B", verdict

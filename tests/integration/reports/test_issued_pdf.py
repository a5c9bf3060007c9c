"""An issued report checked by independent tools: pdfsig (poppler) validates its signature, pdftotext reads
its Arabic in logical order, pdftoppm draws its pages for people to look at (written under
tests/reports/pages/, not committed), and ``tadqiq verify`` gives the API's verdict from the command line."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient

from server.settings import PROJECT_ROOT, Settings
from tests.conftest import missing_tool
from tests.integration.reports.support import AR_STATEMENT, ready_audit
from tests.unit.reports.pdftext import pdf_words, reading_order

PAGES = PROJECT_ROOT / "tests" / "reports" / "pages"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        missing_tool(f"{name} is not installed (apt-get install poppler-utils)")
    return str(found)


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, timeout=120, check=True).stdout


def _words(text: str) -> str:
    """NFKC (presentation forms back to letters), without the bidi controls pdftotext adds, one space."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKC", text) if unicodedata.category(ch) != "Cf")
    return re.sub(r"\s+", " ", plain).strip()


def _arabic(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if "\u0621" <= ch <= "\u064a")


async def _issue(client: AsyncTestClient[Any], settings: Settings, lang: str) -> tuple[dict[str, Any], bytes]:
    ready = await ready_audit(client, settings)
    issued = await client.post(
        f"/api/v1/audits/{ready.audit['id']}/reports", json={"lang": lang}, headers=ready.lead.headers
    )
    assert issued.status_code == 201, issued.text
    report = issued.json()
    return report, (await client.get(report["downloadUrl"], headers=ready.programme)).content


async def test_pdfsig_validates_an_issued_report_and_pdftotext_reads_its_arabic_in_order(
    client: AsyncTestClient[Any], settings: Settings, tmp_path: Path
) -> None:
    pdfsig, pdftotext, pdftoppm = _tool("pdfsig"), _tool("pdftotext"), _tool("pdftoppm")
    report, pdf = await _issue(client, settings, "ar")
    path = tmp_path / f"{report['reference']}.pdf"
    path.write_bytes(pdf)
    checked = _run(pdfsig, str(path))
    assert "Signature is Valid" in checked and "Total document signed" in checked, checked
    # One byte changed inside the signed range (the first one: before the signature's own contents).
    start, length = (int(n) for n in re.findall(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)", pdf)[-1])
    position = start + length // 2
    tampered = bytearray(pdf)
    tampered[position] = tampered[position] ^ 0x01
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(bytes(tampered))
    assert "Digest Mismatch" in _run(pdfsig, str(changed)), "pdfsig exits 0 even then: its words say it"
    # Arabic words in reading order from their positions (lines top to bottom, each from the right):
    # pdftotext's own reading order guesses around Latin runs at a line's start, positions do not.
    read = "".join(w.text for w in reading_order(pdf_words(pdf), rtl=True))
    assert _arabic(AR_STATEMENT) in _arabic(read), "the Arabic statement's words, line after line, in order"
    text = _words(_run(pdftotext, str(path), "-"))
    assert "ISO 14001:2015" in text and "6.1.3" in text, "mixed runs come out whole"
    assert not re.search("[\u0660-\u0669]", text), "Latin digits only"
    PAGES.mkdir(parents=True, exist_ok=True)
    _run(pdftoppm, "-r", "50", "-png", str(path), str(PAGES / f"issued-{settings.database_kind}-ar"))


async def test_tadqiq_verify_gives_the_verdict_from_the_command_line(
    client: AsyncTestClient[Any], settings: Settings, tmp_path: Path
) -> None:
    report, pdf = await _issue(client, settings, "fr")
    genuine, altered = tmp_path / "genuine.pdf", tmp_path / "altered.pdf"
    genuine.write_bytes(pdf)
    altered.write_bytes(pdf + b"\n%appended\n")
    env = {
        **os.environ,
        "TADQIQ_DATABASE_URL": settings.database_url,
        "TADQIQ_VAR_DIR": str(settings.var_dir),
    }
    command = [sys.executable, "-m", "server.cli", "verify", "--lang", "en"]
    ok = subprocess.run(
        [*command, str(genuine)], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert report["reference"] in ok.stdout and "status: current" in ok.stdout
    bad = subprocess.run(
        [*command, str(altered)], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert bad.returncode == 1 and "not_whole_document" in bad.stdout, bad.stdout + bad.stderr

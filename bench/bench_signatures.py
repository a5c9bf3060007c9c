"""Signing the 200-finding report at each PAdES level, against the local PKI of the tests (certomancer on
loopback: its TSA, OCSP responder and CRLs), beside B-B signing of the same PDF with the same key in the
same run; and renewing the B-LTA file's document timestamp.

B-B is the baseline: one RSA signature over the document (pyHanko signs twice: once to size it). B-T adds
a timestamp authority's token; B-LTA adds the OCSP responses and CRLs of the signer's and the authority's
chains in the document security store and a document timestamp over it all. The services answer on
loopback in this very process, so the figures are the work of signing, not a network's latency: a
provider across the Internet adds its round trips (three to six per B-LTA signature). Wall-clock medians,
the levels taking turns so that they share whatever load the machine has.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography import x509

from server.reports.archive import extend_timestamp_chain
from server.reports.keys import SigningKey, load_signing_key
from server.reports.model import SignatureBox
from server.reports.render import render_report
from server.reports.signing import sign_pdf
from tests.pki.local_pki import PKCS12_PASSWORD, LocalPki, serve_local_pki
from tests.unit.reports.samples import large_report

FINDINGS, PHOTOS, RUNS = 200, 50, 5
Row = tuple[str, str, str, str]


def _signers(
    pdf: bytes, box: SignatureBox, key: SigningKey, pki: LocalPki, root: x509.Certificate
) -> dict[str, Callable[[], bytes]]:
    def level(**extra: Any) -> Callable[[], bytes]:
        return lambda: sign_pdf(pdf, key, box, reason="bench", location="bench", **extra).pdf

    return {
        "B-B": level(),
        "B-T": level(tsa_url=pki.tsa_url),
        "B-LTA": level(tsa_url=pki.tsa_url, trust_roots=[root]),
    }


def _medians(actions: dict[str, Callable[[], bytes]]) -> tuple[dict[str, float], dict[str, bytes]]:
    times: dict[str, list[float]] = {name: [] for name in actions}
    made: dict[str, bytes] = {}
    for name, action in actions.items():
        made[name] = action()  # warm: the timestamper's size estimate, the OCSP client
    for _ in range(RUNS):
        for name, action in actions.items():
            started = time.perf_counter()
            made[name] = action()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(spent) for name, spent in times.items()}, made


def _rows() -> list[Row]:
    logging.getLogger("pyhanko").setLevel(logging.ERROR)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    model, images = large_report("ar", FINDINGS, PHOTOS)
    rendered = render_report(model, images)
    with tempfile.TemporaryDirectory(prefix="tadqiq-bench-") as tmp, serve_local_pki(Path(tmp)) as pki:
        key = load_signing_key(pki.pkcs12("signer"), PKCS12_PASSWORD.encode())
        root = x509.load_pem_x509_certificate(pki.root_pem.read_bytes())
        medians, made = _medians(_signers(rendered.pdf, rendered.signature_box, key, pki, root))
        renewal = statistics.median(
            _timed(lambda: extend_timestamp_chain(made["B-LTA"], [root], pki.later_tsa_url))
            for _ in range(RUNS)
        )
    base = medians["B-B"]
    mib = len(rendered.pdf) / 2**20
    rows: list[Row] = [
        (
            f"signatures: B-B, {FINDINGS}-finding report ({mib:.1f} MiB, RSA-2048, baseline)",
            f"median {base * 1000:7.1f} ms",
            "",
            "",
        )
    ]
    for name, label in (
        ("B-T", "B-T (+ TSA token)"),
        ("B-LTA", "B-LTA (+ OCSP/CRL, DSS, document timestamp)"),
    ):
        grown = (len(made[name]) - len(made["B-B"])) / 1024
        rows.append(
            (
                f"signatures: {label}",
                f"median {medians[name] * 1000:7.1f} ms",
                f"vs B-B {medians[name] / base:5.2f}x, +{grown:.0f} KiB",
                "",
            )
        )
    rows.append(
        (
            "signatures: renewal of the B-LTA file (validation data + document timestamp)",
            f"median {renewal * 1000:7.1f} ms",
            f"vs B-B {renewal / base:5.2f}x",
            "",
        )
    )
    return rows


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


async def run() -> list[Row]:
    # Off the event loop: signing runs its own loop (and refuses to block a running one).
    return await asyncio.to_thread(_rows)

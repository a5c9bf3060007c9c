"""A B-LTA report issued through the API against the local PKI (``tests/pki``): the signer's key, the
first timestamp authority (its certificate expires within a year), the chains' OCSP responses and CRLs
embedded, one document timestamp; and the settings that renew it with the authority's later certificate
(valid ten years)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Any

from litestar.testing import AsyncTestClient

from server.settings import Settings
from tests.integration.reports.support import ready_audit
from tests.pki.local_pki import LocalPki

__all__ = ["LONG_TERM_WINDOW_DAYS", "RegisteredReport", "issue_b_lta_report", "renewal_settings"]

LONG_TERM_WINDOW_DAYS = 400
"""A renewal window that takes in the first TSA certificate (a year) but not the later one (ten years)."""


def renewal_settings(settings: Settings, pki: LocalPki) -> Settings:
    """The B-LTA configuration of the local PKI, renewing with the authority's later certificate."""
    return replace(
        pki.configure(settings), tsa_url=pki.later_tsa_url, timestamp_renew_days=LONG_TERM_WINDOW_DAYS
    )


@dataclass(frozen=True)
class RegisteredReport:
    id: str
    reference: str
    pdf: bytes
    sha256: str


async def issue_b_lta_report(
    client: AsyncTestClient[Any], settings: Settings, pki: LocalPki
) -> RegisteredReport:
    """A demo audit made ready and its French report issued by the app configured for B-LTA with the
    local PKI (left so configured: ``pki.configure(settings)``)."""
    issuing = pki.configure(settings)
    client.app.state.settings = issuing
    ready = await ready_audit(client, issuing)
    issued = await client.post(
        f"/api/v1/audits/{ready.audit['id']}/reports", json={"lang": "fr"}, headers=ready.lead.headers
    )
    assert issued.status_code == 201, issued.text
    body = issued.json()
    assert (body["level"], body["downgraded"]) == ("B-LTA", False), body
    pdf = (await client.get(body["downloadUrl"], headers=ready.programme)).content
    assert hashlib.sha256(pdf).hexdigest() == body["sha256"]
    return RegisteredReport(id=body["id"], reference=body["reference"], pdf=pdf, sha256=body["sha256"])

"""What a finding names must exist: its process, unit and site, its question (in the audit's pinned
checklist, of one of its standards), its clauses (of the audit's standards) and its attachments
(uploaded). Each bad op is rejected with its own code; the rest of the batch applies (SQLite and
PostgreSQL)."""

from __future__ import annotations

import hashlib
import io
import uuid
from typing import Any

from litestar.testing import AsyncTestClient
from PIL import Image

from server.checklists.library import load_library
from server.settings import Settings
from tests.conftest import login
from tests.contract.support import Device, auditor_on_audit, finding


def _question_of_only(settings: Settings, standard: str) -> str:
    library = load_library(settings.checklists_dir)[0]
    return next(q.id for q in library.questions if {r.partition(":")[0] for r in q.clauses} == {standard})


async def _uploaded_photo(client: AsyncTestClient[Any], headers: dict[str, str]) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (30, 120, 200)).save(buffer, "PNG")
    data = buffer.getvalue()
    sha = hashlib.sha256(data).hexdigest()
    stored = await client.put(
        f"/api/v1/attachments/{sha}", content=data, headers={**headers, "Content-Type": "image/png"}
    )
    assert stored.status_code in (200, 201), stored.text
    return sha


async def test_each_unknown_reference_is_rejected_alone_while_the_rest_applies(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    lead = Device(client, await login(client, "lead"))
    audits = (await client.get("/api/v1/audits", headers=lead.headers)).json()
    audit = next(a for a in audits if a["status"] == "prepared" and "iso14001" not in a["standards"])
    audit_id = audit["id"]
    site = (await client.get("/api/v1/sites", headers=lead.headers)).json()[0]["id"]
    photo = await _uploaded_photo(client, lead.headers)
    complete = finding(
        audit_id,
        questionId=_question_of_only(settings, "iso9001"),
        processId=audit["processId"],
        unitId=audit["unitIds"][0].upper(),
        siteId=site,
        attachments=[photo],
        clientUpdatedAt="2026-11-23T09:30:00+01:00",
    )
    plain = finding(audit_id, statement="Constat sans référence")
    ops = [
        complete,
        finding(audit_id, processId=str(uuid.uuid4())),
        finding(audit_id, unitId=str(uuid.uuid4())),
        finding(audit_id, siteId=str(uuid.uuid4())),
        finding(audit_id, questionId="zzz-999", clauseRefs=[]),
        finding(audit_id, questionId=_question_of_only(settings, "iso14001"), clauseRefs=[]),
        finding(audit_id, clauseRefs=["iso14001:7.5.3"]),
        finding(audit_id, clauseRefs=["iso9001:42.1"]),
        finding(audit_id, attachments=[photo, "0" * 64]),
        finding(audit_id, clientUpdatedAt="2026-11-23T09:30:00"),
        plain,
    ]
    response = await lead.push(ops)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [(r["status"], r.get("code")) for r in results] == [
        ("applied", None),
        ("rejected", "finding.unknown_reference"),
        ("rejected", "finding.unknown_reference"),
        ("rejected", "finding.unknown_reference"),
        ("rejected", "finding.unknown_question"),
        ("rejected", "finding.clause_out_of_scope"),
        ("rejected", "finding.clause_out_of_scope"),
        ("rejected", "finding.clause_out_of_scope"),
        ("rejected", "finding.attachment_missing"),
        ("rejected", "sync.invalid_op"),
        ("applied", None),
    ]
    assert [
        name in r["message"] for r, name in zip(results[1:4], ["processId", "unitId", "siteId"], strict=True)
    ] == [True] * 3
    assert all(r["httpStatus"] == 422 for r in results[1:9]) and results[9]["httpStatus"] == 400
    assert "clientUpdatedAt" in results[9]["message"]
    changes, _ = await lead.pull_all(audit_id)
    assert sorted(c["id"] for c in changes) == sorted([complete["id"], plain["id"]])
    stored = next(c for c in changes if c["id"] == complete["id"])["data"]
    assert stored["unitId"] == audit["unitIds"][0] and stored["attachments"] == [photo]


async def test_a_question_of_the_pinned_checklist_is_accepted_on_an_auditor_tablet(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    device, audit_id = await auditor_on_audit(client)
    audit = (await client.get(f"/api/v1/audits/{audit_id}", headers=device.headers)).json()
    package = (await client.get(f"/api/v1/audits/{audit_id}/package", headers=device.headers)).json()
    offered = [item["id"] for item in package["checklist"]]
    assert offered and audit["checklistVersion"]
    ops = [finding(audit_id, questionId=qid, clauseRefs=[]) for qid in offered[:20]]
    results = (await device.push(ops)).json()["results"]
    assert {r["status"] for r in results} == {"applied"}

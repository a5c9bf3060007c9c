"""The reviewed library through the API: good-practice questions, descriptive clause labels, pinned
versions that corrections never change, and findings on good-practice questions (SQLite and
PostgreSQL)."""

from __future__ import annotations

import io
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from server.app import create_app
from server.checklists.library import load_library
from server.settings import Settings
from tests.conftest import login
from tests.contract.support import Device, finding


async def test_the_checklist_and_the_standards_say_what_is_good_practice_and_what_is_a_label(
    client: AsyncTestClient[Any],
) -> None:
    headers = await login(client, "auditor1")
    body = (await client.get("/api/v1/checklists", params={"standards": "iso9001"}, headers=headers)).json()
    items = {i["id"]: i for i in body["items"]}
    assert items["perf-031"]["basis"] == "good_practice"
    assert items["perf-034"]["basis"] == "good_practice"
    assert items["perf-002"]["basis"] == "requirement"

    standards = (await client.get("/api/v1/standards", headers=headers)).json()
    flat: dict[str, Any] = {}
    stack = list(standards[0]["clauses"])
    while stack:
        clause = stack.pop()
        flat[clause["number"]] = clause
        stack.extend(clause["children"])
    assert flat["9.2.2"]["descriptive"] is True
    assert flat["9.1.2"]["descriptive"] is False


async def test_the_workbook_has_a_basis_column(client: AsyncTestClient[Any]) -> None:
    headers = await login(client, "lead")
    response = await client.get(
        "/api/v1/checklists/export.xlsx", params={"standards": "iso9001", "lang": "en"}, headers=headers
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["ISO 9001"]
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("Basis")
    by_id = {row[0]: row[column] for row in rows[1:]}
    assert by_id["perf-031"] == "good practice (a gap is an opportunity for improvement)"
    assert by_id["perf-002"] == "requirement"


async def test_a_good_practice_question_takes_an_improvement_never_a_nonconformity(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    library = load_library(settings.checklists_dir)[0]
    good = {q.id: q for q in library.questions if q.basis == "good_practice"}
    lead = Device(client, await login(client, "lead"))
    audits = (await client.get("/api/v1/audits", headers=lead.headers)).json()
    audit = next(
        a
        for a in audits
        if a["status"] == "prepared"
        and any(ref.partition(":")[0] in a["standards"] for q in good.values() for ref in q.clauses)
    )
    question = next(
        q for q in good.values() if any(ref.partition(":")[0] in audit["standards"] for ref in q.clauses)
    )
    refs = [r for r in question.clauses if r.partition(":")[0] in audit["standards"]]
    ops = [
        finding(audit["id"], questionId=question.id, clauseRefs=refs, verdict="nc_minor", evidence="Vu."),
        finding(audit["id"], questionId=question.id, clauseRefs=refs, verdict="nc_major", evidence="Vu."),
        finding(audit["id"], questionId=question.id, clauseRefs=refs, verdict="improvement"),
    ]
    headers = {**lead.headers, "Accept-Language": "fr"}
    response = await Device(client, headers).push(ops)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [(r["status"], r.get("code")) for r in results] == [
        ("rejected", "finding.good_practice_not_nonconformity"),
        ("rejected", "finding.good_practice_not_nonconformity"),
        ("applied", None),
    ]


async def test_corrections_make_a_new_version_and_pinned_versions_stay_byte_identical(
    settings: Settings, tmp_path: Path
) -> None:
    library_copy = tmp_path / "library"
    shutil.copytree(settings.checklists_dir, library_copy)
    app = create_app(replace(settings, checklists_dir=library_copy))
    async with AsyncTestClient(app=app) as client:
        lead = await login(client, "lead")
        audit = next(
            a for a in (await client.get("/api/v1/audits", headers=lead)).json() if a["status"] == "prepared"
        )
        package_before = (await client.get(f"/api/v1/audits/{audit['id']}/package", headers=lead)).content
        pinned = (await client.post("/api/v1/checklists/pin", headers=lead)).json()["version"]
        snapshot_before = (await client.get(f"/api/v1/checklists/versions/{pinned}", headers=lead)).content

        # A reviewer's correction lands in the library.
        path = library_copy / "questions" / "09-performance.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("tableau de bord", "tableau de pilotage", 1), encoding="utf-8")

        corrected = (await client.post("/api/v1/checklists/pin", headers=lead)).json()["version"]
        assert corrected != pinned
        snapshot_after = (await client.get(f"/api/v1/checklists/versions/{pinned}", headers=lead)).content
        assert snapshot_after == snapshot_before
        new_snapshot = (await client.get(f"/api/v1/checklists/versions/{corrected}", headers=lead)).content
        assert b"tableau de pilotage" in new_snapshot and b"tableau de pilotage" not in snapshot_before
        package_after = (await client.get(f"/api/v1/audits/{audit['id']}/package", headers=lead)).content
        assert package_after == package_before


async def test_a_second_council_reads_its_own_facts_and_no_demo_region_name(
    client: AsyncTestClient[Any],
) -> None:
    """Another region's council fills the placeholders through its profile (the demo's province codes
    kept, renamed, so its sites stay valid)."""
    from tests.unit.checklists.test_any_council import DEMO_REGION, OTHER_COUNCIL

    lead = await login(client, "lead")
    before = (await client.get("/api/v1/checklists", params={"lang": "fr"}, headers=lead)).json()
    assert "Azilal" in "\n".join(i["text"] + i["guidance"] for i in before["items"])  # the demo's facts

    profile = (await client.get("/api/v1/organisation", headers=lead)).json()
    names = ["Oued Zitoune", "Tizi Nouar", "Marsa El Kebir", "Aït Ouarda", "Sidi Lbhar"]
    body = {
        "name": {"ar": "مجلس جهة الساحل الأطلسي", "fr": "Conseil de la Région du Littoral-Atlas", "en": ""},
        "provinces": [
            {"code": p["code"], "name": {"ar": f"إقليم {n}", "fr": f"province de {n}", "en": f"{n} province"}}
            for p, n in zip(profile["provinces"], names, strict=True)
        ],
        "facts": {name: value for name, value in OTHER_COUNCIL.items() if name != "provinces"},
    }
    saved = await client.put(
        "/api/v1/organisation", json=body, headers={**lead, "If-Match": f'"{profile["rev"]}"'}
    )
    assert saved.status_code == 200, saved.text
    for lang in ("ar", "fr", "en"):
        checklist = (await client.get("/api/v1/checklists", params={"lang": lang}, headers=lead)).json()
        assert checklist["version"] != before["version"] or lang != "fr"
        text = "\n".join(i["text"] + "\n" + i["guidance"] for i in checklist["items"])
        assert DEMO_REGION.search(text) is None, (lang, DEMO_REGION.search(text))
        assert "{" not in text, lang
        assert OTHER_COUNCIL["remote_sites"][lang] in text, lang
        assert ("Tizi Nouar" if lang != "ar" else "إقليم Tizi Nouar") in text, lang

from __future__ import annotations

import io
from typing import Any

from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from tests.conftest import login

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LAW_31_13: dict[str, Any] = {
    "clauses": ["iso9001:7.5.3.2"],
    "text": {
        "ar": "هل تُعالج طلبات الحصول على المعلومات داخل الآجال القانونية؟",
        "fr": "Les demandes d'information sont-elles traitées dans les délais de la loi 31-13 ?",
    },
    "guidance": {
        "fr": "Échantillonner cinq demandes du registre et comparer les dates de réception et de réponse."
    },
}


async def _process(client: AsyncTestClient[Any], headers: dict[str, str], tag: str) -> dict[str, Any]:
    processes = (await client.get("/api/v1/processes", headers=headers)).json()
    return next(p for p in processes if tag in p["tags"])


async def test_standards_are_clause_trees(client: AsyncTestClient[Any]) -> None:
    headers = await login(client, "auditor1")
    standards = (await client.get("/api/v1/standards", headers=headers)).json()
    assert [s["standard"] for s in standards] == ["iso9001", "iso14001", "iso45001"]
    iso9001 = standards[0]
    clause7 = next(c for c in iso9001["clauses"] if c["number"] == "7")
    resources = next(c for c in clause7["children"] if c["number"] == "7.1")
    measuring = next(c for c in resources["children"] if c["number"] == "7.1.5")
    assert [c["number"] for c in measuring["children"]] == ["7.1.5.1", "7.1.5.2"]
    assert measuring["title"]["ar"] and measuring["title"]["fr"]


async def test_checklist_etag_round_trip(client: AsyncTestClient[Any]) -> None:
    headers = await login(client, "auditor1")
    params = {"standards": "iso9001,iso14001", "lang": "ar"}
    # Uncompressed, the tag is strong; compressed (httpx asks for br and gzip), the same tag made weak.
    identity = {**headers, "Accept-Encoding": "identity"}
    plain = (await client.get("/api/v1/checklists", params=params, headers=identity)).headers["ETag"]
    first = await client.get("/api/v1/checklists", params=params, headers=headers)
    assert first.status_code == 200
    body = first.json()
    assert body["lang"] == "ar" and body["count"] == len(body["items"]) >= 150
    etag = first.headers["ETag"]
    assert plain.startswith('"') and etag == f"W/{plain}"
    cached = await client.get("/api/v1/checklists", params=params, headers={**headers, "If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b""
    other = await client.get(
        "/api/v1/checklists", params={**params, "lang": "fr"}, headers={**headers, "If-None-Match": etag}
    )
    assert other.status_code == 200 and other.headers["ETag"] != etag


async def test_new_organisation_question_changes_the_etag_and_joins_by_clause(
    client: AsyncTestClient[Any],
) -> None:
    lead = await login(client, "lead")
    params = {"standards": "iso9001", "lang": "fr", "clause": "7.5"}
    before = await client.get("/api/v1/checklists", params=params, headers=lead)
    created = await client.post("/api/v1/org-questions", json=LAW_31_13, headers=lead)
    assert created.status_code == 201, created.text
    assert created.json()["code"] == "org-001"
    after = await client.get(
        "/api/v1/checklists", params=params, headers={**lead, "If-None-Match": before.headers["ETag"]}
    )
    assert after.status_code == 200
    items = after.json()["items"]
    org_items = [i for i in items if i["source"] == "organisation"]
    assert [i["id"] for i in org_items] == ["org-001"]
    assert "31-13" in org_items[0]["text"]
    assert after.json()["version"] != before.json()["version"]


async def test_organisation_question_limited_to_a_process(client: AsyncTestClient[Any]) -> None:
    lead = await login(client, "lead")
    complaints = await _process(client, lead, "citizen_services")
    works = await _process(client, lead, "works_site")
    created = await client.post(
        "/api/v1/org-questions", json={**LAW_31_13, "processIds": [complaints["id"]]}, headers=lead
    )
    assert created.status_code == 201
    for process, expected in ((complaints, True), (works, False)):
        items = (
            await client.get("/api/v1/checklists", params={"process": process["id"]}, headers=lead)
        ).json()["items"]
        assert any(i["id"] == "org-001" for i in items) is expected
        assert all(not i["tags"] or set(i["tags"]) & set(process["tags"]) for i in items)


async def test_bad_organisation_questions_are_refused(client: AsyncTestClient[Any]) -> None:
    lead = await login(client, "lead")
    unknown = await client.post(
        "/api/v1/org-questions", json={**LAW_31_13, "clauses": ["iso9001:7.5"]}, headers=lead
    )
    assert unknown.status_code == 422 and unknown.json()["code"] == "checklists.unknown_clause"
    auditor = await login(client, "auditor2")
    assert (await client.post("/api/v1/org-questions", json=LAW_31_13, headers=auditor)).status_code == 403
    bad_standard = await client.get("/api/v1/checklists", params={"standards": "iso27001"}, headers=lead)
    assert bad_standard.status_code == 400 and bad_standard.json()["code"] == "request.validation_failed"
    assert [e["field"] for e in bad_standard.json()["details"]] == ["standards"]


async def test_pinned_version_never_changes_and_keeps_retired_questions(client: AsyncTestClient[Any]) -> None:
    lead = await login(client, "lead")
    created = (await client.post("/api/v1/org-questions", json=LAW_31_13, headers=lead)).json()
    pinned = (await client.post("/api/v1/checklists/pin", headers=lead)).json()["version"]
    snapshot = (await client.get(f"/api/v1/checklists/versions/{pinned}", headers=lead)).content
    edited = {**LAW_31_13, "text": {**LAW_31_13["text"], "fr": "Texte révisé"}}
    updated = await client.put(
        f"/api/v1/org-questions/{created['id']}", json={**edited, "rev": 1}, headers=lead
    )
    assert updated.status_code == 200 and updated.json()["rev"] == 2
    retired = await client.post(
        f"/api/v1/org-questions/{created['id']}/retire", headers={**lead, "If-Match": '"2"'}
    )
    assert retired.json()["retiredAt"] is not None and retired.json()["rev"] == 3
    again = await client.put(
        f"/api/v1/org-questions/{created['id']}", json={**edited, "rev": 3}, headers=lead
    )
    assert again.status_code == 409 and again.json()["code"] == "checklists.question_retired"
    assert (await client.get(f"/api/v1/checklists/versions/{pinned}", headers=lead)).content == snapshot
    assert b"loi 31-13" in snapshot
    current = (await client.get("/api/v1/checklists", headers=lead)).json()
    assert current["version"] != pinned
    assert not any(i["id"] == created["code"] for i in current["items"])
    trail = (await client.get("/api/v1/audit-trail", params={"entity": "question"}, headers=lead)).json()[
        "items"
    ]
    assert [e["action"] for e in trail] == ["retire", "update", "create"]


def _sheet_rows(content: bytes, sheet: str) -> tuple[Any, list[list[Any]]]:
    workbook = load_workbook(io.BytesIO(content))
    rows = [list(r) for r in workbook[sheet].iter_rows(values_only=True)]
    return workbook, rows


async def test_xlsx_export_edit_import_round_trip(client: AsyncTestClient[Any]) -> None:
    lead = await login(client, "lead")
    created = (await client.post("/api/v1/org-questions", json=LAW_31_13, headers=lead)).json()
    export = await client.get("/api/v1/checklists/export.xlsx", params={"lang": "ar"}, headers=lead)
    assert export.status_code == 200 and export.headers["content-type"].startswith(XLSX)
    workbook, rows = _sheet_rows(export.content, "ISO 9001")
    assert workbook.sheetnames[:3] == ["ISO 9001", "ISO 14001", "ISO 45001"]
    assert workbook["ISO 9001"].sheet_view.rightToLeft is True
    assert rows[0][0] == "معرف السؤال"
    sheet = workbook["ISO 9001"]
    org_row = next(i for i, r in enumerate(rows, start=1) if r[0] == created["code"])
    sheet.cell(row=org_row, column=5).value = "Délais de la loi 31-13 : vérifier le registre."  # text_fr
    sheet.append(
        [
            "",
            "",
            "iso9001:8.2.1 iso45001:7.4.3",
            "هل تُنشر نتائج الشكايات؟",
            "Les résultats sont-ils publiés ?",
            "",
            "",
            "",
            "",
            "citizen_services",
            "",
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    imported = await client.post(
        "/api/v1/checklists/import", content=buffer.getvalue(), headers={**lead, "Content-Type": XLSX}
    )
    assert imported.status_code == 200, imported.text
    report = imported.json()
    assert (report["added"], report["changed"], report["refused"], report["applied"]) == (1, 1, 0, True)
    questions = (await client.get("/api/v1/org-questions", headers=lead)).json()
    assert {q["code"] for q in questions} == {"org-001", "org-002"}
    assert next(q for q in questions if q["code"] == "org-001")["text"]["fr"].startswith("Délais")
    new = next(q for q in questions if q["code"] == "org-002")
    assert new["clauses"] == ["iso9001:8.2.1", "iso45001:7.4.3"] and new["tags"] == ["citizen_services"]
    trail = (await client.get("/api/v1/audit-trail", params={"entity": "question"}, headers=lead)).json()[
        "items"
    ]
    assert [e["action"] for e in trail][:2] == ["import", "import"]


async def test_import_with_one_bad_row_changes_nothing_and_names_the_row(
    client: AsyncTestClient[Any],
) -> None:
    lead = await login(client, "lead")
    await client.post("/api/v1/org-questions", json=LAW_31_13, headers=lead)
    export = await client.get(
        "/api/v1/checklists/export.xlsx", params={"lang": "fr", "standards": "iso9001"}, headers=lead
    )
    workbook, _ = _sheet_rows(export.content, "ISO 9001")
    sheet = workbook["ISO 9001"]
    sheet.append(["", "", "iso9001:8.2.1", "سؤال صحيح", "Une question valable", "", "", "", "", "", ""])
    sheet.append(["", "", "iso9001:99.1", "", "Clause inventée", "", "", "", "", "", ""])
    bad_row = sheet.max_row
    buffer = io.BytesIO()
    workbook.save(buffer)
    before = (await client.get("/api/v1/org-questions", headers=lead)).json()
    response = await client.post(
        "/api/v1/checklists/import",
        content=buffer.getvalue(),
        headers={**lead, "Content-Type": XLSX, "Accept-Language": "fr"},
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "checklists.import_refused"
    refused = [r for r in body["details"]["rows"] if r["action"] == "refused"]
    assert [(r["sheet"], r["row"]) for r in refused] == [("ISO 9001", bad_row)]
    assert any("référence de clause inconnue: iso9001:99.1" in reason for reason in refused[0]["reasons"])
    assert (await client.get("/api/v1/org-questions", headers=lead)).json() == before


async def test_a_file_that_is_not_our_workbook_is_refused(client: AsyncTestClient[Any]) -> None:
    lead = await login(client, "lead")
    response = await client.post(
        "/api/v1/checklists/import", content=b"PK\x03\x04 not really", headers={**lead, "Content-Type": XLSX}
    )
    assert response.status_code == 422 and response.json()["code"] == "checklists.bad_workbook"

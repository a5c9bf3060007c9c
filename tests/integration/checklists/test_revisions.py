"""Organisation questions carry a ``rev``: a write names the revision it was decided on (API or
workbook), so a stale client or an old export never silently undoes a later change."""

from __future__ import annotations

import io
from typing import Any

import msgspec
from litestar.testing import AsyncTestClient
from openpyxl import load_workbook

from tests.conftest import login

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
QUESTION: dict[str, Any] = {
    "clauses": ["iso9001:7.5.3.2"],
    "text": {"ar": "هل تُحفظ السجلات؟", "fr": "Les registres sont-ils conservés ?"},
}
EDITED = {**QUESTION, "text": {**QUESTION["text"], "fr": "Les registres sont-ils conservés dix ans ?"}}


async def _create(client: AsyncTestClient[Any], headers: dict[str, str]) -> dict[str, Any]:
    created = await client.post("/api/v1/org-questions", json=QUESTION, headers=headers)
    assert created.status_code == 201, created.text
    assert created.headers["ETag"] == '"1"'
    return dict(created.json())


async def _questions(client: AsyncTestClient[Any], headers: dict[str, str]) -> list[dict[str, Any]]:
    return list((await client.get("/api/v1/org-questions?includeRetired=true", headers=headers)).json())


async def test_update_and_retire_without_the_revision_read_are_refused_with_428(
    client: AsyncTestClient[Any],
) -> None:
    lead = await login(client, "lead")
    question = await _create(client, lead)
    url = f"/api/v1/org-questions/{question['id']}"
    for response in (
        await client.put(url, json=EDITED, headers=lead),
        await client.post(f"{url}/retire", headers=lead),
    ):
        assert response.status_code == 428, response.text
        assert response.json()["code"] == "request.precondition_required"
    assert await _questions(client, lead) == [question]


async def test_a_stale_revision_is_refused_with_412_naming_the_current_one(
    client: AsyncTestClient[Any],
) -> None:
    lead = await login(client, "lead")
    admin = await login(client, "admin")
    question = await _create(client, lead)
    url = f"/api/v1/org-questions/{question['id']}"
    first = await client.put(url, json=EDITED, headers={**admin, "If-Match": '"1"'})
    assert first.status_code == 200 and first.json()["rev"] == 2 and first.headers["ETag"] == '"2"'
    after_first = await _questions(client, lead)
    stale_put = await client.put(url, json={**QUESTION, "rev": 1}, headers=lead)
    stale_retire = await client.post(f"{url}/retire", json={"rev": 1}, headers=lead)
    for response in (stale_put, stale_retire):
        assert response.status_code == 412, response.text
        assert response.json()["code"] == "request.precondition_failed"
        assert response.json()["details"] == {"currentRev": 2}
    assert await _questions(client, lead) == after_first
    retired = await client.post(f"{url}/retire", headers={**lead, "If-Match": '"2"'})
    assert retired.status_code == 200 and retired.json()["rev"] == 3 and retired.json()["retiredAt"]


async def test_if_match_and_rev_must_both_be_current_and_ascii_digits(client: AsyncTestClient[Any]) -> None:
    lead = await login(client, "lead")
    question = await _create(client, lead)
    url = f"/api/v1/org-questions/{question['id']}"
    for header, rev in (('"2"', 1), ('"1"', 2)):
        disagree = await client.put(url, json={**EDITED, "rev": rev}, headers={**lead, "If-Match": header})
        assert disagree.status_code == 412 and disagree.json()["details"] == {"currentRev": 1}
    for if_match in ('"٣"', '"１"', "*", '"1", "2"'):
        # Sent as UTF-8 bytes, as a client would put them on the wire.
        response = await client.put(
            url,
            json=EDITED,
            headers=[*((k.encode(), v.encode()) for k, v in lead.items()), (b"If-Match", if_match.encode())],
        )
        assert response.status_code == 400, (if_match, response.text)
        assert response.json()["details"][0]["field"] == "If-Match"
    as_text = await client.put(url, json={**EDITED, "rev": "1"}, headers=lead)
    assert as_text.status_code == 400 and as_text.json()["details"][0]["field"] == "rev"
    assert await _questions(client, lead) == [question]


async def _export(client: AsyncTestClient[Any], headers: dict[str, str]) -> Any:
    export = await client.get(
        "/api/v1/checklists/export.xlsx", params={"lang": "fr", "standards": "iso9001"}, headers=headers
    )
    assert export.status_code == 200
    return load_workbook(io.BytesIO(export.content))


def _org_row(sheet: Any, code: str) -> int:
    return int(next(cell.row for cell in sheet["A"] if cell.value == code))


def _column(workbook: Any, key: str) -> int:
    keys = [cell.value for cell in workbook["_tadqiq"][3]]
    return keys.index(key) + 1


async def _import(client: AsyncTestClient[Any], workbook: Any, headers: dict[str, str]) -> Any:
    buffer = io.BytesIO()
    workbook.save(buffer)
    # The reasons are compared in English: the account's own language (the demo lead's is French) wins
    # over Accept-Language, so it is set for the duration of the test.
    assert (await client.patch("/api/v1/me", json={"locale": "en"}, headers=headers)).status_code == 200
    return await client.post(
        "/api/v1/checklists/import", content=buffer.getvalue(), headers={**headers, "Content-Type": XLSX}
    )


async def test_the_revision_is_exported_in_a_hidden_column_with_a_localized_header(
    client: AsyncTestClient[Any],
) -> None:
    lead = await login(client, "lead")
    question = await _create(client, lead)
    workbook = await _export(client, lead)
    sheet = workbook["ISO 9001"]
    column = _column(workbook, "rev")
    letter = sheet.cell(row=1, column=column).column_letter
    assert sheet.column_dimensions[letter].hidden is True
    assert "Révision" in sheet.cell(row=1, column=column).value or "Revision" in sheet.cell(1, column).value
    assert sheet.cell(row=_org_row(sheet, question["code"]), column=column).value == 1


async def test_an_old_export_cannot_undo_a_change_made_since_through_the_api(
    client: AsyncTestClient[Any],
) -> None:
    lead = await login(client, "lead")
    admin = await login(client, "admin")
    question = await _create(client, lead)
    workbook = await _export(client, lead)
    sheet = workbook["ISO 9001"]
    row = _org_row(sheet, question["code"])
    sheet.cell(row=row, column=_column(workbook, "text_fr")).value = "Texte du classeur"
    sheet.append(["", "", "iso9001:8.2.1", "سؤال جديد", "Une nouvelle question"])
    changed = await client.put(
        f"/api/v1/org-questions/{question['id']}", json={**EDITED, "rev": 1}, headers=admin
    )
    assert changed.status_code == 200
    before = await _questions(client, lead)
    response = await _import(client, workbook, lead)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "checklists.import_refused" and body["details"]["applied"] is False
    refused = [r for r in body["details"]["rows"] if r["action"] == "refused"]
    assert [(r["sheet"], r["row"], r["code"]) for r in refused] == [("ISO 9001", row, question["code"])]
    assert refused[0]["reasons"] == [
        "someone changed this question after this workbook was exported; export again and redo the change. "
        "Revision in the workbook → now: 1 → 2"
    ]
    assert await _questions(client, lead) == before  # neither the stale row nor the new question


async def test_a_row_without_revision_from_an_older_export_is_refused(client: AsyncTestClient[Any]) -> None:
    lead = await login(client, "lead")
    question = await _create(client, lead)
    workbook = await _export(client, lead)
    meta = workbook["_tadqiq"]
    rev_column = _column(workbook, "rev")
    meta.cell(row=3, column=rev_column).value = None  # what an export made before revisions looked like
    for sheet in workbook.worksheets[:-1]:
        sheet.delete_cols(rev_column)
    response = await _import(client, workbook, lead)
    assert response.status_code == 422, response.text
    refused = [r for r in response.json()["details"]["rows"] if r["action"] == "refused"]
    assert [r["code"] for r in refused] == [question["code"]]
    assert refused[0]["reasons"][0].startswith("this row has no revision: the workbook comes from an older")
    assert await _questions(client, lead) == [question]


async def test_an_edited_revision_cell_is_a_row_error_not_a_crash_nor_a_number(
    client: AsyncTestClient[Any],
) -> None:
    lead = await login(client, "lead")
    question = await _create(client, lead)
    for written in ("١", "1.5", "one"):
        workbook = await _export(client, lead)
        sheet = workbook["ISO 9001"]
        row = _org_row(sheet, question["code"])
        sheet.cell(row=row, column=_column(workbook, "text_fr")).value = "Texte du classeur"
        sheet.cell(row=row, column=_column(workbook, "rev")).value = written
        response = await _import(client, workbook, lead)
        assert response.status_code == 422, response.text
        refused = [r for r in response.json()["details"]["rows"] if r["action"] == "refused"]
        assert [(r["row"], r["reasons"]) for r in refused] == [
            (row, [f"the revision column was edited; it must hold the number written at export: {written}"])
        ]
    assert await _questions(client, lead) == [question]


async def test_a_current_export_still_imports(client: AsyncTestClient[Any]) -> None:
    lead = await login(client, "lead")
    question = await _create(client, lead)
    workbook = await _export(client, lead)
    sheet = workbook["ISO 9001"]
    sheet.cell(row=_org_row(sheet, question["code"]), column=_column(workbook, "text_fr")).value = "Nouveau"
    response = await _import(client, workbook, lead)
    assert response.status_code == 200, response.text
    assert response.json()["changed"] == 1
    (stored,) = await _questions(client, lead)
    assert stored["rev"] == 2 and stored["text"]["fr"] == "Nouveau"


async def test_a_rev_written_as_an_integral_json_number_counts_and_a_fraction_does_not(
    client: AsyncTestClient[Any],
) -> None:
    lead = await login(client, "lead")
    question = await _create(client, lead)
    url = f"/api/v1/org-questions/{question['id']}"
    json_headers = {**lead, "Content-Type": "application/json"}
    edited = msgspec.json.encode(EDITED)[:-1]
    fraction = await client.put(url, content=edited + b', "rev": 1.5}', headers=json_headers)
    assert fraction.status_code == 400 and fraction.json()["details"][0]["field"] == "rev"
    # JSON Schema counts 1.0 as an integer, and a client generated from the schema may send it.
    accepted = await client.put(url, content=edited + b', "rev": 1.0}', headers=json_headers)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["rev"] == 2

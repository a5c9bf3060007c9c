"""Every constraint the checklist routes check on a parameter is declared in the OpenAPI document, and a
value outside it (Unicode digits included) is a 400 naming the parameter, never a 500 nor a guess."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from server.checklists.schemas import ChecklistSnapshotOut
from tests.conftest import login

ARABIC_3 = "\u0663"  # ٣, which str.isdigit() and int() accept


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/checklists", {"clause": ARABIC_3}, "clause"),
        ("/api/v1/checklists", {"clause": f"7.{ARABIC_3}"}, "clause"),
        ("/api/v1/checklists", {"lang": "xx"}, "lang"),
        ("/api/v1/checklists", {"lang": "FR"}, "lang"),
        ("/api/v1/checklists", {"standards": f"iso{ARABIC_3}001"}, "standards"),
        ("/api/v1/checklists", {"standards": "iso9001, iso14001"}, "standards"),
        ("/api/v1/checklists/export.xlsx", {"lang": ARABIC_3}, "lang"),
        ("/api/v1/checklists/export.xlsx", {"standards": "iso27001"}, "standards"),
        ("/api/v1/checklists/versions/" + ARABIC_3 * 64, {}, "version"),
        ("/api/v1/checklists/versions/" + "A" * 64, {}, "version"),
        ("/api/v1/org-questions", {"includeRetired": ARABIC_3}, "includeRetired"),
        # Litestar's lax conversion read the text "null" as an absent optional parameter.
        ("/api/v1/checklists", {"lang": "null"}, "lang"),
        ("/api/v1/checklists", {"process": "null"}, "process"),
        ("/api/v1/checklists", {"process": "0000000٣-0000-0000-0000-000000000000"}, "process"),
        ("/api/v1/checklists/export.xlsx", {"lang": "null"}, "lang"),
        ("/api/v1/audit-trail", {"beforeId": "null"}, "beforeId"),
        ("/api/v1/audit-trail", {"beforeId": "0"}, "beforeId"),
        ("/api/v1/audit-trail", {"beforeId": ARABIC_3}, "beforeId"),
        ("/api/v1/audit-trail", {"since": "null"}, "since"),
    ],
)
async def test_a_value_outside_the_declared_constraint_is_400_naming_the_parameter(
    client: AsyncTestClient[Any], url: str, params: dict[str, str], field: str
) -> None:
    headers = await login(client, "lead")
    response = await client.get(url, params=params, headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "request.validation_failed"
    assert [item["field"] for item in response.json()["details"]] == [field]


async def test_declared_values_are_accepted(client: AsyncTestClient[Any]) -> None:
    headers = await login(client, "auditor1")
    for params in (
        {"standards": "iso45001,iso9001", "lang": "en", "clause": "7.5"},
        {"standards": ""},
        {"clause": "10"},
    ):
        response = await client.get("/api/v1/checklists", params=params, headers=headers)
        assert response.status_code == 200, (params, response.text)
    unknown = await client.get("/api/v1/checklists/versions/" + "0" * 64, headers=headers)
    assert unknown.status_code == 404


async def test_a_pinned_version_matches_its_documented_schema(client: AsyncTestClient[Any]) -> None:
    lead = await login(client, "lead")
    created = await client.post(
        "/api/v1/org-questions",
        json={"clauses": ["iso9001:7.5.3.2"], "text": {"ar": "سؤال", "fr": "Question"}},
        headers=lead,
    )
    assert created.status_code == 201
    pinned = await client.post("/api/v1/checklists/pin", headers=lead)
    response = await client.get(f"/api/v1/checklists/versions/{pinned.json()['version']}", headers=lead)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    snapshot = msgspec.json.decode(response.content, type=ChecklistSnapshotOut, strict=True)
    assert snapshot.questions and [q.code for q in snapshot.organisation_questions] == ["org-001"]
    schema = (await client.get("/schema/openapi.json")).json()
    operation = schema["paths"]["/api/v1/checklists/versions/{version}"]["get"]
    documented = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert documented == {"$ref": "#/components/schemas/ChecklistSnapshotOut"}


def _parameter(schema: dict[str, Any], path: str, method: str, name: str) -> dict[str, Any]:
    operation = schema["paths"][path][method]
    return next(p for p in operation["parameters"] if p["name"] == name)


def _flat(parameter_schema: dict[str, Any]) -> dict[str, Any]:
    """The non-null branch of an optional parameter's schema."""
    for branch in parameter_schema.get("oneOf", parameter_schema.get("anyOf", [])):
        if branch.get("type") != "null":
            return dict(branch)
    return parameter_schema


async def test_the_openapi_document_declares_the_checked_constraints(client: AsyncTestClient[Any]) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    lang = _flat(_parameter(schema, "/api/v1/checklists", "get", "lang")["schema"])
    assert sorted(lang["enum"]) == ["ar", "en", "fr"]
    standards = _flat(_parameter(schema, "/api/v1/checklists", "get", "standards")["schema"])
    assert "iso14001" in standards["pattern"]
    version = _parameter(schema, "/api/v1/checklists/versions/{version}", "get", "version")["schema"]
    assert version["pattern"] == "^[0-9a-f]{64}$"
    since = _parameter(schema, "/api/v1/audit-trail", "get", "since")["schema"]
    assert since["type"] == "string" and since["format"] == "date-time"  # no null: "null" is refused
    locale = _parameter(schema, "/api/v1/i18n/{locale}", "get", "locale")["schema"]
    assert sorted(locale["enum"]) == ["ar", "en", "fr"]
    for path, method in (
        ("/api/v1/org-questions/{question_id}", "put"),
        ("/api/v1/org-questions/{question_id}/retire", "post"),
    ):
        if_match = _parameter(schema, path, method, "If-Match")
        assert if_match["in"] == "header" and "[0-9]" in _flat(if_match["schema"])["pattern"]
        assert {"412", "428"} <= set(schema["paths"][path][method]["responses"])

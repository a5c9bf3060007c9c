from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from server.settings import Settings
from tests.conftest import login


async def test_health_reports_database_kind_and_migrations(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    response = await client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == settings.database_kind
    assert body["migrations"]["upToDate"] is True
    assert body["migrations"]["applied"] >= 4
    assert body["status"] == "ok"


async def test_unknown_route_is_404_in_standard_shape(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {
        "status": 404,
        "code": "request.not_found",
        "message": "Il n'y a rien à cette adresse.",
        "details": None,
    }


async def test_malformed_json_is_400_in_standard_shape(client: AsyncTestClient[Any]) -> None:
    headers = await login(client, "admin")
    response = await client.post(
        "/api/v1/units", content=b'{"code": "X", ', headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "request.malformed_json"
    assert set(body) == {"status", "code", "message", "details"}


async def test_validation_error_lists_every_bad_field(client: AsyncTestClient[Any]) -> None:
    headers = await login(client, "admin")
    response = await client.post(
        "/api/v1/units",
        json={"code": "lower case", "kind": "ministry", "name": {"ar": "x", "fr": ""}, "colour": "red"},
        headers={**headers, "Accept-Language": "ar"},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "request.validation_failed"
    fields = {item["field"] for item in body["details"]}
    assert fields == {"code", "kind", "name.fr", "colour"}
    assert body["message"] != "Some fields are missing or invalid; see the details for each field."


async def test_body_over_limit_is_413(client: AsyncTestClient[Any], settings: Settings) -> None:
    headers = await login(client, "admin")
    big = b'{"code": "' + b"X" * (settings.max_body_bytes + 10) + b'"}'
    response = await client.post(
        "/api/v1/units", content=big, headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request.body_too_large"


async def test_huge_integer_is_a_validation_error_not_a_crash(client: AsyncTestClient[Any]) -> None:
    headers = await login(client, "admin")
    response = await client.get("/api/v1/audit-trail", params={"beforeId": str(10**30)}, headers=headers)
    assert response.status_code == 400
    assert response.json()["code"] == "request.validation_failed"


async def test_openapi_lists_operations_with_ids_and_error_responses(client: AsyncTestClient[Any]) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    operations = [op for item in schema["paths"].values() for op in item.values() if isinstance(op, dict)]
    assert len(operations) >= 20
    for operation in operations:
        assert operation.get("operationId"), operation
        assert "400" in operation["responses"] and "500" in operation["responses"]
    assert "Error" in schema["components"]["schemas"]
    page = await client.get("/schema")
    assert page.status_code == 200 and "<html" in page.text.lower()
    # The API browser loads nothing from the Internet: a council intranet may have none.
    assert "http://" not in page.text and "https://" not in page.text
    for asset in ("/schema-assets/swagger-ui-bundle.js", "/schema-assets/swagger-ui.css"):
        assert asset in page.text and (await client.get(asset)).status_code == 200

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from server.lib.errors import ErrorCode, status_of
from server.lib.openapi import UNDOCUMENTED_STATUSES
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
        "requestId": response.headers["x-request-id"],  # also in the request's log line
    }


async def test_malformed_json_is_400_in_standard_shape(client: AsyncTestClient[Any]) -> None:
    headers = await login(client, "admin")
    response = await client.post(
        "/api/v1/units", content=b'{"code": "X", ', headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "request.malformed_json"
    assert set(body) == {"status", "code", "message", "details", "requestId"}


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
    # Two Structs of one name get module-qualified components, which the alignment with msgspec's own
    # schemas (``additionalProperties: false`` included) would silently skip: names stay unique.
    qualified = [name for name in schema["components"]["schemas"] if "_schemas_" in name]
    assert qualified == [], "rename the Struct: its name is taken by another domain's"
    page = await client.get("/schema")
    assert page.status_code == 200 and "<html" in page.text.lower()
    # The API browser loads nothing from the Internet: a council intranet may have none.
    assert "http://" not in page.text and "https://" not in page.text
    for asset in ("/schema-assets/swagger-ui-bundle.js", "/schema-assets/swagger-ui.css"):
        assert asset in page.text and (await client.get(asset)).status_code == 200


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"until": "1"}, "until"),  # lax conversion read it as a Unix time
        ({"until": "2024-01-01T00:00:00"}, "until"),  # no offset: not an instant
        ({"since": "garbage"}, "since"),
        ({"since": "2024-02-30T00:00:00Z"}, "since"),
        ({"since": "\u0662\u0660\u0662\u0664-01-01T00:00:00Z"}, "since"),  # Arabic-Indic digits
        ({"beforeId": "\u0663"}, "beforeId"),
        ({"beforeId": "\u00b3"}, "beforeId"),
        ({"limit": "\uff13"}, "limit"),
    ],
)
async def test_a_malformed_trail_parameter_is_400_naming_it(
    client: AsyncTestClient[Any], params: dict[str, str], field: str
) -> None:
    headers = await login(client, "admin")
    response = await client.get("/api/v1/audit-trail", params=params, headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "request.validation_failed"
    assert [item["field"] for item in response.json()["details"]] == [field]


async def test_trail_time_filters_take_any_rfc3339_instant(client: AsyncTestClient[Any]) -> None:
    headers = await login(client, "admin")
    everything = (await client.get("/api/v1/audit-trail?limit=500", headers=headers)).json()["items"]
    assert everything
    for params, expected in (
        ({"since": "0001-01-01T00:00:00+01:00"}, len(everything)),  # before year 1 in UTC: was a 500
        ({"until": "9999-12-31T23:59:59.123456789-23:59"}, len(everything)),
        ({"until": "2000-01-01t00:00:00z"}, 0),
        ({"since": "2016-12-31T23:59:60Z"}, len(everything)),  # a leap second
    ):
        response = await client.get("/api/v1/audit-trail", params={**params, "limit": "500"}, headers=headers)
        assert response.status_code == 200, (params, response.text)
        assert len(response.json()["items"]) == min(expected, 500)


async def test_catalog_of_an_unknown_locale_is_refused(client: AsyncTestClient[Any]) -> None:
    for locale in ("xx", "fr-FR", "\u0663"):
        response = await client.get(f"/api/v1/i18n/{locale}")
        assert response.status_code == 400, (locale, response.text)
        assert response.json()["details"][0]["field"] == "locale"
    assert (await client.get("/api/v1/i18n/ar")).json()["direction"] == "rtl"


def _concrete(path: str) -> str:
    """A URL the route matches: each ``{name:type}`` replaced by a value of its type."""
    return re.sub(r"\{[^}:]+(:[^}]+)?\}", lambda m: _SAMPLE.get((m.group(1) or ":str")[1:], "x"), path)


_SAMPLE = {"uuid": "00000000-0000-0000-0000-000000000000", "str": "x", "path": "x", "int": "1"}


async def test_options_and_405_list_the_same_methods_for_every_path(client: AsyncTestClient[Any]) -> None:
    headers = await login(client, "admin")
    checked = 0
    for route in client.app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        url = _concrete(route.path)
        accepted = set(route.methods)
        options = await client.options(url, headers=headers)
        assert options.status_code == 204, (url, options.status_code)
        listed = {m.strip() for m in options.headers["allow"].split(",")}
        assert listed == accepted, (url, listed, accepted)
        unused = next(m for m in ("DELETE", "PATCH", "PUT", "POST", "GET") if m not in accepted)
        refused = await client.request(unused, url, headers=headers)
        assert refused.status_code == 405, (url, unused, refused.status_code)
        assert refused.json()["code"] == "request.method_not_allowed"
        assert refused.headers["allow"] == options.headers["allow"], url
        checked += 1
    assert checked >= 30


async def test_every_error_status_the_server_uses_is_documented(client: AsyncTestClient[Any]) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    operations = [op for item in schema["paths"].values() for op in item.values() if isinstance(op, dict)]
    documented = {int(status) for op in operations for status in op["responses"] if status >= "400"}
    used = {status_of(code) for code in ErrorCode}
    assert used - documented <= UNDOCUMENTED_STATUSES, used - documented
    login_op = schema["paths"]["/api/v1/auth/login"]["post"]
    assert {"401", "429", "503"} <= set(login_op["responses"])
    assert login_op["security"] == [{}] and schema["paths"]["/api/v1/health"]["get"]["security"] == [{}]
    refused = schema["paths"]["/api/v1/checklists/import"]["post"]["responses"]["422"]
    assert "`checklists.import_refused`" in refused["description"]
    assert refused["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}

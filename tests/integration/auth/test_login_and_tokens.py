from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from server.settings import Settings
from tests.conftest import login


async def _try(client: AsyncTestClient[Any], username: str, password: str) -> Any:
    return await client.post("/api/v1/auth/login", json={"username": username, "password": password})


async def test_login_returns_a_token_that_opens_me(client: AsyncTestClient[Any]) -> None:
    response = await _try(client, "Lead", "demo")
    assert response.status_code == 200
    body = response.json()
    assert body["tokenType"] == "Bearer" and len(body["token"]) >= 40
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.json()["username"] == "lead"
    assert set(me.json()["roles"]) == {"audit_lead", "auditor"}


async def test_unknown_user_and_wrong_password_look_the_same(client: AsyncTestClient[Any]) -> None:
    unknown = await _try(client, "nobody-here", "demo")
    wrong = await _try(client, "auditor1", "not-the-password")
    assert unknown.status_code == wrong.status_code == 401
    # Only the request id (each request's own) tells the two apart.
    assert {**unknown.json(), "requestId": None} == {**wrong.json(), "requestId": None}
    assert unknown.json()["code"] == "auth.invalid_credentials"


async def test_repeated_wrong_passwords_are_throttled_with_retry_after(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    for _ in range(settings.login_max_failures):
        assert (await _try(client, "auditor2", "wrong")).status_code == 401
    blocked = await _try(client, "auditor2", "demo")  # even the right password waits
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "auth.too_many_attempts"
    retry_after = int(blocked.headers["Retry-After"])
    assert 0 < retry_after <= settings.login_window_seconds + 1
    # Another account from the same address is not blocked by the per-account limit.
    assert (await _try(client, "auditor3", "demo")).status_code == 200


async def test_one_address_trying_many_accounts_is_throttled(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    for index in range(settings.login_max_accounts_per_address):
        assert (await _try(client, f"guess{index}", "wrong")).status_code == 401
    response = await _try(client, "auditor4", "demo")
    assert response.status_code == 429
    assert "Retry-After" in response.headers


async def test_logout_revokes_the_token(client: AsyncTestClient[Any]) -> None:
    headers = await login(client, "auditor5")
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    again = await client.get("/api/v1/me", headers=headers)
    assert again.status_code == 401
    assert again.json()["code"] == "auth.invalid_token"


async def test_missing_and_garbage_tokens_are_401(client: AsyncTestClient[Any]) -> None:
    assert (await client.get("/api/v1/me")).json()["code"] == "auth.unauthenticated"
    garbage = await client.get("/api/v1/me", headers={"Authorization": "Bearer not-a-token"})
    assert garbage.status_code == 401 and garbage.json()["code"] == "auth.invalid_token"


async def test_auditor_calling_an_admin_endpoint_is_403(client: AsyncTestClient[Any]) -> None:
    headers = await login(client, "auditor1")
    response = await client.get("/api/v1/users", headers=headers)
    assert response.status_code == 403
    assert response.json()["code"] == "auth.forbidden"
    trail = await client.get("/api/v1/audit-trail", headers=headers)
    assert trail.status_code == 403


async def test_deactivating_an_account_revokes_its_sessions(client: AsyncTestClient[Any]) -> None:
    admin = await login(client, "admin")
    victim = await login(client, "auditee1")
    users = (await client.get("/api/v1/users", headers=admin)).json()
    user_id = next(u["id"] for u in users if u["username"] == "auditee1")
    response = await client.patch(f"/api/v1/users/{user_id}", json={"active": False}, headers=admin)
    assert response.status_code == 200 and response.json()["active"] is False
    assert (await client.get("/api/v1/me", headers=victim)).status_code == 401
    assert (await _try(client, "auditee1", "demo")).status_code == 401


async def test_admin_creates_an_account_and_the_trail_records_it(client: AsyncTestClient[Any]) -> None:
    admin = await login(client, "admin")
    created = await client.post(
        "/api/v1/users",
        json={"username": "nouveau", "password": "longenough1", "roles": ["auditor"], "locale": "ar"},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    duplicate = await client.post(
        "/api/v1/users",
        json={"username": "nouveau", "password": "longenough1", "roles": ["auditor"]},
        headers=admin,
    )
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "auth.username_taken"
    new_headers = await login(client, "nouveau", "longenough1")
    me = await client.get("/api/v1/me", headers=new_headers)
    assert me.json()["locale"] == "ar"
    trail = (await client.get("/api/v1/audit-trail", params={"entity": "user"}, headers=admin)).json()
    entry = next(e for e in trail["items"] if e["entityId"] == created.json()["id"])
    assert entry["action"] == "create" and entry["actorUsername"] == "admin"
    assert "password_hash" not in entry["changes"]


async def test_errors_follow_the_users_language_preference(client: AsyncTestClient[Any]) -> None:
    headers = await login(client, "auditee2")  # demo auditees prefer Arabic
    response = await client.get("/api/v1/users", headers={**headers, "Accept-Language": "fr"})
    assert response.json()["message"] == "دوركم لا يسمح بهذا الإجراء."
    await client.patch("/api/v1/me", json={"locale": "fr"}, headers=headers)
    response = await client.get("/api/v1/users", headers=headers)
    assert response.json()["message"] == "Votre rôle ne permet pas cette action."

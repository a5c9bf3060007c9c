"""Account administration beyond creating accounts: a password reset and the forced change that follows,
lifting a throttle, sessions ended by deactivation and reactivation, and the searchable, paged list."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import AsyncTestClient

from server.auth.logic import TEMPORARY_ALPHABET
from server.lib.errors import ErrorCode, message_for
from server.settings import Settings
from tests.conftest import login

LOGIN = "/api/v1/auth/login"


async def _account(client: AsyncTestClient[Any], admin: dict[str, str], username: str) -> dict[str, Any]:
    users = (await client.get("/api/v1/users", headers=admin)).json()
    account: dict[str, Any] = next(u for u in users if u["username"] == username)
    return account


async def _sign_in(client: AsyncTestClient[Any], username: str, password: str) -> Any:
    return await client.post(LOGIN, json={"username": username, "password": password})


async def _reset(client: AsyncTestClient[Any], admin: dict[str, str], user_id: str) -> str:
    reset = await client.post(f"/api/v1/users/{user_id}/password-reset", headers=admin)
    assert reset.status_code == 200, reset.text
    assert reset.json()["user"]["mustChangePassword"] is True
    temporary: str = reset.json()["temporaryPassword"]
    return temporary


async def test_a_reset_password_replaces_the_old_one_and_ends_the_sessions(
    client: AsyncTestClient[Any],
) -> None:
    admin = await login(client, "admin")
    account = await _account(client, admin, "auditor1")
    before = await login(client, "auditor1")
    temporary = await _reset(client, admin, account["id"])
    assert re.fullmatch(rf"[{TEMPORARY_ALPHABET}]{{4}}(-[{TEMPORARY_ALPHABET}]{{4}}){{3}}", temporary)
    assert (await client.get("/api/v1/me", headers=before)).json()["code"] == "auth.invalid_token"
    refused = await _sign_in(client, "auditor1", "demo")
    assert (refused.status_code, refused.json()["code"]) == (401, "auth.invalid_credentials")
    again = await client.post(f"/api/v1/users/{account['id']}/password-reset", headers=admin)
    assert again.json()["temporaryPassword"] != temporary  # drawn afresh each time
    trail = (await client.get(f"/api/v1/audit-trail?entityId={account['id']}", headers=admin)).json()
    assert "demo" not in str(trail) and temporary not in str(trail)


async def test_the_temporary_password_opens_only_the_change_then_the_account_is_normal(
    client: AsyncTestClient[Any],
) -> None:
    admin = await login(client, "admin")
    account = await _account(client, admin, "auditor1")
    temporary = await _reset(client, admin, account["id"])
    signed_in = await _sign_in(client, "auditor1", temporary)
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["user"]["mustChangePassword"] is True
    forced = {"Authorization": f"Bearer {signed_in.json()['token']}", "Accept-Language": "ar"}
    me = await client.get("/api/v1/me", headers=forced)
    assert (me.status_code, me.json()["mustChangePassword"]) == (200, True)
    for method, path in (("GET", "/api/v1/audits"), ("PATCH", "/api/v1/me"), ("GET", "/api/v1/units")):
        blocked = await client.request(method, path, headers=forced, json={"locale": "fr"})
        assert (blocked.status_code, blocked.json()["code"]) == (403, "auth.password_change_required")
    assert blocked.json()["message"] == message_for(ErrorCode.PASSWORD_CHANGE_REQUIRED, "ar")
    in_french = await client.get("/api/v1/audits", headers={**forced, "Accept-Language": "fr"})
    assert in_french.json()["message"] == message_for(ErrorCode.PASSWORD_CHANGE_REQUIRED, "fr")

    wrong = await client.post(
        "/api/v1/me/password",
        json={"currentPassword": "demo", "newPassword": "a-new-secret-1"},
        headers=forced,
    )
    assert (wrong.status_code, wrong.json()["code"]) == (422, "auth.wrong_current_password")
    assert wrong.json()["details"] == {"field": "currentPassword"}
    same = await client.post(
        "/api/v1/me/password", json={"currentPassword": temporary, "newPassword": temporary}, headers=forced
    )
    assert (same.status_code, same.json()["code"]) == (422, "auth.same_password")
    short = await client.post(
        "/api/v1/me/password", json={"currentPassword": temporary, "newPassword": "short"}, headers=forced
    )
    assert (short.status_code, short.json()["details"][0]["field"]) == (400, "newPassword")

    changed = await client.post(
        "/api/v1/me/password",
        json={"currentPassword": temporary, "newPassword": "a-new-secret-1"},
        headers=forced,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["mustChangePassword"] is False
    assert (await client.get("/api/v1/audits", headers=forced)).status_code == 200  # this session goes on
    assert (await _sign_in(client, "auditor1", temporary)).status_code == 401  # used once
    assert (await _sign_in(client, "auditor1", "a-new-secret-1")).json()["user"][
        "mustChangePassword"
    ] is False
    shown = (await client.get(f"/api/v1/users/{account['id']}", headers=admin)).json()
    assert shown["mustChangePassword"] is False and shown["lastSignInAt"] is not None


async def test_changing_ones_own_password_ends_the_other_sessions(client: AsyncTestClient[Any]) -> None:
    here, elsewhere = await login(client, "auditor2"), await login(client, "auditor2")
    changed = await client.post(
        "/api/v1/me/password", json={"currentPassword": "demo", "newPassword": "another-secret"}, headers=here
    )
    assert changed.status_code == 200, changed.text
    assert (await client.get("/api/v1/me", headers=here)).status_code == 200
    assert (await client.get("/api/v1/me", headers=elsewhere)).json()["code"] == "auth.invalid_token"


async def test_a_throttled_account_is_shown_and_the_admin_lifts_it(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    admin = await login(client, "admin")
    account = await _account(client, admin, "auditor3")
    assert (account["throttled"], account["throttledUntil"]) == (False, None)
    for _ in range(settings.login_max_failures):
        assert (await _sign_in(client, "auditor3", "wrong")).status_code == 401
    assert (await _sign_in(client, "auditor3", "demo")).status_code == 429
    shown = (await client.get(f"/api/v1/users/{account['id']}", headers=admin)).json()
    assert shown["throttled"] is True and shown["throttledUntil"] > shown["createdAt"]
    listed = (await client.get("/api/v1/users?q=auditor3", headers=admin)).json()
    assert [(u["username"], u["throttled"]) for u in listed] == [("auditor3", True)]

    lifted = await client.delete(f"/api/v1/users/{account['id']}/throttle", headers=admin)
    assert lifted.status_code == 200, lifted.text
    assert (lifted.json()["throttled"], lifted.json()["throttledUntil"]) == (False, None)
    assert (await _sign_in(client, "auditor3", "demo")).status_code == 200
    trail = (await client.get(f"/api/v1/audit-trail?entityId={account['id']}", headers=admin)).json()
    lifts = [e for e in trail["items"] if "throttled_until" in e["changes"]]
    assert [(e["actorUsername"], e["changes"]["throttled_until"][1]) for e in lifts] == [("admin", None)]


async def test_failures_before_a_lift_no_longer_count(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    admin = await login(client, "admin")
    account = await _account(client, admin, "auditor4")
    for _ in range(settings.login_max_failures):
        await _sign_in(client, "auditor4", "wrong")
    await client.delete(f"/api/v1/users/{account['id']}/throttle", headers=admin)
    assert (await _sign_in(client, "auditor4", "wrong")).status_code == 401  # one failure, not a lockout
    assert (await _sign_in(client, "auditor4", "demo")).status_code == 200


async def test_deactivating_and_reactivating_end_the_sessions(client: AsyncTestClient[Any]) -> None:
    admin = await login(client, "admin")
    account = await _account(client, admin, "auditor5")
    first = await login(client, "auditor5")
    off = await client.patch(f"/api/v1/users/{account['id']}", json={"active": False}, headers=admin)
    assert off.json()["active"] is False
    assert (await client.get("/api/v1/me", headers=first)).json()["code"] == "auth.invalid_token"
    assert (await _sign_in(client, "auditor5", "demo")).status_code == 401
    on = await client.patch(f"/api/v1/users/{account['id']}", json={"active": True}, headers=admin)
    assert on.json()["active"] is True
    assert (await client.get("/api/v1/me", headers=first)).json()["code"] == "auth.invalid_token"
    assert (await client.get("/api/v1/me", headers=await login(client, "auditor5"))).status_code == 200
    second = await login(client, "auditor5")
    await client.patch(f"/api/v1/users/{account['id']}", json={"locale": "ar"}, headers=admin)
    assert (await client.get("/api/v1/me", headers=second)).status_code == 200  # other changes keep them


async def test_the_list_searches_filters_and_pages(client: AsyncTestClient[Any]) -> None:
    admin = await login(client, "admin")
    everyone = (await client.get("/api/v1/users", headers=admin)).json()
    assert len(everyone) >= 20 and [u["username"] for u in everyone] == sorted(
        u["username"] for u in everyone
    )

    async def listed(query: str) -> tuple[list[str], int]:
        response = await client.get(f"/api/v1/users?{query}", headers=admin)
        assert response.status_code == 200, response.text
        return [u["username"] for u in response.json()], int(response.headers["X-Total-Count"])

    auditors = [u["username"] for u in everyone if "auditor" in u["roles"]]
    assert await listed("role=auditor") == (auditors, len(auditors))
    assert (await listed("q=AUDITEE1"))[0] == [u["username"] for u in everyone if "auditee1" in u["username"]]
    person = (await client.get("/api/v1/people", headers=admin)).json()
    linked = next(p for p in person if p["username"] == "auditor2")
    surname = linked["fullName"]["fr"].split()[-1]
    found, _ = await listed(f"q={surname.upper()}")
    assert "auditor2" in found
    found_ar, _ = await listed(f"q={linked['fullName']['ar'].split()[0]}")
    assert "auditor2" in found_ar

    off = next(u for u in everyone if u["username"] == "auditee2")
    await client.patch(f"/api/v1/users/{off['id']}", json={"active": False}, headers=admin)
    assert await listed("active=false") == (["auditee2"], 1)
    assert "auditee2" not in (await listed("active=true&role=auditee"))[0]

    pages = [await listed(f"limit=8&page={n}") for n in (1, 2, 3)]
    assert [name for page, _ in pages for name in page] == [u["username"] for u in everyone]
    assert {total for _, total in pages} == {len(everyone)}
    assert await listed("limit=5&offset=5") == ([u["username"] for u in everyone[5:10]], len(everyone))
    assert (await listed("page=1"))[0] == [u["username"] for u in everyone[:25]]
    assert await listed("q=nobody-has-this") == ([], 0)


async def test_an_admin_cannot_lock_themselves_out(client: AsyncTestClient[Any]) -> None:
    admin = await login(client, "admin")
    me = (await client.get("/api/v1/me", headers=admin)).json()
    for body, field in (({"active": False}, "active"), ({"roles": ["auditor"]}, "roles")):
        refused = await client.patch(f"/api/v1/users/{me['id']}", json=body, headers=admin)
        assert (refused.status_code, refused.json()["code"]) == (409, "auth.own_account"), refused.text
        assert refused.json()["details"] == {"field": field}
    reset = await client.post(f"/api/v1/users/{me['id']}/password-reset", headers=admin)
    assert (reset.status_code, reset.json()["code"]) == (409, "auth.own_account")
    kept = (await client.get(f"/api/v1/users/{me['id']}", headers=admin)).json()
    assert (kept["active"], kept["roles"], kept["mustChangePassword"]) == (True, ["admin"], False)
    fine = await client.patch(
        f"/api/v1/users/{me['id']}", json={"roles": ["admin", "manager"]}, headers=admin
    )
    assert fine.status_code == 200, fine.text


async def test_an_account_created_to_change_its_password_opens_only_the_change_at_first_sign_in(
    client: AsyncTestClient[Any],
) -> None:
    admin = await login(client, "admin")
    made = await client.post(
        "/api/v1/users",
        json={"username": "nouvelle.auditrice", "password": "bienvenue-2026", "roles": ["auditor"],
              "mustChangePassword": True},
        headers=admin,
    )  # fmt: skip
    assert made.status_code == 201, made.text
    assert made.json()["mustChangePassword"] is True
    signed_in = await _sign_in(client, "nouvelle.auditrice", "bienvenue-2026")
    assert signed_in.json()["user"]["mustChangePassword"] is True
    headers = {"Authorization": f"Bearer {signed_in.json()['token']}"}
    held = await client.get("/api/v1/audits", headers=headers)
    assert (held.status_code, held.json()["code"]) == (403, "auth.password_change_required")
    body = {"currentPassword": "bienvenue-2026", "newPassword": "mon-propre-secret"}
    changed = await client.post("/api/v1/me/password", json=body, headers=headers)
    assert changed.status_code in (200, 204), changed.text
    assert (await client.get("/api/v1/audits", headers=headers)).status_code == 200
    plain = await client.post(
        "/api/v1/users",
        json={"username": "sans.changement", "password": "bienvenue-2026", "roles": ["auditee"]},
        headers=admin,
    )
    assert plain.json()["mustChangePassword"] is False  # the API's default keeps older clients working

"""The organisation's profile (``/api/v1/organisation``): its name, its provinces (the codes sites may
name) and its facts (the checklist placeholders' values), replaced whole at a named revision; on SQLite
and PostgreSQL."""

from __future__ import annotations

import asyncio
import copy
import sqlite3
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from server.checklists.library import load_library
from server.lib import db
from server.lib.errors import AppError, ErrorCode
from server.lib.principal import Principal, Role
from server.org import service
from server.org.schemas import FactIn, ProfileIn, ProfileName, ProvinceIn
from server.settings import Settings
from tests.conftest import login
from tests.integration.org.support import Client, Headers, in_english

URL = "/api/v1/organisation"
DEMO_CODES = ["beni_mellal", "azilal", "fquih_ben_salah", "khenifra", "khouribga"]
LEAD = Principal(user_id=str(uuid.uuid4()), username="lead", roles=frozenset({Role.AUDIT_LEAD}))


def _placeholders(settings: Settings) -> list[str]:
    return sorted(load_library(settings.checklists_dir)[0].placeholders)


async def _forget_profile(settings: Settings) -> None:
    """Leave the database as an install upgraded from before profiles: no profile row. A separate
    driver connection: the app's engine lives on the test client's own event loop."""
    if settings.database_kind == "sqlite":
        with sqlite3.connect(settings.sqlite_path) as conn:
            conn.execute("DELETE FROM org_profile")
        return
    conn = await asyncpg.connect(settings.database_url)
    try:
        await conn.execute("DELETE FROM org_profile")
    finally:
        await conn.close()


async def _read(client: Client, headers: Headers) -> dict[str, Any]:
    response = await client.get(URL, headers=headers)
    assert response.status_code == 200, response.text
    body = dict(response.json())
    assert response.headers["ETag"] == f'"{body["rev"]}"'
    return body


def _body(profile: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A PUT body from a profile as read (``rev`` left to the If-Match header), with ``changes``."""
    body = {key: copy.deepcopy(profile[key]) for key in ("name", "provinces", "facts")}
    return {**body, **changes}


def _province(code: str, fr: str, ar: str = "إقليم", en: str = "") -> dict[str, Any]:
    return {"code": code, "name": {"ar": ar, "fr": fr, "en": en}}


async def _put(client: Client, headers: Headers, body: dict[str, Any], rev: int | None) -> Any:
    sent = dict(headers) if rev is None else {**headers, "If-Match": f'"{rev}"'}
    return await client.put(URL, json=body, headers=sent)


def _site(province: str) -> dict[str, Any]:
    return {
        "code": f"S-{uuid.uuid4().hex[:6].upper()}",
        "kind": "annex",
        "province": province,
        "name": {"ar": "ملحقة", "fr": "Annexe"},
    }


# ---------------------------------------------------------------- reading and replacing


async def test_the_demo_council_has_its_provinces_and_facts(client: Client, settings: Settings) -> None:
    profile = await _read(client, await login(client, "auditee1"))
    assert profile["name"]["en"] == "Béni Mellal-Khénifra Regional Council"
    assert [p["code"] for p in profile["provinces"]] == DEMO_CODES
    assert all(p["name"]["ar"] and p["name"]["fr"] for p in profile["provinces"])
    assert set(profile["facts"]) <= set(_placeholders(settings))
    assert {"remote_sites", "environmental_context", "protected_sites", "hard_travel_areas"} <= set(
        profile["facts"]
    )
    assert profile["rev"] == 1


async def test_an_upgraded_install_reads_an_empty_profile_then_the_one_put(
    client: Client, settings: Settings
) -> None:
    await _forget_profile(settings)
    lead = await login(client, "lead")
    empty = await _read(client, lead)
    assert empty == {
        "name": {"ar": "", "fr": "", "en": ""},
        "provinces": [],
        "facts": {},
        "rev": 0,
        "updatedAt": None,
    }
    body = {
        "name": {"ar": "مجلس جهة", "fr": "Conseil de la Région"},
        "provinces": [_province(code, code.replace("_", " ").title()) for code in DEMO_CODES],
        "facts": {"protected_sites": {"ar": "منتزه طبيعي", "fr": "un parc naturel", "en": "a nature park"}},
    }
    put = await _put(client, lead, body, 0)
    assert put.status_code == 200, put.text
    assert put.headers["ETag"] == '"1"'
    stored = await _read(client, lead)
    assert stored == put.json()
    assert stored["rev"] == 1 and stored["updatedAt"] is not None
    assert stored["name"] == {"ar": "مجلس جهة", "fr": "Conseil de la Région", "en": ""}
    assert stored["provinces"][1] == {"code": "azilal", "name": {"ar": "إقليم", "fr": "Azilal", "en": ""}}
    assert stored["facts"] == {
        "protected_sites": {"ar": "منتزه طبيعي", "fr": "un parc naturel", "en": "a nature park"}
    }


async def test_a_change_is_recorded_in_the_audit_trail(client: Client) -> None:
    lead = await login(client, "lead")
    profile = await _read(client, lead)
    provinces = [*profile["provinces"], _province("midelt", "Midelt", "ميدلت")]
    assert (await _put(client, lead, _body(profile, provinces=provinces), profile["rev"])).status_code == 200
    trail = (await client.get("/api/v1/audit-trail", params={"entity": "organisation"}, headers=lead)).json()
    entry = trail["items"][0]
    assert (entry["action"], entry["entityId"], entry["actorUsername"]) == ("update", "profile", "lead")
    assert list(entry["changes"]) == ["provinces"]
    assert entry["changes"]["provinces"][1][-1] == {"code": "midelt", "ar": "ميدلت", "fr": "Midelt", "en": ""}


# ---------------------------------------------------------------- revisions


async def test_a_replacement_names_the_revision_it_was_made_on(client: Client) -> None:
    lead = await login(client, "lead")
    profile = await _read(client, lead)
    renamed = _body(profile, name={**profile["name"], "en": "The Council"})
    missing = await _put(client, lead, renamed, None)
    assert missing.status_code == 428 and missing.json()["code"] == "request.precondition_required"
    applied = await _put(client, lead, renamed, profile["rev"])
    assert applied.status_code == 200 and applied.json()["rev"] == profile["rev"] + 1
    stale = await _put(client, lead, _body(profile), profile["rev"])
    assert stale.status_code == 412 and stale.json()["code"] == "request.precondition_failed"
    assert stale.json()["details"] == {"currentRev": profile["rev"] + 1}
    by_field = await client.put(URL, json={**_body(profile), "rev": profile["rev"] + 1}, headers=lead)
    assert by_field.status_code == 200 and by_field.json()["name"]["en"] == profile["name"]["en"]


async def test_of_two_replacements_of_the_same_revision_exactly_one_wins(client: Client) -> None:
    lead = await login(client, "lead")
    profile = await _read(client, lead)
    answers = await asyncio.gather(
        *(
            _put(client, lead, _body(profile, name={**profile["name"], "en": en}), profile["rev"])
            for en in ("First", "Second")
        )
    )
    assert sorted(a.status_code for a in answers) == [200, 412], [a.text for a in answers]
    winner = next(a.json() for a in answers if a.status_code == 200)
    assert await _read(client, lead) == winner


# ---------------------------------------------------------------- validation


async def test_an_unknown_fact_is_refused_naming_the_known_ones(client: Client, settings: Settings) -> None:
    lead = await in_english(client, await login(client, "lead"))
    profile = await _read(client, lead)
    facts = {**profile["facts"], "mayor": {"ar": "الرئيس", "fr": "le président"}}
    response = await _put(client, lead, _body(profile, facts=facts), profile["rev"])
    assert response.status_code == 422 and response.json()["code"] == "org.unknown_fact"
    known = _placeholders(settings)
    assert response.json()["details"] == {"field": "facts.mayor", "name": "mayor", "allowed": known}
    assert "mayor" in response.json()["message"] and ", ".join(known) in response.json()["message"]
    assert await _read(client, lead) == profile


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"provinces": [_province("Azilal", "Azilal")]}, "provinces[0].code"),
        ({"provinces": [_province("a", "A")]}, "provinces[0].code"),
        ({"provinces": [_province("azilal\n", "Azilal")]}, "provinces[0].code"),
        ({"provinces": [_province("azilal", "Azilal", ar="")]}, "provinces[0].name.ar"),
        ({"provinces": [_province(f"p{n:02d}", "P") for n in range(51)]}, "provinces"),
        ({"name": {"ar": "", "fr": "Conseil"}}, "name.ar"),
        ({"name": {"ar": "مجلس"}}, "name"),
        ({"facts": {"remote_sites": {"ar": "ملحقة", "fr": ""}}}, "facts"),
        ({"facts": {"remote_sites": {"ar": "ملحقة", "fr": "x" * 301}}}, "facts"),
    ],
)
async def test_a_malformed_profile_is_refused_with_the_field(
    client: Client, change: dict[str, Any], field: str
) -> None:
    lead = await login(client, "lead")
    profile = await _read(client, lead)
    response = await _put(client, lead, _body(profile, **change), profile["rev"])
    assert response.status_code == 400 and response.json()["code"] == "request.validation_failed"
    assert any(field in error["field"] for error in response.json()["details"]), response.text
    assert await _read(client, lead) == profile


async def test_a_province_code_given_twice_is_refused(client: Client) -> None:
    lead = await login(client, "lead")
    profile = await _read(client, lead)
    provinces = [*profile["provinces"], _province("azilal", "Azilal bis")]
    response = await _put(client, lead, _body(profile, provinces=provinces), profile["rev"])
    assert response.status_code == 422 and response.json()["code"] == "org.duplicate_province"
    assert response.json()["details"] == {"field": f"provinces[{len(provinces) - 1}].code", "code": "azilal"}
    assert await _read(client, lead) == profile


async def test_a_province_that_sites_name_cannot_be_taken_off(client: Client) -> None:
    lead = await in_english(client, await login(client, "lead"))
    profile = await _read(client, lead)
    sites = (await client.get("/api/v1/sites", params={"includeArchived": "true"}, headers=lead)).json()
    in_khouribga = sorted(s["code"] for s in sites if s["province"] == "khouribga")
    kept = [p for p in profile["provinces"] if p["code"] != "khouribga"]
    response = await _put(client, lead, _body(profile, provinces=kept), profile["rev"])
    assert response.status_code == 409 and response.json()["code"] == "org.in_use"
    details = response.json()["details"]
    assert details["provinces"] == ["khouribga"] and details["field"] == "provinces"
    assert [u["code"] for u in details["usedBy"]] == in_khouribga
    assert {u["entity"] for u in details["usedBy"]} == {"site"}
    assert f"sites ({', '.join(in_khouribga)})" in response.json()["message"]
    emptied = await _put(client, lead, _body(profile, provinces=[]), profile["rev"])
    assert emptied.status_code == 409 and sorted(emptied.json()["details"]["provinces"]) == sorted(DEMO_CODES)
    assert await _read(client, lead) == profile


async def test_a_province_no_site_names_can_be_taken_off(client: Client) -> None:
    lead = await login(client, "lead")
    profile = await _read(client, lead)
    added = await _put(
        client, lead, _body(profile, provinces=[*profile["provinces"], _province("midelt", "Midelt")]), 1
    )
    assert added.status_code == 200, added.text
    removed = await _put(client, lead, _body(profile), 2)
    assert removed.status_code == 200 and [p["code"] for p in removed.json()["provinces"]] == DEMO_CODES


# ---------------------------------------------------------------- sites name the profile's provinces


async def test_a_site_in_a_province_the_profile_does_not_list_is_refused(client: Client) -> None:
    lead = await in_english(client, await login(client, "lead"))
    refused = await client.post("/api/v1/sites", json=_site("tadla"), headers=lead)
    assert refused.status_code == 422 and refused.json()["code"] == "org.unknown_province"
    assert refused.json()["details"] == {"field": "province", "code": "tadla", "allowed": DEMO_CODES}
    assert "tadla" in refused.json()["message"]
    created = await client.post("/api/v1/sites", json=_site("azilal"), headers=lead)
    assert created.status_code == 201, created.text
    moved = await client.put(
        f"/api/v1/sites/{created.json()['id']}",
        json={**_site("tadla"), "code": created.json()["code"]},
        headers=lead,
    )
    assert moved.status_code == 422 and moved.json()["code"] == "org.unknown_province"
    kept = (await client.get(f"/api/v1/sites/{created.json()['id']}", headers=lead)).json()
    assert kept["province"] == "azilal"


async def test_without_provinces_any_well_formed_code_is_accepted_until_a_list_is_given(
    client: Client, settings: Settings
) -> None:
    await _forget_profile(settings)
    lead = await login(client, "lead")
    created = await client.post("/api/v1/sites", json=_site("tadla"), headers=lead)
    assert created.status_code == 201 and created.json()["province"] == "tadla"
    malformed = await client.post("/api/v1/sites", json=_site("Tadla"), headers=lead)
    assert malformed.status_code == 400
    # The first list must cover the provinces the existing sites name.
    name = {"ar": "مجلس", "fr": "Conseil"}
    provinces = [_province(code, code) for code in DEMO_CODES]
    refused = await _put(client, lead, {"name": name, "provinces": provinces}, 0)
    assert refused.status_code == 409 and refused.json()["details"]["provinces"] == ["tadla"]
    assert [u["code"] for u in refused.json()["details"]["usedBy"]] == [created.json()["code"]]
    provinces.append(_province("tadla", "Tadla"))
    assert (await _put(client, lead, {"name": name, "provinces": provinces}, 0)).status_code == 200


# ---------------------------------------------------------------- who may change it


@pytest.mark.parametrize(
    ("username", "allowed"),
    [("admin", True), ("lead", True), ("auditor1", False), ("manager", False), ("auditee1", False)],
)
async def test_only_the_administrator_and_the_audit_lead_replace_the_profile(
    client: Client, username: str, allowed: bool
) -> None:
    headers = await login(client, username)
    profile = await _read(client, headers)
    response = await _put(client, headers, _body(profile), profile["rev"])
    assert response.status_code == (200 if allowed else 403), response.text
    assert (await _read(client, headers))["rev"] == profile["rev"] + (1 if allowed else 0)


# ---------------------------------------------------------------- the values the checklists use


@pytest.fixture
async def started(settings: Settings) -> AsyncIterator[None]:
    engine = db.make_engine(settings)
    await db.start_engine(engine)
    try:
        yield
    finally:
        await db.stop_engine(engine)


def _name(ar: str, fr: str, en: str = "") -> ProfileName:
    return ProfileName(ar=ar, fr=fr, en=en)


@pytest.mark.usefixtures("started")
async def test_placeholder_values_join_the_province_names_in_each_language() -> None:
    values = await service.placeholder_values()
    assert values["provinces"] == {
        "ar": "بني ملال، أزيلال، الفقيه بن صالح، خنيفرة، خريبكة",
        "fr": "Béni Mellal, Azilal, Fquih Ben Salah, Khénifra, Khouribga",
        "en": "Béni Mellal, Azilal, Fquih Ben Salah, Khénifra, Khouribga",
    }
    assert values["protected_sites"]["en"] == "the M'Goun UNESCO Global Geopark"


@pytest.mark.usefixtures("started")
async def test_placeholder_values_fall_back_to_french_and_a_provinces_fact_wins(settings: Settings) -> None:
    known = _placeholders(settings)
    provinces = [
        ProvinceIn(
            code=code, name=_name(f"إقليم {n}", f"Province {n}", "" if n % 2 else f"Province {n} (en)")
        )
        for n, code in enumerate(DEMO_CODES)
    ]
    fact = FactIn(ar="مواقع بعيدة", fr="des sites éloignés")
    data = ProfileIn(name=_name("مجلس", "Conseil"), provinces=provinces, facts={"remote_sites": fact})
    profile = await service.replace_profile(LEAD, data, [1], known_facts=known)
    values = await service.placeholder_values()
    assert values == {
        "provinces": {
            "ar": "إقليم 0، إقليم 1، إقليم 2، إقليم 3، إقليم 4",
            "fr": "Province 0, Province 1, Province 2, Province 3, Province 4",
            "en": "Province 0 (en), Province 1, Province 2 (en), Province 3, Province 4 (en)",
        },
        "remote_sites": {"ar": "مواقع بعيدة", "fr": "des sites éloignés", "en": "des sites éloignés"},
    }
    override = FactIn(ar="الأقاليم الخمسة", fr="les cinq provinces", en="the five provinces")
    data = ProfileIn(name=data.name, provinces=provinces, facts={"provinces": override})
    await service.replace_profile(LEAD, data, [profile.rev], known_facts=known)
    assert await service.placeholder_values() == {
        "provinces": {"ar": "الأقاليم الخمسة", "fr": "les cinq provinces", "en": "the five provinces"}
    }


@pytest.mark.usefixtures("started")
async def test_an_empty_profile_gives_no_placeholder_values(settings: Settings) -> None:
    await _forget_profile(settings)
    assert await service.placeholder_values() == {}
    with pytest.raises(AppError) as stale:
        await service.replace_profile(
            LEAD, ProfileIn(name=_name("مجلس", "Conseil")), [1], known_facts=_placeholders(settings)
        )
    assert stale.value.code is ErrorCode.PRECONDITION_FAILED and stale.value.details == {"currentRev": 0}

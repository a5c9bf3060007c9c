"""The organisation's profile in the database: one row (``org_profile``, id 1), read by everyone and
replaced whole by the administrator or the audit lead.

An install upgraded from before profiles has no row: it reads as an empty profile at ``rev`` 0, and
the first write (of the profile, or of a site, which reads the provinces under lock) inserts the empty
row so that there is a row to lock. On PostgreSQL the row is locked ``FOR UPDATE`` while the profile is
replaced and ``FOR SHARE`` while a site's province is checked, so a province cannot be taken off the
list between a site's check and its storing. (SQLite runs write transactions one at a time.)
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final, Literal

from server.lib.clock import utcnow
from server.lib.errors import AppError, ErrorCode
from server.lib.rows import json_value
from server.org.logic import Usage, check_listed_province
from server.org.schemas import Localized3Out, ProfileOut, ProvinceOut
from server.org.tables import OrgProfile, Site
from server.trail.store import record_change

if TYPE_CHECKING:
    from collections.abc import Mapping

    from piccolo.query.methods.select import Select

    from server.lib.principal import Principal
    from server.org.schemas import FactIn, ProfileIn, ProfileName

__all__ = [
    "EMPTY_PROFILE",
    "lock_profile",
    "read_profile",
    "require_listed_province",
    "sites_by_province",
    "write_profile",
]

_ID: Final = 1
_JSON_COLUMNS: Final = ("provinces", "facts")

EMPTY_PROFILE: Final = ProfileOut(
    name=Localized3Out(ar="", fr="", en=""), provinces=[], facts={}, rev=0, updated_at=None
)
"""What an organisation that never set its profile reads."""


def _texts(value: Any) -> Localized3Out:
    return Localized3Out(**{lang: str(value.get(lang, "")) for lang in ("ar", "fr", "en")})


def _stored_texts(texts: ProfileName | FactIn | Localized3Out) -> dict[str, str]:
    return {"ar": texts.ar, "fr": texts.fr, "en": texts.en}


def _profile_out(row: dict[str, Any] | None) -> ProfileOut:
    if row is None:
        return EMPTY_PROFILE
    return ProfileOut(
        name=Localized3Out(ar=row["name_ar"], fr=row["name_fr"], en=row["name_en"]),
        provinces=[
            ProvinceOut(code=str(p["code"]), name=_texts(p)) for p in json_value(row["provinces"]) or []
        ],
        facts={str(k): _texts(v) for k, v in (json_value(row["facts"]) or {}).items()},
        rev=row["rev"],
        updated_at=row["updated_at"],
    )


def _columns(profile: ProfileIn | ProfileOut) -> dict[str, Any]:
    """The stored form of a profile, JSON columns as values (also what the audit trail compares)."""
    facts: Mapping[str, FactIn | Localized3Out] = profile.facts
    return {
        "name_ar": profile.name.ar,
        "name_fr": profile.name.fr,
        "name_en": profile.name.en,
        "provinces": [{"code": p.code, **_stored_texts(p.name)} for p in profile.provinces],
        "facts": {name: _stored_texts(value) for name, value in sorted(facts.items())},
    }


async def read_profile() -> ProfileOut:
    """The profile as stored; :data:`EMPTY_PROFILE` while there is no row."""
    row = await OrgProfile.select().where(OrgProfile.id == _ID).first().run()
    return _profile_out(dict(row) if row is not None else None)


def _locked(query: Select[Any], strength: Literal["UPDATE", "SHARE"]) -> Select[Any]:
    if OrgProfile._meta.db.engine_type == "sqlite":  # no row locks there; IMMEDIATE transactions instead
        return query
    return query.lock_rows(strength)


async def _locked_row(strength: Literal["UPDATE", "SHARE"]) -> ProfileOut:
    """Inside a write transaction: the profile row, inserted empty if missing, locked until the end."""
    await OrgProfile.insert(OrgProfile(id=_ID)).on_conflict(action="DO NOTHING").run()
    rows = await _locked(OrgProfile.select().where(OrgProfile.id == _ID), strength).run()
    return _profile_out(dict(rows[0]))


async def lock_profile() -> ProfileOut:
    """Inside a write transaction: the profile, locked against other writers until it ends."""
    return await _locked_row("UPDATE")


async def require_listed_province(code: str, field: str = "province") -> None:
    """Inside the write transaction that stores a site: 422 ``org.unknown_province`` unless ``code`` is
    one of the profile's provinces (any code passes while it lists none)."""
    profile = await _locked_row("SHARE")
    check_listed_province(code, [p.code for p in profile.provinces], field)


async def sites_by_province() -> dict[str, list[Usage]]:
    """Every site, archived ones included (they keep their province), by the province code it names."""
    rows = await Site.select(Site.id, Site.code, Site.province).order_by(Site.code).run()
    found: dict[str, list[Usage]] = {}
    for row in rows:
        found.setdefault(row["province"], []).append(Usage("site", str(row["id"]), row["code"]))
    return found


async def write_profile(actor: Principal | None, before: ProfileOut, data: ProfileIn) -> ProfileOut:
    """Store ``data`` if the profile is still at ``before.rev`` (412 otherwise: a compare-and-set, so of
    two writers that read the same revision exactly one wins), with an audit-trail row."""
    values = _columns(data)
    stored = {k: json.dumps(v, ensure_ascii=False) if k in _JSON_COLUMNS else v for k, v in values.items()}
    written = await (
        OrgProfile.update(
            {
                **{OrgProfile._meta.get_column_by_name(k): v for k, v in stored.items()},
                OrgProfile.rev: before.rev + 1,
                OrgProfile.updated_at: utcnow(),
                OrgProfile.updated_by: actor.username if actor else "system",
            }
        )
        .where((OrgProfile.id == _ID) & (OrgProfile.rev == before.rev))
        .returning(OrgProfile.rev)
        .run()
    )
    if not written:
        raise AppError(ErrorCode.PRECONDITION_FAILED, details={"currentRev": (await read_profile()).rev})
    await record_change(actor, "update", "organisation", "profile", _columns(before), values)
    return await read_profile()

"""The organisation on the wire: its profile, units, sites, processes, people."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from server.lib.principal import Role
from server.lib.standards import Standard, Tag
from server.lib.structs import ApiIn, ApiOut, Code, LocalizedName, Name, ShortText, Uuid

__all__ = [
    "PROVINCE_CODE_PATTERN",
    "AvailabilityIO",
    "FactIn",
    "Localized3Out",
    "LocalizedText",
    "PersonIn",
    "PersonOut",
    "ProcessIn",
    "ProcessOut",
    "ProfileIn",
    "ProfileName",
    "ProfileOut",
    "ProvinceCode",
    "ProvinceIn",
    "ProvinceOut",
    "QualificationIO",
    "SiteIn",
    "SiteOut",
    "UnitIn",
    "UnitOut",
]

UnitKind = Literal["general_directorate", "directorate", "division", "service"]
SiteKind = Literal["head_office", "annex", "provincial_office", "works_site", "facility"]
# ``(?!\n)``: Python's ``$`` also matches before a final newline, JavaScript's does not.
PROVINCE_CODE_PATTERN = r"^[a-z][a-z0-9_]{1,23}(?!\n)$"
ProvinceCode = Annotated[
    str,
    msgspec.Meta(
        pattern=PROVINCE_CODE_PATTERN,
        description="A province's code, e.g. azilal: one of the organisation's provinces when it lists any.",
    ),
]
FactText = Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
OptionalFactText = Annotated[str, msgspec.Meta(max_length=300)]
MAX_PROVINCES = 50
ProfileRev = Annotated[
    int,
    msgspec.Meta(
        ge=0,
        le=2_147_483_647,
        description="The profile's rev you read (or send it as If-Match); refused with 412 if it moved on.",
    ),
]
Criticality = Literal["low", "medium", "high"]

_NOT_AT_OR_SPACE = r"[^@\s\x1c-\x1f\x85\ufeff]"
# An e-mail address or nothing, as one pattern: msgspec cannot tell ``Email | Literal[""]`` apart (both are
# strings) and refused "". ``(?!\n)`` because Python's ``$`` also matches before a final newline.
EmailOrEmpty = Annotated[
    str,
    msgspec.Meta(
        max_length=200,
        pattern=rf"^(?:{_NOT_AT_OR_SPACE}+@{_NOT_AT_OR_SPACE}+\.{_NOT_AT_OR_SPACE}+)?(?!\n)$",
    ),
]


class LocalizedText(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    ar: ShortText = ""
    fr: ShortText = ""


class ProfileName(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """A name in Arabic and French, and in English if it differs (empty: the French one stands in)."""

    ar: Name
    fr: Name
    en: ShortText = ""


class FactIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """A fact in Arabic and French, and in English if it differs (empty: the French one stands in)."""

    ar: FactText
    fr: FactText
    en: OptionalFactText = ""


class ProvinceIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    code: ProvinceCode
    name: ProfileName


class ProfileIn(ApiIn):
    """The whole profile, replacing the stored one, with the ``rev`` it was made on (unless sent as
    ``If-Match``)."""

    name: ProfileName
    provinces: Annotated[
        list[ProvinceIn],
        msgspec.Meta(
            max_length=MAX_PROVINCES,
            description="In display order; unique codes. Sites name them; empty: any well-formed code.",
        ),
    ] = []
    facts: Annotated[
        dict[str, FactIn],
        msgspec.Meta(
            description="Placeholder name declared by the checklist library (e.g. remote_sites) → the "
            "organisation's value, written to read well after 'for example'. A provinces fact replaces "
            "the list of province names.",
        ),
    ] = {}
    rev: ProfileRev | None = None


class Localized3Out(msgspec.Struct, frozen=True):
    """A text in the three languages as stored: ``en`` may be empty (the French text stands in)."""

    ar: str
    fr: str
    en: str


class ProvinceOut(ApiOut):
    code: str
    name: Localized3Out


class ProfileOut(ApiOut):
    """The organisation's profile; empty texts and lists (``rev`` 0) until it is first set."""

    name: Localized3Out
    provinces: list[ProvinceOut]
    facts: dict[str, Localized3Out]
    rev: int
    updated_at: datetime | None


class UnitIn(ApiIn):
    code: Code
    kind: UnitKind
    name: LocalizedName
    parent_id: Uuid | None = None


class UnitOut(ApiOut):
    id: str
    code: str
    kind: UnitKind
    name: LocalizedName
    parent_id: str | None
    archived_at: datetime | None


class SiteIn(ApiIn):
    code: Code
    kind: SiteKind
    province: ProvinceCode
    name: LocalizedName
    address: ShortText = ""


class SiteOut(ApiOut):
    id: str
    code: str
    kind: SiteKind
    province: str
    name: LocalizedName
    address: str
    archived_at: datetime | None


class ProcessIn(ApiIn):
    code: Code
    name: LocalizedName
    owner_unit_id: Uuid
    standards: Annotated[list[Standard], msgspec.Meta(min_length=1, max_length=3)]
    criticality: Criticality
    site_ids: Annotated[list[Uuid], msgspec.Meta(max_length=50)] = []
    tags: Annotated[list[Tag], msgspec.Meta(max_length=12)] = []


class ProcessOut(ApiOut):
    id: str
    code: str
    name: LocalizedName
    owner_unit_id: str
    standards: list[Standard]
    criticality: Criticality
    site_ids: list[str]
    tags: list[Tag]
    archived_at: datetime | None


class QualificationIO(msgspec.Struct, rename="camel", forbid_unknown_fields=True, frozen=True):
    standard: Standard
    since: date
    training: ShortText = ""


class AvailabilityIO(msgspec.Struct, rename="camel", forbid_unknown_fields=True, frozen=True):
    start: date
    end: date
    available: bool = False
    note: ShortText = ""


class PersonIn(ApiIn):
    full_name: LocalizedName
    unit_id: Uuid
    email: EmailOrEmpty = ""
    job_title: LocalizedText = LocalizedText()
    lead_auditor: bool = False
    qualifications: Annotated[list[QualificationIO], msgspec.Meta(max_length=3)] = []
    availability: Annotated[list[AvailabilityIO], msgspec.Meta(max_length=100)] = []


class PersonOut(ApiOut):
    """A person. ``email``, ``qualifications`` and ``availability`` are omitted (null) for callers
    who may only see who is who: auditors and auditees looking at someone else. ``archivedAt`` is null
    while the person is active (as on units, sites and processes)."""

    id: str
    full_name: LocalizedName
    unit_id: str
    job_title: LocalizedText
    lead_auditor: bool
    archived_at: datetime | None
    username: str | None = None
    roles: list[Role] = []
    email: str | None = None
    qualifications: list[QualificationIO] | None = None
    availability: list[AvailabilityIO] | None = None

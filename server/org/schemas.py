"""The organisation on the wire: units, sites, processes, people."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from server.lib.principal import Role
from server.lib.standards import Standard, Tag
from server.lib.structs import ApiIn, ApiOut, Code, LocalizedName, ShortText, Uuid

__all__ = [
    "AvailabilityIO",
    "LocalizedText",
    "PersonIn",
    "PersonOut",
    "ProcessIn",
    "ProcessOut",
    "QualificationIO",
    "SiteIn",
    "SiteOut",
    "UnitIn",
    "UnitOut",
]

UnitKind = Literal["general_directorate", "directorate", "division", "service"]
SiteKind = Literal["head_office", "annex", "provincial_office", "works_site", "facility"]
Province = Literal["beni_mellal", "azilal", "fquih_ben_salah", "khenifra", "khouribga"]
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
    province: Province
    name: LocalizedName
    address: ShortText = ""


class SiteOut(ApiOut):
    id: str
    code: str
    kind: SiteKind
    province: Province
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

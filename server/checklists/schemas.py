"""Standards, composed checklists and organisation questions on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from server.lib.standards import Basis, Standard, Tag
from server.lib.structs import ApiIn, ApiOut, Uuid

__all__ = [
    "MAX_REV",
    "ChecklistItemOut",
    "ChecklistOut",
    "ChecklistSnapshotOut",
    "ClauseOut",
    "ImportReportOut",
    "ImportRowOut",
    "OrgQuestionIn",
    "OrgQuestionOut",
    "OrgQuestionUpdateIn",
    "PinnedOut",
    "RetireIn",
    "SnapshotOrgQuestionOut",
    "SnapshotQuestionOut",
    "StandardOut",
    "Texts",
]

MAX_REV = 2**31 - 1

ClauseRefIn = Annotated[
    str, msgspec.Meta(pattern=r"^(iso9001|iso14001|iso45001):[0-9]+(\.[0-9]+)*$", max_length=24)
]
QuestionText = Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]
OptionalText = Annotated[str, msgspec.Meta(max_length=1000)]
Guidance = Annotated[str, msgspec.Meta(max_length=2000)]


class Texts(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    ar: str
    fr: str
    en: str


class ClauseOut(ApiOut):
    number: str
    title: Texts
    children: list[ClauseOut] = []
    descriptive: bool = False
    """The standard gives this sub-clause no title: ``title`` is a description, shown in parentheses."""


class StandardOut(ApiOut):
    standard: Standard
    edition: str
    title: Texts
    clauses: list[ClauseOut]


class ChecklistItemOut(ApiOut):
    id: str
    source: Literal["library", "organisation"]
    clauses: list[str]
    text: str
    guidance: str
    tags: list[Tag]
    process_ids: list[str] = []
    basis: Basis = "requirement"
    """``good_practice``: beyond what the cited clauses require; a gap is an opportunity for improvement,
    never a nonconformity."""


class ChecklistOut(ApiOut):
    version: str
    library_version: str
    lang: Literal["ar", "fr", "en"]
    standards: list[Standard]
    count: int
    items: list[ChecklistItemOut]


class QuestionTextsIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    ar: QuestionText
    fr: QuestionText
    en: OptionalText = ""


class GuidanceIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    ar: Guidance = ""
    fr: Guidance = ""
    en: Guidance = ""


class OrgQuestionIn(ApiIn):
    clauses: Annotated[list[ClauseRefIn], msgspec.Meta(min_length=1, max_length=12)]
    text: QuestionTextsIn
    guidance: GuidanceIn = GuidanceIn()
    tags: Annotated[list[Tag], msgspec.Meta(max_length=12)] = []
    process_ids: Annotated[list[Uuid], msgspec.Meta(max_length=50)] = []


Rev = Annotated[int, msgspec.Meta(ge=1, le=MAX_REV)]


class OrgQuestionUpdateIn(OrgQuestionIn):
    rev: Rev | None = None
    """The question's rev you read (or send it as ``If-Match``): 412 if it moved on since."""


class RetireIn(ApiIn):
    rev: Rev | None = None
    """The question's rev you read (or send it as ``If-Match``)."""


class OrgQuestionOut(ApiOut):
    id: str
    code: str
    clauses: list[str]
    text: Texts
    guidance: Texts
    tags: list[Tag]
    process_ids: list[str]
    rev: int
    created_at: datetime
    updated_at: datetime
    retired_at: datetime | None


class ImportRowOut(ApiOut):
    sheet: str
    row: int
    code: str | None
    action: Literal["added", "changed", "unchanged", "refused"]
    reasons: list[str] = []


class ImportReportOut(ApiOut):
    applied: bool
    added: int
    changed: int
    unchanged: int
    refused: int
    rows: list[ImportRowOut]


class PinnedOut(ApiOut):
    version: str


class SnapshotOrgQuestionOut(ApiOut):
    code: str
    clauses: list[str]
    text: Texts
    guidance: Texts
    tags: list[str]
    process_ids: list[str]


class SnapshotQuestionOut(msgspec.Struct, kw_only=True):
    """A library question as pinned (the library's own field names)."""

    id: str
    clauses: list[str]
    text: Texts
    guidance: Texts
    tags: list[str] = []
    basis: Basis = "requirement"


class ChecklistSnapshotOut(ApiOut):
    """A pinned version: the library questions and the organisation questions, every language, and
    the organisation's facts the library texts name (``{provinces}``)."""

    library_version: str
    questions: list[SnapshotQuestionOut]
    organisation_questions: list[SnapshotOrgQuestionOut]
    facts: dict[str, Texts] = {}

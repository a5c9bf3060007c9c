"""The reports API's request and response bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from server.lib.structs import ApiIn, ApiOut

__all__ = [
    "GateItemOut",
    "IssueIn",
    "LongTermOut",
    "PublicStatus",
    "ReportOut",
    "ReportRevisionOut",
    "VerifyOut",
]

ReportLang = Literal["ar", "fr"]
ReportStatus = Literal["current", "superseded"]


class IssueIn(ApiIn):
    lang: ReportLang
    """The report's language: Arabic (right to left) or French."""
    reason: Annotated[str, msgspec.Meta(max_length=2000)] = ""
    """Why a new version is issued (a correction); printed on the cover of version 2 and later."""


class ReportOut(ApiOut):
    """One issued version of an audit's report, as the register holds it."""

    id: str
    audit_id: str
    lang: ReportLang
    version: int
    reference: str
    status: ReportStatus
    """``superseded`` once a later version in the same language exists; it stays downloadable."""
    supersedes_id: str | None
    superseded_by: str | None
    sha256: str
    """SHA-256 of the signed PDF: what the public verification page and the verifier compare."""
    size: int
    pages: int
    level: str
    """PAdES level of the signature: B-B, B-T with a timestamp, B-LTA with validation data and a document
    timestamp for long-term validity."""
    configured_level: str
    """The level the server's configuration asked when the report was issued ('' for reports issued
    before levels were recorded)."""
    downgraded: bool
    """Issued at a lower level than configured, because the admin allowed it while a piece (the TSA,
    OCSP or CRL) was out of reach."""
    certificate_sha256: str
    signer: str
    issued_by: str
    issued_at: datetime
    reason: str
    download_url: str
    verification_url: str


class ReportRevisionOut(ApiOut):
    """One stored revision of an issued report: 1 as issued, then one per timestamp renewal (the earlier
    bytes with a document timestamp appended). Every revision is the same signed report."""

    revision: int
    sha256: str
    size: int
    made_at: datetime
    made_by: Literal["issue", "renewal"]
    latest: bool
    """The revision the register serves (``GET /api/v1/reports/{id}.pdf``)."""
    download_url: str
    timestamp_authority: str = ""
    """The authority of its latest document timestamp ('' when not recorded: a report never renewed)."""
    timestamp_expires_at: datetime | None = None
    """When that timestamp's certificate expires (renewal is due before)."""


class GateItemOut(ApiOut):
    """One thing the completeness gate found missing, in the caller's language."""

    code: str
    message: str


class LongTermOut(ApiOut):
    """The long-term (AdES) validation of the signature as of a moment, from the file's embedded data."""

    indication: Literal["valid", "indeterminate", "invalid"]
    code: str
    """Stable: ok, unreadable, not_signed, altered, modified, no_timestamp, revoked, revoked_no_proof,
    not_yet_valid, expired_no_proof, no_revocation_data, untrusted, weak_algorithm, other."""
    reason: str
    """``code`` in words, in the caller's language."""
    sentence: str
    """The whole long-term answer in one sentence, in the caller's language."""
    validation_time: datetime
    signature_time: datetime | None = None
    """The earliest time a timestamp proves the signature existed."""
    document_timestamps: int = 0
    protected_until: datetime | None = None
    """When the latest document timestamp's certificate expires: the report must be renewed before."""
    offline: bool = True
    assumed_unrevoked: bool = False
    """The latest timestamp's authority was taken as unrevoked at the validation time (offline)."""


class VerifyOut(ApiOut):
    """The verdict on an uploaded PDF: is it one of our reports, untouched, and still current?"""

    signed: bool
    intact: bool
    """The signed bytes are unchanged (the digest matches)."""
    valid: bool
    """The signature is cryptographically valid."""
    whole_document: bool
    """The signature covers the whole file: nothing was appended after signing."""
    registered: bool
    """The file's SHA-256 is that of a report in the register."""
    status: Literal["current", "superseded", "unknown"]
    report_id: str | None = None
    reference: str | None = None
    audit_id: str | None = None
    audit_code: str | None = None
    version: int | None = None
    lang: str | None = None
    revision: int | None = None
    """Which revision of the report the file is: 1 as issued, one more per timestamp renewal."""
    latest_revision: int | None = None
    """The register's latest revision of that report (the one it serves)."""
    sha256: str = ""
    signer: str = ""
    signed_at: datetime | None = None
    level: str = ""
    problems: list[str] = []
    """Stable codes: not_signed, digest_mismatch, not_whole_document, untrusted_signer, unreadable,
    not_registered."""
    verdict: str = ""
    """The whole answer in one sentence, in the caller's language."""
    long_term: LongTermOut | None = None
    """The long-term validation (None only from servers before it existed)."""


class PublicStatus(msgspec.Struct, frozen=True, kw_only=True):
    """What the public verification page may show: never the report's content."""

    reference: str
    issued_at: datetime
    version: int
    status: Literal["current", "superseded", "unknown"]
    sha256: str
    level: str = ""
    """The PAdES level the signature reached (B-B, B-T, B-LTA)."""
    configured_level: str = ""
    """The level asked when it was issued: another than ``level`` means it was downgraded."""

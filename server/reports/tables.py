"""The register of issued reports: every signed PDF ever issued, never changed, never deleted."""

from __future__ import annotations

import uuid

from piccolo.columns import UUID, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["IssuedReport"]


class IssuedReport(Table, tablename="issued_report"):
    """One signed report. The PDF itself lies in the report store under its SHA-256; this row is its
    entry in the register, written in the transaction that signs the audit. Only a timestamp renewal
    (``tadqiq signatures renew``) changes it afterwards: ``sha256`` and ``size`` then name the latest
    revision, each earlier one staying stored and listed in ``report_revision``."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    audit_id = UUID(index=True)
    lang = Varchar(length=2, help_text="ar or fr.")
    version = Integer(help_text="1, 2, … per audit and language; unique with audit_id and lang.")
    reference = Varchar(length=48, unique=True, help_text="Printed on every page, e.g. AI-2026-014-R2-AR.")
    token = Varchar(
        length=24, unique=True, help_text="The short public verification address's key (in the QR code)."
    )
    sha256 = Varchar(length=64, index=True, help_text="SHA-256 of the signed PDF as stored and served.")
    size = Integer()
    pages = Integer()
    level = Varchar(length=8, help_text="PAdES level reached: B-B, B-T or B-LTA.")
    configured_level = Varchar(
        length=8,
        default="",
        help_text="The level the configuration asked when it was issued; another than `level` means the "
        "admin allowed a downgrade. Empty for reports issued before levels were recorded.",
    )
    certificate_sha256 = Varchar(length=64, help_text="Fingerprint of the signing certificate.")
    signer = Varchar(length=200, default="", help_text="The signing certificate's subject (CN).")
    supersedes_id = UUID(null=True, default=None, help_text="The version this one replaces.")
    checklist_version = Varchar(length=64, default="")
    reason = Text(default="", help_text="Why this version was issued again (v2+).")
    issued_by_user_id = UUID(null=True, default=None)
    issued_by = Varchar(length=64, default="", help_text="Username of whoever issued it.")
    issued_at = Timestamptz()

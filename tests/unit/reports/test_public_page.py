"""The public verification page shows the register's status of a report and nothing of its content."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from msgspec.structs import replace

from server.reports.public_page import public_page
from server.reports.schemas import PublicStatus

ZONE = ZoneInfo("Africa/Casablanca")
STATUS = PublicStatus(
    reference="AI-2026-014-R2-AR",
    issued_at=datetime(2026, 9, 30, 9, 15, tzinfo=UTC),
    version=2,
    status="superseded",
    sha256="4f" * 32,
)


def test_a_known_report_shows_reference_version_status_date_and_hash() -> None:
    page = public_page(STATUS, "fr", "Ab12Cd34Ef56", ZONE)
    assert "AI-2026-014-R2-AR" in page
    assert "4f" * 32 in page
    assert 'data-status="superseded"' in page
    assert "<dd>2</dd>" in page
    assert "10:15" in page, "the time is shown in the council's time zone (UTC+1)"


def test_an_unknown_token_says_unknown_and_shows_no_fields() -> None:
    page = public_page(None, "fr", "Zz99Zz99Zz99", ZONE)
    assert 'data-status="unknown"' in page
    assert "<dt>" not in page


def test_the_arabic_page_is_right_to_left_with_latin_digits() -> None:
    page = public_page(STATUS, "ar", "Ab12Cd34Ef56", ZONE)
    assert '<html lang="ar" dir="rtl">' in page
    assert not any("\u0660" <= ch <= "\u0669" for ch in page)


def test_the_token_is_escaped() -> None:
    page = public_page(None, "fr", "<script>alert(1)</script>", ZONE)
    assert "<script>" not in page


def test_the_signature_level_is_shown_and_a_downgrade_is_said() -> None:
    plain = public_page(replace(STATUS, level="B-LTA", configured_level="B-LTA"), "fr", "Ab12Cd34Ef56", ZONE)
    assert "PAdES B-LTA" in plain and "data-downgraded" not in plain
    lowered = public_page(replace(STATUS, level="B-T", configured_level="B-LTA"), "fr", "Ab12Cd34Ef56", ZONE)
    assert 'data-downgraded="true"' in lowered
    assert "<bdi>PAdES B-T</bdi>" in lowered and "<bdi>PAdES B-LTA</bdi>" in lowered


def test_a_report_issued_before_levels_were_recorded_shows_none() -> None:
    assert "PAdES" not in public_page(STATUS, "fr", "Ab12Cd34Ef56", ZONE)

"""The doctor's findings from gathered facts: each problem in words with what to do, warnings that do not
fail, and the boundaries (key margin, clock tolerance, disk floor) where a check starts to fail."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from server.system.doctor_logic import (
    CLOCK_TOLERANCE,
    Check,
    ClockFacts,
    DatabaseFacts,
    KeyFacts,
    StoreProbe,
    blob_store_check,
    catalog_check,
    clock_check,
    database_checks,
    disk_check,
    exit_code,
    render_json,
    render_text,
    signing_key_checks,
)
from server.system.doctor_settings import SettingsFacts, settings_checks

NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
MIB = 1024 * 1024


def by_name(checks: list[Check], name: str) -> Check:
    return next(c for c in checks if c.name == name)


def test_an_unreachable_database_is_one_problem_naming_the_place_and_the_reason() -> None:
    checks = database_checks(DatabaseFacts("postgresql", "postgresql://tq@db:5432/tq", error="refused"))
    assert [c.name for c in checks] == ["database"]
    assert not checks[0].ok and "postgresql://tq@db:5432/tq: refused" in checks[0].message
    assert "pg_hba.conf" in checks[0].hint


def test_pending_migrations_are_listed_and_make_the_database_unusable() -> None:
    pending = tuple(f"app:2027-01-0{i}T00:00:00" for i in range(1, 8))
    facts = DatabaseFacts("sqlite", "/var/lib/tadqiq/tadqiq.sqlite3", applied=20, pending=pending)
    migrations = by_name(database_checks(facts), "migrations")
    assert not migrations.ok and not facts.usable
    assert migrations.message.startswith("7 migration(s) not applied (app:2027-01-01T00:00:00")
    assert "…" in migrations.message and "tadqiq migrate" in migrations.hint
    done = DatabaseFacts("sqlite", "x", applied=25)
    assert done.usable and by_name(database_checks(done), "migrations").message == "all 25 migrations applied"


def test_a_read_only_blob_folder_is_told_apart_from_another_failure() -> None:
    read_only = blob_store_check(StoreProbe("filesystem", read_only=("/srv/blobs", "/srv/reports")))
    assert not read_only.ok and "/srv/blobs, /srv/reports: read-only for this user" in read_only.message
    assert "chown" in read_only.hint
    other = blob_store_check(StoreProbe("database", error="disk full"))
    assert not other.ok and other.name == "blob store" and other.message.endswith("removed: disk full")
    assert blob_store_check(StoreProbe("filesystem: /srv/blobs")).ok


def key(days_left: float, **changes: object) -> KeyFacts:
    values: dict[str, object] = {
        "path": "/etc/tadqiq/key.p12",
        "subject": "CN=Conseil",
        "not_before": NOW - timedelta(days=10),
        "not_after": NOW + timedelta(days=days_left),
    }
    values.update(changes)
    return KeyFacts(**values)  # type: ignore[arg-type]


def test_a_missing_or_unopenable_key_is_a_problem() -> None:
    [missing] = signing_key_checks(KeyFacts("/k.p12", missing=True), NOW, 30)
    assert not missing.ok and "no signing key at /k.p12" in missing.message
    assert "TADQIQ_SIGNING_KEY_PATH" in missing.hint
    [locked] = signing_key_checks(KeyFacts("/k.p12", error="wrong password"), NOW, 30)
    assert not locked.ok and locked.message == "wrong password"


@pytest.mark.parametrize(
    ("days_left", "ok", "words"),
    [
        (-1, False, "expired on 2027-02-28 09:00 UTC"),
        (29.9, False, "in 29 day(s): less than the 30 days TADQIQ_SIGNING_MARGIN_DAYS asks"),
        (30, True, "valid until 2027-03-31 09:00 UTC (30 days)"),
    ],
)
def test_the_certificate_must_stay_valid_for_the_margin(days_left: float, ok: bool, words: str) -> None:
    [validity] = signing_key_checks(key(days_left), NOW, 30)
    assert validity.ok is ok and words in validity.message


def test_a_certificate_not_yet_valid_points_at_the_clock() -> None:
    [validity] = signing_key_checks(key(400, not_before=NOW + timedelta(hours=1)), NOW, 30)
    assert not validity.ok and "not valid before" in validity.message and "clock" in validity.hint


def test_a_demo_key_is_a_warning_that_does_not_fail_the_command() -> None:
    checks = signing_key_checks(key(400, self_signed=True, demo_passphrase=True), NOW, 30)
    origin = by_name(checks, "signing key origin")
    assert not origin.ok and origin.severity == "warning"
    assert "self-signed" in origin.message and "demo passphrase" in origin.message
    assert exit_code(checks) == 0
    assert [c.name for c in signing_key_checks(key(400), NOW, 30)] == ["signing key"]


def test_a_catalog_must_be_compiled_and_not_older_than_its_source() -> None:
    missing = catalog_check("ar", 100.0, None, "locales/ar/LC_MESSAGES/messages.po")
    assert not missing.ok and "is not compiled (no messages.mo)" in missing.message
    assert "make i18n-compile" in missing.hint
    stale = catalog_check("fr", 100.0, 99.0, "locales/fr/LC_MESSAGES/messages.po")
    assert not stale.ok and "older than" in stale.message
    assert catalog_check("fr", 100.0, 100.0, "p").ok
    assert not catalog_check("fr", None, None, "p").ok


def clock(**changes: object) -> ClockFacts:
    values: dict[str, object] = {"now": NOW, "release": date(2026, 12, 2)}
    values.update(changes)
    return ClockFacts(**values)  # type: ignore[arg-type]


def test_the_clock_must_agree_with_the_database_server_within_the_tolerance() -> None:
    assert clock_check(clock(database_now=NOW + CLOCK_TOLERANCE)).ok
    skewed = clock_check(clock(database_now=NOW - CLOCK_TOLERANCE - timedelta(seconds=1)))
    assert not skewed.ok and "differ by 61 s, more than 60 s" in skewed.message


def test_the_clock_must_not_be_before_what_is_stored_or_the_release() -> None:
    assert clock_check(clock(newest_stored=NOW + CLOCK_TOLERANCE)).ok
    went_back = clock_check(clock(newest_stored=NOW + timedelta(hours=2)))
    assert not went_back.ok and "before the newest audit-trail entry" in went_back.message
    too_early = clock_check(clock(now=datetime(2001, 1, 1, tzinfo=UTC)))
    assert not too_early.ok and "before this version was made (2026-12-02)" in too_early.message


def test_free_disk_below_the_floor_is_a_problem() -> None:
    assert disk_check("/var/lib/tadqiq", 1024 * MIB, 1024).ok
    low = disk_check("/var/lib/tadqiq", 1024 * MIB - 1, 1024)
    assert not low.ok and "only 1023 MiB free under /var/lib/tadqiq" in low.message


def facts(**changes: object) -> SettingsFacts:
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "public_base_url": "https://audit.example.ma",
        "trusted_proxies": "127.0.0.1",
        "workers": 1,
        "database_kind": "sqlite",
        "demo_accounts_open": (),
    }
    values.update(changes)
    return SettingsFacts(**values)  # type: ignore[arg-type]


def test_sensible_production_settings_pass() -> None:
    checks = settings_checks(facts())
    assert all(c.ok for c in checks), render_text(checks)
    assert {c.name for c in checks} == {"public address", "trusted proxies", "workers", "demo password"}


def test_a_loopback_public_address_is_a_problem_only_when_the_server_is_reached_from_elsewhere() -> None:
    local = "http://127.0.0.1:8000"
    assert by_name(settings_checks(facts(public_base_url=local, trusted_proxies="")), "public address").ok
    for exposed in (facts(public_base_url=local, host="0.0.0.0"), facts(public_base_url="http://localhost")):  # noqa: S104
        check = by_name(settings_checks(exposed), "public address")
        assert not check.ok and "would lead nowhere" in check.message
    bad = by_name(settings_checks(facts(public_base_url="audit.example.ma")), "public address")
    assert not bad.ok and "not an http(s) address" in bad.message


def test_every_malformed_trusted_proxy_is_named() -> None:
    check = by_name(settings_checks(facts(trusted_proxies="10.0.0.0/8, proxy.local,*")), "trusted proxies")
    assert not check.ok and "'proxy.local', '*'" in check.message and "refuses to start" in check.message


def test_several_workers_on_sqlite_and_open_demo_accounts_are_problems() -> None:
    checks = settings_checks(facts(workers=4, demo_accounts_open=("admin", "lead")))
    assert not by_name(checks, "workers").ok
    demo = by_name(checks, "demo password")
    assert not demo.ok and demo.message.endswith("opens 2 account(s): admin, lead")
    assert "demo password" not in {c.name for c in settings_checks(facts(demo_accounts_open=None))}


def test_the_report_prints_a_line_per_check_and_fails_only_on_problems() -> None:
    checks = [
        Check("database", True, "opened"),
        Check("signing key origin", False, "self-signed", "use a real key", "warning"),
        Check("free disk", False, "only 3 MiB", "free some space"),
    ]
    text = render_text(checks)
    assert text.splitlines() == [
        "ok       database: opened",
        "WARNING  signing key origin: self-signed",
        "           what to do: use a real key",
        "PROBLEM  free disk: only 3 MiB",
        "           what to do: free some space",
        "not ready: 1 problem(s), 1 warning(s) in 3 checks",
    ]
    assert exit_code(checks) == 1 and exit_code(checks[:2]) == 0
    assert render_text(checks[:1]).endswith("ready: all 1 checks passed")
    decoded = json.loads(render_json(checks))
    assert decoded["ok"] is False and decoded["checks"][2] == {
        "name": "free disk",
        "ok": False,
        "message": "only 3 MiB",
        "hint": "free some space",
        "severity": "problem",
    }

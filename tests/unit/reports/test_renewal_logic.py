"""When a B-LTA file's timestamps are due for renewal: from the window before the latest timestamp's
certificate expires, too late after it, and only with an authority whose own certificate outlasts the
window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.reports.renewal_logic import authority_outlasts_window, renew_from, renewal_state

NOW = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)


def test_a_timestamp_lasting_beyond_the_window_is_not_due() -> None:
    assert renewal_state(NOW + timedelta(days=91), NOW, 90) == "not_due"


def test_a_timestamp_expiring_within_the_window_is_due_from_the_windows_first_day() -> None:
    expires = NOW + timedelta(days=90)
    assert renew_from(expires, 90) == NOW
    assert renewal_state(expires, NOW, 90) == "due"
    assert renewal_state(expires, NOW - timedelta(seconds=1), 90) == "not_due"
    assert renewal_state(NOW + timedelta(minutes=1), NOW, 90) == "due"


def test_an_expired_timestamp_is_too_late_to_renew() -> None:
    assert renewal_state(NOW, NOW, 90) == "too_late"
    assert renewal_state(NOW - timedelta(days=3), NOW, 90) == "too_late"


def test_a_file_without_a_document_timestamp_is_named_as_such() -> None:
    assert renewal_state(None, NOW, 90) == "no_timestamp"


def test_an_authority_must_outlast_the_window_or_every_run_would_renew_again() -> None:
    assert authority_outlasts_window(NOW + timedelta(days=3650), NOW, 90)
    assert not authority_outlasts_window(NOW + timedelta(days=60), NOW, 90)
    assert not authority_outlasts_window(NOW - timedelta(days=1), NOW, 90)

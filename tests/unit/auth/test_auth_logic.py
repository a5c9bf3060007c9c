from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.auth.logic import (
    hash_password,
    make_hasher,
    new_token,
    retry_after_seconds,
    slid_expiry,
    verify_password,
)

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)


def test_password_hash_verifies_only_the_right_password() -> None:
    hasher = make_hasher(1, 1024)
    stored = hash_password(hasher, "s3cret-pass")
    assert stored.startswith("$argon2id$")
    assert verify_password(hasher, stored, "s3cret-pass")
    assert not verify_password(hasher, stored, "other")
    assert not verify_password(hasher, "not-a-hash", "s3cret-pass")


def test_tokens_are_random_and_only_their_hash_is_kept() -> None:
    token, digest = new_token()
    other, _ = new_token()
    assert token != other and token not in digest and len(digest) == 64


def test_attempts_allowed_below_the_limit() -> None:
    failures = [NOW - timedelta(minutes=m) for m in (1, 2, 3, 4)]
    assert retry_after_seconds(failures, limit=5, window=WINDOW, now=NOW) is None


def test_wait_until_the_oldest_relevant_failure_leaves_the_window() -> None:
    failures = [NOW - timedelta(minutes=m) for m in (1, 2, 3, 4, 10)]
    wait = retry_after_seconds(failures, limit=5, window=WINDOW, now=NOW)
    assert wait == 5 * 60 + 1


def test_failures_outside_the_window_do_not_count() -> None:
    failures = [NOW - timedelta(minutes=m) for m in (1, 2, 16, 17, 30)]
    assert retry_after_seconds(failures, limit=3, window=WINDOW, now=NOW) is None


def test_expiry_slides_at_most_hourly() -> None:
    ttl = timedelta(days=14)
    assert slid_expiry(NOW + ttl - timedelta(minutes=30), now=NOW, ttl=ttl) is None
    assert slid_expiry(NOW + ttl - timedelta(hours=2), now=NOW, ttl=ttl) == NOW + ttl

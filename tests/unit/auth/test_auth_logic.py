from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.auth.logic import (
    FailedAttempt,
    ThrottleRule,
    ThrottleScope,
    ThrottleState,
    counting_since,
    failure_evidence,
    hash_password,
    judge_key,
    lockout_duration,
    make_hasher,
    new_token,
    slid_expiry,
    standing_strikes,
    state_after_success,
    throttle_keys,
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


def test_expiry_slides_at_most_hourly() -> None:
    ttl = timedelta(days=14)
    assert slid_expiry(NOW + ttl - timedelta(minutes=30), now=NOW, ttl=ttl) is None
    assert slid_expiry(NOW + ttl - timedelta(hours=2), now=NOW, ttl=ttl) == NOW + ttl


RULE = ThrottleRule(limit=5, window=WINDOW, first_lockout=timedelta(minutes=1))
SINCE = dict.fromkeys(ThrottleScope, NOW - WINDOW)


def test_attempts_allowed_below_the_limit() -> None:
    verdict = judge_key(ThrottleState(), 4, rule=RULE, now=NOW)
    assert verdict.wait_seconds is None and verdict.new_state is None


def test_reaching_the_limit_locks_for_the_first_lockout() -> None:
    verdict = judge_key(ThrottleState(), 5, rule=RULE, now=NOW)
    assert verdict.wait_seconds == 60
    assert verdict.new_state == ThrottleState(
        strikes=1,
        locked_until=NOW + timedelta(minutes=1),
        counted_from=NOW + timedelta(minutes=1),
        forget_at=NOW + timedelta(minutes=16),
    )


def test_a_locked_key_waits_until_its_lockout_ends_whatever_the_evidence() -> None:
    locked = ThrottleState(strikes=1, locked_until=NOW + timedelta(seconds=30.2))
    verdict = judge_key(locked, 0, rule=RULE, now=NOW)
    assert verdict.wait_seconds == 31 and verdict.new_state is None


def test_each_lockout_in_a_row_doubles_up_to_the_window() -> None:
    first = timedelta(minutes=1)
    waits = [lockout_duration(n, first=first, cap=WINDOW) for n in range(1, 8)]
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8, 15, 15, 15)]
    assert lockout_duration(10_000, first=first, cap=WINDOW) == WINDOW


def test_a_second_lockout_soon_after_the_first_waits_twice_as_long() -> None:
    ended = ThrottleState(strikes=1, locked_until=NOW - timedelta(seconds=10))
    verdict = judge_key(ended, 5, rule=RULE, now=NOW)
    assert verdict.wait_seconds == 120
    assert verdict.new_state is not None and verdict.new_state.strikes == 2


def test_strikes_are_forgiven_after_a_whole_window_without_lockout() -> None:
    long_ago = ThrottleState(strikes=4, locked_until=NOW - WINDOW)
    assert standing_strikes(long_ago, now=NOW, window=WINDOW) == 0
    recent = ThrottleState(strikes=4, locked_until=NOW - WINDOW + timedelta(seconds=1))
    assert standing_strikes(recent, now=NOW, window=WINDOW) == 4
    assert judge_key(long_ago, 5, rule=RULE, now=NOW).wait_seconds == 60


def test_failures_count_from_the_window_start_or_after_a_lockout_or_success() -> None:
    assert counting_since(ThrottleState(), now=NOW, window=WINDOW) == NOW - WINDOW
    after_lockout = ThrottleState(
        strikes=1, locked_until=NOW - timedelta(minutes=2), counted_from=NOW - timedelta(minutes=2)
    )
    assert counting_since(after_lockout, now=NOW, window=WINDOW) == NOW - timedelta(minutes=2)
    stale = ThrottleState(counted_from=NOW - timedelta(hours=2))
    assert counting_since(stale, now=NOW, window=WINDOW) == NOW - WINDOW


def test_success_clears_strikes_and_earlier_failures() -> None:
    fresh = state_after_success(now=NOW, window=WINDOW)
    assert fresh.strikes == 0 and fresh.locked_until is None
    assert counting_since(fresh, now=NOW, window=WINDOW) == NOW


def _failures(*rows: tuple[str, str, int]) -> list[FailedAttempt]:
    return [FailedAttempt(user, address, NOW - timedelta(minutes=minutes)) for user, address, minutes in rows]


def test_the_address_counts_distinct_accounts_not_failures() -> None:
    typos = _failures(*((f"tablet{n}", "10.0.0.1", 1) for n in range(5) for _ in range(5)))
    evidence = failure_evidence(typos, username="tablet6", address="10.0.0.1", since=SINCE)
    assert evidence == {ThrottleScope.ACCOUNT: 0, ThrottleScope.PAIR: 0, ThrottleScope.ADDRESS: 5}


def test_the_account_counts_every_address_and_the_pair_only_its_own() -> None:
    failures = _failures(("amal", "10.0.0.1", 1), ("amal", "10.0.0.2", 2), ("amal", "10.0.0.1", 3))
    evidence = failure_evidence(failures, username="amal", address="10.0.0.1", since=SINCE)
    assert evidence == {ThrottleScope.ACCOUNT: 3, ThrottleScope.PAIR: 2, ThrottleScope.ADDRESS: 1}


def test_each_scope_counts_only_from_its_own_starting_point() -> None:
    failures = _failures(("amal", "10.0.0.1", 10), ("amal", "10.0.0.1", 1), ("badr", "10.0.0.1", 5))
    since = {
        ThrottleScope.ACCOUNT: NOW - timedelta(minutes=2),
        ThrottleScope.PAIR: NOW - WINDOW,
        ThrottleScope.ADDRESS: NOW - timedelta(minutes=7),
    }
    evidence = failure_evidence(failures, username="amal", address="10.0.0.1", since=since)
    assert evidence == {ThrottleScope.ACCOUNT: 1, ThrottleScope.PAIR: 2, ThrottleScope.ADDRESS: 2}


def test_throttle_keys_keep_scopes_apart() -> None:
    keys = throttle_keys("10.0.0.1", "10.0.0.1")  # a username may look like an address
    assert len(set(keys.values())) == 3

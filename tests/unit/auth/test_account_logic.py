"""The pure parts of account administration: one-time passwords, search, filters, pages, and which
account a throttle key holds back."""

from __future__ import annotations

from server.auth.logic import (
    PAGE_SIZE,
    TEMPORARY_ALPHABET,
    AccountFilter,
    folded,
    matches_search,
    own_lockout,
    page_bounds,
    temporary_password,
    throttle_keys,
    throttled_username,
)
from server.lib.principal import Role


def test_a_temporary_password_is_four_groups_of_unambiguous_characters() -> None:
    drawn = {temporary_password() for _ in range(200)}
    assert len(drawn) == 200
    for password in drawn:
        groups = password.split("-")
        assert [len(g) for g in groups] == [4, 4, 4, 4]
        assert set("".join(groups)) <= set(TEMPORARY_ALPHABET)
    assert not set("il1o0") & set(TEMPORARY_ALPHABET)


def test_a_search_ignores_case_accents_and_arabic_short_vowels() -> None:
    assert folded("  Bénali ") == "benali"
    assert matches_search("BENALI", ["Karim Bénali"])
    assert matches_search("مُحَمَّد", ["محمد العلوي"])
    assert matches_search("", ["anything"])
    assert not matches_search("fatima", ["Karim Bénali", "auditor1"])


def test_a_filter_keeps_by_role_activity_and_search_together() -> None:
    def keeps(wanted: AccountFilter) -> bool:
        return wanted.keeps(username="auditor1", roles=[Role.AUDITOR], active=True, names=["Karim Bénali"])

    assert keeps(AccountFilter())
    assert keeps(AccountFilter(search="benali", role=Role.AUDITOR, active=True))
    assert not keeps(AccountFilter(role=Role.ADMIN))
    assert not keeps(AccountFilter(active=False))
    assert not keeps(AccountFilter(search="auditee"))


def test_pages_count_from_one_after_the_offset() -> None:
    assert page_bounds(None, None, None) == (0, None)
    assert page_bounds(10, None, None) == (0, 10)
    assert page_bounds(10, 30, None) == (30, 10)
    assert page_bounds(None, None, 3) == (2 * PAGE_SIZE, PAGE_SIZE)
    assert page_bounds(8, 2, 2) == (10, 8)


def test_a_throttle_key_names_the_account_it_holds_back() -> None:
    keys = throttle_keys("auditor1", "203.0.113.9")
    assert {scope: throttled_username(key) for scope, key in keys.items()} == {
        "account": "auditor1",
        "pair": "auditor1",
        "address": None,
    }
    assert throttled_username("pair:2001:db8::1 lead") == "lead"
    assert throttled_username("something-else") is None


def test_an_administrator_may_not_lock_themselves_out_but_may_lock_out_another() -> None:
    assert own_lockout("me", "me", active=False) == "active"
    assert own_lockout("me", "me", roles=[Role.AUDITOR]) == "roles"
    assert own_lockout("me", "me", reset=True) == "password"
    assert own_lockout("me", "me", active=True, roles=[Role.ADMIN, Role.MANAGER]) is None
    assert own_lockout("me", "other", active=False, roles=[], reset=True) is None

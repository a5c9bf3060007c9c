"""Accept-Language weights are RFC 9110 qvalues in ASCII digits; anything else weighs nothing."""

from __future__ import annotations

import pytest

from server.lib.i18n import negotiate_locale


@pytest.mark.parametrize("weight", ["٠.٥", "nan", "inf", "1_0", "0.5x", "2", "-1", "0.1234"])
def test_a_weight_that_is_not_a_qvalue_counts_as_zero(weight: str) -> None:
    assert negotiate_locale(None, f"fr;q={weight}, ar;q=0.2") == "ar"


def test_valid_weights_rank_the_languages() -> None:
    assert negotiate_locale(None, "fr;q=0.5, ar;q=0.9") == "ar"
    assert negotiate_locale(None, "ar;q=0.5, fr") == "fr"
    assert negotiate_locale(None, "en;q=1.000, ar;q=1") == "en"


def test_the_preference_wins_and_french_is_the_default() -> None:
    assert negotiate_locale("ar", "fr") == "ar"
    assert negotiate_locale(None, None) == "fr"

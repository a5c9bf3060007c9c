from __future__ import annotations

import pytest

from server.programme.scoring import (
    RiskInputs,
    ScoringPolicy,
    audits_required,
    check_frequency,
    check_policy,
    default_criticality,
    risk_level,
    risk_score,
)

POLICY = ScoringPolicy()
FREQUENCY = {"high": 2, "medium": 1, "low": 0.5}


def inputs(**changes: int | None) -> RiskInputs:
    values: dict[str, int | None] = {
        "criticality": 3,
        "nc_major": 1,
        "nc_minor": 2,
        "open_actions": 1,
        "changes": 0,
        "complaints": 1,
        "months_since_last_audit": 18,
    }
    values.update(changes)
    return RiskInputs(**values)  # type: ignore[arg-type]


def test_worked_example_of_the_docstring_scores_55_medium() -> None:
    score = risk_score(inputs(), POLICY)
    assert score == 30 + 8 + 6 + 2 + 0 + 2 + 7
    assert risk_level(score, POLICY) == "medium"


def test_never_audited_counts_as_the_age_cap() -> None:
    assert risk_score(inputs(months_since_last_audit=None), POLICY) == 63
    assert risk_level(63, POLICY) == "high"


def test_age_is_capped_and_audited_this_month_counts_zero() -> None:
    assert risk_score(inputs(months_since_last_audit=120), POLICY) == risk_score(
        inputs(months_since_last_audit=36), POLICY
    )
    assert risk_score(inputs(months_since_last_audit=0), POLICY) == 30 + 8 + 6 + 2 + 2


def test_each_input_moves_the_score_by_its_weight() -> None:
    base = risk_score(inputs(), POLICY)
    assert risk_score(inputs(criticality=4), POLICY) - base == POLICY.w_criticality
    assert risk_score(inputs(nc_major=2), POLICY) - base == POLICY.w_nc_major
    assert risk_score(inputs(nc_minor=3), POLICY) - base == POLICY.w_nc_minor
    assert risk_score(inputs(open_actions=2), POLICY) - base == POLICY.w_open_action
    assert risk_score(inputs(changes=1), POLICY) - base == POLICY.w_change
    assert risk_score(inputs(complaints=2), POLICY) - base == POLICY.w_complaint
    assert risk_score(inputs(months_since_last_audit=30), POLICY) - base == 5 * 30 // 12 - 5 * 18 // 12


def test_weights_are_configurable() -> None:
    policy = ScoringPolicy(
        w_criticality=0, w_nc_major=0, w_nc_minor=0, w_open_action=0, w_complaint=0, w_age=12
    )
    assert risk_score(inputs(), policy) == 18


def test_out_of_range_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="criticality"):
        risk_score(inputs(criticality=6), POLICY)
    with pytest.raises(ValueError, match="complaints"):
        risk_score(inputs(complaints=-1), POLICY)


def test_levels_start_at_their_thresholds() -> None:
    assert risk_level(60, POLICY) == "high"
    assert risk_level(59, POLICY) == "medium"
    assert risk_level(35, POLICY) == "medium"
    assert risk_level(34, POLICY) == "low"


def test_policy_check_names_the_bad_field() -> None:
    check_policy(POLICY)
    with pytest.raises(ValueError, match="w_change"):
        check_policy(ScoringPolicy(w_change=-1))
    with pytest.raises(ValueError, match="medium_from"):
        check_policy(ScoringPolicy(medium_from=70))


def test_organisation_criticality_maps_to_the_scale() -> None:
    assert [default_criticality(word) for word in ("low", "medium", "high")] == [2, 3, 5]
    with pytest.raises(ValueError, match="critical"):
        default_criticality("critical")


def test_audits_required_per_frequency() -> None:
    assert audits_required("high", FREQUENCY, audited_last_year=True) == (2, 2)
    assert audits_required("medium", FREQUENCY, audited_last_year=True) == (1, 1)
    assert audits_required("low", FREQUENCY, audited_last_year=True) == (0, 1)
    assert audits_required("low", FREQUENCY, audited_last_year=False) == (1, 1)


def test_frequency_check_names_the_bad_level_and_value() -> None:
    check_frequency(FREQUENCY)
    check_frequency({"high": 2.0, "medium": 1.0, "low": 1})
    with pytest.raises(ValueError, match=r"'medium'.*3"):
        check_frequency({**FREQUENCY, "medium": 3})
    with pytest.raises(ValueError, match="'low'"):
        check_frequency({"high": 2, "medium": 1})
    with pytest.raises(ValueError, match="'urgent'"):
        check_frequency({**FREQUENCY, "urgent": 2})
    with pytest.raises(ValueError, match="'high'"):
        check_frequency({**FREQUENCY, "high": True})
    with pytest.raises(ValueError, match="'high'"):
        audits_required("high", {**FREQUENCY, "high": 4}, audited_last_year=False)

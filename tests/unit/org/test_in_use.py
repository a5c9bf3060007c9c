"""The 409 ``org.in_use`` built from what uses an object, and the usable-reference rule."""

from __future__ import annotations

import pytest

from server.lib.errors import AppError, ErrorCode, message_for
from server.org.logic import LISTED_USES, Usage, check_usable, in_use_error

AUDITS = [Usage("audit", f"id-{n}", f"AI-2026-{n:03d}") for n in (3, 7)]


def test_a_refused_delete_names_the_audits_and_says_to_archive() -> None:
    error = in_use_error(AUDITS, 0, remedy="archive")
    assert (error.code, error.status) == (ErrorCode.IN_USE, 409)
    assert error.details == {
        "usedBy": [
            {"entity": "audit", "id": "id-3", "code": "AI-2026-003"},
            {"entity": "audit", "id": "id-7", "code": "AI-2026-007"},
        ],
        "total": 2,
        "findings": 0,
        "archive": True,
    }
    assert message_for(error.code, "en", **error.params) == (
        "This item is still in use: audits (AI-2026-003, AI-2026-007). Archive it instead of deleting it."
    )


def test_kinds_are_named_in_a_fixed_order_with_findings_last() -> None:
    usages = [Usage("person", "p", "Salma"), *AUDITS, Usage("unit", "u", "DAF-X")]
    message = message_for(ErrorCode.IN_USE, "en", **in_use_error(usages, 4, remedy="archive").params)
    assert message.startswith(
        "This item is still in use: audits (AI-2026-003, AI-2026-007); sub-units (DAF-X); people (Salma); "
        "findings (4)."
    )


def test_the_kind_words_are_translated() -> None:
    usages = [Usage("unit", "u", "DAF-X")]
    assert "des sous-unités (DAF-X)" in message_for(
        ErrorCode.IN_USE, "fr", **in_use_error(usages, 0, remedy="clear").params
    )


def test_a_long_list_is_capped_in_details_and_message() -> None:
    many = [Usage("audit", f"id-{n}", f"AI-{n:03d}") for n in range(30)]
    error = in_use_error(many, 2, remedy="archive")
    assert len(error.details["usedBy"]) == LISTED_USES and error.details["total"] == 32
    message = message_for(error.code, "en", **error.params)
    assert "AI-004 and 25 more" in message and "AI-005" not in message


def test_a_refused_archive_says_to_clear_the_unit_first() -> None:
    error = in_use_error([Usage("process", "p", "P-BUD")], 0, remedy="clear")
    assert "archive" not in error.details
    assert message_for(error.code, "en", **error.params).endswith(
        "processes (P-BUD). Archive them or move them elsewhere first."
    )


def test_check_usable_refuses_unknown_then_archived_ids() -> None:
    states = {"a": False, "b": True}
    check_usable(["a", "A"], states, "unitIds")
    with pytest.raises(AppError) as unknown:
        check_usable(["a", "c", "b"], states, "unitIds")
    assert unknown.value.code == ErrorCode.UNKNOWN_REFERENCE and unknown.value.details == {"field": "unitIds"}
    with pytest.raises(AppError) as archived:
        check_usable(["a", "b"], states, "siteIds")
    assert archived.value.code == ErrorCode.ARCHIVED
    assert archived.value.details == {"field": "siteIds", "id": "b"}

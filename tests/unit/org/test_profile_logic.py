"""The rules of the organisation's profile: unique province codes, facts the checklists know, the
provinces a site may name, the provinces sites keep on the list, and the placeholder values."""

from __future__ import annotations

import pytest

from server.lib.errors import AppError, ErrorCode, message_for
from server.org.logic import (
    Usage,
    check_facts,
    check_listed_province,
    check_unique_provinces,
    in_use_error,
    placeholder_values,
    provinces_left_in_use,
)
from server.org.schemas import Localized3Out, ProfileName, ProfileOut, ProvinceIn, ProvinceOut

KNOWN = ["environmental_context", "provinces", "remote_sites"]
SITE_A = Usage("site", "a", "BP-AZILAL")
SITE_K = Usage("site", "k", "BP-KHOURIBGA")


def _province(code: str) -> ProvinceIn:
    return ProvinceIn(code=code, name=ProfileName(ar="إقليم", fr=code.title()))


def _profile(provinces: list[tuple[str, str, str, str]], facts: dict[str, Localized3Out]) -> ProfileOut:
    return ProfileOut(
        name=Localized3Out(ar="مجلس", fr="Conseil", en=""),
        provinces=[
            ProvinceOut(code=c, name=Localized3Out(ar=ar, fr=fr, en=en)) for c, ar, fr, en in provinces
        ],
        facts=facts,
        rev=3,
        updated_at=None,
    )


def test_a_province_code_given_twice_is_named_with_its_position() -> None:
    check_unique_provinces([_province("azilal"), _province("khenifra")])
    with pytest.raises(AppError) as raised:
        check_unique_provinces([_province("azilal"), _province("khenifra"), _province("azilal")])
    assert (raised.value.code, raised.value.status) == (ErrorCode.DUPLICATE_PROVINCE, 422)
    assert raised.value.details == {"field": "provinces[2].code", "code": "azilal"}
    assert message_for(raised.value.code, "en", **raised.value.params) == (
        "The province code azilal is given more than once."
    )


def test_a_fact_the_checklists_do_not_declare_is_refused_with_the_known_names() -> None:
    check_facts(["remote_sites", "provinces"], KNOWN)
    with pytest.raises(AppError) as raised:
        check_facts(["remote_sites", "mayor"], KNOWN)
    assert (raised.value.code, raised.value.status) == (ErrorCode.UNKNOWN_FACT, 422)
    assert raised.value.details == {"field": "facts.mayor", "name": "mayor", "allowed": KNOWN}
    assert message_for(raised.value.code, "en", **raised.value.params) == (
        "The checklists have no place for an organisation fact named mayor; the known ones are: "
        "environmental_context, provinces, remote_sites."
    )


def test_a_site_names_a_listed_province_or_any_while_none_is_listed() -> None:
    check_listed_province("azilal", ["azilal", "khenifra"])
    check_listed_province("tadla", [])
    with pytest.raises(AppError) as raised:
        check_listed_province("tadla", ["azilal", "khenifra"])
    assert (raised.value.code, raised.value.status) == (ErrorCode.UNKNOWN_PROVINCE, 422)
    assert raised.value.details == {"field": "province", "code": "tadla", "allowed": ["azilal", "khenifra"]}


@pytest.mark.parametrize(
    ("before", "after", "left"),
    [
        (["azilal", "khouribga"], ["azilal", "khouribga", "midelt"], []),  # added
        (["azilal", "khouribga", "midelt"], ["azilal", "khouribga"], []),  # no site in midelt
        (["azilal", "khouribga"], ["azilal"], ["khouribga"]),  # taken off while a site names it
        (["azilal", "khouribga"], [], ["azilal", "khouribga"]),  # emptying takes them all off
        ([], ["azilal"], ["khouribga"]),  # a first list must cover the existing sites
        ([], [], []),  # still no list: any code goes
    ],
)
def test_the_provinces_sites_name_stay_on_the_list(
    before: list[str], after: list[str], left: list[str]
) -> None:
    sites = {"azilal": [SITE_A], "khouribga": [SITE_K]}
    assert list(provinces_left_in_use(sites, before, after)) == left


def test_a_province_taken_off_names_its_sites_and_says_to_move_them() -> None:
    error = in_use_error([SITE_K], 0, remedy="reassign")
    assert error.details == {
        "usedBy": [{"entity": "site", "id": "k", "code": "BP-KHOURIBGA"}],
        "total": 1,
        "findings": 0,
    }
    assert message_for(error.code, "en", **error.params) == (
        "This item is still in use: sites (BP-KHOURIBGA). Give them another province first."
    )


def test_placeholder_values_join_names_and_fall_back_to_french() -> None:
    profile = _profile(
        [("azilal", "أزيلال", "Azilal", ""), ("khenifra", "خنيفرة", "Khénifra", "Khenifra")],
        {"remote_sites": Localized3Out(ar="ملحقة", fr="une annexe", en="")},
    )
    assert placeholder_values(profile) == {
        "provinces": {"ar": "أزيلال، خنيفرة", "fr": "Azilal, Khénifra", "en": "Azilal, Khenifra"},
        "remote_sites": {"ar": "ملحقة", "fr": "une annexe", "en": "une annexe"},
    }


def test_a_provinces_fact_overrides_the_names_and_nothing_given_is_nothing_returned() -> None:
    override = Localized3Out(ar="أقاليم الجهة", fr="les provinces de la région", en="the region's provinces")
    profile = _profile([("azilal", "أزيلال", "Azilal", "")], {"provinces": override})
    assert placeholder_values(profile) == {
        "provinces": {
            "ar": "أقاليم الجهة",
            "fr": "les provinces de la région",
            "en": "the region's provinces",
        }
    }
    assert placeholder_values(_profile([], {})) == {}

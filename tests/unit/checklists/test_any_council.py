"""The library serves any council: organisation facts fill its placeholders, and no question names
the demo region."""

from __future__ import annotations

import re

import msgspec

from server.checklists.library import PLACEHOLDER, Localized3, load_library
from server.checklists.logic import (
    clause_label,
    compose,
    fill,
    library_from_snapshot,
    resolve_facts,
    snapshot_content,
)
from server.lib.standards import STANDARDS
from server.settings import PROJECT_ROOT

LIBRARY, _ = load_library(PROJECT_ROOT / "checklists")

DEMO_REGION = re.compile(
    r"B[ée]ni[ -]Mellal|Azilal|Kh[ée]nifra|Khouribga|Fquih|M'?Goun|Mgoun|Tadla|Oum Er[- ]?R[bB]ia"
    r"|five provinces|cinq provinces"
    r"|بني ملال|أزيلال|خنيفرة|خريبكة|الفقيه بن صالح|(?<!\w)مكون(?!\w)|(?<!\w)مڭون(?!\w)|تادلة|أم الربيع"
    r"|الأقاليم الخمسة|الأقاليم الخمس(?!\w)"
)

# A second, fictional body in another region: its own provinces and facts.
OTHER_COUNCIL = {
    "provinces": {
        "ar": "إقليم وادي الزيتون، إقليم تيزي نوار، عمالة المرسى الكبير",
        "fr": "province d'Oued Zitoune, province de Tizi Nouar, préfecture de Marsa El Kebir",
        "en": "Oued Zitoune province, Tizi Nouar province, Marsa El Kebir prefecture",
    },
    "remote_sites": {
        "ar": "ملحقة تيزي نوار",
        "fr": "l'annexe de Tizi Nouar",
        "en": "the Tizi Nouar annex",
    },
    "environmental_context": {
        "ar": "تآكل الساحل، وحرائق الغابات، والمنطقة الرطبة لمصب وادي الزيتون",
        "fr": "érosion du littoral, feux de forêt, zone humide de l'embouchure de l'Oued Zitoune",
        "en": "coastal erosion, forest fires, the Oued Zitoune estuary wetland",
    },
    "protected_sites": {
        "ar": "المنتزه الطبيعي لجبل نوار",
        "fr": "le parc naturel du Jbel Nouar",
        "en": "the Jbel Nouar nature park",
    },
    "hard_travel_areas": {
        "ar": "المسالك الغابوية لإقليم تيزي نوار",
        "fr": "les pistes forestières de la province de Tizi Nouar",
        "en": "the forest tracks of Tizi Nouar province",
    },
}


def _all_texts(facts: dict[str, Localized3] | None) -> dict[str, str]:
    """Every composed text and guidance, per language, of the whole library for all standards."""
    return {
        lang: "\n".join(
            f"{item.text}\n{item.guidance}"
            for item in compose(LIBRARY, [], standards=list(STANDARDS), lang=lang, facts=facts)
        )
        for lang in ("ar", "fr", "en")
    }


def test_the_library_names_the_facts_it_needs_through_placeholders() -> None:
    used = {
        name
        for q in LIBRARY.questions
        for part in (q.text, q.guidance)
        for lang in ("ar", "fr", "en")
        for name in PLACEHOLDER.findall(getattr(part, lang))
    }
    assert "provinces" in used and "remote_sites" in used
    assert used <= set(LIBRARY.placeholders)


def test_a_second_organisation_gets_its_own_facts_and_no_demo_region_name() -> None:
    facts = resolve_facts(LIBRARY, OTHER_COUNCIL)
    texts = _all_texts(facts)
    for lang, text in texts.items():
        assert DEMO_REGION.search(text) is None, (lang, DEMO_REGION.search(text))
        assert PLACEHOLDER.search(text) is None, lang
        assert OTHER_COUNCIL["remote_sites"][lang] in text, lang
        assert OTHER_COUNCIL["provinces"][lang] in text, lang


def test_without_facts_the_library_reads_with_its_defaults() -> None:
    texts = _all_texts(None)
    for lang, text in texts.items():
        assert DEMO_REGION.search(text) is None, lang
        assert PLACEHOLDER.search(text) is None, lang
        assert LIBRARY.placeholders["provinces"].__getattribute__(lang) in text


def test_the_organisation_english_falls_back_to_french_and_incomplete_facts_to_defaults() -> None:
    facts = resolve_facts(
        LIBRARY,
        {"remote_sites": {"ar": "ملحقة س", "fr": "l'annexe X", "en": ""}, "provinces": {"fr": "seul"}},
    )
    assert facts["remote_sites"] == Localized3(ar="ملحقة س", fr="l'annexe X", en="l'annexe X")
    assert facts["provinces"] == LIBRARY.placeholders["provinces"]
    assert fill("Visit {remote_sites} or {unknown}.", facts, "en") == "Visit l'annexe X or {unknown}."


def test_a_snapshot_keeps_the_facts_it_was_pinned_with() -> None:
    facts = resolve_facts(LIBRARY, OTHER_COUNCIL)
    content = snapshot_content(LIBRARY, [], facts)
    pinned, _ = library_from_snapshot(content, LIBRARY)
    assert pinned.placeholders == facts
    items = compose(pinned, [], standards=list(STANDARDS), lang="fr")
    assert any(OTHER_COUNCIL["remote_sites"]["fr"] in i.guidance + i.text for i in items)


def test_an_older_snapshot_without_facts_still_reads() -> None:
    content = msgspec.json.decode(snapshot_content(LIBRARY, [], {}))
    assert "facts" not in content
    for question in content["questions"]:
        question.pop("basis", None)
    pinned, _ = library_from_snapshot(msgspec.json.encode(content), LIBRARY)
    assert pinned.placeholders == {}
    assert {q.basis for q in pinned.questions} == {"requirement"}


def test_good_practice_questions_are_marked_and_composed_with_their_basis() -> None:
    marked = {q.id for q in LIBRARY.questions if q.basis == "good_practice"}
    assert {"perf-031", "perf-034"} <= marked
    items = {i.id: i for i in compose(LIBRARY, [], standards=["iso9001"], lang="fr")}
    assert items["perf-031"].basis == "good_practice"
    assert items["perf-002"].basis == "requirement"


def test_untitled_iso9001_subclauses_are_descriptive_labels() -> None:
    clauses = {c.number: c for c in LIBRARY.standards["iso9001"].clauses}
    for number in ("4.4.1", "6.1.2", "7.5.3.1", "8.2.3.2", "8.7.1", "9.2.2", "10.2.2"):
        assert clauses[number].descriptive, number
    for number in ("9.1.2", "7.1.5.2", "9.3.2", "8.5.4"):
        assert not clauses[number].descriptive, number
    assert clause_label("9.2.2", clauses["9.2.2"].title.en, True) == "9.2.2 — (programme)"
    assert clause_label("9.1.2", clauses["9.1.2"].title.en, False) == "9.1.2 — Customer satisfaction"

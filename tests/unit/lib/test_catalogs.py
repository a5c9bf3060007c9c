from __future__ import annotations

import shutil
from pathlib import Path

from babel.messages.pofile import read_po, write_po

from server.lib.catalogs import catalog_problems
from server.settings import PROJECT_ROOT

LOCALES = PROJECT_ROOT / "locales"


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "locales"
    shutil.copytree(LOCALES, target)
    return target


def _edit(po: Path, locale: str, change: str) -> str:
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    victim = next(m for m in catalog if m.id)
    if change == "remove":
        catalog.delete(victim.id)
    elif change == "empty":
        victim.string = ""
    elif change == "fuzzy":
        victim.flags.add("fuzzy")
    with po.open("wb") as handle:
        write_po(handle, catalog)
    return str(victim.id)


def test_shipped_catalogs_are_complete() -> None:
    assert catalog_problems(LOCALES) == []


def test_removed_arabic_entry_is_detected(tmp_path: Path) -> None:
    locales = _copy(tmp_path)
    msgid = _edit(locales / "ar" / "LC_MESSAGES" / "messages.po", "ar", "remove")
    assert catalog_problems(locales) == [f"ar: no entry for {msgid!r}"]


def test_empty_french_entry_is_detected(tmp_path: Path) -> None:
    locales = _copy(tmp_path)
    msgid = _edit(locales / "fr" / "LC_MESSAGES" / "messages.po", "fr", "empty")
    assert catalog_problems(locales) == [f"fr: empty translation for {msgid!r}"]


def test_fuzzy_entry_is_detected(tmp_path: Path) -> None:
    locales = _copy(tmp_path)
    msgid = _edit(locales / "ar" / "LC_MESSAGES" / "messages.po", "ar", "fuzzy")
    assert catalog_problems(locales) == [f"ar: fuzzy translation for {msgid!r}"]


def test_catalog_template_matches_the_code(tmp_path: Path) -> None:
    """messages.pot must be regenerated when a marked string is added (make i18n-update)."""
    from babel.messages.frontend import CommandLineInterface

    out = tmp_path / "fresh.pot"
    CommandLineInterface().run(  # type: ignore[no-untyped-call]
        [
            "pybabel",
            "-q",
            "extract",
            "--no-location",
            "--sort-output",
            "-F",
            str(PROJECT_ROOT / "babel.cfg"),
            "-k",
            "N_",
            "-o",
            str(out),
            str(PROJECT_ROOT / "server"),
        ]
    )
    with out.open("rb") as fresh, (LOCALES / "messages.pot").open("rb") as shipped:
        assert {m.id for m in read_po(fresh) if m.id} == {m.id for m in read_po(shipped) if m.id}

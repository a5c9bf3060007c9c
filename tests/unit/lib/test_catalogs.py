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
    """messages.pot must be regenerated when a marked string is added, in the server or in the tablet
    app's scripts (make i18n-update)."""
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
            str(PROJECT_ROOT / "pwa" / "scripts"),
        ]
    )
    with out.open("rb") as fresh, (LOCALES / "messages.pot").open("rb") as shipped:
        assert {m.id for m in read_po(fresh) if m.id} == {m.id for m in read_po(shipped) if m.id}


def test_catalog_template_reads_the_app_scripts_marked_strings(tmp_path: Path) -> None:
    """The tablet app's strings reach messages.pot: calls of _, ngettext and N_ in its modules, inside
    lit-html templates too; nothing but the marked strings."""
    from babel.messages.frontend import CommandLineInterface

    scripts = tmp_path / "scripts" / "views"
    scripts.mkdir(parents=True)
    (scripts / "syncView.js").write_text(
        'import { html } from "../../vendor/lit-html@3.3.3/lit-html.js";\n'
        'const later = N_("Marked for later");\n'
        'export const view = (n, a) => html`<p aria-label=${_("Sync status")}>\n'
        '  ${a < n && n > 0 ? html`<b>${ngettext("%(count)s change waiting",\n'
        '    "%(count)s changes waiting", n)}</b>` : ""}\n'
        "  ${_('Photo \"%(name)s\"')}</p>`;\n"
        'const unmarked = "Not a message";\n',
        encoding="utf-8",
    )
    out = tmp_path / "app.pot"
    CommandLineInterface().run(  # type: ignore[no-untyped-call]
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(PROJECT_ROOT / "babel.cfg"),
            "-k",
            "N_",
            "-o",
            str(out),
            str(tmp_path),
        ]
    )
    with out.open("rb") as handle:
        found = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    assert found == {"Marked for later", "Sync status", "%(count)s change waiting", 'Photo "%(name)s"'}

"""Checking the Babel catalogs: every message translated in ar and fr, nothing fuzzy, placeholders kept."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from babel.messages.pofile import read_po

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["REQUIRED_LOCALES", "catalog_problems"]

REQUIRED_LOCALES = ("ar", "fr")
_PLACEHOLDER = re.compile(r"\{[a-zA-Z_]+\}")


def catalog_problems(locales_dir: Path, locales: tuple[str, ...] = REQUIRED_LOCALES) -> list[str]:
    """Human-readable problems; an empty list means the catalogs are complete."""
    with (locales_dir / "messages.pot").open("rb") as handle:
        template = read_po(handle)
    wanted = {str(m.id) for m in template if m.id}
    problems: list[str] = []
    for locale in locales:
        path = locales_dir / locale / "LC_MESSAGES" / "messages.po"
        if not path.exists():
            problems.append(f"{locale}: catalog missing ({path})")
            continue
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
        present = {str(m.id): m for m in catalog if m.id}
        for msgid in sorted(wanted - present.keys()):
            problems.append(f"{locale}: no entry for {msgid!r}")
        for msgid, message in sorted(present.items()):
            if msgid not in wanted:
                continue
            text = message.string if isinstance(message.string, str) else ""
            if not text.strip():
                problems.append(f"{locale}: empty translation for {msgid!r}")
            elif message.fuzzy:
                problems.append(f"{locale}: fuzzy translation for {msgid!r}")
            elif set(_PLACEHOLDER.findall(msgid)) != set(_PLACEHOLDER.findall(text)):
                problems.append(f"{locale}: placeholders differ in {msgid!r}")
    return problems

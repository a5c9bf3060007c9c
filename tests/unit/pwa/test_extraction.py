"""Every string the app marks for translation reaches messages.pot: Babel's JavaScript extractor, as
`make i18n-extract` runs it, finds each `_("…")` and `N_("…")` literal of pwa/scripts. (Inside a
template's `${…}`, a `_()` beside a nested template literal is silently skipped by the extractor.)"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract

from server.settings import PROJECT_ROOT

SCRIPTS = PROJECT_ROOT / "pwa" / "scripts"
MARKED = re.compile(r'\bN?_\(\s*"((?:[^"\\]|\\.)*)"')


def _extracted(source: str) -> set[str]:
    options = {"parse_template_string": True}  # as babel.cfg sets it
    found = extract(
        "javascript", io.BytesIO(source.encode()), keywords={"_": None, "N_": None}, options=options
    )
    return {message if isinstance(message, str) else message[0] for _, message, _, _ in found}


def _marked(source: str) -> set[str]:
    return {re.sub(r"\\(.)", r"\1", literal) for literal in MARKED.findall(source)}


@pytest.mark.parametrize(
    "module", sorted(SCRIPTS.rglob("*.js")), ids=lambda p: p.relative_to(SCRIPTS).as_posix()
)
def test_every_marked_string_of_the_module_is_extracted(module: Path) -> None:
    source = module.read_text(encoding="utf-8")
    assert _marked(source) <= _extracted(source), "not extracted (move the _() out of the template)"


def test_a_string_beside_a_nested_template_is_the_one_the_extractor_misses() -> None:
    source = 'x = html`<p>${f([[_("kept apart"), 1]])}${f(_("beside"), html`<i>${_("inside")}</i>`)}</p>`;'
    assert _marked(source) - _extracted(source) == {"beside"}

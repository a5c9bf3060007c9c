"""Translations from the Babel catalogs in ``locales/`` and the choice of a request's locale.

English is the source language (the msgids); Arabic and French are complete catalogs.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final, Literal, get_args

from babel.support import NullTranslations, Translations

from server.settings import PROJECT_ROOT

__all__ = [
    "DEFAULT_LOCALE",
    "N_",
    "SUPPORTED_LOCALES",
    "Locale",
    "catalog_messages",
    "negotiate_locale",
    "text_direction",
    "translate",
]

Locale = Literal["ar", "fr", "en"]
SUPPORTED_LOCALES: Final[tuple[Locale, ...]] = get_args(Locale)
DEFAULT_LOCALE: Final[Locale] = "fr"
LOCALES_DIR = PROJECT_ROOT / "locales"


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext no-op marker
    """Mark a string for extraction; it is translated later, when the locale is known."""
    return message


@lru_cache(maxsize=8)
def _translations(locale: Locale) -> NullTranslations:
    if locale == "en":
        return NullTranslations()
    return Translations.load(str(LOCALES_DIR), [locale], domain="messages")


def translate(locale: Locale, message: str, **params: object) -> str:
    text = _translations(locale).gettext(message)
    return text.format(**params) if params else text


def catalog_messages(locale: Locale) -> dict[str, str]:
    """Every translated message of a locale, msgid → text (the PWA's catalog)."""
    translations = _translations(locale)
    catalog = getattr(translations, "_catalog", {})
    return {str(k): str(v) for k, v in catalog.items() if isinstance(k, str) and k}


def text_direction(locale: Locale) -> Literal["rtl", "ltr"]:
    return "rtl" if locale == "ar" else "ltr"


def as_locale(value: str | None) -> Locale | None:
    if value is None:
        return None
    short = value.strip().lower().replace("_", "-").split("-", 1)[0]
    for loc in SUPPORTED_LOCALES:
        if loc == short:
            return loc
    return None


# RFC 9110 qvalue, ASCII only: float() would also read '٠.٥', 'nan', 'inf' or '1_0'.
_QVALUE = re.compile(r"0(\.[0-9]{0,3})?|1(\.0{0,3})?", re.ASCII)


def negotiate_locale(preference: str | None, accept_language: str | None) -> Locale:
    """The user's preference, else the best ``Accept-Language`` match, else French."""
    chosen = as_locale(preference)
    if chosen:
        return chosen
    if accept_language:
        ranked: list[tuple[float, int, str]] = []
        for index, part in enumerate(accept_language.split(",")[:20]):
            lang, _, q = part.strip().partition(";q=")
            weight = float(q) if _QVALUE.fullmatch(q) else (1.0 if not q else 0.0)
            ranked.append((-weight, index, lang))
        for _w, _i, lang in sorted(ranked):
            found = as_locale(lang)
            if found and _w < 0:
                return found
    return DEFAULT_LOCALE


__all__ += ["as_locale"]

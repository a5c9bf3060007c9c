"""The public verification page behind a report's QR code (pure: status in, HTML out).

It tells whoever holds a printed or forwarded copy whether the reference exists in the register, which
version it is, whether a later version replaced it, the SHA-256 of the signed file to compare with
theirs, and the signature's PAdES level (saying so when it is lower than the server was set for). It
never shows the report's content, the audit, or any name.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from babel.dates import format_datetime

from server.lib.i18n import N_, Locale, text_direction, translate

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import tzinfo

    from server.reports.schemas import PublicStatus

__all__ = ["public_page"]

_STATUS = {
    "current": N_("Current: this is the latest version of this report."),
    "superseded": N_("Superseded: a later version of this report was issued; ask for the current one."),
    "unknown": N_("Unknown: no report with this address is in the register. This copy cannot be trusted."),
}
_TITLE = N_("Report verification")
_HINT = N_(
    "Compare the SHA-256 above with that of the file you hold: any change to a signed report changes it. "
    "The content of a report is shown only to signed-in people who may read it."
)
_LEVEL = N_("Signature level")
_DOWNGRADED = N_(
    "{level}, lower than the {configured} the server is set for (a downgrade the administrator allowed)"
)
_COLOUR = {"current": "#1b5e20", "superseded": "#8a4b00", "unknown": "#b00020"}
_BABEL_LOCALE = {"ar": "ar_MA", "fr": "fr_MA", "en": "en"}

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1d1d1d}"
    "h1{font-size:1.4rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.5rem 1rem}"
    "dt{font-weight:600}dd{margin:0}code{word-break:break-all;font-size:.9rem}"
    ".status{padding:.75rem 1rem;border-inline-start:.4rem solid;margin:1rem 0}"
    "p.hint{color:#555;font-size:.9rem}"
)


def _row(label: str, value: str) -> str:
    return f"<dt>{escape(label)}</dt><dd>{value}</dd>"


def _level_row(status: PublicStatus, _: Callable[..., str]) -> str:
    if not status.level:
        return ""
    level = f"PAdES {status.level}"
    if status.configured_level and status.configured_level != status.level:
        configured = f"PAdES {status.configured_level}"
        # The sentence is escaped before the levels, each isolated for right-to-left pages, go in.
        text = escape(_(_DOWNGRADED)).format(
            level=f"<bdi>{escape(level)}</bdi>", configured=f"<bdi>{escape(configured)}</bdi>"
        )
        return _row(_(_LEVEL), f'<span data-downgraded="true">{text}</span>')
    return _row(_(_LEVEL), f"<bdi>{escape(level)}</bdi>")


def public_page(status: PublicStatus | None, locale: Locale, token: str, zone: tzinfo) -> str:
    """The page for ``token`` in ``locale``, times in ``zone``; ``status`` None means the register does
    not know the token."""

    def _(message: str, **params: object) -> str:
        return translate(locale, message, **params)

    title = escape(_(_TITLE))
    state = status.status if status else "unknown"
    rows = ""
    if status is not None:
        issued = format_datetime(status.issued_at, "medium", tzinfo=zone, locale=_BABEL_LOCALE[locale])
        rows = "".join(
            [
                _row(_("Reference"), f"<bdi>{escape(status.reference)}</bdi>"),
                _row(_("Version"), str(status.version)),
                _row(_("Issued"), f"<bdi>{escape(issued)}</bdi>"),
                _row(_("SHA-256 of the signed file"), f'<code dir="ltr">{escape(status.sha256)}</code>'),
                _level_row(status, _),
            ]
        )
    colour = _COLOUR[state]
    return (
        f'<!doctype html><html lang="{locale}" dir="{text_direction(locale)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{title} — Tadqiq</title><style>{_STYLE}</style></head><body>"
        f"<h1>{title}</h1>"
        f'<p class="status" data-status="{state}" style="border-color:{colour};color:{colour}">'
        f"{escape(_(_STATUS[state]))}</p>"
        f"<dl>{rows}</dl>"
        f'<p class="hint">{escape(_(_HINT))}</p>'
        f'<p class="hint"><bdi>{escape(token)}</bdi></p>'
        "</body></html>"
    )

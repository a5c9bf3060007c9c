"""The management-review pack for a period: which period, its figures, and its three renderings (JSON
model, XLSX workbook, signed PDF)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Final, Literal
from zoneinfo import ZoneInfo

from anyio import to_thread

from server.checklists.library import load_library
from server.lib.clock import utcnow
from server.lib.errors import AppError, ErrorCode, Phrase
from server.lib.i18n import N_, translate
from server.org.profile_store import read_profile
from server.reports import preflight, signing
from server.reports.facts import STANDARD_LABELS, in_language
from server.reports.keys import load_trust_roots
from server.reports.service import signing_key
from server.review import figures, store
from server.review.model import Names, Period, ReviewPack
from server.review.pdf import render_pack_pdf
from server.review.xlsx import pack_workbook

if TYPE_CHECKING:
    from server.lib.i18n import Locale
    from server.settings import Settings

__all__ = ["MAX_DAYS", "build_pack", "pack_pdf", "pack_xlsx", "resolve_period", "today"]

Lang = Literal["ar", "fr"]
MAX_DAYS: Final = 3 * 366
"""The longest period (three years): beyond it the previous period and the quarters lose their sense."""
_SIGNING_REASON: Final = N_("Management review pack")
_NOT_A_DATE: Final = N_("Write the date as YYYY-MM-DD.")
_BACKWARDS: Final = N_("The period ends before it starts.")
_TOO_LONG: Final = N_("A period covers at most three years.")
_OUT_OF_RANGE: Final = N_("Choose a date between 1900 and 2999.")


def today(settings: Settings) -> date:
    return utcnow().astimezone(ZoneInfo(settings.time_zone)).date()


def _refused(locale: Locale, field: str, message: str) -> AppError:
    """A well-formed day that makes no period (422): the schema's pattern already refused the others."""
    return AppError(
        ErrorCode.REVIEW_PERIOD_INVALID,
        params={"problem": Phrase(message)},
        details=[{"field": field, "message": translate(locale, message)}],
    )


def _day(value: str | None, field: str, locale: Locale) -> date | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        if len(text) != 10:
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        raise _refused(locale, field, _NOT_A_DATE) from None
    if not 1900 <= day.year <= 2999:
        raise _refused(locale, field, _OUT_OF_RANGE)
    return day


def _bounds(first: date | None, last: date | None) -> tuple[date, date]:
    if first and last:
        return first, last
    if first:
        return first, date(first.year, 12, 31)
    if last:
        return date(last.year, 1, 1), last
    raise ValueError("a period needs a start or an end")


async def resolve_period(start: str | None, end: str | None, settings: Settings, locale: Locale) -> Period:
    """``from``..``to``; a missing end is the end of the start's year, a missing start the first day of
    the end's year; neither: the programme year (the latest approved programme's, else this year)."""
    first, last = _day(start, "from", locale), _day(end, "to", locale)
    if first is None and last is None:
        year = await store.approved_programme_year() or today(settings).year
        first, last = date(year, 1, 1), date(year, 12, 31)
    first, last = _bounds(first, last)
    if last < first:
        raise _refused(locale, "to", _BACKWARDS)
    if (last - first).days + 1 > MAX_DAYS:
        raise _refused(locale, "to", _TOO_LONG)
    return figures.period_of(first, last)


def _labels(settings: Settings) -> figures.Labels:
    library = load_library(settings.checklists_dir)[0]

    def clause(ref: str) -> Names | None:
        title = library.clause_title(ref)
        return Names(ar=title.ar, fr=title.fr) if title else None

    def group(key: str) -> Names:
        # The harmonised structure gives clauses 4 to 10 the same title in the three standards.
        return clause(f"iso9001:{key}") or Names(ar=key, fr=key)

    def standard(key: str) -> Names:
        name = STANDARD_LABELS.get(key, key)
        return Names(ar=name, fr=name)

    return figures.Labels(standard=standard, group=group, clause=clause)


async def build_pack(period: Period, settings: Settings) -> ReviewPack:
    as_of = min(period.end, today(settings))
    raw = await store.read_figures(period, figures.previous_of(period), as_of)
    return figures.build_pack(raw, _labels(settings), utcnow())


async def pack_xlsx(period: Period, lang: Lang, settings: Settings) -> bytes:
    pack = await build_pack(period, settings)
    return await to_thread.run_sync(pack_workbook, pack, lang, settings.time_zone)


# ------------------------------------------------------------------ PDF, signed like the reports


def _draw_and_sign(
    pack: ReviewPack, lang: Lang, organisation: str, settings: Settings, plan: preflight.SigningPlan
) -> bytes:
    """At the level the preflight found, as a report is (the stamp says when it is lower than asked)."""
    rendered = render_pack_pdf(pack, lang, organisation=organisation, timezone=settings.time_zone)
    signed = signing.sign_pdf(
        rendered.pdf,
        signing_key(settings),
        rendered.signature_box,
        reason=translate(lang, _SIGNING_REASON),
        location=settings.public_base_url,
        tsa_url=settings.tsa_url if plan.level != "B-B" else None,
        trust_roots=load_trust_roots(settings) if plan.level == "B-LTA" else (),
        downgraded_from=plan.configured if plan.downgraded else None,
    )
    return signed.pdf


async def pack_pdf(period: Period, lang: Lang, settings: Settings) -> bytes:
    pack = await build_pack(period, settings)
    organisation = in_language((await read_profile()).name, lang)
    plan = await preflight.plan_signing(settings)
    try:
        return await to_thread.run_sync(_draw_and_sign, pack, lang, organisation, settings, plan)
    except (signing.ReportSigningError, signing.SigningKeyError) as exc:
        raise AppError(ErrorCode.REPORT_SIGNING_UNAVAILABLE, params={"problem": str(exc)}) from exc

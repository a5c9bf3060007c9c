"""What the ``tadqiq`` commands share: running a coroutine with the database engine started, and the
argparse types of their arguments (whole numbers, dates and moments in ASCII digits)."""

from __future__ import annotations

import argparse
import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any, TypeAlias

from server.lib import db
from server.settings import Settings

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
"""What ``add_subparsers`` returns: each command module adds its commands to it."""


async def with_engine(settings: Settings, work: Callable[[], Awaitable[Any]]) -> Any:
    engine = db.make_engine(settings)
    await db.start_engine(engine)
    try:
        return await work()
    finally:
        await db.stop_engine(engine)


def at_least_one(unit: str) -> Callable[[str], int]:
    """An argparse type: a whole number of ``unit``, 1 or more, in ASCII digits ('٣' is refused)."""

    def parse(raw: str) -> int:
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            message = f"a whole number of {unit}, 1 or more, is expected (got {raw!r})"
            raise argparse.ArgumentTypeError(message)
        return int(raw)

    return parse


def iso_moment(raw: str) -> datetime:
    """An argparse type: an ISO 8601 date or date and time (without a zone: UTC)."""
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        message = f"a date and time as YYYY-MM-DD[THH:MM[:SS]] is expected (got {raw!r})"
        raise argparse.ArgumentTypeError(message) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def iso_date(raw: str) -> date:
    """An argparse type: a day as YYYY-MM-DD, in ASCII digits."""
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw, re.ASCII):
            return date.fromisoformat(raw)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"a date as YYYY-MM-DD is expected (got {raw!r})")


def quiet_pyhanko() -> None:
    """pyHanko logs every certificate check it tries as a warning with its traceback: the verdict that
    follows says what matters."""
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)

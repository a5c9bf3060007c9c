"""The days allowed for a nonconformity's action plan and closure, by severity: the settings' defaults
(``TADQIQ_NC_PLAN_DAYS``, ``TADQIQ_NC_CLOSE_DAYS``) until the audit lead changes them through the API,
after which the stored policy holds. A change applies to records opened afterwards."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec

from server.actions import store
from server.actions.model import DuePolicy, Severity
from server.actions.schemas import DaysIO, DuePolicyIO
from server.lib.db import write_transaction
from server.lib.errors import AppError, ErrorCode
from server.trail.store import record_change

if TYPE_CHECKING:
    from server.lib.principal import Principal
    from server.settings import Settings

__all__ = ["as_model", "days_from_setting", "get_due_policy", "replace_due_policy"]


def days_from_setting(raw: str) -> DaysIO:
    """``major=15,minor=30,observation=30`` as days per severity; a malformed setting stops start-up
    with a message naming it."""
    try:
        pairs = dict(part.split("=", 1) for part in raw.replace(" ", "").split(",") if part)
        return msgspec.convert({k: int(v) for k, v in pairs.items()}, DaysIO)
    except (ValueError, msgspec.ValidationError) as error:
        raise SystemExit(
            f"TADQIQ_NC_PLAN_DAYS / TADQIQ_NC_CLOSE_DAYS must read major=N,minor=N,observation=N "
            f"(1 to 730 days each), got {raw!r}: {error}"
        ) from None


def as_model(policy: DuePolicyIO) -> DuePolicy:
    def days(io: DaysIO) -> dict[Severity, int]:
        return {Severity.MAJOR: io.major, Severity.MINOR: io.minor, Severity.OBSERVATION: io.observation}

    return DuePolicy(plan_days=days(policy.plan_days), close_days=days(policy.close_days))


async def get_due_policy(settings: Settings) -> DuePolicyIO:
    body, rev = await store.get_due_policy()
    if rev == 0:
        return DuePolicyIO(
            rev=0,
            plan_days=days_from_setting(settings.nc_plan_days),
            close_days=days_from_setting(settings.nc_close_days),
        )
    return msgspec.convert({**body, "rev": rev}, DuePolicyIO)


def _check(policy: DuePolicyIO) -> None:
    for severity in ("major", "minor", "observation"):
        if getattr(policy.plan_days, severity) >= getattr(policy.close_days, severity):
            raise AppError(ErrorCode.ACTIONS_POLICY_INVALID, details={"severity": severity})


async def replace_due_policy(
    principal: Principal, settings: Settings, data: DuePolicyIO, expected_rev: int
) -> DuePolicyIO:
    """Store ``data`` if the policy is still at ``expected_rev`` (0 while never changed); 412 if not."""
    _check(data)
    before = await get_due_policy(settings)
    body = msgspec.to_builtins(data)
    body.pop("rev", None)
    async with write_transaction():
        written = await store.save_due_policy(principal.username, body, expected_rev)
        if written is None:
            raise AppError(ErrorCode.PRECONDITION_FAILED, details={"currentRev": before.rev})
        await record_change(principal, "update", "nc_due_policy", "1", msgspec.to_builtins(before), body)
    return await get_due_policy(settings)

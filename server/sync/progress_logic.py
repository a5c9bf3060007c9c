"""An audit's progress as the audit lead follows it: pure, no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from server.sync.team_schemas import AuditProgressOut, DeviceActivityOut, VerdictCounts

if TYPE_CHECKING:
    from server.audits.schemas import AuditOut

__all__ = ["audit_progress"]


def _last_push_per_device(activity: Iterable[tuple[str, str, datetime]]) -> list[DeviceActivityOut]:
    latest: dict[str, tuple[datetime, str]] = {}
    for device_id, username, at in activity:
        known = latest.get(device_id)
        if known is None or at > known[0]:
            latest[device_id] = (at, username)
    ordered = sorted(latest.items(), key=lambda item: (item[1][0], item[0]), reverse=True)
    return [DeviceActivityOut(device_id=d, username=u, last_push_at=at) for d, (at, u) in ordered]


def audit_progress(
    audit: AuditOut,
    question_ids: Sequence[str],
    findings: Iterable[tuple[str | None, str]],
    activity: Iterable[tuple[str, str, datetime]],
) -> AuditProgressOut:
    """Progress of ``audit``: of its checklist's ``question_ids``, those a live finding answers; its
    live ``findings`` (question id or None, verdict) counted by verdict; and each device's last push
    from the ``activity`` (device id, username, server time) of the audit."""
    counts: dict[str, int] = {}
    questions = set(question_ids)
    answered: set[str] = set()
    free = total = 0
    for question_id, verdict in findings:
        total += 1
        counts[verdict] = counts.get(verdict, 0) + 1
        if question_id is None:
            free += 1
        elif question_id in questions:
            answered.add(question_id)
    return AuditProgressOut(
        audit_id=audit.id,
        checklist_version=audit.checklist_version,
        questions=len(questions),
        answered=len(answered),
        findings=total,
        by_verdict=VerdictCounts(**{v: n for v, n in counts.items() if v in VerdictCounts.__struct_fields__}),
        free_findings=free,
        devices=_last_push_per_device(activity),
    )

"""An audit's progress from its checklist, its live findings and what its devices sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from server.audits.schemas import AuditOut
from server.sync.progress_logic import audit_progress

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _audit(checklist_version: str | None = "v1") -> AuditOut:
    raw: dict[str, Any] = {
        "id": "0b7e1c2a-4e0f-4a8e-9a43-3d0c6f1b2a10",
        "code": "AI-2026-04",
        "title": {"ar": "تدقيق", "fr": "Audit"},
        "status": "in_progress",
        "standards": ["iso9001"],
        "processId": None,
        "programmeEntryId": None,
        "unitIds": [],
        "siteIds": [],
        "clauses": [],
        "criteria": [],
        "objectives": "",
        "auditeeIds": [],
        "plannedStart": None,
        "plannedEnd": None,
        "agenda": "",
        "checklistVersion": checklist_version,
        "cancelReason": "",
        "team": [],
        "rev": 1,
        "updatedAt": T0.isoformat(),
    }
    return msgspec.convert(raw, AuditOut)


def test_a_question_is_answered_once_whatever_its_findings() -> None:
    findings = [
        ("q-1", "conform"),
        ("q-1", "nc_minor"),  # a second finding on the same question
        ("q-2", "not_applicable"),
        ("q-retired", "observation"),  # not in this checklist: a finding, not an answer
        (None, "nc_major"),
        (None, "improvement"),
    ]
    progress = audit_progress(_audit(), ["q-1", "q-2", "q-3", "q-4"], findings, [])
    assert (progress.questions, progress.answered) == (4, 2)
    assert (progress.findings, progress.free_findings) == (6, 2)
    counts = msgspec.to_builtins(progress.by_verdict)
    assert counts == {
        "conform": 1,
        "ncMajor": 1,
        "ncMinor": 1,
        "observation": 1,
        "improvement": 1,
        "notApplicable": 1,
    }


def test_an_audit_without_a_pinned_checklist_has_no_questions() -> None:
    progress = audit_progress(_audit(None), [], [(None, "observation")], [])
    assert (progress.questions, progress.answered, progress.checklist_version) == (0, 0, None)
    assert msgspec.to_builtins(progress.by_verdict)["observation"] == 1
    assert msgspec.to_builtins(progress.by_verdict)["conform"] == 0


def test_each_device_shows_its_last_push_and_who_made_it_most_recent_first() -> None:
    activity = [
        ("tablet-a", "auditor1", T0),
        ("tablet-b", "auditor2", T0 + timedelta(minutes=5)),
        ("tablet-a", "auditor1", T0 + timedelta(minutes=30)),
        ("tablet-a", "lead", T0 + timedelta(minutes=20)),  # a shared tablet: the last user counts
        ("tablet-c", "auditor2", T0 - timedelta(days=1)),
    ]
    devices = audit_progress(_audit(), [], [], activity).devices
    assert [(d.device_id, d.username, d.last_push_at) for d in devices] == [
        ("tablet-a", "auditor1", T0 + timedelta(minutes=30)),
        ("tablet-b", "auditor2", T0 + timedelta(minutes=5)),
        ("tablet-c", "auditor2", T0 - timedelta(days=1)),
    ]

"""The object half of the authorization policy: pure rules, no database."""

from __future__ import annotations

import pytest

from server.auth.policy import AuditView, may_read_audit, may_review_late, may_write_findings
from server.lib.principal import Principal, Role


def who(*roles: Role, person: str | None = "p1") -> Principal:
    return Principal(user_id="u", username="u", roles=frozenset(roles), person_id=person)


def audit(status: str = "in_progress", team: tuple[str, ...] = ("p1",)) -> AuditView:
    return AuditView(status=status, team=team, auditee_ids=("p9",), audited_units=("unit-a",))


@pytest.mark.parametrize("role", [Role.ADMIN, Role.AUDIT_LEAD, Role.MANAGER])
def test_programme_roles_read_every_audit(role: Role) -> None:
    assert may_read_audit(who(role, person=None), audit(team=()), None)


def test_an_auditor_reads_only_the_audits_of_their_teams() -> None:
    assert may_read_audit(who(Role.AUDITOR), audit(team=("p1",)), "unit-x")
    assert not may_read_audit(who(Role.AUDITOR), audit(team=("p2",)), "unit-x")


def test_an_auditee_reads_their_units_audit_only_once_reported() -> None:
    auditee = who(Role.AUDITEE, person="p5")
    assert not may_read_audit(auditee, audit("in_progress", team=()), "unit-a")
    for status in ("reported", "signed", "closed"):
        assert may_read_audit(auditee, audit(status, team=()), "unit-a")
    assert not may_read_audit(auditee, audit("reported", team=()), "unit-b")
    named = who(Role.AUDITEE, person="p9")
    assert may_read_audit(named, audit("reported", team=()), "unit-b")


def test_findings_are_written_by_the_team_or_the_audit_lead() -> None:
    assert may_write_findings(who(Role.AUDITOR), ["p1"])
    assert not may_write_findings(who(Role.AUDITOR), ["p2"])
    assert may_write_findings(who(Role.AUDIT_LEAD, person=None), [])
    # Membership alone is not enough: an auditee or manager on a team list writes nothing.
    assert not may_write_findings(who(Role.MANAGER), ["p1"])


def test_late_submissions_are_for_the_lead_admins_and_the_team() -> None:
    assert may_review_late(who(Role.ADMIN, person=None), [])
    assert may_review_late(who(Role.AUDITOR), ["p1"])
    assert not may_review_late(who(Role.AUDITOR), ["p2"])

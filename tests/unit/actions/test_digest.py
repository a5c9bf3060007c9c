"""The daily digest's composition: who gets what, in which language, and nobody an empty digest."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from server.actions.digest import (
    Digest,
    DigestAudit,
    DigestPerson,
    DigestUnit,
    OrgFacts,
    compose_digests,
    due_soon,
)
from server.actions.model import Action, ActionStatus, ActionType, NcStatus, Nonconformity, Severity
from server.lib.i18n import translate

TODAY = date(2026, 11, 16)
DEI, DST, SCT, DEDD, DAN, CQSE = "u-dei", "u-dst", "u-sct", "u-dedd", "u-dan", "u-cqse"
AUDIT, OTHER_AUDIT = "a-1", "a-2"
UNITS = {
    DEI: DigestUnit(DEI, "DEI", {"ar": "مديرية الدراسات", "fr": "Direction des Études"}),
    DST: DigestUnit(DST, "DEI-DST", {"ar": "قسم تتبع الأشغال", "fr": "Division du Suivi des Travaux"}, DEI),
    SCT: DigestUnit(SCT, "DEI-DST-SCT", {"ar": "مصلحة المراقبة", "fr": "Service du Contrôle"}, DST),
    DEDD: DigestUnit(DEDD, "DEI-DEDD", {"ar": "قسم البيئة", "fr": "Division de l'Environnement"}, DEI),
    DAN: DigestUnit(DAN, "DSI-DAN", {"ar": "قسم التطبيقات", "fr": "Division des Applications"}),
    CQSE: DigestUnit(CQSE, "DGS-CQSE", {"ar": "خلية الجودة", "fr": "Cellule QSE"}),
}


def person(pid: str, unit: str, roles: set[str], locale: str | None = "fr") -> DigestPerson:
    return DigestPerson(
        id=pid,
        name={"ar": f"{pid} (ar)", "fr": f"{pid} (fr)"},
        unit_id=unit,
        roles=frozenset(roles),
        username=pid,
        email=f"{pid}@example.test",
        locale=locale,
    )


AUDITEE = person("auditee", DST, {"auditee"}, "ar")
OWNER = person("owner", DEDD, {"auditee"})
AUDITOR = person("auditor", DAN, {"auditor"})
AUDITOR_OFF_TEAM = person("auditor-off", DAN, {"auditor"})
LEAD = person("lead", CQSE, {"audit_lead", "auditor"})
MANAGER = person("manager", DEI, {"manager"})
PEOPLE = (AUDITEE, OWNER, AUDITOR, AUDITOR_OFF_TEAM, LEAD, MANAGER)
FACTS = OrgFacts(
    people=PEOPLE,
    units=UNITS,
    audits={
        AUDIT: DigestAudit(AUDIT, "AI-2026-T3-01", frozenset({"auditor", "lead"})),
        OTHER_AUDIT: DigestAudit(OTHER_AUDIT, "AI-2026-004", frozenset({"lead"})),
    },
)


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def nc(nc_id: str, unit: str = DST, **changes: Any) -> Nonconformity:
    base = Nonconformity(
        id=nc_id,
        audit_id=AUDIT,
        finding_id=f"f-{nc_id}",
        severity=Severity.MAJOR,
        unit_id=unit,
        clauses=("iso45001:8.1.4.2",),
        opened_on=day(-60),
        plan_due=day(30),
        close_due=day(120),
    )
    return replace(base, **changes)


def action(aid: str, owner: str, due: date, status: ActionStatus = ActionStatus.PLANNED) -> Action:
    return Action(aid, ActionType.CORRECTIVE, f"do {aid}", owner, due, status)


PLAN_LATE = nc("n-plan", status=NcStatus.ANALYSIS, plan_due=day(-3))
RUNNING = nc(
    "n-run",
    unit=SCT,
    severity=Severity.MINOR,
    status=NcStatus.IN_PROGRESS,
    plan_due=day(-30),
    actions=(
        action("x-late", "owner", day(-2)),
        action("x-soon", "auditee", day(3), ActionStatus.IN_PROGRESS),
        action("x-done", "owner", day(-9), ActionStatus.DONE),
    ),
)
WAITING = nc("n-verify", status=NcStatus.VERIFICATION)
WAITING_OWN_UNIT = nc("n-verify-dan", unit=DAN, status=NcStatus.VERIFICATION, severity=Severity.MINOR)
CLOSED_LATE = nc("n-closed", status=NcStatus.CLOSED, close_due=day(-40))
RECORDS = [PLAN_LATE, RUNNING, WAITING, WAITING_OWN_UNIT, CLOSED_LATE]


def digests(records: list[Nonconformity] = RECORDS, facts: OrgFacts = FACTS) -> dict[str, Digest]:
    return {d.person_id: d for d in compose_digests(records, facts, TODAY)}


def titles(d: Digest) -> list[str]:
    return [s.title for s in d.sections]


def texts(d: Digest, title: str) -> list[str]:
    return [line.text for s in d.sections if s.title == title for line in s.lines]


def t(locale: str, message: str, **params: object) -> str:
    return translate(locale, message, **params)  # type: ignore[arg-type]


def test_the_auditee_gets_their_units_plans_and_late_actions_and_their_own_actions_in_arabic() -> None:
    d = digests()["auditee"]
    assert d.locale == "ar"
    assert titles(d) == [t("ar", "In your units"), t("ar", "Your actions")]
    in_units = texts(d, t("ar", "In your units"))
    assert (
        len(in_units) == 2
    )  # the late plan of DEI-DST and the late action of the unit below, owned by another
    assert "AI-2026-T3-01 · DEI-DST — قسم تتبع الأشغال" in in_units[0]
    assert t("ar", "action plan due {due}", due=day(-3).isoformat()) in in_units[0]
    assert t("ar", "days late: {days}", days=3) in in_units[0]
    assert "do x-late" in in_units[1] and "owner (ar)" in in_units[1]
    own = texts(d, t("ar", "Your actions"))
    assert len(own) == 1 and "do x-soon" in own[0]
    assert "auditee (ar)" not in own[0]  # their own action: not named again
    assert t("ar", "days left: {days}", days=3) in own[0]
    assert (d.late, d.soon, d.to_verify) == (2, 1, 0)
    assert d.subject == t("ar", "Tadqiq: nonconformity follow-up on {date}", date="2026-11-16")
    assert d.greeting == t("ar", "Hello {name},", name="auditee (ar)")
    assert '<html lang="ar" dir="rtl">' in d.html()


def test_an_action_owner_gets_their_actions_only_not_another_units_records() -> None:
    d = digests()["owner"]
    assert titles(d) == [t("fr", "Your actions")]
    assert len(d.sections[0].lines) == 1 and "do x-late" in d.sections[0].lines[0].text
    assert "do x-done" not in d.text()
    assert '<html lang="fr" dir="ltr">' in d.html()


def test_an_auditor_gets_what_waits_for_verification_from_their_audits_outside_their_units() -> None:
    all_digests = digests()
    d = all_digests["auditor"]
    assert titles(d) == [t("fr", "Waiting for your verification")]
    lines = texts(d, t("fr", "Waiting for your verification"))
    assert len(lines) == 1 and "DEI-DST" in lines[0]  # not the DSI-DAN record: their own unit
    assert d.to_verify == 1
    assert "auditor-off" not in all_digests  # not on the audit's team: nothing to tell


def test_the_audit_lead_gets_everything_late_by_unit_and_everything_waiting() -> None:
    d = digests()["lead"]
    late, waiting = t("fr", "Late, by unit"), t("fr", "Waiting for verification, all units")
    assert titles(d) == [late, waiting]  # what they may verify themselves is in the second
    section = next(s for s in d.sections if s.title == late)
    heads = [line.text for line in section.lines if line.indent == 0]
    assert heads == [
        t("fr", "{unit}: {count} late", unit="DEI-DST — Division du Suivi des Travaux", count=1),
        t("fr", "{unit}: {count} late", unit="DEI-DST-SCT — Service du Contrôle", count=1),
    ]
    assert [line.indent for line in section.lines] == [0, 1, 0, 1]
    assert len(texts(d, waiting)) == 2
    assert (d.late, d.soon, d.to_verify) == (2, 0, 2)
    assert "<ul><li>" in d.html() and "</ul></li></ul>" in d.html()


def test_nobody_with_nothing_to_report_gets_a_digest() -> None:
    assert set(digests()) == {"auditee", "owner", "auditor", "lead"}
    assert digests([CLOSED_LATE]) == {}
    quiet = nc("n-quiet", status=NcStatus.OPEN, plan_due=day(20))
    assert digests([quiet]) == {}
    assert all(d.sections for d in digests().values())


def test_the_default_language_stands_in_for_an_account_without_one() -> None:
    facts = replace(FACTS, people=(replace(AUDITEE, locale=None),), default_locale="ar")
    assert digests(facts=facts)["auditee"].locale == "ar"
    facts = replace(facts, default_locale="fr")
    assert digests(facts=facts)["auditee"].locale == "fr"


def test_due_soon_runs_from_today_to_the_last_day_and_late_starts_the_day_after() -> None:
    record = nc("n-edge", status=NcStatus.OPEN, plan_due=TODAY)
    assert [(o.kind, o.days_late) for o in due_soon([record], TODAY, 7)] == [("plan", 0)]
    assert due_soon([replace(record, plan_due=day(7))], TODAY, 7)[0].days_late == -7
    assert due_soon([replace(record, plan_due=day(8))], TODAY, 7) == []
    d = digests([replace(record, plan_due=day(-1))])["auditee"]
    assert (d.late, d.soon) == (1, 0)
    d = digests([record])["auditee"]
    assert (d.late, d.soon) == (0, 1)
    assert t("ar", "days left: {days}", days=0) in d.text()


def test_a_plan_already_made_is_not_due_and_a_closure_is() -> None:
    record = replace(RUNNING, actions=(), close_due=day(2))
    d = digests([record])["auditee"]
    assert len(texts(d, t("ar", "In your units"))) == 1
    assert t("ar", "closure due {due}", due=day(2).isoformat()) in d.text()


def test_two_alike_actions_are_both_listed() -> None:
    twins = replace(RUNNING, actions=(action("x-one", "owner", day(-1)), action("x-two", "owner", day(-1))))
    own = digests([twins])["owner"].text()
    assert "do x-one" in own and "do x-two" in own


def test_html_escapes_what_people_wrote() -> None:
    record = replace(
        RUNNING, actions=(Action("x", ActionType.CORRECTION, "<b>fix</b> & co", "owner", day(1)),)
    )
    d = digests([record])["owner"]
    assert "<b>fix</b>" in d.text()
    assert "&lt;b&gt;fix&lt;/b&gt; &amp; co" in d.html() and "<b>fix" not in d.html()

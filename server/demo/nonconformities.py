"""The follow-up of the demo's completed audit, as its people would have started it: once its reports
are issued (which opens a record per major and minor nonconformity), the auditee of the Division du
Suivi des Travaux answers three of its records through the actions service, each step with its
trail row, as the app would:

- the trench on the rural road (major, ISO 45001): analysed with five whys, a plan of four actions
  under way (``in_progress``), the immediate correction being done and due within days;
- the environmental regulatory watch (minor, ISO 14001): analysed by cause categories, its action
  plan drafted (``action_plan``), not yet started;
- the contractors' evaluation (minor, ISO 9001): its analysis started, the correction written, the
  root cause still to find (``analysis``);
- the others stay ``open``.

The records are opened on the day the demo is loaded (the reports are issued then), so nothing can be
late yet: the rules refuse an action due before its record was opened. Run ``tadqiq digest --date``
with a later day to see plans and actions late. Texts are fictional, each in its finding's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Final, Literal

from server.actions import service as actions_service
from server.actions import steps
from server.actions.schemas import (
    ActionIn,
    ActionUpdateIn,
    AnalysisIn,
    PlanIn,
    RevIn,
    RootCauseIO,
)
from server.auth import store as auth_store
from server.lib.principal import Principal, Role

if TYPE_CHECKING:
    from datetime import date

    from server.actions.schemas import NcOut
    from server.settings import Settings

__all__ = ["advance_demo_nonconformities"]

ANSWERED_BY: Final = "auditee3"
"""Noureddine Bouhouch, head of the Division du Suivi des Travaux (DEI-DST), which owns the audited
process: the unit that answers its records."""

ActionType = Literal["correction", "corrective", "preventive"]


@dataclass(frozen=True)
class DemoAction:
    type: ActionType
    description: str
    owner: str
    """The owner's demo username."""
    due_in_days: int
    started: bool = False


@dataclass(frozen=True)
class DemoAnswer:
    clause: str
    """A clause only the finding it answers names among the audit's nonconformities: how its record
    is found."""
    correction: str
    root_cause: RootCauseIO | None = None
    actions: tuple[DemoAction, ...] = ()
    submit: bool = False
    """Submit the analysis (on to the action plan)."""
    start_plan: bool = False


TRENCH = DemoAnswer(
    clause="iso45001:8.1.4.2",
    correction=(
        "أوقفت الأشغال داخل الخندق يوم الزيارة إلى حين تدعيم جوانبه، ووُجه إعذار كتابي للمقاولة، وزُوِّد "
        "العمال الخمسة بالخوذات وأحذية السلامة قبل استئناف العمل."
    ),
    root_cause=RootCauseIO(
        method="five_whys",
        cause=(
            "لم تُحيَّن مسطرة تتبع الأوراش (PR-TRX-02) عند إدماج ISO 45001 في النظام المندمج، فلا تحدد "
            "دور المجلس في مراقبة سلامة المقاولات."
        ),
        whys=[
            "عمل عاملان داخل خندق عمقه 2,1 م دون تدعيم ولا خوذة، ولم يتدخل ممثل المجلس.",
            "ممثل المجلس لا يراقب السلامة خلال زيارات التتبع، بل جودة الأشغال وتقدمها فقط.",
            "نموذج تقرير الزيارة لا يتضمن أي خانة أو نقطة مراقبة تخص الصحة والسلامة.",
            "عند إعداد المسطرة اعتُبرت السلامة في الورش مسؤولية المقاولة وحدها.",
            "لم تُراجَع المسطرة منذ إدماج ISO 45001 في النظام المندمج.",
        ],
    ),
    actions=(
        DemoAction(
            "correction",
            "تدعيم جوانب الخندق عند النقطة الكيلومترية 7+350 ومعاينة ذلك قبل استئناف الأشغال داخله.",
            ANSWERED_BY,
            5,
            started=True,
        ),
        DemoAction(
            "corrective",
            "مراجعة المسطرة PR-TRX-02 ونموذج تقرير الزيارة بإضافة قائمة مراقبة للصحة والسلامة في الورش.",
            ANSWERED_BY,
            45,
        ),
        DemoAction(
            "corrective",
            "تكوين تقنيي قسم تتبع الأشغال على مراقبة السلامة في الأوراش (يوم واحد مع مصلحة الصحة والسلامة).",
            "auditee8",
            60,
        ),
        DemoAction(
            "preventive",
            "التأشير على مخططات السلامة وحماية الصحة لجميع الأوراش الجارية "
            "والتحقق من تطبيقها في الزيارة المقبلة.",
            "auditee8",
            7,
            started=True,
        ),
    ),
    submit=True,
    start_plan=True,
)

WATCH = DemoAnswer(
    clause="iso14001:6.1.3",
    correction=(
        "Les lois 28-00 (déchets) et 36-15 (eau) ont été ajoutées au registre RG-ENV-02 le lendemain de "
        "l'audit, avec les chantiers auxquels elles s'appliquent."
    ),
    root_cause=RootCauseIO(
        method="categories",
        cause=(
            "La veille réglementaire environnementale n'a ni responsable désigné ni fréquence de mise à "
            "jour : elle se fait au cas par cas, sans échange formalisé entre les deux divisions."
        ),
        categories=["method", "people"],
    ),
    actions=(
        DemoAction(
            "corrective",
            "Désigner un responsable de la veille environnementale à la DEDD et fixer une revue semestrielle "
            "du registre avec la Division du Suivi des Travaux.",
            "auditee7",
            30,
        ),
        DemoAction(
            "corrective",
            "Évaluer la conformité des chantiers en cours aux textes du registre et consigner le résultat "
            "dans la colonne prévue.",
            ANSWERED_BY,
            60,
        ),
    ),
    submit=True,
)

EVALUATION = DemoAnswer(
    clause="iso9001:8.4.1",
    correction=(
        "Les fiches d'évaluation des trois marchés de l'échantillon sont en cours d'établissement avec la "
        "Division des Marchés Publics."
    ),
)

ANSWERS: Final = (TRENCH, WATCH, EVALUATION)


async def _principals() -> dict[str, Principal]:
    return {
        u.username: Principal(
            user_id=u.id,
            username=u.username,
            roles=frozenset(Role(r) for r in u.roles),
            person_id=u.person_id,
            locale=u.locale,
        )
        for u in await auth_store.list_users()
    }


async def _answer(
    settings: Settings, nc: NcOut, answer: DemoAnswer, people: dict[str, Principal], today: date
) -> NcOut:
    """Take one record as far as ``answer`` goes, one service step at a time, as the unit's auditee
    (an action's owner marks their own action started)."""
    auditee = people[ANSWERED_BY]
    nc = await steps.start_analysis(auditee, settings, nc.id, RevIn(rev=nc.rev))
    analysis = AnalysisIn(rev=nc.rev, correction=answer.correction, root_cause=answer.root_cause)
    nc = await steps.record_analysis(auditee, settings, nc.id, analysis)
    if not answer.submit:
        return nc
    nc = await steps.submit_analysis(auditee, settings, nc.id, RevIn(rev=nc.rev))
    plan = [
        ActionIn(
            type=a.type,
            description=a.description,
            owner_id=people[a.owner].person_id or "",
            due=today + timedelta(days=a.due_in_days),
        )
        for a in answer.actions
    ]
    nc = await steps.plan_actions(auditee, settings, nc.id, PlanIn(rev=nc.rev, actions=plan))
    if not answer.start_plan:
        return nc
    nc = await steps.start_actions(auditee, settings, nc.id, RevIn(rev=nc.rev))
    for planned, stored in zip(answer.actions, nc.actions, strict=True):
        if planned.started:
            update = ActionUpdateIn(rev=nc.rev, status="in_progress")
            nc = await steps.update_action(people[planned.owner], settings, nc.id, stored.id, update)
    return nc


async def advance_demo_nonconformities(settings: Settings, audit_id: str) -> int:
    """Answer the completed audit's records as described above; returns how many were moved on.
    A record already answered (not ``open``), or missing, is left as it is."""
    people = await _principals()
    today = steps.today(settings)
    lead = people["lead"]
    records = await actions_service.list_ncs(lead, today, audit_id=audit_id)
    moved = 0
    for answer in ANSWERS:
        found = next((nc for nc in records if answer.clause in nc.clauses), None)
        if found is None or found.status != "open":
            continue
        await _answer(settings, found, answer, people, today)
        moved += 1
    return moved

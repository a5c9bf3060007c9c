"""A realistic approved programme, resolved to names in Arabic or French, for the export tests.

``sample_doc(lang)`` is a regional council's 2026 programme, version 2 (version 1 was returned): nine
audits of seven processes, pins, one audit whose team holds someone from the audited unit (an override,
with its reason), a risk table, a coverage matrix with a clause covered earlier in the cycle, a gap and an
uncoverable clause. ``revised(doc)`` is the same programme after one audit moved and got a new team.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Literal

import msgspec

from server.lib.i18n import translate
from server.lib.structs import LocalizedName
from server.programme.export_model import ExportDoc
from server.programme.schemas import (
    BlockedMonthIO,
    CoverageRowOut,
    EntryOut,
    ProgrammeOut,
    RiskRowOut,
    VersionOut,
)
from tests.unit.programme.export_labels import SAMPLE_LABELS

__all__ = [
    "ENTRY_MOVED",
    "OVERRIDE_ENTRY",
    "OVERRIDE_REASON",
    "PEOPLE",
    "SAMPLE_LABELS",
    "Lang",
    "revised",
    "sample_doc",
]

Lang = Literal["ar", "fr"]

ORGANISATION = LocalizedName(ar="مجلس جهة الرباط سلا القنيطرة", fr="Conseil de la région Rabat-Salé-Kénitra")
PEOPLE: dict[str, tuple[str, str, str]] = {
    # id: (initials, Arabic name, French name)
    "p-karim": ("KA", "كريم العلوي", "Karim Alaoui"),
    "p-salma": ("SB", "سلمى بناني", "Salma Bennani"),
    "p-youssef": ("YT", "يوسف التازي", "Youssef Tazi"),
    "p-nadia": ("NEF", "نادية الفاسي", "Nadia El Fassi"),
    "p-omar": ("OM", "عمر المنصوري", "Omar Mansouri"),
    "p-hind": ("HB", "هند بوزيان", "Hind Bouziane"),
}
UNITS: dict[str, LocalizedName] = {
    "u-dg": LocalizedName(ar="المديرية العامة للمصالح", fr="Direction générale des services"),
    "u-fin": LocalizedName(ar="مديرية الشؤون المالية", fr="Direction des affaires financières"),
    "u-rh": LocalizedName(ar="مديرية الموارد البشرية", fr="Direction des ressources humaines"),
    "u-env": LocalizedName(ar="مصلحة البيئة", fr="Service de l'environnement"),
    "u-tr": LocalizedName(ar="مديرية الأشغال", fr="Direction des travaux"),
}
# id: code, name, owner unit, standards, score, level
PROCESSES: dict[str, tuple[str, LocalizedName, str, list[str], int, str]] = {
    "pr-ach": (
        "ACH",
        LocalizedName(ar="الشراء العمومي", fr="Achats publics"),
        "u-fin",
        ["iso9001"],
        72,
        "high",
    ),
    "pr-bud": ("BUD", LocalizedName(ar="الميزانية", fr="Budget"), "u-fin", ["iso9001"], 48, "medium"),
    "pr-rh": (
        "RH",
        LocalizedName(ar="تدبير الموارد البشرية", fr="Gestion des ressources humaines"),
        "u-rh",
        ["iso9001", "iso45001"],
        40,
        "medium",
    ),
    "pr-dec": (
        "DEC",
        LocalizedName(ar="تدبير النفايات", fr="Gestion des déchets"),
        "u-env",
        ["iso14001", "iso45001"],
        66,
        "high",
    ),
    "pr-trv": (
        "TRV",
        LocalizedName(ar="أوراش الأشغال", fr="Chantiers de travaux"),
        "u-tr",
        ["iso9001", "iso14001", "iso45001"],
        61,
        "high",
    ),
    "pr-arc": ("ARC", LocalizedName(ar="الأرشيف", fr="Archives"), "u-dg", ["iso9001"], 20, "low"),
    "pr-cit": (
        "CIT",
        LocalizedName(ar="استقبال المواطنين", fr="Accueil des citoyens"),
        "u-dg",
        ["iso9001"],
        30,
        "low",
    ),
}
OVERRIDE_ENTRY = "e-dec-0"
OVERRIDE_REASON: dict[Lang, str] = {
    "ar": "المدققة الوحيدة المؤهلة في معيار ISO 45001 تنتمي إلى مصلحة البيئة",
    "fr": "La seule auditrice qualifiée ISO 45001 appartient au service de l'environnement",
}
ENTRY_MOVED = "e-bud-0"
UPDATED = datetime(2026, 1, 20, 9, 30, tzinfo=UTC)


def _entry(
    entry_id: str,
    process: str,
    occurrence: int,
    month: int,
    days: tuple[int, int],
    lead: str,
    auditors: list[str],
    *,
    pinned: tuple[bool, bool] = (False, False),
    override: str = "",
    sequence: int = 0,
) -> EntryOut:
    standards = PROCESSES[process][3]
    return EntryOut(
        id=entry_id,
        process_id=process,
        occurrence=occurrence,
        standards=standards,  # type: ignore[arg-type]
        month=month,
        start=date(2026, month, days[0]),
        end=date(2026, month, days[1]),
        lead_id=lead,
        auditor_ids=auditors,
        pinned_month=pinned[0],
        pinned_team=pinned[1],
        override_reason=override,
        sequence=sequence,
        audit_id=f"a-{entry_id}",
        audit_status="planned",
    )


def _entries(lang: Lang) -> list[EntryOut]:
    return [
        _entry("e-ach-0", "pr-ach", 0, 2, (9, 11), "p-karim", ["p-salma"], pinned=(True, False)),
        _entry("e-ach-1", "pr-ach", 1, 10, (5, 7), "p-karim", ["p-youssef"]),
        _entry(ENTRY_MOVED, "pr-bud", 0, 3, (2, 3), "p-salma", ["p-omar"], sequence=1),
        _entry("e-rh-0", "pr-rh", 0, 4, (13, 15), "p-youssef", ["p-hind", "p-omar"], pinned=(False, True)),
        _entry(OVERRIDE_ENTRY, "pr-dec", 0, 5, (11, 13), "p-karim", ["p-nadia"], pinned=(True, True),
               override=OVERRIDE_REASON[lang]),
        _entry("e-dec-1", "pr-dec", 1, 11, (9, 11), "p-salma", ["p-hind"]),
        _entry("e-trv-0", "pr-trv", 0, 6, (8, 11), "p-youssef", ["p-nadia", "p-omar"]),
        _entry("e-trv-1", "pr-trv", 1, 12, (1, 4), "p-karim", ["p-nadia", "p-hind"]),
        _entry("e-cit-0", "pr-cit", 0, 9, (21, 22), "p-hind", ["p-salma"]),
    ]  # fmt: skip


def _risks() -> list[RiskRowOut]:
    rows = []
    for pid, (code, name, unit, standards, score, level) in PROCESSES.items():
        audits = {"high": 2, "medium": 1, "low": 0}[level]
        rows.append(
            RiskRowOut(
                process_id=pid,
                code=code,
                name=name,
                owner_unit_id=unit,
                standards=standards,  # type: ignore[arg-type]
                criticality=min(5, score // 15),
                nc_major=1 if level == "high" else 0,
                nc_minor=score // 20,
                open_actions=score // 25,
                changes=1 if pid == "pr-trv" else 0,
                complaints=3 if pid == "pr-cit" else 0,
                months_since_last_audit=None if pid == "pr-arc" else 10 + score % 7,
                score=score,
                level=level,  # type: ignore[arg-type]
                audits_min=audits,
                audits_max=max(audits, 1),
                note="",
            )
        )
    return rows


def _clause(
    ref: str, ar: str, fr: str, months: list[int], *, before: bool = False, gap: bool = False,
    uncoverable: bool = False,
) -> CoverageRowOut:  # fmt: skip
    return CoverageRowOut(
        clause=ref,
        standard=ref.partition(":")[0],  # type: ignore[arg-type]
        title=LocalizedName(ar=ar, fr=fr),
        covered_before=before,
        months=months,
        gap=gap,
        uncoverable=uncoverable,
    )


def _coverage() -> list[CoverageRowOut]:
    return [
        _clause("iso9001:4.1", "فهم الهيئة وسياقها", "Contexte de l'organisme", [2, 10], before=True),
        _clause("iso9001:6.1", "الإجراءات المتعلقة بالمخاطر والفرص", "Risques et opportunités", [2, 3, 6]),
        _clause("iso9001:7.2", "الكفاءة", "Compétences", [4]),
        _clause("iso9001:8.4", "ضبط العمليات المقدمة من الخارج", "Prestataires externes", [2, 10]),
        _clause("iso9001:9.3", "مراجعة الإدارة", "Revue de direction", [], gap=True),
        _clause("iso14001:6.1.2", "الجوانب البيئية", "Aspects environnementaux", [5, 6, 11]),
        _clause("iso14001:8.2", "التأهب والاستجابة للطوارئ", "Situations d'urgence", [], before=True),
        _clause("iso45001:5.4", "استشارة العاملين ومشاركتهم", "Consultation des travailleurs", [],
                uncoverable=True, gap=True),
        _clause("iso45001:8.1.2", "إزالة المخاطر", "Élimination des dangers", [4, 5, 6, 12]),
    ]  # fmt: skip


def _history(lang: Lang) -> list[VersionOut]:
    comment = {
        "ar": "يجب تدقيق الأوراش قبل فصل الصيف",
        "fr": "Les chantiers doivent être audités avant l'été",
    }[lang]
    reason = {"ar": "تقديم الأوراش إلى يونيو", "fr": "Chantiers avancés en juin"}[lang]
    return [
        VersionOut(number=1, status="returned", reason="", comment=comment, submitted_by="p-karim",
                   submitted_at=datetime(2026, 1, 8, 10, 0, tzinfo=UTC), decided_by="p-omar",
                   decided_at=datetime(2026, 1, 12, 15, 45, tzinfo=UTC)),
        VersionOut(number=2, status="approved", reason=reason, comment="", submitted_by="p-karim",
                   submitted_at=datetime(2026, 1, 15, 8, 20, tzinfo=UTC), decided_by="p-omar",
                   decided_at=UPDATED),
    ]  # fmt: skip


def sample_programme(lang: Lang) -> ProgrammeOut:
    return ProgrammeOut(
        id="prog-2026",
        year=2026,
        status="approved",
        version=2,
        rev=14,
        cycle=[2026, 2028],
        entries=_entries(lang),
        risks=_risks(),
        coverage=_coverage(),
        last_solve=None,
        history=_history(lang),
        blocked_months=[
            BlockedMonthIO(month=8, label=LocalizedName(ar="العطلة الصيفية", fr="Vacances d'été"))
        ],
        updated_at=UPDATED,
        updated_by="p-omar",
    )


def sample_doc(lang: Lang, programme: ProgrammeOut | None = None) -> ExportDoc:
    def labels(message: str) -> str:
        return SAMPLE_LABELS[lang].get(message) or translate(lang, message)

    index = 1 if lang == "ar" else 2
    return ExportDoc(
        programme=programme or sample_programme(lang),
        lang=lang,
        organisation=getattr(ORGANISATION, lang),
        people={pid: names[index] for pid, names in PEOPLE.items()},
        initials={pid: names[0] for pid, names in PEOPLE.items()},
        processes={pid: (p[0], getattr(p[1], lang)) for pid, p in PROCESSES.items()},
        units={uid: getattr(name, lang) for uid, name in UNITS.items()},
        labels=labels,
        generated_at=datetime(2026, 2, 1, 7, 0, tzinfo=UTC),
    )


def revised(doc: ExportDoc) -> ExportDoc:
    """Version 3, a draft: the budget audit moved from March to July with a new team (sequence bumped)."""
    programme = doc.programme
    entries = [
        msgspec.structs.replace(
            e, month=7, start=date(2026, 7, 6), end=date(2026, 7, 7), auditor_ids=["p-youssef"],
            sequence=e.sequence + 1,
        )
        if e.id == ENTRY_MOVED
        else e
        for e in programme.entries
    ]  # fmt: skip
    later = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
    moved = msgspec.structs.replace(
        programme, entries=entries, version=3, status="draft", rev=programme.rev + 3, updated_at=later
    )
    return replace(doc, programme=moved, generated_at=later)

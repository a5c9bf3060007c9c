"""Realistic report models in Arabic and French, with their images, for the renderer's tests and the bench.

``sample_report(lang)`` is one audit with every kind of block; ``large_report(lang, findings, photos)``
repeats its finding cards (with distinct statements) to the size of a big audit. The images are made
with Pillow on the spot (deterministic): JPEG photos with some texture, PNG signatures with transparency.
"""

from __future__ import annotations

import hashlib
from functools import cache
from io import BytesIO
from typing import Literal

from PIL import Image, ImageDraw

from server.reports.model import (
    Chart,
    ChartSeries,
    Field,
    Fields,
    FindingCard,
    Para,
    Photo,
    ReportModel,
    Section,
    SignatureItem,
    Signatures,
    Table,
    Tone,
)

__all__ = [
    "LONG_STATEMENT",
    "MIXED_EVIDENCE",
    "Lang",
    "jpeg_photo",
    "large_report",
    "png_signature",
    "sample_images",
    "sample_report",
    "sha256",
]

Lang = Literal["ar", "fr"]

LONG_STATEMENT: dict[Lang, str] = {
    "ar": (
        "لم تتمكن المديرية من تقديم ما يثبت تقييم الموردين قبل إسناد الصفقات خلال السنة الماضية، إذ تبين "
        "من فحص عينة من اثني عشر ملفاً أن سبعة ملفات لا تتضمن أي بطاقة تقييم، وأن معايير الانتقاء المعتمدة "
        "في دفتر الشروط الخاصة لم تطبق بشكل موحد بين المصالح، كما أن سجل الموردين المعتمدين لم يحين منذ "
        "إعادة هيكلة المديريات، مما يجعل المجلس عرضة لاختيار موردين غير مؤهلين وتأخر إنجاز المشاريع "
        "المبرمجة في مخطط التنمية الجهوية"
    ),
    "fr": (
        "La direction n'a pas pu démontrer l'évaluation des fournisseurs avant l'attribution des marchés de "
        "l'année écoulée : sur un échantillon de douze dossiers, sept ne comportent aucune fiche "
        "d'évaluation, "
        "les critères de sélection du cahier des prescriptions spéciales ne sont pas appliqués de façon "
        "homogène entre les services, et la liste des fournisseurs agréés n'a pas été mise à jour depuis la "
        "réorganisation des directions."
    ),
}

MIXED_EVIDENCE: dict[Lang, str] = {
    "ar": (
        "المعيار ISO 9001:2015 البند 6.1.2 والبند 8.4.1؛ محضر لجنة فتح الأظرفة رقم 14/2025 بتاريخ "
        "12/03/2026، وقد أكد السيد Jean-Pierre Dubois (مكتب الدراسات) أن 7 ملفات من أصل 12 غير مكتملة."
    ),
    "fr": (
        "ISO 9001:2015, articles 6.1.2 et 8.4.1 ; procès-verbal de la commission d'ouverture des plis "
        "n° 14/2025 du 12/03/2026, confirmé par M. Jean-Pierre Dubois (bureau d'études) : 7 dossiers sur "
        "12 incomplets. Le chef de service, السيد محمد الإدريسي, l'a reconnu."
    ),
}

_W: dict[Lang, dict[str, str]] = {
    "ar": {
        "title": "تقرير التدقيق الداخلي",
        "org": "مجلس جهة درعة تافيلالت",
        "subtitle": "تدقيق مسار تدبير الصفقات العمومية — الفصل الأول 2026",
        "verify": "تحقق من هذا التقرير على العنوان:",
        "page": "الصفحة {page} من {pages}",
        "approval": "صودق عليه ووقّعه رقمياً رئيس فريق التدقيق: سعاد العلوي",
        "ref_l": "مرجع التدقيق",
        "process_l": "المسار",
        "process": "تدبير الصفقات العمومية",
        "units_l": "الوحدات",
        "units": "مديرية الشؤون القانونية والممتلكات، مصلحة الصفقات",
        "sites_l": "المواقع",
        "sites": "المقر — الرشيدية؛ الملحقة الإقليمية — ورزازات",
        "dates_l": "التواريخ",
        "dates": "من 10/03/2026 إلى 12/03/2026",
        "lead_l": "رئيس فريق التدقيق",
        "version_l": "إصدار التقرير",
        "lang_l": "اللغة",
        "lang": "العربية",
        "s1": "1. الأهداف والنطاق والمعايير",
        "obj_l": "الأهداف",
        "obj": "التحقق من مطابقة مسار الصفقات العمومية لمتطلبات المعايير المعتمدة ومن فعاليته.",
        "scope_l": "النطاق",
        "scope": "إعداد دفاتر الشروط، فتح الأظرفة، تقييم الموردين وتتبع التنفيذ.",
        "crit_l": "المعايير",
        "crit": "ISO 9001:2015، ISO 14001:2015، ISO 45001:2018، دليل المساطر الداخلي (الإصدار 3)",
        "sample": "يعتمد التدقيق على عينة من المعلومات المتاحة، لذلك قد توجد عدم مطابقات لم تُرصد.",
        "s2": "2. الفريق والمدقَّق عليهم",
        "name": "الاسم",
        "role": "الدور",
        "unit": "الجهة",
        "s3": "3. الملخص",
        "class": "الصنف",
        "total": "المجموع",
        "chart": "الملاحظات حسب مجموعة البنود والمعيار",
        "s4": "4. الملاحظات",
        "st_l": "الوقائع",
        "ev_l": "الأدلة",
        "resp_l": "رد المدقَّق عليه",
        "q_l": "السؤال",
        "place_l": "المكان",
        "place": "مصلحة الصفقات — المقر",
        "q": "هل يمكنكم تقديم آخر تحليل للعوامل الداخلية والخارجية المؤثرة على المجلس "
        "(تحليل SWOT أو PESTEL)؟",
        "resp": "تقر المديرية بالتأخر وستعد خطة عمل قبل نهاية الشهر.",
        "photo": "صورة {n} — SHA-256 {sha}…، التقطت في 11/03/2026 10:41",
        "s5": "5. الخلاصات",
        "degree": "درجة الاستيفاء",
        "standard": "المعيار",
        "concl": "يستوفي نظام التدبير المندمج متطلبات المعايير الثلاثة إلى حد كبير، باستثناء تقييم الموردين.",
        "s6": "6. الاجتماعات والتوقيعات",
        "signed": "11/03/2026 16:05",
        "absent": "غادر ممثل المدقَّق عليه الاجتماع قبل التوقيع بسبب مهمة طارئة.",
        "s7": "7. الملحق: ملفات الأدلة",
        "file": "الملف",
        "hash": "SHA-256",
        "checklist": "إصدار قائمة الأسئلة المستعملة: 2026.02 (b41c9e07)",
    },
    "fr": {
        "title": "Rapport d'audit interne",
        "org": "Conseil de la Région Drâa-Tafilalet",
        "subtitle": "Audit du processus de gestion des marchés publics — premier trimestre 2026",
        "verify": "Vérifier ce rapport à l'adresse :",
        "page": "Page {page} sur {pages}",
        "approval": "Approuvé et signé numériquement par la responsable d'audit : Souad Alaoui",
        "ref_l": "Référence de l'audit",
        "process_l": "Processus",
        "process": "Gestion des marchés publics",
        "units_l": "Unités",
        "units": "Direction des affaires juridiques et du patrimoine, service des marchés",
        "sites_l": "Sites",
        "sites": "Siège — Errachidia ; annexe provinciale — Ouarzazate",
        "dates_l": "Dates",
        "dates": "du 10/03/2026 au 12/03/2026",
        "lead_l": "Responsable d'audit",
        "version_l": "Version du rapport",
        "lang_l": "Langue",
        "lang": "Français",
        "s1": "1. Objectifs, champ et critères",
        "obj_l": "Objectifs",
        "obj": "Vérifier la conformité du processus des marchés publics aux référentiels et son efficacité.",
        "scope_l": "Champ",
        "scope": "Cahiers des charges, ouverture des plis, évaluation des fournisseurs, suivi.",
        "crit_l": "Critères",
        "crit": "ISO 9001:2015, ISO 14001:2015, ISO 45001:2018, manuel des procédures (v3)",
        "sample": "L'audit repose sur un échantillon des informations disponibles ; "
        "des écarts peuvent subsister.",
        "s2": "2. Équipe et audités",
        "name": "Nom",
        "role": "Rôle",
        "unit": "Entité",
        "s3": "3. Synthèse",
        "class": "Classe",
        "total": "Total",
        "chart": "Constats par groupe d'articles et par norme",
        "s4": "4. Constats",
        "st_l": "Constat",
        "ev_l": "Preuves",
        "resp_l": "Réponse de l'audité",
        "q_l": "Question",
        "place_l": "Lieu",
        "place": "Service des marchés — siège",
        "q": "Pouvez-vous présenter la dernière analyse des enjeux internes et externes du Conseil "
        "(SWOT, PESTEL) ?",
        "resp": "La direction reconnaît le retard et établira un plan d'actions avant la fin du mois.",
        "photo": "Photo {n} — SHA-256 {sha}…, prise le 11/03/2026 à 10:41",
        "s5": "5. Conclusions",
        "degree": "Degré de satisfaction",
        "standard": "Norme",
        "concl": "Le système intégré satisfait largement aux trois normes, "
        "sauf pour l'évaluation des fournisseurs.",
        "s6": "6. Réunions et signatures",
        "signed": "11/03/2026 16:05",
        "absent": "Le représentant de l'audité a quitté la réunion avant de signer (mission urgente).",
        "s7": "7. Annexe : fichiers de preuve",
        "file": "Fichier",
        "hash": "SHA-256",
        "checklist": "Version de la liste de questions utilisée : 2026.02 (b41c9e07)",
    },
}

_CLASSES: dict[Lang, list[tuple[Tone, str, str]]] = {
    "ar": [("nc_major", "NC", "عدم مطابقة كبرى"), ("nc_minor", "NC", "عدم مطابقة صغرى"),
           ("observation", "OBS", "ملاحظة"), ("improvement", "OFI", "فرصة للتحسين"),
           ("strong_point", "SP", "نقطة قوة")],
    "fr": [("nc_major", "NC", "Non-conformité majeure"), ("nc_minor", "NC", "Non-conformité mineure"),
           ("observation", "OBS", "Observation"), ("improvement", "PA", "Piste d'amélioration"),
           ("strong_point", "PF", "Point fort")],
}  # fmt: skip

_PEOPLE = [
    ("سعاد العلوي", "Souad Alaoui"),
    ("يوسف بنعلي", "Youssef Benali"),
    ("محمد الإدريسي", "Mohammed Idrissi"),
]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@cache
def jpeg_photo(seed: int, size: tuple[int, int] = (1600, 1200)) -> bytes:
    """A photo-like JPEG (gradient, shapes, noise) as the tablet sends: at most 1600 px, quality 85."""
    width, height = size
    base = Image.linear_gradient("L").resize(size).convert("RGB")
    tint = Image.new("RGB", size, ((seed * 67) % 200 + 30, (seed * 131) % 200 + 30, (seed * 29) % 200 + 30))
    image = Image.blend(base, tint, 0.55)
    draw = ImageDraw.Draw(image)
    for k in range(6):
        x, y = (seed * 97 + k * 211) % width, (seed * 53 + k * 157) % height
        draw.rectangle((x, y, x + width // 5, y + height // 6), outline=(250, 250, 250), width=8)
    noise = Image.effect_noise(size, 40).convert("RGB")
    image = Image.blend(image, noise, 0.15)
    out = BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


@cache
def png_signature(seed: int) -> bytes:
    """A drawn signature: a dark stroke on a transparent background, as signature_pad exports it."""
    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    points = [(40 + i * 26, 100 + ((i * (seed + 3)) % 7 - 3) * 18) for i in range(21)]
    draw.line(points, fill=(20, 30, 80, 255), width=6, joint="curve")
    out = BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _finding(lang: Lang, number: int, tone_index: int, photos: list[str], statement: str) -> FindingCard:
    w = _W[lang]
    tone, prefix, label = _CLASSES[lang][tone_index]
    clauses = "ISO 9001 8.4.1، ISO 14001 8.1" if lang == "ar" else "ISO 9001 8.4.1, ISO 14001 8.1"
    return FindingCard(
        heading=f"{prefix}-{number:02d} — {label} — {clauses}",
        tone=tone,
        fields=[
            Field(label=w["st_l"], value=statement),
            Field(label=w["ev_l"], value=MIXED_EVIDENCE[lang]),
            Field(label=w["resp_l"], value=w["resp"]),
            Field(label=w["q_l"], value=w["q"]),
            Field(label=w["place_l"], value=w["place"]),
        ],
        photos=[
            Photo(sha256=sha, caption=w["photo"].format(n=number * 10 + i + 1, sha=sha[:8]))
            for i, sha in enumerate(photos)
        ],
    )


def _sections(lang: Lang, findings: list[FindingCard], images: dict[str, bytes]) -> list[Section]:
    w, ar = _W[lang], lang == "ar"
    people = [(p[0] if ar else p[1]) for p in _PEOPLE]
    roles = (
        ["رئيسة فريق التدقيق", "مدقق", "رئيس مصلحة الصفقات"]
        if ar
        else ["Responsable d'audit", "Auditeur", "Chef du service des marchés"]
    )
    classes = _CLASSES[lang]
    signatures = [h for h, data in images.items() if data.startswith(b"\x89PNG")]
    return [
        Section(title=w["s1"], blocks=[
            Fields(items=[Field(label=w[f"{k}_l"], value=w[k]) for k in ("obj", "scope", "crit")]),
            Para(text=w["sample"], style="note"),
        ]),
        Section(title=w["s2"], blocks=[Table(
            columns=[w["name"], w["role"], w["unit"]],
            rows=[[people[i], roles[i], w["units"] if i == 2 else w["org"]] for i in range(3)],
            widths=[3, 3, 4],
        )]),
        Section(title=w["s3"], blocks=[
            Table(columns=[w["class"], "ISO 9001", "ISO 14001", "ISO 45001", w["total"]],
                  rows=[[c[2], "1", "0", "1", "2"] for c in classes], widths=[4, 2, 2, 2, 2]),
            Chart(title=w["chart"], categories=["4", "5", "6", "7", "8", "9", "10"], series=[
                ChartSeries(name="ISO 9001", values=[1, 0, 2, 1, 4, 1, 0]),
                ChartSeries(name="ISO 14001", values=[0, 1, 1, 0, 2, 0, 1]),
                ChartSeries(name="ISO 45001", values=[1, 0, 0, 2, 1, 1, 0]),
            ]),
        ]),
        Section(title=w["s4"], blocks=list(findings), new_page=True),
        Section(title=w["s5"], blocks=[
            Para(text=w["concl"]),
            Table(columns=[w["standard"], w["degree"]], rows=[["ISO 9001:2015", classes[1][2]],
                  ["ISO 14001:2015", classes[3][2]], ["ISO 45001:2018", classes[4][2]]], widths=[1, 2]),
        ]),
        Section(title=w["s6"], blocks=[Signatures(items=[
            SignatureItem(name=people[0], role=roles[0], signed_at=w["signed"], image=signatures[0]),
            SignatureItem(name=people[2], role=roles[2], signed_at=w["signed"], note=w["absent"]),
        ])]),
        Section(title=w["s7"], new_page=True, blocks=[
            Table(columns=[w["file"], w["hash"]], widths=[1, 3],
                  rows=[[f"IMG_{i + 1:04d}.jpg", h] for i, h in enumerate(sorted(images))]),
            Para(text=w["checklist"], style="note"),
        ]),
    ]  # fmt: skip


def _model(lang: Lang, sections: list[Section]) -> ReportModel:
    w = _W[lang]
    lead = _PEOPLE[0][0] if lang == "ar" else _PEOPLE[0][1]
    return ReportModel(
        lang=lang,
        direction="rtl" if lang == "ar" else "ltr",
        title=w["title"],
        reference=f"AI-2026-014-R1-{lang.upper()}",
        organisation=w["org"],
        subtitle=w["subtitle"],
        cover=[
            Field(label=w["ref_l"], value="AI-2026-014"),
            Field(label=w["process_l"], value=w["process"]),
            Field(label=w["units_l"], value=w["units"]),
            Field(label=w["sites_l"], value=w["sites"]),
            Field(label=w["dates_l"], value=w["dates"]),
            Field(label=w["lead_l"], value=lead),
            Field(label=w["version_l"], value="1"),
            Field(label=w["lang_l"], value=w["lang"]),
        ],
        verification_url="https://tadqiq.example.ma/v/7KQ2M9XD",
        verification_label=w["verify"],
        page_label=w["page"],
        sections=sections,
        approval_label=w["approval"],
    )


def sample_images(photos: int = 3, signatures: int = 1) -> dict[str, bytes]:
    blobs = [jpeg_photo(i, (1200, 900)) for i in range(photos)] + [
        png_signature(i) for i in range(signatures)
    ]
    return {sha256(b): b for b in blobs}


def sample_report(lang: Lang) -> tuple[ReportModel, dict[str, bytes]]:
    """One audit with a finding of each class; the first has the long statement and three photos."""
    images = sample_images()
    photos = [h for h, b in images.items() if b[:3] == b"\xff\xd8\xff"]
    statements = [
        LONG_STATEMENT[lang],
        _W[lang]["scope"],
        _W[lang]["concl"],
        _W[lang]["obj"],
        _W[lang]["resp"],
    ]
    findings = [_finding(lang, i + 1, i, photos if i == 0 else [], s) for i, s in enumerate(statements)]
    return _model(lang, _sections(lang, findings, images)), images


def large_report(lang: Lang, findings: int = 200, photos: int = 50) -> tuple[ReportModel, dict[str, bytes]]:
    """A big audit: ``findings`` cards with distinct statements and ``photos`` distinct photos."""
    images = {sha256(b): b for b in (jpeg_photo(i) for i in range(photos))}
    images |= sample_images(0, 1)
    shas = [h for h, b in images.items() if b[:3] == b"\xff\xd8\xff"]
    cards = []
    for i in range(findings):
        mine = [shas[j] for j in range(len(shas)) if j % findings == i]
        statement = f"{LONG_STATEMENT[lang]} ({i + 1})" if i % 3 == 0 else f"{_W[lang]['concl']} {i + 1}"
        cards.append(_finding(lang, i + 1, i % 5, mine, statement))
    return _model(lang, _sections(lang, cards, images)), images

"""A demo audit made complete through the API (meetings, findings with a photo, a signed conclusion) and
moved to ``reported``, ready for its report."""

from __future__ import annotations

import hashlib
import io
import sqlite3
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient
from PIL import Image, ImageDraw

from server.lib.clock import utcnow
from server.reports.keys import key_password, make_demo_key
from server.reports.service import report_files
from server.settings import Settings
from tests.conftest import login
from tests.contract.support import Device, finding, force_status
from tests.integration.sync.support import conclusion, drawn_signature, meeting, signature, statuses, upload

__all__ = ["ReadyAudit", "ensure_signing_key", "photo", "ready_audit", "register_fake_report"]

NC_STATEMENT = "Les fiches de données de sécurité des produits du magasin ne sont pas disponibles sur place."
AR_STATEMENT = (
    "لم يتم تحديث سجل النصوص القانونية البيئية منذ سنة 2023، ولا يتضمن القانون 11-03 ولا متطلبات "
    "ISO 14001:2015 البند 6.1.3 المتعلقة بالالتزامات الواجب الامتثال لها."
)


@dataclass
class ReadyAudit:
    audit: dict[str, Any]
    lead: Device
    """The audit's lead auditor."""
    member: Device | None
    """Another auditor of the team, if any."""
    programme: dict[str, str]
    """The audit lead's headers."""
    usernames: dict[str, str]
    """person id → username."""


def ensure_signing_key(settings: Settings) -> None:
    if not settings.signing_key_file.is_file():
        make_demo_key(
            settings.signing_key_file,
            key_password(settings),
            organisation="Conseil régional (tests)",
            common_name="Tadqiq tests",
        )


def photo(seed: int) -> bytes:
    image = Image.new("RGB", (640, 480), (90 + seed * 20 % 120, 110, 140))
    ImageDraw.Draw(image).rectangle((100 + seed, 120, 400, 380), fill=(200, 170, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


async def _team(
    client: AsyncTestClient[Any], programme: dict[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    people = {p["id"]: p["username"] for p in (await client.get("/api/v1/people", headers=programme)).json()}
    audits = (await client.get("/api/v1/audits", headers=programme)).json()

    def plain_member(audit: dict[str, Any]) -> bool:
        """A team member who is neither the audit's lead auditor nor the programme's audit lead."""
        return any(m["role"] != "lead" and people.get(m["personId"]) != "lead" for m in audit["team"])

    audit = next(a for a in audits if a["status"] == "prepared" and plain_member(a))
    return audit, {pid: name for pid, name in people.items() if name}


async def ready_audit(
    client: AsyncTestClient[Any], settings: Settings, *, complete: bool = True
) -> ReadyAudit:
    """A prepared demo audit, with (``complete``) everything its report needs, then ``reported``."""
    ensure_signing_key(settings)
    programme = await login(client, "lead")
    audit, usernames = await _team(client, programme)
    lead_id = next(m["personId"] for m in audit["team"] if m["role"] == "lead")
    other_id = next(
        (
            m["personId"]
            for m in audit["team"]
            if m["role"] != "lead" and usernames.get(m["personId"]) != "lead"
        ),
        None,
    )
    lead = Device(client, await login(client, usernames[lead_id]))
    member = Device(client, await login(client, usernames[other_id])) if other_id else None
    if complete:
        await _record_everything(client, lead, audit)
    await force_status(settings, audit["id"], "reported")
    return ReadyAudit(audit=audit, lead=lead, member=member, programme=programme, usernames=usernames)


async def _record_everything(client: AsyncTestClient[Any], lead: Device, audit: dict[str, Any]) -> None:
    audit_id = audit["id"]
    shot = await upload(client, lead.headers, photo(1), "image/jpeg")
    lead_png = await upload(client, lead.headers, drawn_signature(1))
    auditee_png = await upload(client, lead.headers, drawn_signature(2))
    standards = audit["standards"]
    clause = {"iso9001": "iso9001:7.5.3.2", "iso14001": "iso14001:6.1.3", "iso45001": "iso45001:8.1.2"}
    ops = [
        meeting(audit_id, attendees=[{"name": "Rachid Amrani", "role": "Chef de service"}]),
        finding(
            audit_id,
            verdict="nc_major",
            statement=NC_STATEMENT,
            evidence="Visite du magasin central le 12/11 : aucune FDS pour 6 produits sur 9.",
            clauseRefs=[clause[standards[0]]],
            attachments=[shot],
        ),
        finding(
            audit_id,
            verdict="observation",
            statement=AR_STATEMENT,
            evidence="مقابلة مع رئيس المصلحة ومراجعة السجل بتاريخ 12/11.",
            clauseRefs=[clause[standards[0]]],
        ),
        finding(audit_id, verdict="conform", statement="Tableau de bord des indicateurs tenu chaque mois."),
        meeting(
            audit_id,
            kind="closing",
            heldAt="2026-11-27T16:00:00+01:00",
            attendees=[{"name": "Rachid Amrani"}],
        ),
        conclusion(
            audit_id,
            summary="Une non-conformité majeure, une observation, un point fort.",
            conclusions="Le système est en place ; la maîtrise des produits dangereux reste à assurer.",
            degrees=[{"standard": s, "degree": "largely"} for s in standards],
            signatures=[
                signature("lead_auditor", lead_png),
                signature("auditee_representative", auditee_png, "Rachid Amrani"),
            ],
        ),
    ]
    pushed = await lead.push(ops)
    assert statuses(pushed) == [("applied", None)] * len(ops), pushed.text


_REGISTER_COLUMNS = (
    "id, audit_id, lang, version, reference, token, sha256, size, pages, level, certificate_sha256, signer, "
    "supersedes_id, checklist_version, reason, issued_by_user_id, issued_by, issued_at"
)


async def register_fake_report(settings: Settings, audit_id: str, code: str) -> tuple[str, str]:
    """A register row and its file, written behind the API's back (no rendering, no signing), for tests
    of who may read what. Returns the report's id and its public verification token."""
    content = f"%PDF-1.7\n% stand-in report of {code}\n%%EOF\n".encode()
    sha = hashlib.sha256(content).hexdigest()
    await report_files(settings).put(sha, content)
    report_id, token = str(uuid.uuid4()), uuid.uuid4().hex[:12]
    values: tuple[Any, ...] = (
        report_id,
        audit_id,
        "fr",
        1,
        f"{code}-R1-FR",
        token,
        sha,
        len(content),
        1,
        "B-B",
        "0" * 64,
        "CN=test",
        None,
        "",
        "",
        None,
        "test",
        utcnow(),
    )
    if settings.database_kind == "sqlite":
        with sqlite3.connect(settings.sqlite_path) as conn:
            marks = ", ".join("?" * len(values))
            conn.execute(
                f"INSERT INTO issued_report ({_REGISTER_COLUMNS}) VALUES ({marks})",  # noqa: S608
                tuple(v.isoformat() if hasattr(v, "isoformat") else v for v in values),
            )
        return report_id, token
    conn = await asyncpg.connect(settings.database_url)
    try:
        marks = ", ".join(f"${i}" for i in range(1, len(values) + 1))
        converted = tuple(uuid.UUID(v) if i in (0, 1) else v for i, v in enumerate(values))
        await conn.execute(f"INSERT INTO issued_report ({_REGISTER_COLUMNS}) VALUES ({marks})", *converted)  # noqa: S608
    finally:
        await conn.close()
    return report_id, token

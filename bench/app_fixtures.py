"""The server side of the app benchmark, through the public API only: two audits with the library's whole
integrated checklist, the findings and camera photos an auditor records, and the baseline upload by httpx.

An audit names audited units but no process, so no process tag leaves a question out: its pinned
checklist is every question of the three standards. There are two such audits because a question holds
one live finding per audit: the app answers on the first, the httpx baseline the same questions on the
second.
"""

from __future__ import annotations

import hashlib
import io
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from PIL import Image

__all__ = ["AUDITOR", "BenchAudits", "baseline_upload", "camera_photos", "findings_to_record", "login",
           "prepare_audits"]  # fmt: skip

STANDARDS = ["iso9001", "iso14001", "iso45001"]
AUDITOR = "auditor1"  # works in the app; the demo's lead auditor leads the bench audits
LEAD = "lead"
AUDITED_UNIT = "DEI-DST"  # in neither the lead's nor the auditor's branch: no impartiality override
CAMERA = (2000, 1500)  # larger than the app's 1600 px: every photo goes through its resize
VERDICTS = [
    "conform",
    "conform",
    "observation",
    "conform",
    "nc_minor",
    "improvement",
    "conform",
    "not_applicable",
]
NEEDS_EVIDENCE = {"nc_major", "nc_minor", "observation"}


async def login(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    response = await client.post("/api/v1/auth/login", json={"username": username, "password": "demo"})
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['token']}"}


@dataclass(frozen=True)
class BenchAudits:
    app: str
    """The audit the app downloads and works on."""
    baseline: str
    """The same checklist, for the httpx baseline's findings."""
    questions: list[dict[str, Any]]
    """The app audit's checklist as its package serves it (French)."""
    integrated: int
    """Questions of the integrated checklist of the three standards (GET /api/v1/checklists)."""
    listed: int
    """Audits on the auditor's "My audits"."""


async def _prepared_audit(client: httpx.AsyncClient, lead: dict[str, str], members: list[dict[str, str]],
                          unit_id: str, number: int) -> str:  # fmt: skip
    body = {
        "code": f"BENCH-APP-{number}",
        "title": {"ar": f"تدقيق مندمج للقياس {number}", "fr": f"Audit intégré de mesure {number}"},
        "standards": STANDARDS,
        "unitIds": [unit_id],
        "criteria": ["Manuel du système de management intégré QSE (MQ-01)"],
        "plannedStart": "2026-12-07",
        "plannedEnd": "2026-12-08",
    }
    created = await client.post("/api/v1/audits", json=body, headers=lead)
    created.raise_for_status()
    audit = created.json()
    staffed = await client.put(
        f"/api/v1/audits/{audit['id']}/team", json={"members": members, "rev": audit["rev"]}, headers=lead
    )
    staffed.raise_for_status()
    prepared = await client.post(
        f"/api/v1/audits/{audit['id']}/transitions",
        json={"to": "prepared", "rev": staffed.json()["rev"]},
        headers=lead,
    )
    prepared.raise_for_status()
    return str(audit["id"])


async def prepare_audits(client: httpx.AsyncClient) -> BenchAudits:
    lead, auditor = await login(client, LEAD), await login(client, AUDITOR)
    people = [(await client.get("/api/v1/me", headers=h)).json()["personId"] for h in (lead, auditor)]
    members = [{"personId": people[0], "role": "lead"}, {"personId": people[1], "role": "auditor"}]
    units = (await client.get("/api/v1/units", headers=lead)).json()
    unit_id = next(u["id"] for u in units if u["code"] == AUDITED_UNIT)
    app, baseline = [await _prepared_audit(client, lead, members, unit_id, n) for n in (1, 2)]
    package = await client.get(f"/api/v1/audits/{app}/package", params={"lang": "fr"}, headers=auditor)
    package.raise_for_status()
    integrated = await client.get(
        "/api/v1/checklists", params={"standards": ",".join(STANDARDS), "lang": "fr"}, headers=auditor
    )
    integrated.raise_for_status()
    listed = len((await client.get("/api/v1/audits", headers=auditor)).json())
    return BenchAudits(app, baseline, package.json()["checklist"], integrated.json()["count"], listed)


def findings_to_record(questions: list[dict[str, Any]], count: int, photos: int) -> list[dict[str, Any]]:
    """``count`` answers to the questions given, as the question screen stores them; one in
    ``count // photos`` cites a photo (``photo``: its index among the photos)."""
    every = count // photos
    out = []
    for i, question in enumerate(questions[:count]):
        verdict = VERDICTS[i % len(VERDICTS)]
        if question.get("basis") == "good_practice" and verdict.startswith("nc_"):
            verdict = "improvement"  # a good-practice question offers no nonconformity
        data = {
            "questionId": question["id"],
            "verdict": verdict,
            "statement": f"Constat n° {i + 1} : pratique vérifiée sur le site de l'annexe provinciale",
            "evidence": "Registre consulté le jour de l'audit, dernière entrée datée de la veille."
            if verdict in NEEDS_EVIDENCE or i % 3 == 0
            else "",
            "clauseRefs": [],
            "auditeeResponse": "",
        }
        photo = i // every if i % every == 0 and i // every < photos else None
        out.append({"id": str(uuid.uuid4()), "data": data, "photo": photo})
    return out


def camera_photos(count: int) -> list[bytes]:
    """JPEGs of the size a tablet's camera takes, with a photo's mix of smooth areas and fine grain."""
    width, height = CAMERA
    photos = []
    for _ in range(count):
        smooth = Image.merge(
            "RGB",
            [Image.effect_noise((width // 50, height // 50), 60).resize(CAMERA, Image.Resampling.BICUBIC)
             for _ in range(3)],
        )  # fmt: skip
        grain = Image.merge("RGB", [Image.effect_noise(CAMERA, 30) for _ in range(3)])
        out = io.BytesIO()
        Image.blend(smooth, grain, 0.12).save(out, "JPEG", quality=90)
        photos.append(out.getvalue())
    return photos


def _other_copy(jpeg: bytes, number: int) -> bytes:
    """The same JPEG under another hash: a 4-byte comment segment after the start of image (the server
    drops comments when it stores it)."""
    return jpeg[:2] + b"\xff\xfe\x00\x06" + number.to_bytes(4, "big") + jpeg[2:]


async def baseline_upload(
    client: httpx.AsyncClient, audit_id: str, findings: list[dict[str, Any]], photos: list[bytes]
) -> tuple[float, list[str]]:
    """The same findings (new ids, on ``audit_id``) and photos (the app's bytes under new hashes) sent by
    httpx: the photos PUT one after the other, then the findings in one push. Seconds, and problems."""
    headers = await login(client, AUDITOR)
    copies = [_other_copy(photo, n) for n, photo in enumerate(photos)]
    hashes = [hashlib.sha256(copy).hexdigest() for copy in copies]
    ops = [
        {
            "op": "upsertFinding",
            "id": str(uuid.uuid4()),
            "auditId": audit_id,
            "data": {
                **f["data"],
                "attachments": [] if f["photo"] is None else [hashes[f["photo"]]],
                "clientUpdatedAt": "2026-12-07T10:30:00Z",
            },
        }
        for f in findings
    ]
    push = {**headers, "Idempotency-Key": str(uuid.uuid4())}
    started = time.perf_counter()
    for sha256, copy in zip(hashes, copies, strict=True):
        put = await client.put(
            f"/api/v1/attachments/{sha256}", content=copy, headers={**headers, "Content-Type": "image/jpeg"}
        )
        put.raise_for_status()
    pushed = await client.post(
        "/api/v1/sync/push", json={"deviceId": "bench-httpx", "ops": ops}, headers=push
    )
    seconds = time.perf_counter() - started
    pushed.raise_for_status()
    statuses = [r["status"] for r in pushed.json()["results"]]
    problems = (
        [] if statuses == ["applied"] * len(ops) else [f"baseline push: {statuses.count('applied')} applied"]
    )
    return seconds, problems

"""Helpers for the meeting and conclusion tests: ops as a tablet sends them, drawn signatures, and a
pull that gathers every kind of change."""

from __future__ import annotations

import hashlib
import io
import uuid
from typing import Any

from litestar.testing import AsyncTestClient
from PIL import Image, ImageDraw

from tests.contract.support import Device


def meeting(
    audit_id: str, meeting_id: str | None = None, base_rev: int | None = None, **data: Any
) -> dict[str, Any]:
    body = {
        "kind": "opening",
        "heldAt": "2026-11-23T09:00:00+01:00",
        "place": "Salle de réunion, siège",
        **data,
    }
    op: dict[str, Any] = {
        "op": "upsertMeeting",
        "id": meeting_id or str(uuid.uuid4()),
        "auditId": audit_id,
        "data": body,
    }
    if base_rev is not None:
        op["baseRev"] = base_rev
    return op


def delete_meeting(meeting_id: str, base_rev: int) -> dict[str, Any]:
    return {"op": "deleteMeeting", "id": meeting_id, "baseRev": base_rev}


def conclusion(
    audit_id: str, conclusion_id: str | None = None, base_rev: int | None = None, **data: Any
) -> dict[str, Any]:
    body = {
        "summary": "Deux non-conformités mineures, trois pistes d'amélioration.",
        "conclusions": "Le système est globalement efficace ; la maîtrise documentaire est à renforcer.",
        **data,
    }
    op: dict[str, Any] = {
        "op": "upsertConclusion",
        "id": conclusion_id or str(uuid.uuid4()),
        "auditId": audit_id,
        "data": body,
    }
    if base_rev is not None:
        op["baseRev"] = base_rev
    return op


def signature(role: str, attachment: str, name: str = "Nadia Berrada") -> dict[str, Any]:
    return {
        "role": role,
        "signerName": name,
        "signerRole": "Responsable d'audit" if role == "lead_auditor" else "Chef de division",
        "signedAt": "2026-11-27T16:30:00+01:00",
        "attachment": attachment,
    }


def drawn_signature(seed: int) -> bytes:
    """A PNG like the tablet's signature pad makes: a stroke on a transparent background."""
    image = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    ImageDraw.Draw(image).line(
        [(10, 90), (80, 20 + seed % 50), (150, 95), (290, 30)], fill=(20, 20, 80, 255), width=3
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


async def upload(
    client: AsyncTestClient[Any], headers: dict[str, str], data: bytes, kind: str = "image/png"
) -> str:
    sha = hashlib.sha256(data).hexdigest()
    response = await client.put(
        f"/api/v1/attachments/{sha}", content=data, headers={**headers, "Content-Type": kind}
    )
    assert response.status_code in (200, 201), response.text
    return sha


async def pull_everything(
    device: Device, audit_id: str, since: str = "0", limit: int = 100
) -> tuple[list[dict[str, Any]], str]:
    """Every change after ``since``, page by page, findings, meetings and conclusions in one list in
    sequence order (each page's three lists merged)."""
    changes: list[dict[str, Any]] = []
    while True:
        response = await device.client.get(
            "/api/v1/sync/pull",
            params={"since": since, "auditId": audit_id, "limit": limit},
            headers=device.headers,
        )
        assert response.status_code == 200, response.text
        body = response.json()
        page = [*body["changes"], *body["meetings"], *body["conclusions"]]
        assert len(page) <= limit and all(int(c["seq"]) <= int(body["cursor"]) for c in page)
        changes.extend(sorted(page, key=lambda c: c["seq"]))
        since = body["cursor"]
        if not body["hasMore"]:
            return changes, since


def statuses(response: Any) -> list[tuple[str, str | None]]:
    assert response.status_code == 200, response.text
    return [(r["status"], r.get("code")) for r in response.json()["results"]]

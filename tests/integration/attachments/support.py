"""Attachment test helpers: small valid files, uploads, and the cast of a demo audit."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient
from PIL import Image

from server.settings import Settings
from tests.conftest import login
from tests.contract.support import Device, finding


def png(seed: int = 0) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (seed % 256, 90, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def pdf(size: int | None = None) -> bytes:
    """A minimal PDF, padded to exactly ``size`` bytes when asked."""
    head, tail = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", b"\n%%EOF\n"
    padding = 0 if size is None else size - len(head) - len(tail)
    return head + b"%" * padding + tail


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def upload(client: AsyncTestClient[Any], headers: dict[str, str], data: bytes, kind: str) -> Any:
    return await client.put(
        f"/api/v1/attachments/{sha(data)}", content=data, headers={**headers, "Content-Type": kind}
    )


def stored_blobs(settings: Settings) -> list[Path]:
    root = settings.var_dir / "blobs"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@dataclass
class Cast:
    """A prepared demo audit and the people around it, each signed in."""

    audit_id: str
    member: Device
    """An auditor on the audit's team: uploads and pushes findings."""
    outsider: dict[str, str]
    """An auditor on another team."""
    auditee: dict[str, str]
    """An auditee of the audited unit."""
    lead: dict[str, str]
    manager: dict[str, str]

    async def attach(self, client: AsyncTestClient[Any], data: bytes, kind: str) -> str:
        """Upload ``data`` and push a finding of the audit referring to it; return its hash."""
        uploaded = await upload(client, self.member.headers, data, kind)
        assert uploaded.status_code == 201, uploaded.text
        pushed = await self.member.push([finding(self.audit_id, attachments=[sha(data)])])
        assert pushed.json()["results"][0]["status"] == "applied", pushed.text
        return sha(data)


async def cast_of_an_audit(client: AsyncTestClient[Any]) -> Cast:
    lead = await login(client, "lead")
    people = (await client.get("/api/v1/people", headers=lead)).json()
    audits = (await client.get("/api/v1/audits", headers=lead)).json()
    auditees = [p for p in people if "auditee" in p["roles"] and p["username"]]
    auditors = [p for p in people if p["roles"] == ["auditor"] and p["username"]]
    for audit in audits:
        team = {m["personId"] for m in audit["team"]}
        members = [p for p in auditors if p["id"] in team]
        outsiders = [p for p in auditors if p["id"] not in team]
        unit_auditees = [p for p in auditees if p["unitId"] in audit["unitIds"]]
        if audit["status"] == "prepared" and members and outsiders and unit_auditees:
            return Cast(
                audit_id=audit["id"],
                member=Device(client, await login(client, members[0]["username"])),
                outsider=await login(client, outsiders[0]["username"]),
                auditee=await login(client, unit_auditees[0]["username"]),
                lead=lead,
                manager=await login(client, "manager"),
            )
    raise AssertionError("no prepared demo audit with an auditor, an outsider and an auditee")

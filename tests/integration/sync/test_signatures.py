"""A drawn signature is an attachment named by the conclusion: readable by whoever may read the audit,
hidden from everyone else, and never removed by the attachment clean-up while a conclusion, one of its
versions, a losing version or a late submission names it (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from server.settings import Settings
from tests.contract.support import force_status
from tests.integration.attachments.support import cast_of_an_audit
from tests.integration.attachments.test_attachment_gc import age, blob_path, gc
from tests.integration.sync.support import conclusion, drawn_signature, signature, statuses, upload


async def test_a_signature_is_read_with_its_audit_and_hidden_from_others(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    cast = await cast_of_an_audit(client)
    drawn = await upload(client, cast.member.headers, drawn_signature(7))
    nobody = await upload(client, cast.member.headers, drawn_signature(8))
    signed = conclusion(
        cast.audit_id, signatures=[signature("auditee_representative", drawn, "Karim Alaoui")]
    )
    assert statuses(await cast.member.push([signed])) == [("applied", None)]
    await force_status(settings, cast.audit_id, "reported")  # auditees read a reported audit
    for reader in (cast.member.headers, cast.lead, cast.manager, cast.auditee):
        response = await client.get(f"/api/v1/attachments/{drawn}", headers=reader)
        assert response.status_code == 200 and response.headers["content-type"] == "image/png"
        assert response.content.startswith(b"\x89PNG")
    assert (await client.get(f"/api/v1/attachments/{drawn}", headers=cast.outsider)).status_code == 404
    assert (await client.get(f"/api/v1/attachments/{nobody}", headers=cast.lead)).status_code == 404


async def test_the_clean_up_keeps_every_signature_a_conclusion_ever_named(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    cast = await cast_of_an_audit(client)
    replaced, current, losing, late, unused = [
        await upload(client, cast.member.headers, drawn_signature(seed)) for seed in range(20, 25)
    ]
    first = conclusion(cast.audit_id, signatures=[signature("lead_auditor", replaced)])
    assert statuses(await cast.member.push([first])) == [("applied", None)]
    again = conclusion(
        cast.audit_id, first["id"], base_rev=1, signatures=[signature("lead_auditor", current)]
    )
    assert statuses(await cast.member.push([again])) == [("applied", None)]
    stale = conclusion(cast.audit_id, first["id"], base_rev=1, signatures=[signature("lead_auditor", losing)])
    assert statuses(await cast.member.push([stale])) == [("conflict", None)]
    await force_status(settings, cast.audit_id, "signed")
    after = conclusion(cast.audit_id, first["id"], base_rev=2, signatures=[signature("lead_auditor", late)])
    assert statuses(await cast.member.push([after])) == [("locked", "audit.locked")]
    kept = (replaced, current, losing, late)
    for key in (*kept, unused):
        age(settings, key, 90)

    done = await gc(settings)

    assert done.returncode == 0, done.stdout + done.stderr
    assert f"removed {unused}" in done.stdout and "1 file(s)" in done.stdout, done.stdout
    assert all(blob_path(settings, key).exists() for key in kept)
    assert not blob_path(settings, unused).exists()

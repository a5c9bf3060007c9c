"""Who may upload, probe and read an attachment, and how a file is served."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.settings import Settings
from tests.conftest import login
from tests.contract.support import finding, force_status, teammates
from tests.integration.attachments.support import cast_of_an_audit, pdf, png, sha, stored_blobs, upload

CACHE = "private, max-age=31536000, immutable"


@pytest.mark.parametrize("username", ["auditee1", "manager", "admin"])
async def test_only_the_roles_that_write_findings_may_upload_or_probe(
    client: AsyncTestClient[Any], settings: Settings, username: str
) -> None:
    headers = await login(client, username)
    photo = png()
    demo_files = stored_blobs(settings)

    put = await upload(client, headers, photo, "image/png")
    probe = await client.head(f"/api/v1/attachments/{sha(photo)}", headers=headers)

    assert put.status_code == 403 and put.json()["code"] == "auth.forbidden"
    assert probe.status_code == 403
    assert stored_blobs(settings) == demo_files


async def test_the_team_reads_back_an_attachment_of_its_finding_with_caching_headers(
    client: AsyncTestClient[Any],
) -> None:
    cast = await cast_of_an_audit(client)
    photo = png(1)
    key = await cast.attach(client, photo, "image/png")

    response = await client.get(f"/api/v1/attachments/{key}", headers=cast.member.headers)

    assert response.status_code == 200, response.text
    assert response.content == photo  # a PNG without text chunks is stored as sent
    assert response.headers["content-type"] == "image/png"
    assert response.headers["cache-control"] == CACHE
    assert response.headers["etag"] == f'"{key}"'
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"] == "inline"

    again = await client.get(
        f"/api/v1/attachments/{key}", headers={**cast.member.headers, "If-None-Match": f'"{key}"'}
    )
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == f'"{key}"' and again.headers["cache-control"] == CACHE


async def test_a_pdf_is_served_as_a_pdf(client: AsyncTestClient[Any]) -> None:
    cast = await cast_of_an_audit(client)
    key = await cast.attach(client, pdf(), "application/pdf")

    response = await client.get(f"/api/v1/attachments/{key}", headers=cast.lead)

    assert response.status_code == 200 and response.content == pdf()
    assert response.headers["content-type"] == "application/pdf"


async def test_the_lead_and_the_manager_read_it_an_auditor_of_another_team_does_not(
    client: AsyncTestClient[Any],
) -> None:
    cast = await cast_of_an_audit(client)
    key = await cast.attach(client, png(2), "image/png")

    assert (await client.get(f"/api/v1/attachments/{key}", headers=cast.lead)).status_code == 200
    assert (await client.get(f"/api/v1/attachments/{key}", headers=cast.manager)).status_code == 200
    hidden = await client.get(f"/api/v1/attachments/{key}", headers=cast.outsider)
    unknown = await client.get(f"/api/v1/attachments/{sha(b'never uploaded')}", headers=cast.outsider)
    # The same answer as for a file that does not exist: its existence is not revealed.
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["code"] == unknown.json()["code"] == "resource.not_found"
    # Knowing the ETag does not help either.
    conditional = await client.get(
        f"/api/v1/attachments/{key}", headers={**cast.outsider, "If-None-Match": f'"{key}"'}
    )
    assert conditional.status_code == 404


async def test_an_auditee_reads_it_once_the_audit_is_reported(
    client: AsyncTestClient[Any], settings: Settings
) -> None:
    cast = await cast_of_an_audit(client)
    key = await cast.attach(client, png(3), "image/png")

    assert (await client.get(f"/api/v1/attachments/{key}", headers=cast.auditee)).status_code == 404
    await force_status(settings, cast.audit_id, "reported")
    assert (await client.get(f"/api/v1/attachments/{key}", headers=cast.auditee)).status_code == 200


async def test_an_uploaded_file_no_finding_refers_to_is_readable_by_nobody(
    client: AsyncTestClient[Any],
) -> None:
    cast = await cast_of_an_audit(client)
    photo = png(4)
    assert (await upload(client, cast.member.headers, photo, "image/png")).status_code == 201

    for headers in (cast.member.headers, cast.lead, cast.manager):
        assert (await client.get(f"/api/v1/attachments/{sha(photo)}", headers=headers)).status_code == 404


async def test_a_file_kept_only_in_a_conflicting_version_stays_readable_by_the_team(
    client: AsyncTestClient[Any],
) -> None:
    first, second, audit_id = await teammates(client)
    created = finding(audit_id)
    assert (await first.push([created])).json()["results"][0]["status"] == "applied"
    update = finding(audit_id, finding_id=created["id"], base_rev=1, statement="Mis à jour")
    assert (await first.push([update])).json()["results"][0]["status"] == "applied"
    photo = png(5)
    assert (await upload(client, second.headers, photo, "image/png")).status_code == 201

    stale = finding(audit_id, finding_id=created["id"], base_rev=1, attachments=[sha(photo)])
    assert (await second.push([stale])).json()["results"][0]["status"] == "conflict"

    response = await client.get(f"/api/v1/attachments/{sha(photo)}", headers=first.headers)
    assert response.status_code == 200 and response.content == photo


async def test_a_file_dropped_from_a_finding_stays_readable_through_its_earlier_version(
    client: AsyncTestClient[Any],
) -> None:
    cast = await cast_of_an_audit(client)
    photo = png(6)
    assert (await upload(client, cast.member.headers, photo, "image/png")).status_code == 201
    created = finding(cast.audit_id, attachments=[sha(photo)])
    assert (await cast.member.push([created])).json()["results"][0]["status"] == "applied"
    dropped = finding(cast.audit_id, finding_id=created["id"], base_rev=1, attachments=[])
    assert (await cast.member.push([dropped])).json()["results"][0]["status"] == "applied"

    assert (await client.get(f"/api/v1/attachments/{sha(photo)}", headers=cast.lead)).status_code == 200
    assert (await client.get(f"/api/v1/attachments/{sha(photo)}", headers=cast.outsider)).status_code == 404


async def test_a_malformed_hash_is_a_clear_400_on_every_method(client: AsyncTestClient[Any]) -> None:
    headers = await login(client, "auditor1")
    for bad in ("NOT-A-HASH", "A" * 64, "a" * 63):
        got = await client.get(f"/api/v1/attachments/{bad}", headers=headers)
        assert got.status_code == 400 and got.json()["code"] == "attachment.bad_hash"
        assert (await client.head(f"/api/v1/attachments/{bad}", headers=headers)).status_code == 400
        put = await client.put(
            f"/api/v1/attachments/{bad}", content=png(), headers={**headers, "Content-Type": "image/png"}
        )
        assert put.status_code == 400 and put.json()["code"] == "attachment.bad_hash"


async def test_the_schema_declares_the_hash_pattern_and_the_upload_body(client: AsyncTestClient[Any]) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    item = schema["paths"]["/api/v1/attachments/{sha256}"]
    for method in ("get", "put", "head"):
        (parameter,) = [p for p in item[method]["parameters"] if p["name"] == "sha256"]
        assert parameter["in"] == "path" and parameter["schema"]["pattern"] == "^[0-9a-f]{64}$"
    files = {"image/jpeg", "image/png", "image/webp", "application/pdf"}
    assert set(item["put"]["requestBody"]["content"]) == files
    assert {"200", "201", "413"} <= set(item["put"]["responses"])
    assert set(item["get"]["responses"]["200"]["content"]) == files
    assert {"304", "400", "404"} <= set(item["get"]["responses"])

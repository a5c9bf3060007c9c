"""The demo's completed audit of the previous quarter (``completed_audit.yaml``), loaded through the
code paths a real audit takes: the audit lead plans, staffs and prepares it (audits service: team
checks, pinned checklist), each auditor's tablet uploads its photos and signatures (attachments
service) and pushes what it captured as sync batches (sync service: findings, meetings, conclusion),
then the lead moves the audit to ``reported``. Signing comes with the report.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncGenerator
from datetime import UTC
from typing import TYPE_CHECKING, Final

import msgspec

from server.attachments.service import upload_attachment
from server.audits import service as audits_service
from server.audits import store as audits_store
from server.audits.logic import is_conflicted
from server.audits.schemas import AuditIn, AuditOut, TeamIn, TeamMemberIn, TransitionIn
from server.auth import store as auth_store
from server.demo.completed_spec import DemoOrg, DemoRun, SyncSpec, audit_days, ops_of, read_completed_audit
from server.demo.images import draw_photo, draw_signature
from server.lib.principal import Principal
from server.org import people_store
from server.org import store as org_store
from server.sync import service as sync_service
from server.sync.schemas import PushIn, PushOut

if TYPE_CHECKING:
    from datetime import date

    from server.settings import Settings

__all__ = ["COMPLETED_CODE", "issue_demo_reports", "load_completed_audit"]

COMPLETED_CODE: Final = re.compile(r"^AI-[0-9]{4}-T[1-4]-01$")
"""The code of the demo's completed audit (T for trimestre): one per database, whatever the quarter."""


async def issue_demo_reports(settings: Settings, audit_id: str) -> None:
    """Issue and sign the completed audit's reports in Arabic and in French, as its lead auditor, with
    the organisation's key (a self-signed demo key is made first when there is none). Called outside
    any transaction: issuing reads the audit in a snapshot transaction of its own (on PostgreSQL its
    isolation level is set first, which a transaction already under way refuses)."""
    from server.reports.keys import key_password, make_demo_key
    from server.reports.schemas import IssueIn
    from server.reports.service import issue_report

    audit = await audits_store.get_audit(audit_id)
    lead_person = next(m.person_id for m in audit.team if m.role == "lead")
    lead = (await _read_org()).principal_of_person(lead_person)

    if not settings.signing_key_file.is_file():
        make_demo_key(
            settings.signing_key_file,
            key_password(settings),
            organisation="Conseil régional de Béni Mellal-Khénifra (démonstration)",
            common_name="Tadqiq — clé de démonstration",
        )
    for lang in ("ar", "fr"):
        await issue_report(lead, settings, audit_id, IssueIn(lang=lang), lang)


async def _read_org() -> DemoOrg:
    users = await auth_store.list_users()
    return DemoOrg(
        principals={
            u.username: Principal(
                user_id=u.id,
                username=u.username,
                roles=frozenset(u.roles),
                person_id=u.person_id,
                locale=u.locale,
            )
            for u in users
        },
        people={p.username: p for p in await people_store.list_people(None) if p.username},
        units={u.code: u.id for u in await org_store.list_units()},
        sites={s.code: s.id for s in await org_store.list_sites()},
        processes={p.code: (p.id, p.owner_unit_id) for p in await org_store.list_processes()},
    )


async def load_completed_audit(settings: Settings, today: date) -> str | None:
    """Load the completed audit unless the database already has it; returns its id, else None. Its
    reports are issued by :func:`issue_demo_reports` once this has been committed."""
    if any(COMPLETED_CODE.match(audit.code) for audit in await audits_store.list_audits()):
        return None
    spec = read_completed_audit()
    org = await _read_org()
    team = [spec.lead, *spec.auditors]
    busy = [
        (a.start, a.end)
        for username in team
        for a in org.people[username].availability or []
        if not a.available
    ]
    run = DemoRun(settings, spec, org, audit_days(today, busy))
    audit = await _plan_audit(run)
    run = DemoRun(settings, spec, org, run.days, audit.id, await _upload_files(run))
    for sync in sorted(spec.syncs, key=lambda s: (s.day, s.at)):
        await _push(run, sync)
    lead = org.principals[spec.lead]
    current = await audits_store.get_audit(audit.id)
    await audits_service.transition_audit(
        lead, audit.id, TransitionIn(to="reported"), [current.rev], checklists_dir=settings.checklists_dir
    )
    return audit.id


# ---------------------------------------------------------------- the audit lead's plan


def _check_impartial(run: DemoRun, owner_unit: str, parents: dict[str, str | None]) -> None:
    for username in [run.spec.lead, *run.spec.auditors]:
        if is_conflicted(run.org.people[username].unit_id, [owner_unit], parents):
            raise RuntimeError(f"demo auditor {username} would audit their own unit")


async def _plan_audit(run: DemoRun) -> AuditOut:
    """Plan, staff and prepare the audit as the audit lead does (the service checks the team and pins
    the checklist), then start it."""
    spec, org = run.spec, run.org
    lead = org.principals[spec.lead]
    process_id, owner_unit = org.processes[spec.process]
    _check_impartial(run, owner_unit, await org_store.unit_parents())
    quarter = (run.days[0].month - 1) // 3 + 1
    audit = await audits_service.create_audit(
        lead,
        AuditIn(
            code=f"AI-{run.days[0].year}-T{quarter}-01",
            title=spec.title,
            standards=list((await org_store.get_process(process_id)).standards),
            process_id=process_id,
            unit_ids=[owner_unit],
            site_ids=[org.sites[code] for code in spec.sites],
            criteria=spec.criteria,
            objectives=spec.objectives,
            auditee_ids=[org.people[u].id for u in spec.auditees],
            planned_start=run.days[0],
            planned_end=run.days[1],
            agenda=spec.agenda,
        ),
    )
    members = [TeamMemberIn(person_id=org.people[spec.lead].id, role="lead")] + [
        TeamMemberIn(person_id=org.people[u].id, role="auditor") for u in spec.auditors
    ]
    audit = await audits_service.set_team(lead, audit.id, TeamIn(members=members), [audit.rev])
    for target in ("prepared", "in_progress"):
        audit = await audits_service.transition_audit(
            lead, audit.id, TransitionIn(to=target), [audit.rev], checklists_dir=run.settings.checklists_dir
        )
    return audit


# ---------------------------------------------------------------- what the tablets send


async def _once(data: bytes) -> AsyncGenerator[bytes, None]:
    yield data


async def _upload(run: DemoRun, username: str, data: bytes, media_type: str) -> str:
    sha256 = hashlib.sha256(data).hexdigest()
    upload = await upload_attachment(
        run.org.principals[username], run.settings, sha256, media_type, _once(data), announced=len(data)
    )
    return upload.prepared.sha256


def _seed(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("/".join(parts).encode()).digest()[:4], "big")


async def _upload_files(run: DemoRun) -> dict[str, str]:
    """Each photo from its author's tablet, each signature from the lead's (drawn on it)."""
    files: dict[str, str] = {}
    for finding in run.spec.findings:
        for index, photo in enumerate(finding.photos):
            data = draw_photo(photo.scene, run.text(photo.label), _seed(finding.question, str(index)))
            files[f"{finding.question}/{index}"] = await _upload(run, finding.author, data, "image/jpeg")
    for signature in run.spec.conclusion.signatures:
        data = draw_signature(_seed("signature", signature.person))
        files[f"signature/{signature.role}"] = await _upload(
            run, run.spec.conclusion.author, data, "image/png"
        )
    return files


async def _push(run: DemoRun, sync: SyncSpec) -> None:
    """One tablet's sync as the push endpoint applies it: the same key again replays the batch."""
    ops = ops_of(run, sync)
    if not ops:
        return
    batch = PushIn(
        device_id=run.spec.devices[sync.author], ops=[msgspec.Raw(msgspec.json.encode(op)) for op in ops]
    )
    body = msgspec.json.encode(batch)
    answer = await sync_service.push_ops(
        run.org.principals[sync.author],
        run.ident("batch", sync.author, sync.day),
        hashlib.sha256(body).hexdigest(),
        batch,
        locale="fr",
        settings=run.settings,
        now=run.at(sync.day, sync.at).astimezone(UTC),
    )
    refused = [r for r in msgspec.json.decode(answer, type=PushOut).results if r.status != "applied"]
    if refused:
        raise RuntimeError(f"the demo's {sync.author} day {sync.day} batch was refused: {refused}")

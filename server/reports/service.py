"""Reports use cases: issue and sign an audit's report, list and serve the versions, verify a PDF, and the
public status behind a report's QR code.

Issuing runs the completeness gate and the signing preflight (which sets the signature level, or refuses),
builds the model (pure), draws it and signs it in a worker thread,
stores the PDF under its SHA-256 in the report store, then in one transaction writes the register row,
its trail entry and, at the first issue, moves the audit to ``signed`` (which locks its findings: later
sync ops go to review).
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from typing import TYPE_CHECKING, Literal

import msgspec
from anyio import to_thread

from server.audits import service as audits_service
from server.audits import store as audits_store
from server.auth.policy import CAN_ISSUE_REPORT, may_issue_report, require
from server.blobs.service import open_blob_store
from server.lib import metrics
from server.lib.clock import utcnow
from server.lib.db import write_transaction
from server.lib.errors import AppError, ErrorCode
from server.lib.i18n import N_, Locale, translate
from server.lib.structs import LocalizedName
from server.org import people_store
from server.reports import collect, gate, logic, preflight, signing, store
from server.reports.facts import ReportIssue
from server.reports.keys import load_trust_roots
from server.reports.render import render_report
from server.reports.schemas import GateItemOut, IssueIn, PublicStatus, ReportLang, ReportOut
from server.reports.store import ReportEntry
from server.sync import changes_store
from server.sync import store as sync_store

if TYPE_CHECKING:
    from server.attachments.blobstore import BlobStore
    from server.lib.principal import Principal
    from server.settings import Settings

__all__ = [
    "issue_report",
    "list_audit_reports",
    "public_status",
    "read_report",
    "report_files",
    "signing_key",
    "verify_document",
]

_ISSUABLE = frozenset({"reported", "signed", "closed"})
_REASON_NEEDED = N_("Say why a new version of the report is issued (what it corrects).")
_CHANGED_WHILE_ISSUING = N_("the audit's findings changed while the report was being made: issue it again")
_SIGNING_REASON = N_("Approval of the internal audit report")
_DOWNGRADED_REASON = N_("signed at level {level} instead of {configured}, as the administrator allowed")


def report_files(settings: Settings) -> BlobStore:
    """Issued PDFs, by SHA-256, apart from the attachments (whose clean-up never sees them): files under
    ``var_dir/reports`` or rows of the database (``TADQIQ_BLOB_STORE``)."""
    return open_blob_store(settings, "reports")


def verification_url(settings: Settings, token: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/v/{token}"


def _out(settings: Settings, entry: ReportEntry) -> ReportOut:
    return ReportOut(
        id=entry.id,
        audit_id=entry.audit_id,
        lang=entry.lang,  # type: ignore[arg-type]
        version=entry.version,
        reference=entry.reference,
        status="superseded" if entry.superseded_by else "current",
        supersedes_id=entry.supersedes_id,
        superseded_by=entry.superseded_by,
        sha256=entry.sha256,
        size=entry.size,
        pages=entry.pages,
        level=entry.level,
        configured_level=entry.configured_level,
        downgraded=_downgraded(entry),
        certificate_sha256=entry.certificate_sha256,
        signer=entry.signer,
        issued_by=entry.issued_by,
        issued_at=entry.issued_at,
        reason=entry.reason,
        download_url=f"/api/v1/reports/{entry.id}.pdf",
        verification_url=verification_url(settings, entry.token),
    )


def _downgraded(entry: ReportEntry) -> bool:
    return bool(entry.configured_level) and entry.level != entry.configured_level


# ------------------------------------------------------------------ reading


async def list_audit_reports(principal: Principal, settings: Settings, audit_id: str) -> list[ReportOut]:
    """Every version of the audit's reports, for whoever may read the audit (404 otherwise)."""
    await audits_service.visible_audit(principal, audit_id)
    return [_out(settings, entry) for entry in await store.list_reports(audit_id)]


async def read_report(principal: Principal, settings: Settings, report_id: str) -> tuple[ReportOut, bytes]:
    """The signed PDF, exactly as issued, for whoever may read its audit; 404 for anyone else, as for
    an unknown report."""
    entry = await store.get_report(report_id)
    if entry is None:
        raise AppError(ErrorCode.NOT_FOUND, details={"entity": "report", "id": report_id})
    await audits_service.visible_audit(principal, entry.audit_id)
    content = await report_files(settings).get(entry.sha256)
    if content is None or hashlib.sha256(content).hexdigest() != entry.sha256:
        # The register says it exists: a missing or altered file is the server's fault, never a 404.
        raise RuntimeError(f"report file {entry.sha256} is missing or altered in the report store")
    return _out(settings, entry), content


async def public_status(token: str) -> PublicStatus | None:
    """What the QR code's page shows: reference, date, version, current or superseded, SHA-256."""
    entry = await store.get_by_token(token)
    if entry is None:
        return None
    return PublicStatus(
        reference=entry.reference,
        issued_at=entry.issued_at,
        version=entry.version,
        status="superseded" if entry.superseded_by else "current",
        sha256=entry.sha256,
        level=entry.level,
        configured_level=entry.configured_level,
    )


# ------------------------------------------------------------------ issuing


def _reference(code: str, version: int, lang: str) -> str:
    return f"{code}-R{version}-{lang.upper()}"


def _issuer_role(principal: Principal, lead_person_id: str | None) -> Literal["lead_auditor", "audit_lead"]:
    return "lead_auditor" if principal.person_id and principal.person_id == lead_person_id else "audit_lead"


async def _issuer_name(principal: Principal) -> LocalizedName:
    if principal.person_id:
        person = await people_store.get_person(None, principal.person_id)
        return person.full_name
    return LocalizedName(ar=principal.username, fr=principal.username)


def _gate_error(items: list[GateItemOut]) -> AppError:
    return AppError(ErrorCode.REPORT_INCOMPLETE, details={"missing": msgspec.to_builtins(items)})


_signing_keys: dict[tuple[str, float], signing.SigningKey] = {}


def signing_key(settings: Settings) -> signing.SigningKey:
    """The organisation's key, loaded once per file version (loading costs about 0.1 s); the reports and
    the review pack sign with it."""
    path = settings.signing_key_file
    try:
        stamp = (str(path), path.stat().st_mtime)
        if stamp not in _signing_keys:
            _signing_keys[stamp] = signing.load_configured_key(settings)
        return _signing_keys[stamp]
    except (OSError, signing.SigningKeyError) as exc:
        raise AppError(ErrorCode.REPORT_SIGNING_UNAVAILABLE, params={"problem": str(exc)}) from exc


def _signing_reason(lang: ReportLang, plan: preflight.SigningPlan) -> str:
    reason = translate(lang, _SIGNING_REASON)
    if not plan.downgraded:
        return reason
    return f"{reason} ({translate(lang, _DOWNGRADED_REASON, level=plan.level, configured=plan.configured)})"


def _draw_and_sign(
    gathered: collect.Gathered,
    lang: ReportLang,
    key: signing.SigningKey,
    settings: Settings,
    plan: preflight.SigningPlan,
) -> tuple[signing.SignedPdf, int]:
    model = logic.build_report(gathered.facts, lang)
    rendered = render_report(model, gathered.images)
    stamped = plan.level in ("B-T", "B-LT", "B-LTA")
    try:
        signed = signing.sign_pdf(
            rendered.pdf,
            key,
            rendered.signature_box,
            reason=_signing_reason(lang, plan),
            location=settings.public_base_url,
            tsa_url=settings.tsa_url if stamped else None,
            trust_roots=load_trust_roots(settings) if plan.level == "B-LTA" else (),
            downgraded_from=plan.configured if plan.downgraded else None,
        )
    except (signing.ReportSigningError, signing.SigningKeyError) as exc:
        # The preflight passed moments ago: a service that failed since is the server's trouble too.
        raise AppError(ErrorCode.REPORT_SIGNING_UNAVAILABLE, params={"problem": str(exc)}) from exc
    return signed, rendered.pages


async def issue_report(
    principal: Principal, settings: Settings, audit_id: str, data: IssueIn, locale: Locale
) -> ReportOut:
    """Issue the next version of the audit's report in ``data.lang``: gate, draw, sign, store, register,
    and open a nonconformity record for each major and minor nonconformity that has none yet."""
    started = time.perf_counter()
    audit = await audits_service.visible_audit(principal, audit_id)
    lead = next((m.person_id for m in audit.team if m.role == "lead"), None)
    require(may_issue_report(principal, lead), CAN_ISSUE_REPORT)
    if audit.status not in _ISSUABLE:
        raise AppError(ErrorCode.REPORT_AUDIT_NOT_READY, params={"status": translate(locale, audit.status)})
    version, previous = await store.next_version(audit.id, data.lang)
    token = secrets.token_urlsafe(9).replace("-", "x").replace("_", "y")
    issue = ReportIssue(
        version=version,
        supersedes=previous.reference if previous else None,
        reference=_reference(audit.code, version, data.lang),
        issued_at=utcnow(),
        verification_url=verification_url(settings, token),
        issuer=await _issuer_name(principal),
        issuer_role=_issuer_role(principal, lead),
        timezone=settings.time_zone,
    )
    async with sync_store.read_snapshot():
        gathered = await collect.gather_facts(settings, audit, issue)
    missing = [
        GateItemOut(code=i.code, message=gate.missing_message(i, locale))
        for i in gate.missing_items(gathered.facts)
    ]
    if version > 1 and not data.reason.strip():
        missing.append(
            GateItemOut(code="report.missing.reissue_reason", message=translate(locale, _REASON_NEEDED))
        )
    if missing:
        raise _gate_error(missing)
    plan = await preflight.plan_signing(settings)
    key = signing_key(settings)
    signed, pages = await to_thread.run_sync(_draw_and_sign, gathered, data.lang, key, settings, plan)
    await report_files(settings).put(signed.sha256, signed.pdf)
    entry = ReportEntry(
        id=str(uuid.uuid4()),
        audit_id=audit.id,
        lang=data.lang,
        version=version,
        reference=issue.reference,
        token=token,
        sha256=signed.sha256,
        size=len(signed.pdf),
        pages=pages,
        level=signed.level,
        configured_level=plan.configured,
        certificate_sha256=signed.certificate_fingerprint,
        signer=key.certificate.subject.rfc4514_string(),
        supersedes_id=previous.id if previous else None,
        checklist_version=audit.checklist_version or "",
        reason=data.reason.strip(),
        issued_by=principal.username,
        issued_at=issue.issued_at,
    )
    # The issued report opens the follow-up of its nonconformities, in the same transaction.
    from server.actions import due_policy, steps  # a later domain: imported when used
    from server.actions import service as actions_service

    policy = due_policy.as_model(await due_policy.get_due_policy(settings))
    async with write_transaction():
        if await changes_store.audit_changed_since(audit.id, gathered.head):
            raise AppError(
                ErrorCode.PRECONDITION_FAILED, details={"reason": translate(locale, _CHANGED_WHILE_ISSUING)}
            )
        await store.insert_report(principal, entry, principal.user_id)
        if audit.status == "reported":
            await audits_store.set_status(principal, audit, "signed")
        await actions_service.open_for_audit(principal, audit.id, policy, steps.today(settings))
    metrics.observe_report_issue(time.perf_counter() - started)  # issued ones only: a refusal is quick
    return _out(settings, entry)


# ------------------------------------------------------------------ verifying

# Verifying a PDF (signature, register, long-term validation) is its own module; its use case is named
# here too for the handlers and the command line that knew it here.
from server.reports.verifying import verify_document  # noqa: E402

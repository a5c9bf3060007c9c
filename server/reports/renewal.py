"""``tadqiq signatures renew``: keep every stored B-LTA report verifiable by renewing its document
timestamps before their certificates expire.

For each B-LTA report of the register, the latest document timestamp is read from the stored PDF; when
its certificate expires within ``TADQIQ_TIMESTAMP_RENEW_DAYS``, the PDF gets the validation data of that
timestamp and a fresh document timestamp from ``TADQIQ_TSA_URL``, as an incremental update (the earlier
bytes unchanged). The renewed bytes are stored under their own SHA-256 beside the earlier ones, which are
never deleted; the register row then names the new bytes (downloads serve them), ``report_revision``
lists every revision, and the trail records each renewal (actor ``system``).

Management-review packs are not stored (each download signs a fresh one), so there is nothing of theirs
to renew. A run right after another does nothing: a renewed file's latest timestamp lasts beyond the
window. Before renewing anything, the authority's current certificate is checked to outlast the window
(else every run would renew again).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Literal

import msgspec
from anyio import to_thread

from server.lib.clock import utcnow
from server.reports import revision_store
from server.reports.archive import (
    ArchiveError,
    TimestampFacts,
    extend_timestamp_chain,
    latest_document_timestamp,
    timestamp_authority_certificate,
)
from server.reports.keys import SigningKeyError, load_trust_roots
from server.reports.renewal_logic import RenewalState, authority_outlasts_window, renew_from, renewal_state
from server.reports.revision_store import LongTermReport, NewRevision
from server.reports.service import report_files

if TYPE_CHECKING:
    from cryptography.x509 import Certificate

    from server.attachments.blobstore import BlobStore
    from server.settings import Settings

__all__ = ["RenewalItem", "RenewalRun", "renew_signatures"]

Outcome = Literal["renewed", "would_renew", "not_due", "too_late", "failed", "skipped"]


class RenewalItem(msgspec.Struct, frozen=True, kw_only=True):
    report_id: str
    reference: str
    state: RenewalState
    outcome: Outcome
    sha256: str
    """The bytes the register named when the run looked."""
    authority: str = ""
    expires_at: datetime | None = None
    """When the latest document timestamp's certificate expires (before any renewal of this run)."""
    renew_from: datetime | None = None
    new_sha256: str = ""
    revision: int | None = None
    new_expires_at: datetime | None = None
    message: str = ""
    """Why it failed or was skipped (English, for the operator)."""


class RenewalRun(msgspec.Struct, frozen=True, kw_only=True):
    dry_run: bool
    now: datetime
    window_days: int
    items: list[RenewalItem]
    problem: str = ""
    """Why nothing could be renewed at all (no TSA or trust roots configured, the authority's own
    certificate about to expire); empty otherwise."""

    def count(self, outcome: Outcome) -> int:
        return sum(item.outcome == outcome for item in self.items)

    @property
    def ok(self) -> bool:
        """Nothing failed, nothing was too late, no problem: what a timer unit's exit status reports."""
        return not self.problem and not any(i.outcome in ("failed", "too_late") for i in self.items)


async def _stored(store: BlobStore, report: LongTermReport) -> bytes | None:
    content = await store.get(report.sha256)
    if content is None or hashlib.sha256(content).hexdigest() != report.sha256:
        return None
    return content


_FIRST_LOOK: dict[RenewalState, tuple[Outcome, str]] = {
    "not_due": ("not_due", ""),
    "due": ("would_renew", ""),
    "too_late": (
        "too_late",
        "its latest timestamp's certificate has expired: the file can no longer be renewed",
    ),
    "no_timestamp": ("failed", "the stored file holds no document timestamp (or cannot be read)"),
}


def _looked(report: LongTermReport, latest: TimestampFacts | None, now: datetime, window: int) -> RenewalItem:
    state = renewal_state(latest.expires_at if latest else None, now, window)
    outcome, message = _FIRST_LOOK[state]
    return RenewalItem(
        report_id=report.id,
        reference=report.reference,
        state=state,
        outcome=outcome,
        sha256=report.sha256,
        authority=latest.authority if latest else "",
        expires_at=latest.expires_at if latest else None,
        renew_from=renew_from(latest.expires_at, window) if latest else None,
        message=message,
    )


Due = dict[str, tuple[LongTermReport, bytes]]
"""Report id → the register's row and its stored bytes, for the reports due."""


async def _look(settings: Settings, now: datetime) -> tuple[list[RenewalItem], Due]:
    """Every B-LTA report with where it stands, and the bytes of those due."""
    store = report_files(settings)
    items: list[RenewalItem] = []
    due: Due = {}
    for report in await revision_store.long_term_reports():
        content = await _stored(store, report)
        if content is None:
            message = f"the stored file {report.sha256} is missing or altered in the report store"
            items.append(
                RenewalItem(
                    report_id=report.id, reference=report.reference, state="no_timestamp", outcome="failed",
                    sha256=report.sha256, message=message,
                )
            )  # fmt: skip
            continue
        latest = await to_thread.run_sync(latest_document_timestamp, content)
        item = _looked(report, latest, now, settings.timestamp_renew_days)
        items.append(item)
        if item.state == "due":
            due[report.id] = (report, content)
    return items, due


def _preconditions(settings: Settings, now: datetime) -> tuple[list[Certificate], str]:
    """The trust roots, or why renewal cannot run (empty when it can). Asks the authority once."""
    if not settings.tsa_url:
        return [], "no timestamp authority is configured (TADQIQ_TSA_URL)"
    try:
        roots = load_trust_roots(settings)
    except SigningKeyError as error:
        return [], str(error)
    if not roots:
        return [], "no trust roots are configured (TADQIQ_TRUST_ROOTS)"
    try:
        authority = timestamp_authority_certificate(settings.tsa_url)
    except ArchiveError as error:
        return [], str(error)
    if not authority_outlasts_window(authority.expires_at, now, settings.timestamp_renew_days):
        return [], (
            f"the timestamp authority's own certificate ({authority.authority}) expires on "
            f"{authority.expires_at:%Y-%m-%d}, within the {settings.timestamp_renew_days}-day renewal "
            "window: a renewal now would have to be done again at once; the provider must renew its "
            "certificate first"
        )
    return roots, ""


async def _renew_one(
    settings: Settings, item: RenewalItem, found: tuple[LongTermReport, bytes], roots: list[Certificate]
) -> RenewalItem:
    report, content = found
    try:
        renewed = await to_thread.run_sync(extend_timestamp_chain, content, roots, settings.tsa_url)
    except ArchiveError as error:
        return msgspec.structs.replace(item, outcome="failed", message=str(error))
    latest = await to_thread.run_sync(latest_document_timestamp, renewed)
    if latest is None:  # never expected: pyHanko just wrote it
        return msgspec.structs.replace(item, outcome="failed", message="the renewed file shows no timestamp")
    sha256 = hashlib.sha256(renewed).hexdigest()
    # The bytes first: a register row never names bytes the store lacks (a crash leaves an unused file).
    await report_files(settings).put(sha256, renewed)
    revision = await revision_store.record_renewal(
        report,
        NewRevision(
            sha256=sha256,
            size=len(renewed),
            authority=latest.authority,
            timestamp_expires_at=latest.expires_at,
            previous_authority=item.authority,
            previous_expires_at=item.expires_at,
            made_at=utcnow(),
        ),
    )
    if revision is None:
        return msgspec.structs.replace(
            item, outcome="skipped", message="another renewal changed it meanwhile"
        )
    return msgspec.structs.replace(
        item, outcome="renewed", new_sha256=sha256, revision=revision, new_expires_at=latest.expires_at
    )


async def renew_signatures(settings: Settings, *, dry_run: bool = False) -> RenewalRun:
    """Look at every stored B-LTA report and (unless ``dry_run``) renew those due. One report's failure
    does not stop the others; nothing is written for a dry run, and nothing is asked of the authority."""
    now = utcnow()
    items, due = await _look(settings, now)
    window = settings.timestamp_renew_days
    if dry_run or not due:
        return RenewalRun(dry_run=dry_run, now=now, window_days=window, items=items)
    roots, problem = await to_thread.run_sync(_preconditions, settings, now)
    if problem:
        failed = [
            msgspec.structs.replace(i, outcome="failed", message=problem) if i.report_id in due else i
            for i in items
        ]
        return RenewalRun(dry_run=False, now=now, window_days=window, items=failed, problem=problem)
    done = [
        await _renew_one(settings, i, due[i.report_id], roots) if i.report_id in due else i for i in items
    ]
    return RenewalRun(dry_run=False, now=now, window_days=window, items=done)

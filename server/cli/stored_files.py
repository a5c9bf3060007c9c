"""``tadqiq`` commands on stored files and exported work: attachments gc, blobs move, import-outbox."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from server.cli.common import Commands, at_least_one, with_engine
from server.settings import BLOB_STORES, Settings

_gc_days = at_least_one("days")


def _attachments_gc(settings: Settings, args: argparse.Namespace) -> int:
    from server.attachments.service import remove_unreferenced

    days: int = settings.attachment_gc_days if args.days is None else args.days
    if days < 1:
        print("error: TADQIQ_ATTACHMENT_GC_DAYS must be 1 or more", file=sys.stderr)
        return 2
    report = asyncio.run(
        with_engine(settings, lambda: remove_unreferenced(settings, days=days, dry_run=args.dry_run))
    )
    verb = "would remove" if report.dry_run else "removed"
    for blob in report.blobs:
        print(f"{verb} {blob.key} ({blob.size} bytes, last used {blob.last_used:%Y-%m-%d})")
    print(
        f"{len(report.blobs)} file(s) no finding refers to, unused since {report.cutoff:%Y-%m-%d}: "
        f"{verb}; {report.freed_bytes} bytes {'would be ' if report.dry_run else ''}freed"
    )
    return 0


def _blobs_move(settings: Settings, args: argparse.Namespace) -> int:
    """Every stored file (attachments, issued reports) into the store named by ``--to``; exits 1 when a
    damaged file was left behind."""
    from server.blobs.service import move_blobs

    move = asyncio.run(with_engine(settings, lambda: move_blobs(settings, args.to)))
    counts = ", ".join(f"{count} {namespace}" for namespace, count in move.moved.items())
    print(f"moved from {move.source} to {move.target}: {counts} ({move.bytes} bytes)")
    for name in move.damaged:
        print(
            f"error: {name} does not match its SHA-256 (damaged): left in the {move.source} store",
            file=sys.stderr,
        )
    if settings.blob_store != move.target:
        print(f"now set TADQIQ_BLOB_STORE={move.target}: the server reads only the configured store")
    return 1 if move.damaged else 0


def _import_outbox(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    import msgspec

    from server.auth import store as auth_store
    from server.lib.errors import AppError, message_for
    from server.lib.i18n import negotiate_locale
    from server.lib.principal import Principal, Role
    from server.sync.team_service import import_outbox

    try:
        raw = Path(args.file).read_bytes()
    except OSError as error:
        print(f"error: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 2
    username = (args.user or "").strip().lower()

    async def work() -> Any:
        found = next((u for u in await auth_store.list_users() if u.username == username and u.active), None)
        if found is None:
            return None
        principal = Principal(
            user_id=found.id,
            username=found.username,
            roles=frozenset(Role(r) for r in found.roles),
            person_id=found.person_id,
            locale=found.locale,
        )
        return await import_outbox(
            principal, raw, settings=settings, locale=negotiate_locale(found.locale, None)
        )

    try:
        report = asyncio.run(with_engine(settings, work))
    except AppError as error:
        print(f"error: {error.code.value}: {message_for(error.code, 'en', **error.params)}", file=sys.stderr)
        return 1
    if report is None:
        print(f"error: no active account named {username!r}", file=sys.stderr)
        return 2
    _print_import_report(report)
    if args.report:
        Path(args.report).write_bytes(msgspec.json.format(msgspec.json.encode(report)))
    return 0


def _print_import_report(report: Any) -> None:
    for item in report.attachments:
        refused = f" ({item.code}: {item.message})" if item.code else ""
        print(f"file {item.sha256[:12]}: {item.status}{refused}")
    for batch in report.batches:
        statuses = ", ".join(
            f"{status} {sum(r.get('status') == status for r in batch.results)}"
            for status in ("applied", "unchanged", "conflict", "rejected", "locked")
        )
        print(f"batch {batch.idempotency_key} from {batch.device_id}: {batch.status}; ops: {statuses}")
    print(
        f"outbox of {report.device_id or '?'} exported by {report.exported_by or '?'} at "
        f"{report.exported_at or '?'}, imported as {report.imported_by}: {len(report.batches)} batch(es), "
        f"{len(report.attachments)} file(s)"
    )


def register(commands: Commands) -> None:
    attachments = commands.add_parser("attachments", help="stored photos and PDFs")
    attachment_commands = attachments.add_subparsers(dest="attachments_command", required=True)
    gc = attachment_commands.add_parser(
        "gc", help="remove files no finding refers to and unused for TADQIQ_ATTACHMENT_GC_DAYS days"
    )
    gc.add_argument("--dry-run", action="store_true", help="list what would be removed, remove nothing")
    gc.add_argument("--days", type=_gc_days, help="unused for this many days (default: the setting, 30)")
    gc.set_defaults(run=_attachments_gc)
    blobs = commands.add_parser("blobs", help="where stored files live (TADQIQ_BLOB_STORE)")
    blob_commands = blobs.add_subparsers(dest="blobs_command", required=True)
    move = blob_commands.add_parser(
        "move", help="move every stored file (attachments, reports) into one store; stop the server first"
    )
    move.add_argument("--to", required=True, choices=BLOB_STORES, help="the store that keeps them from now")
    move.set_defaults(run=_blobs_move)
    outbox = commands.add_parser(
        "import-outbox",
        help="apply the unsynced work a tablet exported (once: importing a file again changes nothing)",
    )
    outbox.add_argument("file", help="the tadqiq-outbox-<device>-<time>.json file")
    outbox.add_argument(
        "--user", required=True, help="the account the ops are authorised as (an auditor or the audit lead)"
    )
    outbox.add_argument("--report", help="also write the full report (each op's result) to this JSON file")
    outbox.set_defaults(run=_import_outbox)

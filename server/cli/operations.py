"""``tadqiq`` commands an IT admin runs on a live server: digest (the daily nonconformity follow-up
mail), backup, restore and doctor."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date

from server.cli.common import Commands, at_least_one, iso_date, with_engine
from server.settings import Settings

_soon_days = at_least_one("days")


def _digest(settings: Settings, args: argparse.Namespace) -> int:
    """The day's digest of late and due nonconformity follow-up, per person: printed, written as files
    (--out) and/or mailed through the relay (--mail). Exits 1 when a mail could not be sent."""
    from pathlib import Path
    from zoneinfo import ZoneInfo

    from server.actions.digest import compose_digests
    from server.actions.digest_gather import gather, send_mail, write_files
    from server.lib.clock import utcnow

    day: date = args.date or utcnow().astimezone(ZoneInfo(settings.time_zone)).date()
    records, facts = asyncio.run(with_engine(settings, gather))
    digests = compose_digests(records, facts, day, args.soon_days)
    print(f"{len(digests)} digest(s) for {day.isoformat()}", file=sys.stderr)
    if not args.out and not args.mail:
        for digest in digests:
            print(f"===== {digest.name} <{digest.email or '-'}> [{digest.locale}] =====")
            print(digest.text())
    if args.out:
        paths = write_files(digests, Path(args.out), day)
        print(f"{len(paths)} file(s) written to {args.out}", file=sys.stderr)
    if not args.mail:
        return 0
    report = send_mail(digests, settings)
    for name in report.without_address:
        print(f"not mailed: {name} has no e-mail address", file=sys.stderr)
    for address, reason in report.failed:
        print(f"error: mail to {address} not sent: {reason}", file=sys.stderr)
    if report.relay_error:
        print(f"error: {report.relay_error}", file=sys.stderr)
    print(f"{len(report.sent)} mail(s) sent", file=sys.stderr)
    return 0 if report.ok else 1


def _backup(settings: Settings, args: argparse.Namespace) -> int:
    """A consistent copy of the database, the stored files and the signing certificate, while the server
    runs; exits 1 on any problem (a folder without manifest.json is not a backup)."""
    from pathlib import Path

    from server.system.backup import make_backup
    from server.system.backup_logic import BackupError

    try:
        summary = make_backup(settings, Path(args.dir))
    except BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"error: backup not finished, {args.dir} is incomplete: {error}", file=sys.stderr)
        return 1
    for warning in summary.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    files = ", ".join(f"{count} file(s) of {top}/" for top, count in summary.blobs.items())
    if summary.blob_store == "database":
        files = "inside the database (TADQIQ_BLOB_STORE=database)"
    print(f"backup written to {args.dir} in {summary.seconds:.1f} s")
    print(f"  database: {summary.database_kind}, {summary.database_bytes} bytes")
    print(f"  stored files: {files}")
    print(f"  signing certificate: {'saved' if summary.certificate else 'NOT saved'} (never the key)")
    print(f"  total: {summary.total_bytes} bytes, listed with their SHA-256 in manifest.json")
    return 1 if summary.warnings else 0


def _restore(settings: Settings, args: argparse.Namespace) -> int:
    """Put a backup back into the configured database and var folder, once every sum is checked."""
    from pathlib import Path

    from server.system.backup import restore_backup
    from server.system.backup_logic import BackupError

    try:
        summary = restore_backup(settings, Path(args.dir), force=args.force)
    except BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"error: restore not finished ({error}): run it again with --force", file=sys.stderr)
        return 1
    print(
        f"restored {args.dir} in {summary.seconds:.1f} s: "
        f"{summary.database_kind} database, {summary.files} file(s)"
    )
    for note in summary.notes:
        print(f"  {note}")
    return 0


def _doctor(settings: Settings, args: argparse.Namespace) -> int:
    """Everything an admin must set, checked: a line per check, each problem in words with what to do;
    exits 1 on any problem (warnings alone exit 0)."""
    from server.system.doctor import doctor_report

    code, text = asyncio.run(doctor_report(settings, as_json=args.json))
    print(text)
    return code


def register(commands: Commands) -> None:
    digest = commands.add_parser(
        "digest", help="the day's digest of late and due nonconformity follow-up, per person"
    )
    digest.add_argument("--date", type=iso_date, help="the day, YYYY-MM-DD (default: today, local time)")
    digest.add_argument("--out", help="write one file per person in this folder (<date>-<username>.txt)")
    digest.add_argument("--mail", action="store_true", help="send each digest through TADQIQ_SMTP_HOST")
    digest.add_argument(
        "--soon-days", type=_soon_days, default=7, help="due within this many days (default: 7)"
    )
    digest.set_defaults(run=_digest)
    backup = commands.add_parser(
        "backup", help="copy the database, stored files and signing certificate while the server runs"
    )
    backup.add_argument("dir", help="a new or empty folder; manifest.json, written last, lists every file")
    backup.set_defaults(run=_backup)
    restore = commands.add_parser(
        "restore", help="check every file of a backup, then put it back (stop the server first)"
    )
    restore.add_argument("dir", help="the folder written by `tadqiq backup`")
    restore.add_argument(
        "--force", action="store_true", help="replace a database or stored files already there"
    )
    restore.set_defaults(run=_restore)
    doctor = commands.add_parser(
        "doctor",
        help="check the database, stored files, signing key, catalogs, clock, disk and settings before "
        "running for real (exit 1 on any problem)",
    )
    doctor.add_argument("--json", action="store_true", help="print the findings as JSON")
    doctor.set_defaults(run=_doctor)

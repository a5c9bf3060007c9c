"""The ``tadqiq`` command: migrate, demo, serve, user, checklists, attachments, import-outbox, keys, verify,
signatures, digest, backup, restore, doctor."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import re
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

from server.lib import db
from server.settings import BLOB_STORES, Settings, load_settings

__all__ = ["main"]


async def _with_engine(settings: Settings, work: Callable[[], Awaitable[Any]]) -> Any:
    engine = db.make_engine(settings)
    await db.start_engine(engine)
    try:
        return await work()
    finally:
        await db.stop_engine(engine)


def _migrate(settings: Settings, _: argparse.Namespace) -> int:
    async def work() -> None:
        await db.migrate()
        state = await db.migration_state()
        pending = len(state.pending)
        print(f"database: {settings.database_kind}; migrations applied: {state.applied}; pending: {pending}")

    asyncio.run(_with_engine(settings, work))
    return 0


def _demo(settings: Settings, _: argparse.Namespace) -> int:
    from server.demo.loader import load_demo

    async def work() -> Any:
        await db.migrate()
        return await load_demo(settings)

    accounts = asyncio.run(_with_engine(settings, work))
    if accounts is None:
        print("The database already holds data: demo organisation not loaded.")
        return 0
    custom = "TADQIQ_DEMO_PASSWORD" in os.environ
    shown = "the value of TADQIQ_DEMO_PASSWORD" if custom else settings.demo_password
    print(f"Demo organisation loaded. Sign in at http://{settings.host}:{settings.port} (password: {shown}):")
    for username, roles in accounts:
        print(f"  {username:<12} {', '.join(roles)}")
    return 0


def _at_least_one(unit: str) -> Callable[[str], int]:
    """An argparse type: a whole number of ``unit``, 1 or more, in ASCII digits ('٣' is refused)."""

    def parse(raw: str) -> int:
        if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
            message = f"a whole number of {unit}, 1 or more, is expected (got {raw!r})"
            raise argparse.ArgumentTypeError(message)
        return int(raw)

    return parse


_workers = _at_least_one("processes")


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from server.serving import serve_one, serve_workers

    workers: int = settings.workers if args.workers is None else args.workers
    if workers < 1:
        print("error: TADQIQ_WORKERS must be 1 or more", file=sys.stderr)
        return 2
    if workers > 1 and settings.database_kind == "sqlite":
        print(
            "error: several worker processes need PostgreSQL (TADQIQ_DATABASE_URL=postgresql://...); "
            "SQLite is served by one process, which queues its writers fairly",
            file=sys.stderr,
        )
        return 2
    if workers == 1:
        return serve_one(settings)
    return serve_workers(settings.host, settings.port, workers)


def _user(settings: Settings, args: argparse.Namespace) -> int:
    from server.auth import store as auth_store
    from server.auth.logic import hash_password, make_hasher
    from server.lib.clock import utcnow
    from server.lib.principal import Role

    password = args.password or getpass.getpass("Password (8 characters or more): ")
    if len(password) < 8:
        print("error: the password must have at least 8 characters", file=sys.stderr)
        return 2
    try:
        roles = [Role(r) for r in args.roles.split(",")]
    except ValueError:
        print(f"error: roles must be among {', '.join(r.value for r in Role)}", file=sys.stderr)
        return 2
    password_hash = hash_password(
        make_hasher(settings.argon2_time_cost, settings.argon2_memory_kib), password
    )

    async def work() -> None:
        await auth_store.create_user(
            None,
            username=args.username.lower(),
            password_hash=password_hash,
            roles=roles,
            person_id=None,
            locale=None,
            now=utcnow(),
        )

    asyncio.run(_with_engine(settings, work))
    print(f"account {args.username} created")
    return 0


def _checklists_check(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from server.checklists.library import coverage, parse_library, read_library_files
    from server.checklists.wording import GLOSSARY_FILE, wording_problems

    root = Path(args.path) if args.path else settings.checklists_dir
    files = read_library_files(root)
    library, problems = parse_library(files)
    glossary = root / GLOSSARY_FILE
    warnings = wording_problems(files, glossary.read_text(encoding="utf-8") if glossary.is_file() else None)
    for problem in problems:
        print(f"{root.name}/{problem}", file=sys.stderr)
    for warning in warnings:
        print(f"{'error' if args.strict else 'warning'}: {root.name}/{warning}", file=sys.stderr)
    stats = coverage(library)
    print(f"checklist library {root} version {library.version[:12]}")
    for standard in sorted(stats.clauses):
        print(
            f"  {standard:<9} clauses {stats.clauses[standard]:>3}  leaf clauses {stats.leaves[standard]:>3}"
            f"  covered {stats.covered_leaves[standard]:>3}  questions {stats.questions[standard]:>3}"
        )
    languages = ", ".join(
        f"{lang} {'complete' if ok else 'INCOMPLETE'}" for lang, ok in stats.languages_complete.items()
    )
    print(f"  questions {stats.total_questions}; languages: {languages}")
    basis = sum(q.basis == "good_practice" for q in library.questions)
    names = ", ".join(sorted(library.placeholders))
    print(f"  good practice (beyond a requirement): {basis}; placeholders: {names}")
    if problems or (warnings and args.strict):
        print(f"{len(problems)} problem(s), {len(warnings)} wording warning(s) found", file=sys.stderr)
        return 1
    if warnings:
        print(f"  no problems; {len(warnings)} wording warning(s) (--strict fails on them)")
        return 0
    print("  no problems found")
    return 0


_gc_days = _at_least_one("days")


def _attachments_gc(settings: Settings, args: argparse.Namespace) -> int:
    from server.attachments.service import remove_unreferenced

    days: int = settings.attachment_gc_days if args.days is None else args.days
    if days < 1:
        print("error: TADQIQ_ATTACHMENT_GC_DAYS must be 1 or more", file=sys.stderr)
        return 2
    report = asyncio.run(
        _with_engine(settings, lambda: remove_unreferenced(settings, days=days, dry_run=args.dry_run))
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

    move = asyncio.run(_with_engine(settings, lambda: move_blobs(settings, args.to)))
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
        report = asyncio.run(_with_engine(settings, work))
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


_key_days = _at_least_one("days")


def _iso_moment(raw: str) -> datetime:
    """An argparse type: an ISO 8601 date or date and time (without a zone: UTC)."""
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        message = f"a date and time as YYYY-MM-DD[THH:MM[:SS]] is expected (got {raw!r})"
        raise argparse.ArgumentTypeError(message) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _verify(settings: Settings, args: argparse.Namespace) -> int:
    """The verdict of ``POST /api/v1/reports/verify`` from the command line, with the long-term (AdES)
    validation as of ``--at``: 0 only for an unaltered, wholly signed report of the register whose
    long-term validation passes (below B-T, with no ``--at``, a missing timestamp is no failure)."""
    from pathlib import Path

    from server.lib.errors import AppError, message_for
    from server.lib.i18n import as_locale
    from server.reports.service import verify_document

    _quiet_pyhanko()
    locale = as_locale(args.lang) or "fr"
    try:
        raw = Path(args.file).read_bytes()
    except OSError as error:
        print(f"error: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 2

    async def work() -> Any:
        return await verify_document(settings, raw, locale, at=args.at, offline=args.offline)

    try:
        verdict = asyncio.run(_with_engine(settings, work))
    except AppError as error:
        message = message_for(error.code, locale, **error.params)
        print(f"error: {error.code.value}: {message}", file=sys.stderr)
        return 2
    print(verdict.verdict)
    for label, value in (
        ("signed", verdict.signed),
        ("intact", verdict.intact),
        ("valid signature", verdict.valid),
        ("whole document signed", verdict.whole_document),
        ("in the register", verdict.registered),
    ):
        print(f"  {label}: {'yes' if value else 'NO'}")
    if verdict.registered:
        print(f"  report: {verdict.reference} (audit {verdict.audit_code}, version {verdict.version})")
        print(f"  status: {verdict.status}; revision {verdict.revision} of {verdict.latest_revision}")
    print(f"  sha256: {verdict.sha256}")
    if verdict.problems:
        print(f"  problems: {', '.join(verdict.problems)}")
    long_term_ok = _print_long_term(verdict.long_term, timed=args.at is not None)
    return 0 if verdict.registered and not verdict.problems and long_term_ok else 1


def _print_long_term(long_term: Any, *, timed: bool) -> bool:
    """Print the long-term lines; True when they pass (see ``_verify``)."""
    mode = "offline, from the embedded data" if long_term.offline else "online"
    moment = f"{long_term.validation_time:%Y-%m-%d %H:%M} UTC"
    print(f"  long-term (AdES, {mode}) as of {moment}: {long_term.indication}")
    print(f"    {long_term.sentence}")
    if long_term.signature_time:
        print(f"    signature proven to exist at: {long_term.signature_time:%Y-%m-%d %H:%M} UTC")
    if long_term.protected_until:
        print(
            f"    document timestamps: {long_term.document_timestamps}; the latest one's certificate lasts "
            f"until {long_term.protected_until:%Y-%m-%d} (renew before)"
        )
    return bool(long_term.indication == "valid" or (not timed and long_term.code == "no_timestamp"))


def _quiet_pyhanko() -> None:
    """pyHanko logs every certificate check it tries as a warning with its traceback: the verdict that
    follows says what matters."""
    import logging

    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _renewal_line(item: Any) -> str:
    until = f"{item.expires_at:%Y-%m-%d}" if item.expires_at else "?"
    if item.outcome == "renewed":
        return (
            f"renewed {item.reference}: revision {item.revision}, its new timestamp's certificate lasts "
            f"until {item.new_expires_at:%Y-%m-%d} (was {until}); sha256 {item.new_sha256}"
        )
    if item.outcome == "would_renew":
        return f"would renew {item.reference}: its latest timestamp ({item.authority}) expires {until}"
    if item.outcome == "not_due":
        return f"not due {item.reference}: timestamp valid until {until}, due from {item.renew_from:%Y-%m-%d}"
    return f"{item.outcome.replace('_', ' ')} {item.reference}: {item.message}"


def _signatures_renew(settings: Settings, args: argparse.Namespace) -> int:
    """Renew the document timestamps of the stored B-LTA reports due within TADQIQ_TIMESTAMP_RENEW_DAYS;
    exits 1 when one failed or came too late (a timer then shows the unit as failed)."""
    from server.reports.renewal import renew_signatures

    _quiet_pyhanko()
    run = asyncio.run(_with_engine(settings, lambda: renew_signatures(settings, dry_run=args.dry_run)))
    for item in run.items:
        print(_renewal_line(item), file=sys.stderr if item.outcome in ("failed", "too_late") else sys.stdout)
    if run.problem:
        print(f"error: {run.problem}", file=sys.stderr)
    counts = ", ".join(
        f"{run.count(outcome)} {label}"
        for outcome, label in (
            ("renewed", "renewed"),
            ("would_renew", "to renew"),
            ("not_due", "not due"),
            ("too_late", "too late"),
            ("failed", "failed"),
            ("skipped", "skipped"),
        )
        if run.count(outcome) or outcome in ("renewed", "not_due")
    )
    dry = " (dry run: nothing written)" if run.dry_run else ""
    print(f"{len(run.items)} B-LTA report(s), window {run.window_days} days: {counts}{dry}")
    return 0 if run.ok else 1


def _keys_init(settings: Settings, args: argparse.Namespace) -> int:
    from server.reports.keys import (
        DEMO_KEY_PASSWORD,
        SigningKeyError,
        describe_key_file,
        key_password,
        make_demo_key,
    )

    path = settings.signing_key_file
    organisation: str = args.organisation
    try:
        make_demo_key(
            path,
            key_password(settings),
            organisation=organisation,
            common_name=f"{organisation} (demo)",
            days=args.days,
            force=args.force,
        )
        described = describe_key_file(path, key_password(settings))
    except SigningKeyError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"self-signed demo signing key written to {path}")
    print(f"  certificate SHA-256: {described.fingerprint}")
    print(f"  valid until: {described.not_after:%Y-%m-%d %H:%M} UTC")
    if not settings.signing_key_password:
        print(f"  password: the demo passphrase {DEMO_KEY_PASSWORD!r} (TADQIQ_SIGNING_KEY_PASSWORD is empty)")
    return 0


def _keys_show(settings: Settings, _: argparse.Namespace) -> int:
    from server.reports.keys import SigningKeyError, describe_key_file, key_password

    path = settings.signing_key_file
    try:
        key = describe_key_file(path, key_password(settings))
    except SigningKeyError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    self_signed = " (self-signed)" if key.issuer == key.subject else ""
    print(f"signing key {path}")
    print(f"  subject:     {key.subject}")
    print(f"  issuer:      {key.issuer}{self_signed}")
    print(
        f"  valid:       {key.not_before:%Y-%m-%d %H:%M} to {key.not_after:%Y-%m-%d %H:%M} UTC ({key.status})"
    )
    print(f"  key:         {key.key_type}")
    print(f"  key usage:   {', '.join(key.key_usage) or 'not stated'}")
    print(f"  SHA-256:     {key.fingerprint}")
    return 0


def _iso_date(raw: str) -> date:
    """An argparse type: a day as YYYY-MM-DD, in ASCII digits."""
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw, re.ASCII):
            return date.fromisoformat(raw)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"a date as YYYY-MM-DD is expected (got {raw!r})")


_soon_days = _at_least_one("days")


def _digest(settings: Settings, args: argparse.Namespace) -> int:
    """The day's digest of late and due nonconformity follow-up, per person: printed, written as files
    (--out) and/or mailed through the relay (--mail). Exits 1 when a mail could not be sent."""
    from pathlib import Path
    from zoneinfo import ZoneInfo

    from server.actions.digest import compose_digests
    from server.actions.digest_gather import gather, send_mail, write_files
    from server.lib.clock import utcnow

    day: date = args.date or utcnow().astimezone(ZoneInfo(settings.time_zone)).date()
    records, facts = asyncio.run(_with_engine(settings, gather))
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tadqiq", description="Tadqiq — internal audits of an integrated QSE system"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply pending database migrations (safe to run again)").set_defaults(
        run=_migrate
    )
    commands.add_parser("demo", help="load the demo council into an empty database").set_defaults(run=_demo)
    serve = commands.add_parser("serve", help="serve the API on TADQIQ_HOST:TADQIQ_PORT")
    serve.add_argument(
        "--workers",
        type=_workers,
        help="server processes (default: TADQIQ_WORKERS, 1); above 1, PostgreSQL only",
    )
    serve.set_defaults(run=_serve)
    user = commands.add_parser("user", help="create an account")
    user.add_argument("username")
    user.add_argument(
        "--roles", required=True, help="comma-separated: admin,audit_lead,auditor,manager,auditee"
    )
    user.add_argument("--password", help="initial password (asked for when omitted)")
    user.set_defaults(run=_user)
    checklists = commands.add_parser("checklists", help="the checklist library")
    checklist_commands = checklists.add_subparsers(dest="checklists_command", required=True)
    check = checklist_commands.add_parser("check", help="validate the library and print its coverage")
    check.add_argument("--path", help="library folder (default: checklists/)")
    check.add_argument(
        "--strict", action="store_true", help="fail on wording warnings too (glossary, question form)"
    )
    check.set_defaults(run=_checklists_check)
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
    keys = commands.add_parser("keys", help="the organisation's key that signs the reports")
    key_commands = keys.add_subparsers(dest="keys_command", required=True)
    init = key_commands.add_parser(
        "init", help="make a self-signed demo key at TADQIQ_SIGNING_KEY_PATH (default: var/signing/)"
    )
    init.add_argument("--force", action="store_true", help="replace an existing key (old reports then fail)")
    init.add_argument(
        "--organisation", default="Tadqiq demo organisation", help="the organisation named in the certificate"
    )
    init.add_argument("--days", type=_key_days, default=3 * 365, help="validity in days (default: 1095)")
    init.set_defaults(run=_keys_init)
    key_commands.add_parser(
        "show", help="print the signing certificate: subject, validity, fingerprint"
    ).set_defaults(run=_keys_show)
    verify = commands.add_parser(
        "verify", help="check a report PDF: valid signature, whole file signed, in the register, current"
    )
    verify.add_argument("file", help="the PDF to check")
    verify.add_argument("--lang", default="fr", help="language of the verdict: ar, fr or en (default: fr)")
    verify.add_argument(
        "--at",
        type=_iso_moment,
        help="validate as of this moment, e.g. 2035-01-01 (default: now); years ahead shows whether the "
        "report will still validate after its certificates expire",
    )
    verify.add_argument(
        "--offline",
        action="store_true",
        help="use only the data embedded in the file (no OCSP or CRL fetched); the API always does",
    )
    verify.set_defaults(run=_verify)
    signatures = commands.add_parser("signatures", help="the long-term upkeep of signed reports (B-LTA)")
    signature_commands = signatures.add_subparsers(dest="signatures_command", required=True)
    renew = signature_commands.add_parser(
        "renew",
        help="add a fresh document timestamp to every stored B-LTA report whose latest one expires within "
        "TADQIQ_TIMESTAMP_RENEW_DAYS (run daily from the timer or cron)",
    )
    renew.add_argument("--dry-run", action="store_true", help="list what is due, renew and write nothing")
    renew.set_defaults(run=_signatures_renew)
    digest = commands.add_parser(
        "digest", help="the day's digest of late and due nonconformity follow-up, per person"
    )
    digest.add_argument("--date", type=_iso_date, help="the day, YYYY-MM-DD (default: today, local time)")
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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = load_settings()
    result: int = args.run(settings, args)
    return result


if __name__ == "__main__":
    sys.exit(main())

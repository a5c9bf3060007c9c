"""``tadqiq`` commands on the reports' signatures: keys init and show, verify (with the long-term
validation as of a moment), signatures renew (the B-LTA upkeep)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from server.cli.common import Commands, at_least_one, iso_moment, quiet_pyhanko, with_engine
from server.settings import Settings

_key_days = at_least_one("days")


def _verify(settings: Settings, args: argparse.Namespace) -> int:
    """The verdict of ``POST /api/v1/reports/verify`` from the command line, with the long-term (AdES)
    validation as of ``--at``: 0 only for an unaltered, wholly signed report of the register whose
    long-term validation passes (below B-T, with no ``--at``, a missing timestamp is no failure)."""
    from pathlib import Path

    from server.lib.errors import AppError, message_for
    from server.lib.i18n import as_locale
    from server.reports.service import verify_document

    quiet_pyhanko()
    locale = as_locale(args.lang) or "fr"
    try:
        raw = Path(args.file).read_bytes()
    except OSError as error:
        print(f"error: cannot read {args.file}: {error.strerror}", file=sys.stderr)
        return 2

    async def work() -> Any:
        return await verify_document(settings, raw, locale, at=args.at, offline=args.offline)

    try:
        verdict = asyncio.run(with_engine(settings, work))
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

    quiet_pyhanko()
    run = asyncio.run(with_engine(settings, lambda: renew_signatures(settings, dry_run=args.dry_run)))
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


def register(commands: Commands) -> None:
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
        type=iso_moment,
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

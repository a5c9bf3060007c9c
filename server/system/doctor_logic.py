"""The pure half of ``tadqiq doctor``: facts gathered about an installation become findings, each a
:class:`Check` saying in words what is wrong and what to do about it.

No I/O here: ``server/system/doctor.py`` gathers the facts (database, blob stores, key file, catalogs,
clocks, disk). A *problem* makes the command exit non-zero; a *warning* (a demo key, say) is printed
but lets it pass. Messages are for the IT admin, in English, like the other commands'.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Literal

__all__ = [
    "CLOCK_TOLERANCE",
    "Check",
    "ClockFacts",
    "DatabaseFacts",
    "KeyFacts",
    "Severity",
    "StoreProbe",
    "blob_store_check",
    "catalog_check",
    "clock_check",
    "database_checks",
    "disk_check",
    "exit_code",
    "ok_check",
    "problem_check",
    "render_json",
    "render_text",
    "signing_key_checks",
    "warning_check",
]

Severity = Literal["problem", "warning"]

CLOCK_TOLERANCE = timedelta(seconds=60)
"""How far the system clock may be from the database server's (or behind the newest stored time)."""

_MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Check:
    """One finding: ``ok``, or a problem (or warning) in words with what to do about it."""

    name: str
    ok: bool
    message: str
    hint: str = ""
    severity: Severity = "problem"
    """Only meaningful when not ``ok``: a problem fails the command, a warning does not."""


def ok_check(name: str, message: str) -> Check:
    return Check(name, True, message)


def problem_check(name: str, message: str, hint: str) -> Check:
    return Check(name, False, message, hint)


def warning_check(name: str, message: str, hint: str) -> Check:
    return Check(name, False, message, hint, "warning")


# ------------------------------------------------------------------ database


@dataclass(frozen=True, slots=True)
class DatabaseFacts:
    kind: str
    """``sqlite`` or ``postgresql``."""
    where: str
    """The file, or the URL without its password."""
    error: str | None = None
    """Why it could not be opened (None: it was)."""
    applied: int = 0
    pending: tuple[str, ...] = ()
    """``app:migration id`` of each migration shipped but not applied."""

    @property
    def usable(self) -> bool:
        """Reachable and migrated: the checks that read tables may run."""
        return self.error is None and not self.pending


def database_checks(facts: DatabaseFacts) -> list[Check]:
    label = "PostgreSQL" if facts.kind == "postgresql" else "SQLite"
    if facts.error is not None:
        hint = (
            "check TADQIQ_DATABASE_URL, that PostgreSQL runs, and that it lets this role in (pg_hba.conf)"
            if facts.kind == "postgresql"
            else "check TADQIQ_DATABASE_URL (or TADQIQ_VAR_DIR); a new installation starts with "
            "`tadqiq migrate`"
        )
        return [
            problem_check("database", f"cannot open the {label} database {facts.where}: {facts.error}", hint)
        ]
    found = [ok_check("database", f"{label} database {facts.where} opened and writable")]
    if facts.pending:
        shown = ", ".join(facts.pending[:5]) + (", …" if len(facts.pending) > 5 else "")
        found.append(
            problem_check(
                "migrations",
                f"{len(facts.pending)} migration(s) not applied ({shown}): this version's tables are missing",
                "run `tadqiq migrate` with the same settings, then restart the service",
            )
        )
    else:
        found.append(ok_check("migrations", f"all {facts.applied} migrations applied"))
    return found


# ------------------------------------------------------------------ blob stores


@dataclass(frozen=True, slots=True)
class StoreProbe:
    """A probe blob stored, read back and removed through the configured blob store, for each of the
    attachments and the issued reports."""

    where: str
    """``TADQIQ_BLOB_STORE`` and where it keeps the blobs (folders, or the database)."""
    read_only: tuple[str, ...] = ()
    """The filesystem store's folders (or their nearest existing parents) this user cannot write."""
    error: str | None = None
    """What went wrong storing, reading back or removing the probe (None: nothing)."""


def blob_store_check(probe: StoreProbe) -> Check:
    name = "blob store"
    if probe.read_only:
        return problem_check(
            name,
            f"{', '.join(probe.read_only)}: read-only for this user, so photos and issued reports cannot be "
            "stored",
            "let the service user write there (chown -R tadqiq:tadqiq on it), on a file system mounted "
            "read-write; run the doctor as that user",
        )
    if probe.error is not None:
        return problem_check(
            name,
            f"a probe file could not be stored, read back and removed: {probe.error}",
            "check that the folders (or the database) have room and that the service user may write there",
        )
    return ok_check(name, f"{probe.where}: a probe file was stored, read back and removed")


# ------------------------------------------------------------------ signing key


@dataclass(frozen=True, slots=True)
class KeyFacts:
    path: str
    missing: bool = False
    error: str | None = None
    """Why the PKCS#12 file could not be opened with the configured password."""
    subject: str = ""
    self_signed: bool = False
    demo_passphrase: bool = False
    """``TADQIQ_SIGNING_KEY_PASSWORD`` is empty: the key is protected by the published demo passphrase."""
    not_before: datetime | None = None
    not_after: datetime | None = None


def signing_key_checks(facts: KeyFacts, now: datetime, margin_days: int) -> list[Check]:
    name = "signing key"
    if facts.missing:
        return [
            problem_check(
                name,
                f"no signing key at {facts.path}: reports cannot be issued",
                "set TADQIQ_SIGNING_KEY_PATH to the organisation's PKCS#12 file and "
                "TADQIQ_SIGNING_KEY_PASSWORD to its password (`tadqiq keys init` makes a demonstration "
                "key only)",
            )
        ]
    if facts.error is not None or facts.not_after is None or facts.not_before is None:
        return [problem_check(name, facts.error or f"{facts.path} holds no certificate", "")]
    found = [_key_validity(facts.path, facts.not_before, facts.not_after, now, margin_days)]
    origin = _key_origin(facts)
    if origin is not None:
        found.append(origin)
    return found


def _key_validity(path: str, not_before: datetime, not_after: datetime, now: datetime, margin: int) -> Check:
    name = "signing key"
    until = f"{not_after:%Y-%m-%d %H:%M} UTC"
    renew = "renew the certificate with its provider and point TADQIQ_SIGNING_KEY_PATH at the new file"
    if now < not_before:
        return problem_check(
            name,
            f"the certificate in {path} is not valid before {not_before:%Y-%m-%d %H:%M} UTC",
            "check the system clock, else wait for the certificate's start or use the current one",
        )
    if now >= not_after:
        return problem_check(
            name, f"the certificate in {path} expired on {until}: reports cannot be signed", renew
        )
    left = not_after - now
    if left < timedelta(days=margin):
        return problem_check(
            name,
            f"the certificate in {path} expires on {until}, in {left.days} day(s): less than the "
            f"{margin} days TADQIQ_SIGNING_MARGIN_DAYS asks, so reports are refused",
            renew,
        )
    return ok_check(
        name, f"{path} opens with its password; certificate valid until {until} ({left.days} days)"
    )


def _key_origin(facts: KeyFacts) -> Check | None:
    reasons = []
    if facts.self_signed:
        reasons.append("its certificate is self-signed, so no reader can trace it to a certificate authority")
    if facts.demo_passphrase:
        reasons.append(
            "it is protected by the published demo passphrase (TADQIQ_SIGNING_KEY_PASSWORD is empty)"
        )
    if not reasons:
        return None
    return warning_check(
        "signing key origin",
        f"{facts.subject or facts.path}: a demonstration key? " + "; ".join(reasons),
        "for real reports use the organisation's key issued by a certificate provider, with a password "
        "of its own",
    )


# ------------------------------------------------------------------ catalogs


def catalog_check(locale: str, po_mtime: float | None, mo_mtime: float | None, po_path: str) -> Check:
    """The compiled catalog of ``locale`` exists and is not older than its ``.po`` source."""
    name = f"catalog {locale}"
    hint = "run `make i18n-compile` in the code's folder (after every upgrade), then restart the service"
    if po_mtime is None:
        return problem_check(
            name, f"no catalog source {po_path}: the code is incomplete", "check out the code again"
        )
    if mo_mtime is None:
        return problem_check(
            name, f"{po_path} is not compiled (no messages.mo): {locale} texts would show in English", hint
        )
    if mo_mtime < po_mtime:
        return problem_check(
            name, f"messages.mo is older than {po_path}: newer {locale} texts would be missing", hint
        )
    return ok_check(name, f"{locale} catalog compiled")


# ------------------------------------------------------------------ clock


@dataclass(frozen=True, slots=True)
class ClockFacts:
    now: datetime
    """The system clock (aware)."""
    release: date
    """A day this version cannot predate (its newest migration's)."""
    database_now: datetime | None = None
    """PostgreSQL's clock, read at ``now``."""
    newest_stored: datetime | None = None
    """The newest time written in the audit trail."""


def clock_check(facts: ClockFacts, tolerance: timedelta = CLOCK_TOLERANCE) -> Check:
    name = "clock"
    now = f"{facts.now:%Y-%m-%d %H:%M:%S} UTC"
    fix = "set the system clock right and keep it synchronised (systemd-timesyncd or chrony)"
    if facts.now.date() < facts.release:
        return problem_check(
            name, f"the system clock says {now}, before this version was made ({facts.release})", fix
        )
    if facts.database_now is not None and abs(facts.database_now - facts.now) > tolerance:
        skew = int(abs(facts.database_now - facts.now).total_seconds())
        return problem_check(
            name,
            f"the system clock ({now}) and the database server's "
            f"({facts.database_now:%Y-%m-%d %H:%M:%S} UTC) differ by {skew} s, more than "
            f"{int(tolerance.total_seconds())} s",
            fix + ", on both machines",
        )
    if facts.newest_stored is not None and facts.now < facts.newest_stored - tolerance:
        return problem_check(
            name,
            f"the system clock ({now}) is before the newest audit-trail entry "
            f"({facts.newest_stored:%Y-%m-%d %H:%M:%S} UTC): it went back",
            fix,
        )
    compared = [f"after this version's release ({facts.release})"]
    if facts.newest_stored is not None:
        compared.append("not before the newest audit-trail entry")
    if facts.database_now is not None:
        compared.append("agrees with the database server's")
    return ok_check(name, f"{now}: " + ", ".join(compared))


# ------------------------------------------------------------------ disk


def disk_check(path: str, free_bytes: int, min_free_mb: int) -> Check:
    name = "free disk"
    free = f"{free_bytes // _MIB} MiB free under {path}"
    if free_bytes < min_free_mb * _MIB:
        return problem_check(
            name,
            f"only {free}, less than the {min_free_mb} MiB TADQIQ_DOCTOR_MIN_FREE_MB asks",
            "free some space or move TADQIQ_VAR_DIR to a larger disk (old backups and logs are the usual "
            "culprits)",
        )
    return ok_check(name, free)


# ------------------------------------------------------------------ the report


def exit_code(checks: list[Check]) -> int:
    """1 when any check found a problem (warnings do not count), else 0."""
    return int(any(not c.ok and c.severity == "problem" for c in checks))


def render_text(checks: list[Check]) -> str:
    lines = []
    for check in checks:
        status = "ok" if check.ok else check.severity.upper()
        lines.append(f"{status:<8} {check.name}: {check.message}")
        if not check.ok and check.hint:
            lines.append(f"{'':<8}   what to do: {check.hint}")
    problems = sum(not c.ok and c.severity == "problem" for c in checks)
    warnings = sum(not c.ok and c.severity == "warning" for c in checks)
    if problems:
        lines.append(f"not ready: {problems} problem(s), {warnings} warning(s) in {len(checks)} checks")
    elif warnings:
        lines.append(f"ready, with {warnings} warning(s) in {len(checks)} checks")
    else:
        lines.append(f"ready: all {len(checks)} checks passed")
    return "\n".join(lines)


def render_json(checks: list[Check]) -> str:
    return json.dumps(
        {"ok": exit_code(checks) == 0, "checks": [asdict(check) for check in checks]},
        ensure_ascii=False,
        indent=2,
    )

"""What ``tadqiq digest`` reads and where it delivers: the records still followed, the organisation's
people, units, accounts and audits (through each domain's store), then the composed digests written
as files (atomically) or sent through the optional SMTP relay. No mail server is assumed."""

from __future__ import annotations

import os
import re
import smtplib
import ssl
import tempfile
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING

from server.actions import store as nc_store
from server.actions.digest import DigestAudit, DigestPerson, DigestUnit, OrgFacts
from server.actions.model import NcStatus
from server.audits import store as audits_store
from server.auth import store as auth_store
from server.org import people_store
from server.org import store as org_store

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date

    from server.actions.digest import Digest
    from server.actions.model import Nonconformity
    from server.settings import Settings

__all__ = ["MailReport", "file_name", "gather", "message", "send_mail", "write_files"]

_FOLLOWED = [s.value for s in NcStatus if s not in (NcStatus.CLOSED, NcStatus.REJECTED)]
_SAFE = re.compile(r"[^A-Za-z0-9._-]")
SMTP_TIMEOUT_SECONDS = 30


async def gather() -> tuple[list[Nonconformity], OrgFacts]:
    """The records still followed (a closed or rejected one is never due) and the facts about the people
    they concern. People archived get no digest, but their names still show on the actions they own."""
    records = await nc_store.list_records(statuses=_FOLLOWED)
    people = await people_store.list_people(None)
    accounts = {u.person_id: u for u in await auth_store.list_users() if u.person_id and u.active}
    wanted = {nc.audit_id for nc in records}
    audits = [a for a in await audits_store.list_audits() if a.id in wanted] if wanted else []
    recipients = []
    for p in people:
        if p.archived_at is not None:
            continue
        account = accounts.get(p.id)
        recipients.append(
            DigestPerson(
                id=p.id,
                name={"ar": p.full_name.ar, "fr": p.full_name.fr},
                unit_id=p.unit_id,
                roles=frozenset(account.roles) if account else frozenset(),
                username=account.username if account else None,
                email=p.email or "",
                locale=account.locale if account else None,
            )
        )
    facts = OrgFacts(
        people=tuple(recipients),
        units={
            u.id: DigestUnit(u.id, u.code, {"ar": u.name.ar, "fr": u.name.fr}, u.parent_id)
            for u in await org_store.list_units()
        },
        audits={a.id: DigestAudit(a.id, a.code, frozenset(m.person_id for m in a.team)) for a in audits},
        names={p.id: {"ar": p.full_name.ar, "fr": p.full_name.fr} for p in people},
    )
    return records, facts


# ---------------------------------------------------------------- files


def file_name(digest: Digest, today: date) -> str:
    """``<date>-<username or person id>.txt``, safe as a file name whatever the username."""
    return f"{today.isoformat()}-{_SAFE.sub('_', digest.name)}.txt"


def write_files(digests: Sequence[Digest], out_dir: Path, today: date) -> list[Path]:
    """One text file per digest in ``out_dir`` (made if missing), each written to a temporary file then
    renamed, so a reader never sees half a digest and a rerun replaces the day's files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for digest in digests:
        target = out_dir / file_name(digest, today)
        handle, temporary = tempfile.mkstemp(dir=out_dir, prefix=".digest-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
                out.write(digest.text())
                out.flush()
                os.fsync(out.fileno())
            Path(temporary).replace(target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        written.append(target)
    return written


# ---------------------------------------------------------------- mail


@dataclass
class MailReport:
    sent: list[str] = field(default_factory=list)
    """Addresses the relay accepted a digest for."""
    without_address: list[str] = field(default_factory=list)
    """Who has a digest but no e-mail address in the organisation's people (username or id)."""
    failed: list[tuple[str, str]] = field(default_factory=list)
    """(address, what went wrong, in words) for each digest not sent."""
    relay_error: str = ""
    """Set when the relay could not be used at all (none set, unreachable, refused the session)."""

    @property
    def ok(self) -> bool:
        return not (self.failed or self.relay_error)


def message(digest: Digest, sender: str) -> EmailMessage:
    """The digest as a mail: plain text, with the HTML version as its alternative."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = digest.email
    mail["Subject"] = digest.subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail.set_content(digest.text())
    mail.add_alternative(digest.html(), subtype="html")
    mail["Content-Language"] = digest.locale  # after the content: setting it clears Content-* headers
    return mail


def _open_relay(settings: Settings) -> smtplib.SMTP:
    relay = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS)
    try:
        if settings.smtp_starttls:
            relay.starttls(context=ssl.create_default_context())
    except BaseException:
        relay.close()
        raise
    return relay


def _words(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) else ""
        return f"the relay answered {error.smtp_code} {text}".strip()
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "the relay refused the recipient"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def send_mail(digests: Sequence[Digest], settings: Settings) -> MailReport:
    """Send each digest to its person's address over one session with the relay. A digest the relay
    refuses is reported and the others still go; a relay that cannot be reached, or drops the session,
    is reported once and the digests left are not sent."""
    report = MailReport()
    if not settings.smtp_host or not settings.smtp_from:
        report.relay_error = "no SMTP relay set (TADQIQ_SMTP_HOST and TADQIQ_SMTP_FROM)"
        return report
    addressed = [d for d in digests if d.email]
    report.without_address = [d.name for d in digests if not d.email]
    if not addressed:
        return report
    try:
        relay = _open_relay(settings)
    except (OSError, smtplib.SMTPException) as error:
        report.relay_error = (
            f"cannot use the relay {settings.smtp_host}:{settings.smtp_port}: {_words(error)}"
        )
        return report
    try:
        for number, digest in enumerate(addressed):
            try:
                relay.send_message(message(digest, settings.smtp_from))
                report.sent.append(digest.email)
            except smtplib.SMTPServerDisconnected as error:
                report.relay_error = f"the relay closed the session: {_words(error)}"
                report.failed += [(d.email, "not sent: the session was lost") for d in addressed[number:]]
                return report
            except (smtplib.SMTPException, OSError) as error:
                report.failed.append((digest.email, _words(error)))
    finally:
        try:
            relay.quit()
        except (OSError, smtplib.SMTPException):
            relay.close()
    return report

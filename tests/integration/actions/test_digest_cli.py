"""``tadqiq digest`` on the demo database with records of its own (SQLite and PostgreSQL): the digests on
standard output, as one file per person, and mailed through a local stand-in for an SMTP relay (which
may refuse a recipient, or not be there at all)."""

from __future__ import annotations

import asyncio
import email
import os
import socket
import socketserver
import subprocess
import sys
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest

from server.actions import store as nc_store
from server.actions.model import Action, ActionType, NcStatus, Nonconformity, Severity
from server.audits import store as audits_store
from server.demo.completed_audit import COMPLETED_CODE
from server.lib import db
from server.lib.i18n import translate
from server.org import people_store
from server.org import store as org_store
from server.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
DAY = date(2031, 3, 10)
"""Far enough ahead that whatever the demo itself holds is late too: assertions are about our records."""


def ago(days: int) -> date:
    return DAY - timedelta(days=days)


@dataclass
class Cast:
    audit_code: str
    emails: dict[str, str]


@pytest.fixture
async def cast(settings: Settings) -> AsyncIterator[Cast]:
    """Three records of the demo's completed audit, in the procurement division (DAF-DMP, answered by
    auditee1): a plan late, a plan under way with an action of auditee2's late, one waiting to be
    verified (auditors 2 and 5 were on that audit's team, auditor1 was not)."""
    engine = db.make_engine(settings)
    await db.start_engine(engine)
    try:
        audit = next(a for a in await audits_store.list_audits() if COMPLETED_CODE.match(a.code))
        unit = next(u.id for u in await org_store.list_units() if u.code == "DAF-DMP")
        people = {p.username: p for p in await people_store.list_people(None) if p.username}

        def record(**changes: object) -> Nonconformity:
            fields: dict[str, object] = {
                "id": str(uuid.uuid4()),
                "audit_id": audit.id,
                "finding_id": str(uuid.uuid4()),
                "severity": Severity.MINOR,
                "unit_id": unit,
                "clauses": ("iso9001:8.4.1",),
                "opened_on": ago(60),
                "plan_due": ago(30),
                "close_due": DAY + timedelta(days=120),
                **changes,
            }
            return Nonconformity(**fields)  # type: ignore[arg-type]

        late_action = Action(
            str(uuid.uuid4()),
            ActionType.CORRECTIVE,
            "Fiches d'évaluation des titulaires",
            people["auditee2"].id,
            ago(4),
        )
        for nc in (
            record(status=NcStatus.ANALYSIS, severity=Severity.MAJOR),
            record(status=NcStatus.IN_PROGRESS, actions=(late_action,)),
            record(status=NcStatus.VERIFICATION, plan_due=ago(50)),
        ):
            assert await nc_store.insert(nc)
        yield Cast(audit.code, {name: p.email or "" for name, p in people.items()})
    finally:
        await db.stop_engine(engine)


async def digest(settings: Settings, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The real command, in its own process (it opens its own database engine)."""
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "server.cli", "digest", "--date", DAY.isoformat(), *args],
        cwd=ROOT,
        env={
            **os.environ,
            "TADQIQ_DATABASE_URL": settings.database_url,
            "TADQIQ_VAR_DIR": str(settings.var_dir),
            **env,
        },
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def blocks(stdout: str) -> dict[str, str]:
    """The printed digests by username: each starts with its ``===== name <address> [lang] =====`` line."""
    found: dict[str, str] = {}
    for chunk in stdout.split("===== ")[1:]:
        head, _, body = chunk.partition(" =====\n")
        found[head.split(" ")[0]] = f"===== {head} =====\n{body}"
    return found


async def test_stdout_has_one_digest_per_person_concerned_each_in_their_language(
    settings: Settings, cast: Cast
) -> None:
    done = await digest(settings)
    assert done.returncode == 0, done.stderr
    printed = blocks(done.stdout)
    for name in ("auditee1", "auditee2", "auditor2", "auditor5", "lead"):
        assert name in printed, name
    assert "auditor1" not in printed  # not on the audit's team, nothing of theirs late
    assert "admin" not in printed and "manager" not in printed
    auditee1 = printed["auditee1"]
    assert auditee1.startswith(f"===== auditee1 <{cast.emails['auditee1']}> [ar] =====")
    assert translate("ar", "In your units") in auditee1 and cast.audit_code in auditee1
    assert translate("ar", "days late: {days}", days=30) in auditee1  # the plan due 30 days ago
    assert "Fiches d'évaluation des titulaires" in printed["auditee2"]
    assert translate("ar", "Your actions") in printed["auditee2"]
    assert translate("fr", "Waiting for your verification") in printed["auditor2"]
    assert printed["lead"].startswith(f"===== lead <{cast.emails['lead']}> [fr] =====")
    assert translate("fr", "Late, by unit") in printed["lead"]


async def test_out_writes_one_file_per_person_atomically(
    settings: Settings, cast: Cast, tmp_path: Path
) -> None:
    out = tmp_path / "digests"
    printed = blocks((await digest(settings)).stdout)
    done = await digest(settings, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""  # files instead of the screen
    files = {p.name for p in out.iterdir()}
    assert files == {f"{DAY.isoformat()}-{name}.txt" for name in printed}
    for name, block in printed.items():
        body = (out / f"{DAY.isoformat()}-{name}.txt").read_text(encoding="utf-8")
        assert block.endswith(body + "\n")
    again = await digest(settings, "--out", str(out))  # a rerun replaces the day's files
    assert again.returncode == 0 and {p.name for p in out.iterdir()} == files


# ---------------------------------------------------------------- a stand-in for the SMTP relay


@dataclass
class Relay:
    port: int
    refuse: set[str] = field(default_factory=set)
    received: list[tuple[list[str], bytes]] = field(default_factory=list)

    def messages(self) -> dict[str, EmailMessage]:
        found = {}
        for recipients, data in self.received:
            parsed = email.message_from_bytes(data, policy=default_policy)
            assert isinstance(parsed, EmailMessage)
            found[recipients[0]] = parsed
        return found


class _Session(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: greeting, EHLO, MAIL, RCPT (refusing some), DATA, RSET, QUIT."""

    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        relay: Relay = self.server.relay  # type: ignore[attr-defined]
        recipients: list[str] = []
        self.reply("220 relay.test ready")
        while raw := self.rfile.readline():
            command = raw.decode("ascii", "replace").strip()
            verb, argument = command[:4].upper(), command[5:]
            if verb in ("EHLO", "HELO", "NOOP"):
                self.reply("250 relay.test")
            elif verb in ("MAIL", "RSET"):
                recipients = []
                self.reply("250 ok")
            elif verb == "RCPT":
                address = argument.partition(":")[2].strip().strip("<>")
                if address in relay.refuse:
                    self.reply("550 no such mailbox here")
                else:
                    recipients.append(address)
                    self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 go on")
                lines = []
                while (line := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(line[1:] if line.startswith(b"..") else line)
                relay.received.append((recipients, b"".join(lines)))
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not here")


@pytest.fixture
def relay() -> Iterator[Relay]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Session)
    server.daemon_threads = True
    found = Relay(port=server.server_address[1])
    server.relay = found  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        server.shutdown()
        server.server_close()


def mail_env(port: int) -> dict[str, str]:
    return {
        "TADQIQ_SMTP_HOST": "127.0.0.1",
        "TADQIQ_SMTP_PORT": str(port),
        "TADQIQ_SMTP_FROM": "tadqiq@crbmk.example.ma",
    }


async def test_mail_sends_each_digest_to_the_persons_address_text_and_html(
    settings: Settings, cast: Cast, relay: Relay
) -> None:
    printed = blocks((await digest(settings)).stdout)
    done = await digest(settings, "--mail", **mail_env(relay.port))
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    mails = relay.messages()
    assert set(mails) == {cast.emails[name] for name in printed}
    mail = mails[cast.emails["auditee1"]]
    assert mail["From"] == "tadqiq@crbmk.example.ma"
    assert mail["Subject"] == translate(
        "ar", "Tadqiq: nonconformity follow-up on {date}", date=DAY.isoformat()
    )
    assert mail["Content-Language"] == "ar"
    text, page = mail.get_body(("plain",)), mail.get_body(("html",))
    assert text is not None and page is not None
    assert translate("ar", "In your units") in text.get_content()
    assert '<html lang="ar" dir="rtl">' in page.get_content()
    assert f"{len(mails)} mail(s) sent" in done.stderr


async def test_a_refused_recipient_is_reported_the_others_are_sent_and_the_command_fails(
    settings: Settings, cast: Cast, relay: Relay, tmp_path: Path
) -> None:
    relay.refuse.add(cast.emails["auditee2"])
    done = await digest(settings, "--mail", "--out", str(tmp_path), **mail_env(relay.port))
    assert done.returncode == 1
    assert f"mail to {cast.emails['auditee2']} not sent: the relay refused the recipient" in done.stderr
    assert cast.emails["auditee1"] in relay.messages() and cast.emails["auditee2"] not in relay.messages()
    assert (tmp_path / f"{DAY.isoformat()}-auditee2.txt").is_file()


async def test_a_relay_out_of_reach_is_reported_in_words_and_the_files_are_still_written(
    settings: Settings, cast: Cast, tmp_path: Path
) -> None:
    with socket.socket() as probe:  # a port with nobody listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = await digest(settings, "--mail", "--out", str(tmp_path), **mail_env(port))
    assert done.returncode == 1
    assert f"error: cannot use the relay 127.0.0.1:{port}: ConnectionRefusedError" in done.stderr
    assert (tmp_path / f"{DAY.isoformat()}-auditee1.txt").is_file()

    unset = await digest(settings, "--mail")
    assert unset.returncode == 1
    assert "error: no SMTP relay set (TADQIQ_SMTP_HOST and TADQIQ_SMTP_FROM)" in unset.stderr


async def test_a_malformed_date_is_refused(settings: Settings) -> None:
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "server.cli", "digest", "--date", "10/03/2031"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "a date as YYYY-MM-DD is expected" in done.stderr

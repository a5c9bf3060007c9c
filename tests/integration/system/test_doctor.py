"""``tadqiq doctor`` shown failing for each missing piece, then clean: the database (missing, or a
migration not applied), a read-only blob folder, the signing key (missing, expired, expiring within the
margin, a demo key), the catalogs, the clock, the free disk and the settings that make no sense in
production. Each run asserts the exit code and the words printed; where the database matters, on SQLite
and PostgreSQL."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from server.auth.logic import hash_password, make_hasher
from server.auth.tables import User
from server.lib import db
from server.lib.clock import utcnow
from server.settings import PROJECT_ROOT, Settings
from server.system.doctor import CHECKS, Examination, doctor_report, examine
from server.system.doctor_logic import Check
from server.system.doctor_signing import check_signing_preflight as examine_signing_preflight
from tests.conftest import _pg_url, missing_tool
from tests.pki.local_pki import LocalPki
from tests.unit.reports.test_preflight import closed_port_url

SQLITE_ONLY = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)
KEY_PASSWORD = "a key password of its own"


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


_SIGNING_USAGE = x509.KeyUsage(
    digital_signature=True,
    content_commitment=True,  # non-repudiation, which the signing preflight asks of a report signer
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=False,
    crl_sign=False,
    encipher_only=False,
    decipher_only=False,
)


def make_key(path: Path, *, not_after: datetime, self_signed: bool = False) -> None:
    """A PKCS#12 signing key whose certificate ends at ``not_after``, issued by a CA of its own (or
    self-signed), protected by KEY_PASSWORD."""
    key = ec.generate_private_key(ec.SECP256R1())
    issuer_key = key if self_signed else ec.generate_private_key(ec.SECP256R1())
    subject = _name("Conseil régional (signature des rapports)")
    issuer = subject if self_signed else _name("Autorité de certification de test")
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_after - timedelta(days=800))
        .not_valid_after(not_after)
        .add_extension(_SIGNING_USAGE, critical=True)
        .sign(issuer_key, hashes.SHA256())
    )
    blob = pkcs12.serialize_key_and_certificates(
        b"signing", key, certificate, None, serialization.BestAvailableEncryption(KEY_PASSWORD.encode())
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(blob)


def compile_catalogs(locales: Path) -> None:
    for po in locales.glob("*/LC_MESSAGES/messages.po"):
        with po.open("rb") as source:
            catalog = read_po(source)
        with po.with_suffix(".mo").open("wb") as target:
            write_mo(target, catalog)


@pytest.fixture(scope="session")
def compiled_locales(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the catalogs' sources, compiled after the copy (so never older than their .po)."""
    locales = tmp_path_factory.mktemp("doctor") / "locales"
    shutil.copytree(PROJECT_ROOT / "locales", locales, ignore=shutil.ignore_patterns("*.mo"))
    compile_catalogs(locales)
    return locales


@pytest.fixture
async def ready(settings: Settings, tmp_path: Path, compiled_locales: Path) -> Settings:
    """The demo installation made fit for real use: the organisation's key (issued by a CA, with a
    password), compiled catalogs, a public address, a proxy, and the demo accounts' passwords changed."""
    key_path = tmp_path / "keys" / "organisation.p12"
    make_key(key_path, not_after=utcnow() + timedelta(days=365))
    engine = db.make_engine(settings)
    await db.start_engine(engine)
    try:
        own = hash_password(make_hasher(1, 1024), secrets.token_urlsafe(16))
        await User.update({User.password_hash: own}, force=True).run()
    finally:
        await db.stop_engine(engine)
    return replace(
        settings,
        signing_key_path=key_path,
        signing_key_password=KEY_PASSWORD,
        locales_dir=compiled_locales,
        public_base_url="https://audit.example.ma",
        trusted_proxies="127.0.0.1",
        doctor_min_free_mb=1,
    )


def lines(text: str, status: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(status)]


async def test_a_ready_installation_passes_every_check(ready: Settings) -> None:
    code, text = await doctor_report(ready)
    assert code == 0, text
    assert not lines(text, "PROBLEM") and not lines(text, "WARNING"), text
    names = [line.split(":")[0].removeprefix("ok").strip() for line in lines(text, "ok")]
    assert names == [
        "database",
        "migrations",
        "blob store",
        "signing key",
        "signing preflight",
        "catalog ar",
        "catalog fr",
        "clock",
        "free disk",
        "public address",
        "trusted proxies",
        "workers",
        "demo password",
    ]
    assert text.splitlines()[-1] == "ready: all 13 checks passed"
    clock = next(line for line in lines(text, "ok") if " clock:" in line)
    assert "not before the newest audit-trail entry" in clock
    if ready.database_kind == "postgresql":
        assert "agrees with the database server's" in clock


async def test_a_missing_database_is_reported_and_not_created(ready: Settings, tmp_path: Path) -> None:
    if ready.database_kind == "sqlite":
        missing = tmp_path / "nowhere" / "tadqiq.sqlite3"
        absent = replace(ready, database_url=f"sqlite:///{missing}")
        words = f"PROBLEM  database: cannot open the SQLite database {missing}: there is no such file"
    else:
        name = f"tq_missing_{uuid.uuid4().hex[:8]}"
        absent = replace(ready, database_url=_pg_url(name))
        words = (
            f'PROBLEM  database: cannot open the PostgreSQL database {absent.database_url}: database "{name}"'
        )
    code, text = await doctor_report(absent)
    assert code == 1 and words in text, text
    assert "tadqiq migrate" in text or "pg_hba.conf" in text
    # Nothing read from tables that could not be opened; the checks that need no database still ran.
    assert " migrations:" not in text and " demo password:" not in text
    assert lines(text, "ok       free disk") and lines(text, "ok       catalog fr")
    if ready.database_kind == "sqlite":
        assert not missing.parent.exists()


async def _forget_newest_migration(settings: Settings) -> str:
    sql = "SELECT id, app_name, name FROM migration ORDER BY name DESC LIMIT 1"
    if settings.database_kind == "sqlite":
        with sqlite3.connect(settings.sqlite_path) as conn:
            row_id, app, name = conn.execute(sql).fetchone()
            conn.execute("DELETE FROM migration WHERE id = ?", (row_id,))
        return f"{app}:{name}"
    conn = await asyncpg.connect(settings.database_url)
    try:
        row = await conn.fetchrow(sql)
        await conn.execute("DELETE FROM migration WHERE id = $1", row["id"])
    finally:
        await conn.close()
    return f"{row['app_name']}:{row['name']}"


async def test_a_migration_not_applied_is_named(ready: Settings) -> None:
    pending = await _forget_newest_migration(ready)
    code, text = await doctor_report(ready)
    assert code == 1, text
    assert f"PROBLEM  migrations: 1 migration(s) not applied ({pending}): this version's tables" in text
    assert "run `tadqiq migrate` with the same settings" in text
    assert lines(text, "ok       database:")


@pytest.fixture
def read_only_blobs(ready: Settings) -> Iterator[Path]:
    """The attachments' folder made read-only for this process: its mode, and, for root (whom modes do
    not stop), the immutable flag on it and every folder below."""
    root = ready.var_dir / "blobs"
    folders = [root, *(p for p in root.rglob("*") if p.is_dir())]
    as_root = os.geteuid() == 0
    chattr = shutil.which("chattr")
    if as_root and chattr is None:
        missing_tool("chattr (e2fsprogs) is needed to make a folder read-only for root")
    for folder in folders:
        folder.chmod(0o555)
    if as_root and chattr and subprocess.run([chattr, "+i", *map(str, folders)], check=False).returncode:
        missing_tool("chattr +i is not supported on this file system")
    try:
        yield root
    finally:
        if as_root and chattr:
            subprocess.run([chattr, "-i", *map(str, folders)], check=True)
        for folder in folders:
            folder.chmod(0o755)


@SQLITE_ONLY
async def test_a_read_only_blob_folder_is_reported(ready: Settings, read_only_blobs: Path) -> None:
    code, text = await doctor_report(ready)
    assert code == 1, text
    assert f"PROBLEM  blob store: {read_only_blobs}: read-only for this user, so photos and issued" in text
    assert "chown -R tadqiq:tadqiq" in text


@SQLITE_ONLY
async def test_a_missing_signing_key_is_reported(ready: Settings, tmp_path: Path) -> None:
    code, text = await doctor_report(replace(ready, signing_key_path=tmp_path / "none.p12"))
    assert code == 1
    assert (
        f"PROBLEM  signing key: no signing key at {tmp_path / 'none.p12'}: reports cannot be issued" in text
    )
    assert "TADQIQ_SIGNING_KEY_PATH" in text


@SQLITE_ONLY
async def test_an_expired_or_soon_expiring_key_is_reported_and_a_demo_key_warned_of(
    ready: Settings, tmp_path: Path
) -> None:
    expired = tmp_path / "expired.p12"
    make_key(expired, not_after=utcnow() - timedelta(days=2))
    code, text = await doctor_report(replace(ready, signing_key_path=expired))
    assert code == 1 and f"PROBLEM  signing key: the certificate in {expired} expired on" in text

    soon = tmp_path / "soon.p12"
    make_key(soon, not_after=utcnow() + timedelta(days=10, hours=1))
    code, text = await doctor_report(replace(ready, signing_key_path=soon, signing_margin_days=30))
    assert code == 1, text
    assert "in 10 day(s): less than the 30 days TADQIQ_SIGNING_MARGIN_DAYS asks" in text
    code, text = await doctor_report(replace(ready, signing_key_path=soon, signing_margin_days=7))
    assert code == 0, text

    code, text = await doctor_report(replace(ready, signing_key_path=soon, signing_key_password="wrong"))
    assert code == 1 and "wrong password (TADQIQ_SIGNING_KEY_PASSWORD)" in text

    # The demo's own key (`tadqiq keys init`): self-signed, under the published passphrase.
    code, text = await doctor_report(replace(ready, signing_key_path=None, signing_key_password=""))
    assert code == 0, text
    [warning] = lines(text, "WARNING")
    assert "self-signed" in warning and "published demo passphrase" in warning
    assert text.splitlines()[-1] == "ready, with 1 warning(s) in 14 checks"


@SQLITE_ONLY
async def test_uncompiled_or_stale_catalogs_are_reported(ready: Settings, tmp_path: Path) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(ready.locales_dir, locales, ignore=shutil.ignore_patterns("*.mo"))
    code, text = await doctor_report(replace(ready, locales_dir=locales))
    assert code == 1
    for locale in ("ar", "fr"):
        po = locales / locale / "LC_MESSAGES" / "messages.po"
        assert f"PROBLEM  catalog {locale}: {po} is not compiled (no messages.mo)" in text
    assert "make i18n-compile" in text

    compile_catalogs(locales)
    fr = locales / "fr" / "LC_MESSAGES"
    later = (fr / "messages.mo").stat().st_mtime + 60
    os.utime(fr / "messages.po", (later, later))  # the source changed after it was compiled
    code, text = await doctor_report(replace(ready, locales_dir=locales))
    assert code == 1 and lines(text, "ok       catalog ar")
    assert f"PROBLEM  catalog fr: messages.mo is older than {fr / 'messages.po'}" in text


async def test_a_clock_out_of_step_is_reported(ready: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    day_behind = utcnow() - timedelta(days=1)
    with monkeypatch.context() as patched:  # this version may be from today: keep its date out of the way
        patched.setattr("server.system.doctor.release_date", lambda: date(2020, 1, 1))
        code, text = await doctor_report(ready, clock=lambda: day_behind)
    assert code == 1, text
    [clock] = lines(text, "PROBLEM  clock")
    if ready.database_kind == "postgresql":
        assert "and the database server's" in clock and "differ by 86400 s, more than 60 s" in clock
    else:
        assert "is before the newest audit-trail entry" in clock and "it went back" in clock

    long_ago = datetime(2001, 5, 1, tzinfo=UTC)
    code, text = await doctor_report(ready, clock=lambda: long_ago)
    assert code == 1
    assert (
        "PROBLEM  clock: the system clock says 2001-05-01 00:00:00 UTC, before this version was made" in text
    )


@SQLITE_ONLY
async def test_too_little_free_disk_is_reported(ready: Settings) -> None:
    code, text = await doctor_report(replace(ready, doctor_min_free_mb=10**12))
    assert code == 1
    assert (
        f"MiB free under {ready.var_dir}, less than the {10**12} MiB TADQIQ_DOCTOR_MIN_FREE_MB asks" in text
    )


async def test_demo_accounts_and_settings_unfit_for_production_are_reported(settings: Settings) -> None:
    """The demo as loaded (every account opens with the demo password), served on every address."""
    unfit = replace(settings, host="0.0.0.0", trusted_proxies="10.0.0.0/8, proxy.local", workers=2)  # noqa: S104
    code, text = await doctor_report(unfit)
    assert code == 1
    assert (
        "PROBLEM  demo password: the published demo password still opens 21 account(s): admin, lead" in text
    )
    assert "PROBLEM  public address: TADQIQ_PUBLIC_BASE_URL is http://127.0.0.1:8000" in text
    assert "PROBLEM  trusted proxies: TADQIQ_TRUSTED_PROXIES holds 'proxy.local'" in text
    workers = (
        lines(text, "PROBLEM  workers")
        if settings.database_kind == "sqlite"
        else lines(text, "ok       workers")
    )
    assert workers, text


@SQLITE_ONLY
async def test_a_check_that_breaks_is_reported_and_the_others_still_run(ready: Settings) -> None:
    async def check_signing_preflight(exam: Examination) -> list[Check]:
        raise ConnectionError("TSA unreachable")

    real = examine_signing_preflight
    checks = await examine(ready, checks=tuple(check_signing_preflight if c is real else c for c in CHECKS))
    broken = [c for c in checks if not c.ok]
    assert [(c.name, c.message) for c in broken] == [
        ("signing preflight", "the check itself failed: ConnectionError: TSA unreachable")
    ]
    assert len(checks) == 13


def tadqiq_doctor(settings: Settings, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "TADQIQ_DATABASE_URL": settings.database_url,
        "TADQIQ_VAR_DIR": str(settings.var_dir),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "server.cli", "doctor", *args],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_the_command_prints_each_problem_and_exits_non_zero(settings: Settings) -> None:
    floor = {"TADQIQ_DOCTOR_MIN_FREE_MB": str(10**12)}
    run = tadqiq_doctor(settings, **floor)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "PROBLEM  free disk: only" in run.stdout and "PROBLEM  demo password" in run.stdout
    assert "ok       database:" in run.stdout and run.stdout.splitlines()[-1].startswith("not ready: ")
    as_json = tadqiq_doctor(settings, "--json", **floor)
    assert as_json.returncode == 1
    report = json.loads(as_json.stdout)
    found = {c["name"]: c for c in report["checks"]}
    assert report["ok"] is False and found["database"]["ok"] is True
    assert found["free disk"]["ok"] is False and "TADQIQ_DOCTOR_MIN_FREE_MB" in found["free disk"]["message"]


async def test_the_signing_preflight_passes_at_b_lta_then_names_a_timestamp_authority_that_is_down(
    ready: Settings, local_pki: LocalPki
) -> None:
    """Against the local PKI: B-LTA configured and every service answering, then the TSA unreachable:
    a problem naming it (every issue would be refused), or a warning when downgrades are allowed."""
    b_lta = local_pki.configure(ready)
    code, text = await doctor_report(b_lta)
    assert code == 0, text
    [said] = [line for line in lines(text, "ok") if "signing preflight" in line]
    assert "PAdES B-LTA" in said, text

    down = replace(b_lta, tsa_url=closed_port_url())
    code, text = await doctor_report(down)
    assert code == 1, text
    [problem] = [line for line in lines(text, "PROBLEM") if "signing preflight" in line]
    assert down.tsa_url in problem, text
    assert "every report issue is refused" in text

    code, text = await doctor_report(replace(down, signature_allow_downgrade=True))
    assert code == 0, text
    [warning] = [line for line in lines(text, "WARNING") if "signing preflight" in line]
    assert down.tsa_url in warning, text
    assert "instead of B-LTA" in text

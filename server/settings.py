"""One frozen settings object, read from ``TADQIQ_*`` environment variables.

Each default is written once, on its field; ``load_settings`` reads ``TADQIQ_<FIELD NAME>`` for every
field (``database_url`` ← ``TADQIQ_DATABASE_URL``), except the few renamed in ``_ENV_NAMES``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

__all__ = ["BLOB_STORES", "PROJECT_ROOT", "Settings", "load_settings"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = ""
    """``sqlite:///path`` (default: ``var/tadqiq.sqlite3``) or ``postgresql://user@host:port/db``."""
    host: str = "127.0.0.1"
    """Address the server listens on."""
    port: int = 8000
    """Port the server listens on."""
    workers: int = 1
    """Server processes for ``tadqiq serve`` (more than one only with PostgreSQL)."""
    var_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "var")
    """Where the embedded database and local files live."""
    demo_password: str = "demo"  # noqa: S105 - the documented demo password
    """Password given to every demo account."""
    token_ttl_days: int = 14
    """Sliding lifetime of a login token: each use pushes the expiry this far ahead."""
    max_body_bytes: int = 1_048_576
    """Largest JSON request body accepted (413 above)."""
    login_max_failures: int = 5
    """Failed logins for one account from one client address tolerated inside the window; past it, that
    account waits at that address (elsewhere it still signs in)."""
    login_max_failures_per_account: int = 20
    """Failed logins for one account from all addresses together tolerated inside the window (a guess
    spread over many addresses); past it, that account waits everywhere."""
    login_max_accounts_per_address: int = 10
    """Distinct accounts with a failed login from one client address tolerated inside the window
    (credential stuffing); past it, every login from that address waits. Typos on a few accounts
    behind one shared address never reach it."""
    login_first_lockout_seconds: int = 60
    """Wait after a first lockout; each further lockout of the same account, pair or address doubles
    it, up to the window. Forgotten after a window without lockout, or (account, pair) on success."""
    login_window_seconds: int = 900
    """Window over which failed logins are counted; also the longest wait asked of a client."""
    login_max_concurrent_verifications: int = 4
    """Password checks (each costs the argon2 memory) run at once in one server process; a login that
    finds no free slot within ``login_verification_wait_ms`` gets 503 with Retry-After."""
    login_verification_wait_ms: int = 2000
    """How long a login waits for a free password-check slot before 503."""
    argon2_time_cost: int = 3
    """argon2id iterations for password hashes."""
    argon2_memory_kib: int = 65536
    """argon2id memory cost for password hashes, in KiB."""
    sqlite_busy_timeout_seconds: int = 15
    """How long a SQLite write waits for another writer before giving up."""
    attachment_max_bytes: int = 15 * 1024 * 1024
    """Largest photo or PDF accepted (413 above)."""
    attachment_max_pixels: int = 50_000_000
    """Largest image (width × height) decoded; more is refused as a possible decompression bomb."""
    keep_gps: bool = False
    """Keep photos' EXIF (with GPS position) instead of stripping it."""
    attachment_gc_days: int = 30
    """Days a stored photo or PDF that no finding refers to is kept (counted from its upload, or the last
    time a tablet uploaded or probed it again) before ``tadqiq attachments gc`` removes it."""
    bench_routes: bool = False
    """Serve /api/v1/bench/* (baselines for `make bench`); never needed in production."""
    checklists_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "checklists")
    """The checklist library (YAML)."""
    locales_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "locales")
    """Babel catalogs."""
    pwa_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "pwa")
    """The tablet app served at ``/``, read once at startup (without ``index.html``: the API alone)."""
    outbox_import_max_bytes: int = 200 * 1024 * 1024
    """Largest exported outbox (a tablet's unsynced work, photos included) accepted by
    ``POST /api/v1/sync/import-outbox`` (413 above); ``tadqiq import-outbox`` reads any size."""
    signing_key_path: Path | None = None
    """The organisation's signing key and certificate (PKCS#12) for the reports; None (the default):
    ``<var_dir>/signing/tadqiq-signing.p12``, where ``tadqiq keys init`` makes a demo key."""
    signing_key_password: str = ""
    """Password of the signing key; empty: the documented demo passphrase
    (``server.reports.keys.DEMO_KEY_PASSWORD``), fit for a demo key only."""
    tsa_url: str = ""
    """RFC 3161 timestamp authority: set, reports are signed PAdES B-T (with a trusted time); empty, B-B."""
    public_base_url: str = "http://127.0.0.1:8000"
    """Address the public reaches the server at: the start of the verification URL in a report's QR code."""
    time_zone: str = "Africa/Casablanca"
    """IANA time zone in which reports and the public verification page show times."""
    report_max_bytes: int = 100 * 1024 * 1024
    """Largest PDF accepted by ``POST /api/v1/reports/verify`` (413 above)."""
    programme_solve_seconds: float = 10.0
    """Time limit of the programme solver (CP-SAT) for one solve; it returns the best programme found."""
    nc_plan_days: str = "major=15,minor=30,observation=30"
    """Days from a nonconformity's opening to its action plan, by severity (until the audit lead changes
    the due policy through the API, which then holds)."""
    nc_close_days: str = "major=90,minor=180,observation=180"
    """Days from a nonconformity's opening to its closure, by severity (idem)."""
    smtp_host: str = ""
    """SMTP relay for ``tadqiq digest --mail``; empty: no mail (files or standard output)."""
    smtp_port: int = 25
    smtp_from: str = ""
    """Sender address of the digest mails."""
    smtp_starttls: bool = False
    """Upgrade the relay connection with STARTTLS before sending."""
    trusted_proxies: str = ""
    """Addresses or CIDRs of the reverse proxies (comma-separated) whose ``X-Forwarded-For`` and
    ``X-Forwarded-Proto`` are believed; from any other address those headers are ignored."""
    metrics_allowed: str = "127.0.0.1/32,::1/128"
    """Addresses or CIDRs (comma-separated) that may read ``/metrics``; everyone else gets 404."""
    log_format: str = "json"
    """``json``: one JSON line per request on standard error; ``text``: the same, readable."""
    blob_store: str = "filesystem"
    """Where attachments and issued PDFs live: ``filesystem`` (under ``var_dir``) or ``database`` (in the
    database itself, so several app machines on one PostgreSQL need no shared disk and one dump holds all)."""
    trust_roots: str = ""
    """PEM files (comma-separated) of the certificate provider's trust roots, never the system's list. Set
    with a TSA, reports are signed PAdES B-LTA (validation data embedded and timestamped)."""
    signing_margin_days: int = 30
    """The signing certificate must stay valid at least this many days more, or the preflight refuses."""
    signature_allow_downgrade: bool = False
    """Issue at a lower signature level than the configuration asks when a piece is missing (a TSA or
    OCSP responder down); the report then says so. False: such an issue is refused."""
    timestamp_renew_days: int = 90
    """``tadqiq signatures renew`` adds a document timestamp to a B-LTA PDF whose latest timestamp
    certificate expires within this many days."""
    doctor_min_free_mb: int = 1024
    """``tadqiq doctor`` reports a problem when the disk of ``var_dir`` has less free space than this."""

    @property
    def database_kind(self) -> str:
        return "postgresql" if self.database_url.startswith(("postgresql://", "postgres://")) else "sqlite"

    @property
    def sqlite_path(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite:///"))

    @property
    def signing_key_file(self) -> Path:
        return self.signing_key_path or self.var_dir / "signing" / "tadqiq-signing.p12"


BLOB_STORES = ("filesystem", "database")
"""The values of ``TADQIQ_BLOB_STORE``."""

# Fields whose variable is not simply TADQIQ_<FIELD NAME>.
_ENV_NAMES = {"sqlite_busy_timeout_seconds": "TADQIQ_SQLITE_BUSY_TIMEOUT"}
# Read from the environment elsewhere (or derived), never through the generic loop.
_NOT_FROM_ENV = {"database_url", "var_dir", "checklists_dir", "locales_dir", "pwa_dir", "signing_key_path"}


def _parse(name: str, raw: str, kind: type[Any]) -> Any:
    if kind is bool:
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if kind is int:
        if not raw.strip().isascii() or not raw.strip().isdigit():
            raise SystemExit(f"{name} must be a whole number, got {raw!r}")
        return int(raw)
    if kind is float:
        try:
            return float(raw)
        except ValueError:
            raise SystemExit(f"{name} must be a number, got {raw!r}") from None
    return raw


def load_settings() -> Settings:
    var_dir = Path(os.environ.get("TADQIQ_VAR_DIR") or PROJECT_ROOT / "var")
    url = os.environ.get("TADQIQ_DATABASE_URL") or f"sqlite:///{var_dir / 'tadqiq.sqlite3'}"
    if not url.startswith(("sqlite:///", "postgresql://", "postgres://")):
        raise SystemExit("TADQIQ_DATABASE_URL must start with sqlite:/// or postgresql://")
    values: dict[str, Any] = {"database_url": url, "var_dir": var_dir}
    if key_path := os.environ.get("TADQIQ_SIGNING_KEY_PATH"):
        values["signing_key_path"] = Path(key_path)
    defaults = Settings()
    for spec in fields(Settings):
        if spec.name in _NOT_FROM_ENV:
            continue
        env = _ENV_NAMES.get(spec.name, f"TADQIQ_{spec.name.upper()}")
        raw = os.environ.get(env)
        if raw:
            values[spec.name] = _parse(env, raw, type(getattr(defaults, spec.name)))
    if values.get("blob_store", defaults.blob_store) not in BLOB_STORES:
        raise SystemExit(f"TADQIQ_BLOB_STORE must be one of {', '.join(BLOB_STORES)}")
    return Settings(**values)

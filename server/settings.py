"""One frozen settings object, read from ``TADQIQ_*`` environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["PROJECT_ROOT", "Settings", "load_settings"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SystemExit(f"{name} must be a whole number, got {raw!r}") from exc


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    """``sqlite:///path`` (default: ``var/tadqiq.sqlite3``) or ``postgresql://user@host:port/db``."""
    host: str = "127.0.0.1"
    """Address the server listens on."""
    port: int = 8000
    """Port the server listens on."""
    var_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "var")
    """Where the embedded database and local files live."""
    demo_password: str = "demo"  # noqa: S105 - the documented demo password
    """Password given to every demo account."""
    token_ttl_days: int = 14
    """Sliding lifetime of a login token: each use pushes the expiry this far ahead."""
    max_body_bytes: int = 1_048_576
    """Largest JSON request body accepted (413 above)."""
    login_max_failures: int = 5
    """Failed logins per account, or per client address, tolerated inside the window."""
    login_max_failures_per_address: int = 20
    """Failed logins tolerated from one client address inside the window (offices share one address)."""
    login_window_seconds: int = 900
    """Window over which failed logins are counted; also the longest wait asked of a client."""
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
    bench_routes: bool = False
    """Serve /api/v1/bench/* (baselines for `make bench`); never needed in production."""
    checklists_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "checklists")
    """The checklist library (YAML)."""
    locales_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "locales")
    """Babel catalogs."""

    @property
    def database_kind(self) -> str:
        return "postgresql" if self.database_url.startswith(("postgresql://", "postgres://")) else "sqlite"

    @property
    def sqlite_path(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite:///"))


def load_settings() -> Settings:
    var_dir = Path(os.environ.get("TADQIQ_VAR_DIR") or PROJECT_ROOT / "var")
    url = os.environ.get("TADQIQ_DATABASE_URL") or f"sqlite:///{var_dir / 'tadqiq.sqlite3'}"
    if not url.startswith(("sqlite:///", "postgresql://", "postgres://")):
        raise SystemExit("TADQIQ_DATABASE_URL must start with sqlite:/// or postgresql://")
    return Settings(
        database_url=url,
        host=os.environ.get("TADQIQ_HOST", "127.0.0.1"),
        port=_env_int("TADQIQ_PORT", 8000),
        var_dir=var_dir,
        demo_password=os.environ.get("TADQIQ_DEMO_PASSWORD") or "demo",
        token_ttl_days=_env_int("TADQIQ_TOKEN_TTL_DAYS", 14),
        max_body_bytes=_env_int("TADQIQ_MAX_BODY_BYTES", 1_048_576),
        login_max_failures=_env_int("TADQIQ_LOGIN_MAX_FAILURES", 5),
        login_max_failures_per_address=_env_int("TADQIQ_LOGIN_MAX_FAILURES_PER_ADDRESS", 20),
        login_window_seconds=_env_int("TADQIQ_LOGIN_WINDOW_SECONDS", 900),
        argon2_time_cost=_env_int("TADQIQ_ARGON2_TIME_COST", 3),
        argon2_memory_kib=_env_int("TADQIQ_ARGON2_MEMORY_KIB", 65536),
        sqlite_busy_timeout_seconds=_env_int("TADQIQ_SQLITE_BUSY_TIMEOUT", 15),
        bench_routes=os.environ.get("TADQIQ_BENCH_ROUTES") == "1",
        attachment_max_bytes=_env_int("TADQIQ_ATTACHMENT_MAX_BYTES", 15 * 1024 * 1024),
        attachment_max_pixels=_env_int("TADQIQ_ATTACHMENT_MAX_PIXELS", 50_000_000),
        keep_gps=os.environ.get("TADQIQ_KEEP_GPS") == "1",
    )

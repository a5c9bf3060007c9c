"""The settings half of ``tadqiq doctor`` (pure, like ``doctor_logic``): the public address the reports
point to, the trusted proxies, the worker count against the database, and whether the published demo
password still opens an account."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from server.lib.networks import split_networks
from server.system.doctor_logic import Check, ok_check, problem_check

__all__ = ["SettingsFacts", "settings_checks"]

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


@dataclass(frozen=True, slots=True)
class SettingsFacts:
    host: str
    public_base_url: str
    trusted_proxies: str
    workers: int
    database_kind: str
    demo_accounts_open: tuple[str, ...] | None = None
    """Active demo accounts the demo password still opens; None when the database could not be read."""


def settings_checks(facts: SettingsFacts) -> list[Check]:
    found = [_public_address(facts), _trusted_proxies(facts.trusted_proxies), _workers(facts)]
    if facts.demo_accounts_open is not None:
        found.append(_demo_password(facts.demo_accounts_open))
    return found


def _is_loopback(host: str) -> bool:
    host = host.strip().strip("[]").lower()
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _public_address(facts: SettingsFacts) -> Check:
    name = "public address"
    parts = urlsplit(facts.public_base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return problem_check(
            name,
            f"TADQIQ_PUBLIC_BASE_URL {facts.public_base_url!r} is not an http(s) address",
            "set it to the address the public reaches the server at, such as https://audit.example.ma",
        )
    reached_from_elsewhere = not _is_loopback(facts.host) or bool(facts.trusted_proxies.strip())
    if _is_loopback(parts.hostname) and reached_from_elsewhere:
        return problem_check(
            name,
            f"TADQIQ_PUBLIC_BASE_URL is {facts.public_base_url}, an address of this machine only, while "
            "the server is reached from elsewhere: the QR code and link printed in every report would lead "
            "nowhere",
            "set TADQIQ_PUBLIC_BASE_URL to the public https address before issuing any report",
        )
    return ok_check(name, f"reports will point to {facts.public_base_url}")


def _trusted_proxies(raw: str) -> Check:
    name = "trusted proxies"
    networks, bad = split_networks(raw)
    if bad:
        return problem_check(
            name,
            f"TADQIQ_TRUSTED_PROXIES holds {', '.join(repr(b) for b in bad)}, not an IP address or network: "
            "`tadqiq serve` refuses to start",
            "write addresses or CIDRs such as 127.0.0.1 or 10.0.0.0/8 (no host names, no *)",
        )
    if not networks:
        return ok_check(name, "none: X-Forwarded-For is ignored (set TADQIQ_TRUSTED_PROXIES behind a proxy)")
    shown = ", ".join(entry.strip() for entry in raw.split(",") if entry.strip())
    return ok_check(name, f"X-Forwarded-For believed from {shown} only")


def _workers(facts: SettingsFacts) -> Check:
    if facts.workers > 1 and facts.database_kind == "sqlite":
        return problem_check(
            "workers",
            f"TADQIQ_WORKERS is {facts.workers} on SQLite: `tadqiq serve` refuses to start",
            "set TADQIQ_WORKERS=1, or move to PostgreSQL (TADQIQ_DATABASE_URL=postgresql://…)",
        )
    return ok_check("workers", f"{facts.workers} server process(es) on {facts.database_kind}")


def _demo_password(open_accounts: tuple[str, ...]) -> Check:
    name = "demo password"
    if open_accounts:
        shown = ", ".join(open_accounts[:8]) + (", …" if len(open_accounts) > 8 else "")
        return problem_check(
            name,
            f"the published demo password still opens {len(open_accounts)} account(s): {shown}",
            "give each a password of its own, or deactivate it, from the administration screen "
            "(PATCH /api/v1/users/{id})",
        )
    return ok_check(name, "no active demo account opens with the demo password")

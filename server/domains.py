"""The one list of domains: it drives both the app's controllers (``app.py``) and the Piccolo
configuration (``piccolo_conf.py``). A new domain is one line here."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from litestar import Controller

__all__ = ["DOMAINS", "Domain", "controllers", "piccolo_apps"]


@dataclass(frozen=True)
class Domain:
    name: str
    """The folder under ``server/``."""
    tables: bool
    """Owns tables (has ``tables.py``, ``piccolo_app.py`` and migrations)."""
    routes: bool = True
    """Serves routes (has ``handlers.py`` with its ``CONTROLLERS``)."""


# In dependency order: a domain's migrations may only refer to the domains before it.
DOMAINS: tuple[Domain, ...] = (
    Domain("system", tables=False),
    Domain("blobs", tables=True, routes=False),
    Domain("trail", tables=True),
    Domain("auth", tables=True),
    Domain("org", tables=True),
    Domain("checklists", tables=True),
    Domain("audits", tables=True),
    Domain("sync", tables=True),
    Domain("attachments", tables=False),
    Domain("reports", tables=True),
    Domain("programme", tables=True),
    Domain("actions", tables=True),
    Domain("review", tables=False),
)


def controllers() -> list[type[Controller]]:
    """Every domain's ``CONTROLLERS`` (declared in its ``handlers.py``), in domain order."""
    found: list[type[Controller]] = []
    for domain in (d for d in DOMAINS if d.routes):
        found.extend(import_module(f"server.{domain.name}.handlers").CONTROLLERS)
    return found


def piccolo_apps() -> list[str]:
    return [f"server.{domain.name}.piccolo_app" for domain in DOMAINS if domain.tables]

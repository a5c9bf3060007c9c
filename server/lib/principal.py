"""Who is calling: the authenticated user as every domain sees it."""

from __future__ import annotations

from enum import StrEnum

import msgspec

__all__ = ["Principal", "Role"]


class Role(StrEnum):
    ADMIN = "admin"
    AUDIT_LEAD = "audit_lead"
    AUDITOR = "auditor"
    MANAGER = "manager"
    AUDITEE = "auditee"


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    user_id: str
    username: str
    roles: frozenset[Role]
    person_id: str | None = None
    locale: str | None = None

    def has_any(self, *roles: Role) -> bool:
        return any(role in self.roles for role in roles)

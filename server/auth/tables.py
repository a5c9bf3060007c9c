"""Accounts, login tokens and failed-login records."""

from __future__ import annotations

import uuid

from piccolo.columns import UUID, BigSerial, Boolean, ForeignKey, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["AuthToken", "LoginFailure", "User"]


class User(Table, tablename="app_user"):
    id = UUID(primary_key=True, default=uuid.uuid4)
    username = Varchar(length=64, unique=True, help_text="Lowercase login name.")
    password_hash = Varchar(length=255, help_text="argon2id hash; never the password.")
    roles = Varchar(
        length=100, help_text="Comma-separated roles: admin, audit_lead, auditor, manager, auditee."
    )
    person_id = UUID(null=True, default=None, help_text="The organisation's person this account belongs to.")
    locale = Varchar(length=2, null=True, default=None, help_text="Preferred language: ar, fr or en.")
    active = Boolean(default=True, help_text="A deactivated account cannot sign in.")
    created_at = Timestamptz()


class AuthToken(Table, tablename="auth_token"):
    token_hash = Varchar(length=64, primary_key=True, help_text="SHA-256 of the bearer token.")
    user = ForeignKey(User, null=False, help_text="Owner of the token.")
    created_at = Timestamptz()
    expires_at = Timestamptz(help_text="Sliding expiry, pushed ahead on use.")
    revoked_at = Timestamptz(null=True, default=None, help_text="Set at logout; a revoked token never works.")


class LoginFailure(Table, tablename="login_failure"):
    id = BigSerial(primary_key=True)
    scope = Varchar(length=8, help_text="'account' or 'address'.")
    key = Varchar(length=200, index=True, help_text="The username tried, or the client address.")
    at = Timestamptz(index=True)

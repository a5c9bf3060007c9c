"""Accounts, login tokens, and the login attempts and lockouts that throttle password guessing."""

from __future__ import annotations

import uuid

from piccolo.columns import UUID, BigSerial, Boolean, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["AuthToken", "LoginAttempt", "LoginThrottle", "User"]


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
    must_change_password = Boolean(
        default=False,
        help_text="Set by a password reset: until the account changes its password, its token opens only "
        "that change, its own account and logout.",
    )
    last_sign_in_at = Timestamptz(
        null=True, default=None, help_text="The last successful sign-in; null for an account never used."
    )


class AuthToken(Table, tablename="auth_token"):
    token_hash = Varchar(length=64, primary_key=True, help_text="SHA-256 of the bearer token.")
    user = ForeignKey(User, null=False, help_text="Owner of the token.")
    created_at = Timestamptz()
    expires_at = Timestamptz(help_text="Sliding expiry, pushed ahead on use.")
    revoked_at = Timestamptz(null=True, default=None, help_text="Set at logout; a revoked token never works.")


class LoginAttempt(Table, tablename="login_attempt"):
    """A login attempt counted as a failure from the moment it is let through to the password check; a
    success deletes its row. Rows older than the throttling window are deleted."""

    id = BigSerial(primary_key=True)
    username = Varchar(length=100, index=True, help_text="The username tried (lowercase, maybe unknown).")
    address = Varchar(length=100, index=True, help_text="The client address the attempt came from.")
    at = Timestamptz(index=True)


class LoginThrottle(Table, tablename="login_throttle"):
    """The lockout state of one throttled key: an account, an (account, address) pair or an address."""

    key = Varchar(
        length=220,
        primary_key=True,
        help_text="'account:<name>', 'pair:<address> <name>' or 'address:<address>'.",
    )
    strikes = Integer(default=0, help_text="Lockouts in a row; each doubles the wait.")
    locked_until = Timestamptz(
        null=True, default=None, help_text="No attempt of this key is checked before then."
    )
    counted_from = Timestamptz(
        null=True, default=None, help_text="Failures before this instant no longer count."
    )
    forget_at = Timestamptz(index=True, help_text="After this instant the row means nothing and is deleted.")

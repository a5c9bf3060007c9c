"""Accounts and sessions on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from server.lib.principal import Role
from server.lib.structs import ApiIn, ApiOut, Uuid

__all__ = [
    "LoginIn",
    "LoginOut",
    "MeOut",
    "MeUpdateIn",
    "PasswordChangeIn",
    "PasswordResetOut",
    "UserCreateIn",
    "UserOut",
    "UserUpdateIn",
]

Username = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]*$")]
LoginName = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=256)]
NewPassword = Annotated[str, msgspec.Meta(min_length=8, max_length=256)]
Roles = Annotated[list[Role], msgspec.Meta(min_length=1, max_length=5)]
LocaleCode = Literal["ar", "fr", "en"]


class LoginIn(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    username: LoginName
    password: Password


class LoginOut(ApiOut):
    token: str
    token_type: Literal["Bearer"]
    expires_at: datetime
    user: MeOut


class MeOut(ApiOut):
    id: str
    username: str
    roles: list[Role]
    person_id: str | None
    locale: str | None
    must_change_password: bool
    """True after a password reset: until the password is changed (``POST /me/password``), the token
    opens only that change, ``GET /me`` and logout (403 ``auth.password_change_required`` otherwise)."""


class MeUpdateIn(ApiIn):
    locale: LocaleCode | None = None


class UserOut(ApiOut):
    id: str
    username: str
    roles: list[Role]
    person_id: str | None
    locale: str | None
    active: bool
    created_at: datetime
    last_sign_in_at: datetime | None
    must_change_password: bool
    throttled: bool
    """Whether sign-ins of this account are held back now (its own lockout, or from one address): see
    ``throttledUntil``, and ``DELETE /users/{id}/throttle`` to lift it."""
    throttled_until: datetime | None


class PasswordResetOut(ApiOut):
    """A reset's answer: the one-time password is shown here only, never stored or sent again."""

    user: UserOut
    temporary_password: str


class PasswordChangeIn(ApiIn):
    current_password: Password
    new_password: NewPassword


class UserCreateIn(ApiIn):
    username: Username
    password: NewPassword
    roles: Roles
    person_id: Uuid | None = None
    locale: LocaleCode | None = None
    must_change_password: bool = False
    """True: the initial password only opens the change of password, at first sign-in (the app's default:
    an administrator should not keep knowing a person's password)."""


class UserUpdateIn(ApiIn):
    roles: Roles | None = None
    password: NewPassword | None = None
    person_id: Uuid | None = None
    locale: LocaleCode | None = None
    active: bool | None = None

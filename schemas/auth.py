"""Accounts, login and user administration."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from schemas.common import DbId, Role, Strict, Tier, Version

Username = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9_.-]{3,64}$")]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=256)]


class LoginIn(Strict):
    """Credentials."""

    username: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    password: Password


class TokenOut(BaseModel):
    """An issued bearer token (shown once)."""

    access_token: str
    token_type: str = "bearer"
    expires_at: datetime


class SessionOut(BaseModel):
    """A browser session: the session itself travels only in an HttpOnly cookie."""

    csrf_token: str
    expires_at: datetime
    username: str
    role: Role


class ScopeIn(Strict):
    """One unit subtree a user may read, optionally limited to a tier."""

    unit_id: DbId
    tier: Tier | None = None


class ScopeOut(ScopeIn):
    """A scope with its unit's name."""

    model_config = ConfigDict(extra="ignore")
    unit_name: str


class UserCreate(Strict):
    """A new account."""

    username: Username
    display_name: DisplayName
    password: Password
    role: Role
    scopes: Annotated[list[ScopeIn], Field(max_length=50)] = []


class UserUpdate(Strict):
    """Changes to an account (admin)."""

    version: Version | None = None
    display_name: DisplayName | None = None
    role: Role | None = None
    active: bool | None = None
    scopes: Annotated[list[ScopeIn], Field(max_length=50)] | None = None


class PasswordChange(Strict):
    """A user changing their own password."""

    current_password: Password
    new_password: Password


class UserOut(BaseModel):
    """An account as shown to admins and to its owner."""

    id: int
    username: str
    display_name: str
    role: Role
    active: bool
    version: int
    scopes: list[ScopeOut] = []
    team_ids: list[int] = []

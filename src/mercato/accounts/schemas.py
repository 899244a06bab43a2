"""Request and response models of the accounts API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field


class StrictModel(BaseModel):
    """Requests reject unknown fields so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SignUp(StrictModel):
    email: EmailStr
    password: str = Field(min_length=1, max_length=256)
    display_name: str = Field(min_length=1, max_length=80)
    account_type: Literal["buyer", "seller"] = "buyer"
    business_name: str | None = Field(default=None, max_length=120)


class EmailToken(StrictModel):
    token: str = Field(min_length=10, max_length=200)


class PasswordResetRequest(StrictModel):
    email: EmailStr


class PasswordResetConfirm(StrictModel):
    token: str = Field(min_length=10, max_length=200)
    password: str = Field(min_length=1, max_length=256)


class PasswordChange(StrictModel):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


class TokenPair(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (OAuth2 token type, not a secret)
    expires_in: int
    refresh_token: str


class MfaChallenge(StrictModel):
    mfa_token: str = Field(min_length=10, max_length=200)
    code: str = Field(min_length=6, max_length=20)


class RefreshRequest(StrictModel):
    refresh_token: str = Field(min_length=10, max_length=200)


class TotpCode(StrictModel):
    code: str = Field(min_length=6, max_length=20)


class TotpSetup(BaseModel):
    secret: str
    otpauth_uri: str


class RecoveryCodes(BaseModel):
    recovery_codes: list[str]


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    display_name: str
    role: str
    phone: str | None
    email_verified: bool
    two_factor_enabled: bool
    is_active: bool
    created_at: datetime


class ProfileUpdate(StrictModel):
    display_name: str | None = Field(default=None, min_length=1, max_length=80)
    phone: str | None = Field(default=None, max_length=24)


class AddressIn(StrictModel):
    label: str = Field(min_length=1, max_length=40)
    full_name: str = Field(min_length=1, max_length=120)
    line1: str = Field(min_length=1, max_length=200)
    line2: str | None = Field(default=None, max_length=200)
    city: str = Field(min_length=1, max_length=100)
    postal_code: str = Field(min_length=1, max_length=16)
    country: str = Field(min_length=2, max_length=2)
    phone: str | None = Field(default=None, max_length=24)
    is_default: bool = False


class Contact(BaseModel):
    """Where to write to a user."""

    email: str
    name: str


class AddressOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    label: str
    full_name: str
    line1: str
    line2: str | None
    city: str
    postal_code: str
    country: str
    phone: str | None
    is_default: bool


class UserAdminUpdate(StrictModel):
    role: Literal["buyer", "seller", "support", "admin"] | None = None
    is_active: bool | None = None

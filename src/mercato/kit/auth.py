"""Who is asking: the principal every service function receives.

The accounts domain resolves a principal from a bearer token or a session cookie and installs
its resolver on the app at startup, so other domains depend only on this module.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from fastapi import Request

from mercato.kit.errors import Forbidden, Unauthorized


class Role(StrEnum):
    BUYER = "buyer"
    SELLER = "seller"
    SUPPORT = "support"
    ADMIN = "admin"


STAFF_ROLES = frozenset({Role.SUPPORT, Role.ADMIN})


@dataclass(frozen=True)
class Principal:
    user_id: uuid.UUID | None
    role: Role | None
    email: str = ""
    display_name: str = ""
    # False while a user whose role requires 2FA has not enabled it: they may only set it up.
    fully_authenticated: bool = True

    @property
    def is_anonymous(self) -> bool:
        return self.user_id is None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    def require_user(self) -> uuid.UUID:
        if self.user_id is None:
            raise Unauthorized("Sign in to continue.")
        if not self.fully_authenticated:
            raise Forbidden("Enable two-factor authentication to continue.")
        return self.user_id

    def require_role(self, *roles: Role) -> uuid.UUID:
        user_id = self.require_user()
        if self.role not in roles:
            raise Forbidden()
        return user_id


ANONYMOUS = Principal(user_id=None, role=None)

PrincipalResolver = Callable[[Request], Awaitable[Principal]]


async def current_principal(request: Request) -> Principal:
    """FastAPI dependency: the caller's principal (anonymous when not signed in)."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    resolver: PrincipalResolver | None = getattr(request.app.state, "principal_resolver", None)
    principal = ANONYMOUS if resolver is None else await resolver(request)
    request.state.principal = principal
    return principal

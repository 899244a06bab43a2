"""Accounts JSON API: sign-up, tokens (OAuth2 password flow), 2FA, profile, addresses, and the
staff user directory."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Form, Query, Request, Response, status

from mercato.accounts import service
from mercato.accounts.schemas import (
    AddressIn,
    AddressOut,
    EmailToken,
    MfaChallenge,
    PasswordChange,
    PasswordResetConfirm,
    PasswordResetRequest,
    ProfileUpdate,
    RecoveryCodes,
    RefreshRequest,
    SignUp,
    TokenPair,
    TotpCode,
    TotpSetup,
    UserAdminUpdate,
    UserOut,
)
from mercato.accounts.service.profile import user_out
from mercato.kit.auth import Role
from mercato.kit.deps import CurrentPrincipal, DbSession
from mercato.kit.pagination import Page
from mercato.kit.routing import IndexedRouter

router = IndexedRouter(tags=["accounts"])


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/auth/signup", status_code=status.HTTP_201_CREATED, response_model=UserOut)
async def sign_up(data: SignUp, session: DbSession) -> UserOut:
    """Create a buyer or seller account; a verification email is sent."""
    return user_out(await service.sign_up(session, data))


@router.post("/auth/verify-email", response_model=UserOut)
async def verify_email(data: EmailToken, session: DbSession) -> UserOut:
    return user_out(await service.verify_email(session, data.token))


@router.post("/auth/resend-verification", status_code=status.HTTP_204_NO_CONTENT)
async def resend_verification(session: DbSession, principal: CurrentPrincipal) -> None:
    await service.resend_verification(session, principal)


@router.post("/auth/password-reset", status_code=status.HTTP_202_ACCEPTED)
async def request_password_reset(data: PasswordResetRequest, session: DbSession) -> dict[str, str]:
    """Always accepted, whether or not the email has an account (no enumeration)."""
    await service.request_password_reset(session, data.email)
    return {"detail": "If an account uses this email, a reset link is on its way."}


@router.post("/auth/password-reset/confirm", status_code=status.HTTP_204_NO_CONTENT)
async def reset_password(data: PasswordResetConfirm, session: DbSession) -> None:
    await service.reset_password(session, data.token, data.password)


@router.post("/auth/token", response_model=TokenPair)
async def token(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=256)],
) -> TokenPair:
    """OAuth2 password flow (form-encoded). With 2FA enabled the answer is a 401 problem of type
    ``mfa-required`` carrying ``mfa_token``; send it with the code to ``/auth/token/mfa``."""
    return await service.sign_in_api(session, username, password, client_ip(request))


@router.post("/auth/token/mfa", response_model=TokenPair)
async def token_second_factor(
    data: MfaChallenge, request: Request, session: DbSession
) -> TokenPair:
    return await service.complete_sign_in_api(
        session, data.mfa_token, data.code, client_ip(request)
    )


@router.post("/auth/token/refresh", response_model=TokenPair)
async def refresh(data: RefreshRequest, session: DbSession) -> TokenPair:
    return await service.refresh_token_pair(session, data.refresh_token)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(data: RefreshRequest, session: DbSession) -> None:
    await service.revoke_refresh_token(session, data.refresh_token)


@router.get("/me", response_model=UserOut)
async def me(session: DbSession, principal: CurrentPrincipal) -> UserOut:
    return await service.get_me(session, principal)


@router.patch("/me", response_model=UserOut)
async def update_me(
    changes: ProfileUpdate, session: DbSession, principal: CurrentPrincipal
) -> UserOut:
    return await service.update_profile(session, principal, changes)


@router.post("/me/password", status_code=status.HTTP_204_NO_CONTENT)
async def change_password(
    change: PasswordChange, session: DbSession, principal: CurrentPrincipal
) -> None:
    await service.change_password(session, principal, change)


@router.post("/me/2fa/setup", response_model=TotpSetup)
async def begin_2fa(session: DbSession, principal: CurrentPrincipal) -> TotpSetup:
    return await service.begin_totp_enrolment(session, principal)


@router.post("/me/2fa/confirm", response_model=RecoveryCodes)
async def confirm_2fa(
    data: TotpCode, session: DbSession, principal: CurrentPrincipal
) -> RecoveryCodes:
    codes = await service.confirm_totp_enrolment(session, principal, data.code)
    return RecoveryCodes(recovery_codes=codes)


@router.post("/me/2fa/recovery-codes", response_model=RecoveryCodes)
async def new_recovery_codes(
    data: TotpCode, session: DbSession, principal: CurrentPrincipal
) -> RecoveryCodes:
    codes = await service.regenerate_recovery_codes(session, principal, data.code)
    return RecoveryCodes(recovery_codes=codes)


@router.post("/me/2fa/disable", status_code=status.HTTP_204_NO_CONTENT)
async def disable_2fa(
    password: Annotated[str, Form(max_length=256)], session: DbSession, principal: CurrentPrincipal
) -> None:
    await service.disable_totp(session, principal, password)


@router.get("/me/addresses", response_model=list[AddressOut])
async def list_addresses(session: DbSession, principal: CurrentPrincipal) -> list[AddressOut]:
    rows = await service.list_addresses(session, principal)
    return [AddressOut.model_validate(a) for a in rows]


@router.post("/me/addresses", status_code=status.HTTP_201_CREATED, response_model=AddressOut)
async def add_address(
    data: AddressIn, session: DbSession, principal: CurrentPrincipal
) -> AddressOut:
    return AddressOut.model_validate(await service.add_address(session, principal, data))


@router.put("/me/addresses/{address_id}", response_model=AddressOut)
async def update_address(
    address_id: uuid.UUID, data: AddressIn, session: DbSession, principal: CurrentPrincipal
) -> AddressOut:
    address = await service.update_address(session, principal, address_id, data)
    return AddressOut.model_validate(address)


@router.delete("/me/addresses/{address_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_address(
    address_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> Response:
    await service.delete_address(session, principal, address_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/admin/users", response_model=Page[UserOut], tags=["admin"])
async def admin_list_users(
    session: DbSession,
    principal: CurrentPrincipal,
    q: Annotated[str, Query(max_length=254)] = "",
    role: Role | None = None,
    cursor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> Page[UserOut]:
    return await service.list_users(
        session, principal, query=q, role=role, cursor=cursor, limit=limit
    )


@router.get("/admin/users/{user_id}", response_model=UserOut, tags=["admin"])
async def admin_get_user(
    user_id: uuid.UUID, session: DbSession, principal: CurrentPrincipal
) -> UserOut:
    return await service.get_user(session, principal, user_id)


@router.patch("/admin/users/{user_id}", response_model=UserOut, tags=["admin"])
async def admin_update_user(
    user_id: uuid.UUID, changes: UserAdminUpdate, session: DbSession, principal: CurrentPrincipal
) -> UserOut:
    return await service.update_user(session, principal, user_id, changes)

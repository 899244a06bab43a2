"""The signed-in user's own account: profile, password and saved addresses."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.accounts import repository
from mercato.accounts.models import Address, User
from mercato.accounts.policy import ISO_COUNTRIES, phone_problem, postal_code_problem
from mercato.accounts.schemas import AddressIn, Contact, PasswordChange, ProfileUpdate, UserOut
from mercato.accounts.service._audit import note
from mercato.accounts.service._credentials import verify_password
from mercato.accounts.service.registration import require_strong_password, set_password
from mercato.kit.auth import Principal
from mercato.kit.errors import Conflict, FieldError, NotFound, ValidationFailed

MAX_ADDRESSES = 20


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=user.role,
        phone=user.phone,
        email_verified=user.email_verified_at is not None,
        two_factor_enabled=user.totp_enabled_at is not None,
        is_active=user.is_active,
        created_at=user.created_at,
    )


async def load_self(session: AsyncSession, principal: Principal, *, partial: bool = False) -> User:
    """The principal's own user row. ``partial`` admits a user who still has to enrol in 2FA."""
    if principal.user_id is None or not (partial or principal.fully_authenticated):
        principal.require_user()
    assert principal.user_id is not None
    user = await repository.get_user_by_id(session, principal.user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


async def get_me(session: AsyncSession, principal: Principal) -> UserOut:
    return user_out(await load_self(session, principal, partial=True))


async def update_profile(
    session: AsyncSession, principal: Principal, changes: ProfileUpdate
) -> UserOut:
    user = await load_self(session, principal)
    if changes.display_name is not None:
        user.display_name = changes.display_name
    if "phone" in changes.model_fields_set:
        phone = (changes.phone or "").strip() or None
        problem = phone and phone_problem(phone)
        if problem:
            raise ValidationFailed.on("phone", problem)
        user.phone = phone
    await session.flush()
    return user_out(user)


async def change_password(
    session: AsyncSession, principal: Principal, change: PasswordChange
) -> None:
    """Change the password; every other session and refresh token is signed out."""
    user = await load_self(session, principal)
    if not await verify_password(user.password_hash, change.current_password):
        raise ValidationFailed.on("current_password", "The current password is not correct.")
    require_strong_password(change.new_password, user.email, field="new_password")
    await set_password(session, user, change.new_password)
    await note(session, principal, "password_changed", user)


def _validate_address(data: AddressIn) -> None:
    errors = []
    data.country = data.country.upper()
    if data.country not in ISO_COUNTRIES:
        errors.append(FieldError("country", "Use an ISO 3166 two-letter country code, e.g. FR."))
    problem = postal_code_problem(data.country, data.postal_code)
    if problem:
        errors.append(FieldError("postal_code", problem))
    if data.phone and (problem := phone_problem(data.phone)):
        errors.append(FieldError("phone", problem))
    if errors:
        raise ValidationFailed(errors[0].message, errors=errors)


async def list_addresses(session: AsyncSession, principal: Principal) -> list[Address]:
    user = await load_self(session, principal)
    return await repository.list_addresses(session, user.id)


async def add_address(session: AsyncSession, principal: Principal, data: AddressIn) -> Address:
    user = await load_self(session, principal)
    _validate_address(data)
    existing = await repository.list_addresses(session, user.id)
    if len(existing) >= MAX_ADDRESSES:
        raise Conflict(f"You can keep at most {MAX_ADDRESSES} addresses.")
    if any(a.label == data.label for a in existing):
        raise ValidationFailed.on("label", "You already have an address with this label.")
    address = Address(user_id=user.id, **data.model_dump())
    address.postal_code = data.postal_code.upper()
    # The first address is the default; a new default replaces the old one.
    address.is_default = data.is_default or not existing
    if address.is_default:
        for other in existing:
            other.is_default = False
    session.add(address)
    await session.flush()
    return address


async def _own_address(
    session: AsyncSession, principal: Principal, address_id: uuid.UUID
) -> tuple[User, Address]:
    user = await load_self(session, principal)
    address = await repository.get_address(session, user.id, address_id)
    if address is None:
        raise NotFound("No such address.")
    return user, address


async def update_address(
    session: AsyncSession, principal: Principal, address_id: uuid.UUID, data: AddressIn
) -> Address:
    user, address = await _own_address(session, principal, address_id)
    _validate_address(data)
    if await repository.address_label_taken(session, user.id, data.label, except_id=address.id):
        raise ValidationFailed.on("label", "You already have an address with this label.")
    for field, value in data.model_dump().items():
        setattr(address, field, value)
    address.postal_code = data.postal_code.upper()
    if data.is_default:
        for other in await repository.list_addresses(session, user.id):
            other.is_default = other.id == address.id
    await session.flush()
    return address


async def delete_address(
    session: AsyncSession, principal: Principal, address_id: uuid.UUID
) -> None:
    user, address = await _own_address(session, principal, address_id)
    was_default = address.is_default
    await session.delete(address)
    await session.flush()
    remaining = await repository.list_addresses(session, user.id)
    if was_default and remaining:
        remaining[0].is_default = True


async def get_contact(session: AsyncSession, user_id: uuid.UUID) -> Contact | None:
    """Where to write to a user (order and account emails); None for an unknown user."""
    user = await repository.get_user_by_id(session, user_id)
    return None if user is None else Contact(email=user.email, name=user.display_name)


def check_address(data: AddressIn) -> None:
    """Refuse an address this platform could not ship to (country, postal code, phone), with
    field errors; used for addresses typed at checkout as for the address book."""
    _validate_address(data)

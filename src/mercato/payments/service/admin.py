"""What staff read: the ledger's journals and account balances."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.auth import Principal, Role
from mercato.kit.errors import ValidationFailed
from mercato.kit.money import UnknownCurrency, exponent
from mercato.kit.pagination import Page
from mercato.payments import repository
from mercato.payments.schemas import BalanceOut, JournalOut, PaymentOut, PaymentStatus
from mercato.payments.service.ledger import balance_out, journal_out
from mercato.payments.service.payments import payment_out

MAX_BALANCES = 500


async def list_all_payments(
    session: AsyncSession,
    principal: Principal,
    *,
    status: PaymentStatus | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[PaymentOut]:
    """Every payment, newest first, for the staff console."""
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    found = await repository.list_payments(
        session,
        payer_id=None,
        status=status.value if status else None,
        reference=None,
        cursor=cursor,
        limit=limit,
    )
    return Page[PaymentOut](
        items=[payment_out(p) for p in found.rows], next_cursor=found.next_cursor
    )


async def list_journals(
    session: AsyncSession,
    principal: Principal,
    *,
    reference: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[JournalOut]:
    """Journals newest first, with their postings; filtered by reference (``payment:<id>``,
    ``order:<id>``). Staff only."""
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    found = await repository.list_journals(
        session, reference=(reference or "").strip() or None, cursor=cursor, limit=limit
    )
    return Page[JournalOut](
        items=[journal_out(j) for j in found.rows], next_cursor=found.next_cursor
    )


async def list_balances(
    session: AsyncSession, principal: Principal, *, prefix: str = "", currency: str | None = None
) -> list[BalanceOut]:
    """Cached balances of the accounts whose code starts with ``prefix`` (``escrow:``,
    ``seller:<id>:``). Staff only."""
    principal.require_role(Role.ADMIN, Role.SUPPORT)
    if currency:
        try:
            exponent(currency)
        except UnknownCurrency as error:
            raise ValidationFailed.on("currency", str(error)) from None
    rows = await repository.list_balances(
        session, prefix=prefix.strip(), currency=currency, limit=MAX_BALANCES
    )
    return [balance_out(row.account, row.currency, row.balance_minor) for row in rows]

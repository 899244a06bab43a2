"""What the seller reads about its money: the balance overview (escrow, pending, available,
in transit, debt, recent movements, the available balance over time) and the statement of each
payout, derived from the ledger so that it agrees with the payout to the cent."""

from __future__ import annotations

import csv
import io
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.auth import Principal
from mercato.kit.errors import ValidationFailed
from mercato.kit.money import Money, UnknownCurrency, exponent
from mercato.payments import PLATFORM_COMMISSION, seller_available_account
from mercato.payments.schemas import JournalOut
from mercato.payments.service import account_history, seller_balances
from mercato.payouts import repository
from mercato.payouts.calculations import blocked_reason, running_balance, statement_totals
from mercato.payouts.schemas import BalanceOverview, BalancePoint, StatementLine, StatementOut
from mercato.payouts.service._common import (
    own_seller_id,
    payout_facts,
    payout_out,
    visible_payout,
)
from mercato.payouts.service._settlement import escrow_held_minor, frozen_minor

CSV_COLUMNS = ["date", "description", "reference", "sale", "commission", "amount", "currency"]
RECENT_LINES = 20
CHART_POINTS = 60
KIND_LABELS = {
    "escrow_release": "Order completed: released to you",
    "refund": "Refund to the buyer",
    "plan_fee": "Monthly plan fee",
    "payout": "Payout sent to your bank",
    "payout_returned": "Failed payout returned",
    "payout_canceled": "Canceled payout returned",
    "payout_paid": "Payout confirmed by the bank",
}


def _line(journal: JournalOut, account: str, currency: str) -> StatementLine | None:
    change = sum(
        p.amount_minor for p in journal.postings if p.account == account and p.currency == currency
    )
    if change == 0:
        return None
    label = KIND_LABELS.get(journal.kind, journal.kind.replace("_", " ").capitalize())
    gross, commission = _sale_breakdown(journal, currency)
    return StatementLine(
        journal_id=journal.id,
        created_at=journal.created_at,
        kind=journal.kind,
        reference=journal.reference,
        description=label,
        amount_minor=change,
        gross_minor=gross,
        commission_minor=commission,
    )


def _sale_breakdown(journal: JournalOut, currency: str) -> tuple[int | None, int | None]:
    """(sale, commission) of a journal that involves the platform's commission: a release
    takes the gross out of the order's escrow, a refund pays the buyer back from the provider's
    clearing account. None for movements without commission (payouts, plan fees)."""
    postings = [p for p in journal.postings if p.currency == currency]
    commission = sum(p.amount_minor for p in postings if p.account == PLATFORM_COMMISSION)
    if not any(p.account == PLATFORM_COMMISSION for p in postings):
        return None, None
    source = "escrow:" if journal.kind == "escrow_release" else "provider:"
    gross = -sum(p.amount_minor for p in postings if p.account.startswith(source))
    return gross, -commission


async def _movements(
    session: AsyncSession, seller_id: uuid.UUID, currency: str
) -> list[tuple[str, StatementLine]]:
    """Every change of the seller's available balance in ``currency``, oldest first, with the
    idempotency key of its journal."""
    account = seller_available_account(seller_id)
    found = []
    for journal in await account_history(session, account):
        line = _line(journal, account, currency)
        if line is not None:
            found.append((journal.idempotency_key, line))
    return found


def _position(movements: list[tuple[str, StatementLine]], key: str) -> int:
    return next((i for i, (found, _) in enumerate(movements) if found == key), -1)


async def get_statement(
    session: AsyncSession, principal: Principal, payout_id: uuid.UUID
) -> StatementOut:
    """Every movement of the seller's available balance between the previous payout (the last
    one whose money left) and this one: releases, refunds, fees, returned payouts.
    ``opening + lines == closing == amount + carried forward``, exactly."""
    payout = await visible_payout(session, principal, payout_id)
    previous = await repository.previous_payout(session, payout)
    movements = await _movements(session, payout.seller_id, payout.currency)
    end = _position(movements, f"payout:{payout.id}:sent")
    start = _position(movements, f"payout:{previous.id}:sent") if previous else -1
    end = len(movements) if end < 0 else end
    opening = sum(line.amount_minor for _, line in movements[: start + 1])
    lines = [line for _, line in movements[start + 1 : end]]
    closing, carried = statement_totals(
        opening, [line.amount_minor for line in lines], payout.amount_minor
    )
    return StatementOut(
        payout=payout_out(payout),
        previous_payout_id=previous.id if previous else None,
        opening_minor=opening,
        lines=lines,
        closing_minor=closing,
        carried_forward_minor=carried,
    )


def _decimal(amount_minor: int, currency: str) -> str:
    return f"{Money(amount_minor, currency).to_decimal():f}"


def csv_filename(statement: StatementOut) -> str:
    return f"payout-{statement.payout.id}-statement.csv"


def statement_csv(statement: StatementOut) -> str:
    """The statement as CSV: one row per movement, framed by the opening balance, the closing
    balance, the payout and what stays available."""
    currency = statement.payout.currency
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    opening = _decimal(statement.opening_minor, currency)
    writer.writerow(["", "Opening available balance", "", "", "", opening, currency])
    for line in statement.lines:
        writer.writerow(
            [
                line.created_at.isoformat(),
                line.description,
                line.reference,
                "" if line.gross_minor is None else _decimal(line.gross_minor, currency),
                "" if line.commission_minor is None else _decimal(line.commission_minor, currency),
                _decimal(line.amount_minor, currency),
                currency,
            ]
        )
    payout = statement.payout
    totals = [
        ("", "Closing available balance", "", statement.closing_minor),
        (payout.created_at.isoformat(), "Payout", f"payout:{payout.id}", -payout.amount_minor),
        ("", "Carried forward", "", statement.carried_forward_minor),
    ]
    for when, what, reference, amount in totals:
        writer.writerow([when, what, reference, "", "", _decimal(amount, currency), currency])
    return out.getvalue()


async def get_my_balance(
    session: AsyncSession, principal: Principal, currency: str = "EUR"
) -> BalanceOverview:
    """The signed-in seller's money in ``currency``: in escrow (and frozen by disputes),
    pending, available, in transit, owed; its recent movements and the available balance over
    time; and why a payout is blocked, if it is."""
    seller_id = await own_seller_id(session, principal)
    code = currency.strip().upper()
    try:
        exponent(code)
    except UnknownCurrency as error:
        raise ValidationFailed.on("currency", str(error)) from None
    balances = await seller_balances(session, seller_id, code)
    frozen = await frozen_minor(session, seller_id, code)
    facts, _ = await payout_facts(session, seller_id, balances, frozen)
    movements = [line for _, line in await _movements(session, seller_id, code)]
    points = running_balance([line.amount_minor for line in movements])
    history = [
        BalancePoint(at=line.created_at, available_minor=point)
        for line, point in zip(movements, points, strict=True)
    ]
    return BalanceOverview(
        seller_id=seller_id,
        currency=code,
        in_escrow_minor=await escrow_held_minor(session, seller_id, code),
        frozen_minor=frozen,
        pending_minor=balances.pending_minor,
        available_minor=balances.available_minor,
        in_transit_minor=balances.in_transit_minor,
        debt_minor=balances.debt_minor,
        recent=list(reversed(movements[-RECENT_LINES:])),
        history=history[-CHART_POINTS:],
        blocked_reason=blocked_reason(facts, code),
    )

"""``mercato payments ledger-check``: every ledger invariant, verified on the database."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from mercato.payments import repository


@dataclass(frozen=True)
class Violation:
    rule: str
    subject: str
    detail: str


@dataclass(frozen=True)
class LedgerReport:
    journals: int
    postings: int
    balances: int
    violations: list[Violation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations


RULES = {
    "journal-unbalanced": "every journal's postings sum to zero per currency",
    "journal-malformed": "every journal has at least two postings, none of them zero",
    "currency-unbalanced": "all postings of a currency sum to zero",
    "balance-mismatch": "every cached balance equals the sum of its postings",
    "negative-balance": "no escrow or seller-available balance is negative",
    "daily-capture-mismatch": "every rolled-up day's captures equal its capture journals",
}


LedgerCheck = Callable[[AsyncSession], Awaitable[list[Violation]]]
_domain_checks: dict[str, LedgerCheck] = {}


def ledger_check(rule: str, description: str) -> Callable[[LedgerCheck], LedgerCheck]:
    """Register an invariant another domain owns (the escrow of a completed order is zero,
    seller net + commission = gross per line): ``ledger-check`` runs it with the ledger's own."""

    def register(check: LedgerCheck) -> LedgerCheck:
        RULES[rule] = description
        _domain_checks[rule] = check
        return check

    return register


async def check_ledger(session: AsyncSession) -> LedgerReport:
    """Check every invariant; the report lists each violation (empty when the ledger is sound)."""
    counts = await repository.ledger_counts(session)
    violations: list[Violation] = []
    for rule in sorted(_domain_checks):
        violations.extend(await _domain_checks[rule](session))
    for key, currency, total in await repository.unbalanced_journals(session):
        violations.append(
            Violation("journal-unbalanced", key, f"{currency} postings sum to {total}, not 0")
        )
    for key, count, zeros in await repository.malformed_journals(session):
        detail = f"{count} posting(s)" + (f", {zeros} of them zero" if zeros else "")
        violations.append(Violation("journal-malformed", key, detail))
    for currency, total in await repository.currency_totals(session):
        violations.append(
            Violation("currency-unbalanced", currency, f"all postings sum to {total}, not 0")
        )
    for account, currency, cached, total in await repository.balance_mismatches(session):
        shown = "missing" if cached is None else str(cached)
        violations.append(
            Violation(
                "balance-mismatch",
                f"{account} {currency}",
                f"cached {shown}, sum of postings {total}",
            )
        )
    for account, currency, total in await repository.negative_protected_balances(session):
        violations.append(
            Violation("negative-balance", f"{account} {currency}", f"balance is {total}")
        )
    for day, currency, kept, total in await repository.daily_capture_mismatches(session):
        violations.append(
            Violation(
                "daily-capture-mismatch",
                f"{day} {currency}",
                f"rolled up {kept}, capture journals {total}",
            )
        )
    return LedgerReport(counts.journals, counts.postings, counts.balances, violations)

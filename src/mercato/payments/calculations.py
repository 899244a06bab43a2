"""Pure payments rules: journal validation, fingerprints, the payment status order, and how a
captured amount is split into escrow accounts. No I/O."""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from mercato.kit.errors import FieldError, ValidationFailed
from mercato.kit.money import UnknownCurrency, allocate, exponent
from mercato.payments.schemas import PaymentStatus

MAX_KEY_LENGTH = 255
MAX_POSTINGS = 1000
MAX_AMOUNT_MINOR = 10**15  # far beyond any real payment, far inside BIGINT
ACCOUNT_CODE = re.compile(r"^[A-Za-z0-9_.\-]+(?::[A-Za-z0-9_.\-]+)+$")
ACCOUNT_MAX_LENGTH = 200
KIND = re.compile(r"^[a-z][a-z0-9_.]{0,39}$")


@dataclass(frozen=True, slots=True)
class Posting:
    """A signed amount on one ledger account: positive credits the account (money held for that
    party), negative debits it."""

    account: str
    amount_minor: int
    currency: str


class LedgerRejected(ValidationFailed):
    """A journal that breaks a ledger rule; nothing was written."""

    slug, title = "ledger-rejected", "The journal breaks a ledger rule"


def clearing_account(provider: str) -> str:
    """Money the provider holds for the platform."""
    return f"provider:{provider}:clearing"


def escrow_account(kind: str, identifier: object) -> str:
    """Buyer funds held for one order (``escrow:order:<id>``) or payment."""
    return f"escrow:{kind}:{identifier}"


def seller_available_account(seller_id: object) -> str:
    """Released money the seller may be paid out."""
    return f"seller:{seller_id}:available"


def seller_pending_account(seller_id: object) -> str:
    """Released money still inside its hold period (not yet available for payout)."""
    return f"seller:{seller_id}:pending"


def seller_in_transit_account(seller_id: object) -> str:
    """Money sent to the seller's bank by a payout the provider has not confirmed yet."""
    return f"seller:{seller_id}:payout_in_transit"


def seller_debt_account(seller_id: object) -> str:
    """What the seller owes the platform, as a negative balance (a refund or a plan fee its
    available balance could not cover). Later money for the seller repays it first."""
    return f"seller:{seller_id}:debt"


PLATFORM_COMMISSION = "platform:commission"
PLATFORM_SUBSCRIPTIONS = "platform:subscriptions"

# Seller accounts that hold money for the seller and so can never be overdrawn.
_SELLER_HELD = (":available", ":pending", ":payout_in_transit")


def must_stay_non_negative(account: str) -> bool:
    """Escrow and the seller's held balances are liabilities that can never be overdrawn; a
    seller's debt is its own, explicit account."""
    return account.startswith("escrow:") or (
        account.startswith("seller:") and account.endswith(_SELLER_HELD)
    )


def seller_credit_postings(
    seller_id: object, amount_minor: int, currency: str, debt_owed_minor: int, *, to: str
) -> list[Posting]:
    """Money arriving for a seller repays its debt first; the rest lands on ``to`` (its
    available or pending account). The caller adds the posting the money comes from."""
    repaid = min(amount_minor, max(debt_owed_minor, 0))
    postings = []
    if repaid:
        postings.append(Posting(seller_debt_account(seller_id), repaid, currency))
    if amount_minor - repaid:
        postings.append(Posting(to, amount_minor - repaid, currency))
    return postings


def seller_charge_postings(
    seller_id: object, amount_minor: int, currency: str, available_minor: int
) -> list[Posting]:
    """Money taken from a seller comes from its available balance; what that cannot cover
    becomes explicit debt. The caller adds the posting the money goes to."""
    taken = min(amount_minor, max(available_minor, 0))
    postings = []
    if taken:
        postings.append(Posting(seller_available_account(seller_id), -taken, currency))
    if amount_minor - taken:
        postings.append(Posting(seller_debt_account(seller_id), -(amount_minor - taken), currency))
    return postings


def validate_key(value: str, field: str = "idempotency_key") -> str:
    if not isinstance(value, str) or not value.strip():
        raise LedgerRejected.on(field, "An idempotency key is required.")
    if len(value) > MAX_KEY_LENGTH or not value.isprintable():
        raise LedgerRejected.on(
            field, f"Use at most {MAX_KEY_LENGTH} printable characters for the key."
        )
    return value


def validate_journal(kind: str, reference: str, postings: Sequence[Posting]) -> list[Posting]:
    """The postings of a valid journal, or :class:`LedgerRejected` naming every problem."""
    problems: list[FieldError] = []
    if not isinstance(kind, str) or not KIND.match(kind):
        problems.append(FieldError("kind", "The kind is a short lower-case name."))
    if not isinstance(reference, str) or not reference or len(reference) > 200:
        problems.append(FieldError("reference", "A reference of at most 200 characters."))
    if len(postings) < 2:
        problems.append(FieldError("postings", "A journal needs at least two postings."))
    if len(postings) > MAX_POSTINGS:
        problems.append(FieldError("postings", f"At most {MAX_POSTINGS} postings."))
    totals: dict[str, int] = defaultdict(int)
    for index, posting in enumerate(postings):
        problems.extend(_posting_problems(index, posting))
        if isinstance(posting.amount_minor, int) and isinstance(posting.currency, str):
            totals[posting.currency] += posting.amount_minor
    for currency, total in sorted(totals.items()):
        if total != 0:
            problems.append(
                FieldError("postings", f"The {currency} postings sum to {total}, not zero.")
            )
    if problems:
        raise LedgerRejected(problems[0].message, errors=problems)
    return list(postings)


def _posting_problems(index: int, posting: Posting) -> list[FieldError]:
    field = f"postings.{index}"
    problems = []
    account = posting.account
    if (
        not isinstance(account, str)
        or len(account) > ACCOUNT_MAX_LENGTH
        or not ACCOUNT_CODE.match(account)
    ):
        problems.append(FieldError(f"{field}.account", f"{account!r} is not an account code."))
    amount = posting.amount_minor
    if not isinstance(amount, int) or isinstance(amount, bool):
        problems.append(FieldError(f"{field}.amount_minor", "Amounts are integer minor units."))
    elif amount == 0:
        problems.append(FieldError(f"{field}.amount_minor", "A posting must not be zero."))
    elif abs(amount) > MAX_AMOUNT_MINOR:
        problems.append(FieldError(f"{field}.amount_minor", "The amount is out of range."))
    try:
        exponent(posting.currency)
    except UnknownCurrency:
        problems.append(FieldError(f"{field}.currency", f"{posting.currency!r} is not a currency."))
    return problems


def journal_fingerprint(kind: str, reference: str, postings: Iterable[Posting]) -> str:
    """Identity of a journal's content, independent of the order postings were listed in."""
    lines = sorted((p.account, p.currency, p.amount_minor) for p in postings)
    return fingerprint({"kind": kind, "reference": reference, "postings": lines})


def fingerprint(data: Any) -> str:
    """sha256 of canonical JSON: equal data, equal fingerprint."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def balance_changes(postings: Iterable[Posting]) -> dict[tuple[str, str], int]:
    """Net change per (account, currency), in a stable (lock) order."""
    changes: dict[tuple[str, str], int] = defaultdict(int)
    for posting in postings:
        changes[(posting.account, posting.currency)] += posting.amount_minor
    return {key: changes[key] for key in sorted(changes) if changes[key] != 0}


def reversed_postings(postings: Iterable[Posting]) -> list[Posting]:
    return [Posting(p.account, -p.amount_minor, p.currency) for p in postings]


# --- payments --------------------------------------------------------------------------------

# Statuses only move up this order, so webhooks delivered late, twice or out of order converge:
# the final status is the highest one reported, whatever the arrival order. A success reported
# by the provider outranks a failure or cancellation, because it means money did move.
STATUS_RANK: Mapping[PaymentStatus, int] = {
    PaymentStatus.CREATED: 0,
    PaymentStatus.REQUIRES_ACTION: 1,
    PaymentStatus.PROCESSING: 2,
    PaymentStatus.CANCELED: 3,
    PaymentStatus.FAILED: 4,
    PaymentStatus.SUCCEEDED: 5,
}


def can_advance(current: PaymentStatus, new: PaymentStatus) -> bool:
    return STATUS_RANK[new] > STATUS_RANK[current]


def validate_split(split: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """The escrow parts a captured payment is divided into, by weight."""
    if not split:
        raise ValidationFailed.on("split", "Name at least one escrow account.")
    if len(split) > MAX_POSTINGS - 1:
        raise ValidationFailed.on("split", f"At most {MAX_POSTINGS - 1} parts.")
    seen: set[str] = set()
    for account, weight in split:
        if not isinstance(account, str) or not account.startswith("escrow:"):
            raise ValidationFailed.on("split", f"{account!r} is not an escrow account.")
        if len(account) > ACCOUNT_MAX_LENGTH or not ACCOUNT_CODE.match(account):
            raise ValidationFailed.on("split", f"{account!r} is not an account code.")
        if account in seen:
            raise ValidationFailed.on("split", f"{account} appears twice.")
        if not isinstance(weight, int) or isinstance(weight, bool) or weight < 0:
            raise ValidationFailed.on("split", "Weights are non-negative integers.")
        seen.add(account)
    if sum(weight for _, weight in split) <= 0:
        raise ValidationFailed.on("split", "The weights must have a positive sum.")
    return [(account, weight) for account, weight in split]


def escrow_parts(amount_minor: int, split: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """The captured amount divided between the escrow accounts by largest remainder: the parts
    always sum to the amount exactly. Accounts whose share rounds to zero are left out."""
    amounts = allocate(amount_minor, [weight for _, weight in split])
    return [(account, part) for (account, _), part in zip(split, amounts, strict=True) if part]


def capture_postings(
    provider: str, amount_minor: int, currency: str, split: Sequence[tuple[str, int]]
) -> list[Posting]:
    """Captured money moves from the provider's clearing account into escrow."""
    parts = escrow_parts(amount_minor, split)
    return [
        Posting(clearing_account(provider), -amount_minor, currency),
        *(Posting(account, part, currency) for account, part in parts),
    ]


def payment_request_fingerprint(
    *,
    amount_minor: int,
    currency: str,
    method: str,
    purpose_reference: str,
    return_url: str,
    split: Sequence[tuple[str, int]] | None,
) -> str:
    return fingerprint(
        {
            "amount_minor": amount_minor,
            "currency": currency,
            "method": method,
            "purpose_reference": purpose_reference,
            "return_url": return_url,
            "split": [list(part) for part in split] if split is not None else None,
        }
    )


def resolve_return_url(return_url: str | None, base_url: str, default_path: str) -> str:
    """An absolute URL on this site: providers send buyers back here, so it must never point
    elsewhere (an open redirect would let a phishing page pose as the end of checkout)."""
    base = urlsplit(base_url)
    origin = f"{base.scheme}://{base.netloc}"
    value = (return_url or "").strip() or default_path
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return origin + value
    parsed = urlsplit(value)
    if (parsed.scheme, parsed.netloc) == (base.scheme, base.netloc) and "\\" not in value:
        return value
    raise ValidationFailed.on("return_url", "The return URL must be a path or a URL on this site.")

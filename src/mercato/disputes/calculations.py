"""Pure money math of returns: the restocking fee a change-of-mind return leaves with the seller.
No I/O; integers in minor units.

Rounding, stated once: the fee is ``amount x percent / 100`` rounded half up to the minor unit
(:func:`mercato.kit.money.round_half_up`, the platform's one rule), and the refund is the rest,
so the refund and the fee kept always add up to exactly the amount of the returned units."""

from __future__ import annotations

from dataclasses import dataclass

from mercato.disputes.schemas import ReturnReason
from mercato.kit.money import round_half_up

# The reasons a restocking fee may apply to: the buyer changed their mind. An item that is
# defective, not as described or the wrong one is the seller's fault and is refunded in full.
FEE_REASONS = frozenset({ReturnReason.CHANGED_MIND})


def fee_percent_for(reason: ReturnReason | None, policy_percent: int) -> int:
    """The restocking fee that applies to a return asked for ``reason``."""
    return policy_percent if reason in FEE_REASONS else 0


@dataclass(frozen=True, slots=True)
class ReturnSplit:
    """What a received return gives back to the buyer and what the seller keeps."""

    refund_minor: int
    fee_minor: int


def split_return(amount_minor: int, fee_percent: int) -> ReturnSplit:
    """Split the amount of the returned units into the buyer's refund and the seller's fee."""
    if amount_minor < 0:
        raise ValueError("The amount of the returned units cannot be negative.")
    if not 0 <= fee_percent <= 100:
        raise ValueError("A restocking fee is a percentage from 0 to 100.")
    fee = round_half_up(amount_minor * fee_percent, 100)
    return ReturnSplit(refund_minor=amount_minor - fee, fee_minor=fee)

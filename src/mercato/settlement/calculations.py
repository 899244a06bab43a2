"""Pure settlement money math: what a refund costs the seller and the platform, what a line
refund amounts to, and what is left to release. No I/O; integers in minor units."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from mercato.kit.money import round_half_up


@dataclass(frozen=True, slots=True)
class Remaining:
    """What an escrow still holds: gross for the buyer or seller, fee for the platform."""

    gross_minor: int
    fee_minor: int

    @property
    def net_minor(self) -> int:
        return self.gross_minor - self.fee_minor


def remaining(
    captured_minor: int, fee_minor: int, refunded_minor: int, refunded_fee_minor: int
) -> Remaining:
    return Remaining(captured_minor - refunded_minor, fee_minor - refunded_fee_minor)


def fee_share(amount_minor: int, left: Remaining) -> int:
    """The part of the remaining fee a refund of ``amount_minor`` gives up, proportional to
    the remaining gross and rounded half up; refunding everything that is left takes exactly
    the fee that is left. Never more than the amount (the fee never exceeds the gross), and
    what stays behind keeps ``fee <= gross``, so a seller's net never goes negative."""
    if not 0 < amount_minor <= left.gross_minor:
        raise ValueError("A refund is positive and at most what is left.")
    if amount_minor == left.gross_minor:
        return left.fee_minor
    return round_half_up(left.fee_minor * amount_minor, left.gross_minor)


def line_refund_minor(
    quantity: int,
    line_quantity: int,
    line_total_minor: int,
    refunded_quantity: int,
    refunded_minor: int,
) -> int:
    """The amount of refunding ``quantity`` more units of a line. Rounded half up on the
    cumulative quantity, so the line's refunds never add up past its total and the last unit
    takes exactly what is left of it. ``refunded_minor`` is what earlier line refunds took."""
    left = line_quantity - refunded_quantity
    if not 0 < quantity <= left:
        raise ValueError("The quantity is positive and at most what is left of the line.")
    cumulative = round_half_up(line_total_minor * (refunded_quantity + quantity), line_quantity)
    return cumulative - refunded_minor


def fingerprint(data: Any) -> str:
    """sha256 of canonical JSON: a replayed request must match the first one exactly."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def order_hold_days(
    base_days: int,
    category_hold_days: dict[Any, int],
    line_category_chains: list[list[Any]],
) -> int:
    """How many days a completed order's money waits: the seller's hold (or the default),
    lengthened by the longest category hold among its lines. A line takes the hold of its
    deepest category that has one (a subcategory's own hold overrides its parent's), so an
    operator can shorten a hold below a parent's for one subcategory; categories never shorten
    the seller's base hold."""
    longest = base_days
    for chain in line_category_chains:
        for category_id in reversed(chain):
            if category_id in category_hold_days:
                longest = max(longest, category_hold_days[category_id])
                break
    return longest

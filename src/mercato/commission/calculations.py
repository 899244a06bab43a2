"""Commission money math, pure: the fee of each order line from the terms that apply to it.

Every amount is an integer in minor units; a percentage is rounded once per line with the
platform's half-up rule, a per-order fee is spread over its lines by largest remainder, and the
fee of a line always stays within ``0 .. gross`` so that ``fee + net == gross`` exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from mercato.commission.schemas import FeeTerms, TierBand
from mercato.kit.money import BPS_DENOMINATOR, allocate, format_money, round_half_up


@dataclass(frozen=True)
class LineInput:
    gross_minor: int
    quantity: int
    terms: FeeTerms
    # Lines priced by the same terms share that rule's per-order fee.
    group: str
    # The seller's volume before this line: trailing 30 days plus the order's earlier lines.
    volume_before_minor: int = 0


@dataclass(frozen=True)
class LineFee:
    gross_minor: int
    fee_minor: int
    percentage_minor: int
    fixed_minor: int
    tier: int | None  # 1-based tier reached, when the terms are tiered
    bound: Literal["min", "max", "gross"] | None  # which bound cut the fee, if any

    @property
    def net_minor(self) -> int:
        return self.gross_minor - self.fee_minor


def tier_reached(tiers: Sequence[TierBand], volume_minor: int) -> int:
    """0-based index of the highest tier whose threshold ``volume_minor`` has reached."""
    reached = 0
    for index, tier in enumerate(tiers):
        if volume_minor >= tier.from_minor:
            reached = index
    return reached


def _marginal_numerator(tiers: Sequence[TierBand], start: int, gross: int) -> int:
    """Sum of slice * rate over the tiers the volume ``start .. start + gross`` crosses."""
    end = start + gross
    numerator = 0
    for index, tier in enumerate(tiers):
        upper = tiers[index + 1].from_minor if index + 1 < len(tiers) else None
        low = max(start, tier.from_minor)
        high = end if upper is None else min(end, upper)
        if high > low:
            numerator += (high - low) * tier.rate_bps
    return numerator


def percentage_fee(
    gross_minor: int, volume_before_minor: int, terms: FeeTerms
) -> tuple[int, int | None]:
    """The percentage part of a line's fee and the 1-based tier reached (None when untiered).

    ``marginal``: each slice of the line, placed after the seller's volume so far, at the rate of
    the tier it falls in. ``whole_volume``: the tier the volume had reached before the line
    applies to the whole line. Rounded once, half up."""
    if not terms.tiers:
        return round_half_up(gross_minor * terms.rate_bps, BPS_DENOMINATOR), None
    if terms.tier_mode == "whole_volume":
        index = tier_reached(terms.tiers, volume_before_minor)
        rate = terms.tiers[index].rate_bps
        return round_half_up(gross_minor * rate, BPS_DENOMINATOR), index + 1
    numerator = _marginal_numerator(terms.tiers, volume_before_minor, gross_minor)
    end_tier = tier_reached(terms.tiers, volume_before_minor + max(gross_minor - 1, 0))
    return round_half_up(numerator, BPS_DENOMINATOR), end_tier + 1


def order_fee_shares(lines: Sequence[LineInput]) -> list[int]:
    """Each line's share of its terms' per-order fee: charged once per group of lines priced by
    the same terms, split over them by gross (largest remainder)."""
    shares = [0] * len(lines)
    groups: dict[str, list[int]] = {}
    for index, line in enumerate(lines):
        groups.setdefault(line.group, []).append(index)
    for members in groups.values():
        fee = lines[members[0]].terms.fixed_per_order_minor
        weights = [lines[i].gross_minor for i in members]
        if fee <= 0 or sum(weights) <= 0:
            continue
        for index, part in zip(members, allocate(fee, weights), strict=True):
            shares[index] = part
    return shares


def _bounded(
    fee: int, gross: int, terms: FeeTerms
) -> tuple[int, Literal["min", "max", "gross"] | None]:
    bound: Literal["min", "max", "gross"] | None = None
    if terms.min_fee_minor is not None and fee < terms.min_fee_minor:
        fee, bound = terms.min_fee_minor, "min"
    if terms.max_fee_minor is not None and fee > terms.max_fee_minor:
        fee, bound = terms.max_fee_minor, "max"
    if fee > gross:
        fee, bound = gross, "gross"
    return max(fee, 0), bound


def line_fees(lines: Sequence[LineInput]) -> list[LineFee]:
    """The fee of every line of one order: percentage + fixed per item + share of the fixed per
    order fee, then the rule's minimum and maximum, then never more than the line's gross."""
    shares = order_fee_shares(lines)
    fees = []
    for line, share in zip(lines, shares, strict=True):
        if line.gross_minor < 0 or line.quantity < 0:
            raise ValueError("gross and quantity must not be negative")
        percentage, tier = percentage_fee(line.gross_minor, line.volume_before_minor, line.terms)
        fixed = line.terms.fixed_per_item_minor * line.quantity + share
        fee, bound = _bounded(percentage + fixed, line.gross_minor, line.terms)
        fees.append(LineFee(line.gross_minor, fee, percentage, fixed, tier, bound))
    return fees


def running_volumes(trailing_minor: int, grosses: Sequence[int]) -> list[int]:
    """The seller's volume before each line: the trailing volume, then each earlier line."""
    volumes = []
    running = trailing_minor
    for gross in grosses:
        volumes.append(running)
        running += gross
    return volumes


def format_rate(rate_bps: int) -> str:
    """``700`` → ``"7%"``, ``750`` → ``"7.5%"``, ``1225`` → ``"12.25%"``."""
    whole, fraction = divmod(rate_bps, 100)
    return f"{whole}%" if fraction == 0 else f"{whole}.{fraction:02d}".rstrip("0") + "%"


def explain(name: str, terms: FeeTerms, fee: LineFee, currency: str) -> str:
    """One line for people: ``"Electronics 7% (tier 2), min €0.50"``."""
    if terms.tiers:
        rate = format_rate(terms.tiers[(fee.tier or 1) - 1].rate_bps)
        if terms.tier_mode == "whole_volume":
            parts = [f"{name} {rate} (tier {fee.tier})"]
        else:
            parts = [f"{name} by marginal tiers (up to tier {fee.tier}, {rate})"]
    else:
        parts = [f"{name} {format_rate(terms.rate_bps)}"]
    if terms.fixed_per_item_minor:
        parts.append(f"+ {format_money(terms.fixed_per_item_minor, currency)} per item")
    if terms.fixed_per_order_minor:
        parts.append(f"+ {format_money(terms.fixed_per_order_minor, currency)} per order")
    if terms.min_fee_minor is not None:
        parts.append(f"min {format_money(terms.min_fee_minor, currency)}")
    if terms.max_fee_minor is not None:
        parts.append(f"max {format_money(terms.max_fee_minor, currency)}")
    if fee.bound == "gross":
        parts.append("capped at the line total")
    return ", ".join(parts)

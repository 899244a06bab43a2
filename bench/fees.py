"""Commission fees of the benchmark's generated orders, priced as the commission domain prices
a paid order (``assess_order_fees``): the rules and default plan come from the database, each
line is resolved by :func:`mercato.commission.policy.resolve` and priced by
:func:`mercato.commission.calculations.line_fees`, and the stored snapshot is the domain's own.
The trailing volume a tiered rule looks at is counted over the orders priced so far, oldest
first (each generated series is priced in payment order).
"""

from __future__ import annotations

import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bench.dataset import CURRENCY, ListingRecord
from mercato.commission import repository as commission_repository
from mercato.commission.calculations import LineFee, LineInput, explain, line_fees
from mercato.commission.policy import (
    GMV_WINDOW,
    PlanTerms,
    Resolved,
    RuleCandidate,
    SellerFacts,
    resolve,
)
from mercato.commission.schemas import FeeRequestLine
from mercato.commission.service._views import plan_terms, rule_candidate
from mercato.commission.service.fees import _snapshot
from mercato.kit.db import Database

if TYPE_CHECKING:
    from bench.orders import CompletedOrder, SoldLine

PricedLine = tuple[LineFee, str, dict[str, Any], Resolved]


@dataclass
class Pricing:
    """The commission rules and the default plan as the database holds them, to price lines
    with the commission domain's own policy (:func:`resolve`, :func:`line_fees`)."""

    rules: list[tuple[RuleCandidate, datetime | None]]
    plan: PlanTerms | None
    trailing: dict[uuid.UUID, deque[tuple[datetime, int]]] = field(
        default_factory=lambda: defaultdict(deque)
    )

    def priced(self, order: CompletedOrder) -> list[PricedLine]:
        """(fee, explanation, snapshot, resolved terms) of every line, in line order."""
        volume = self._trailing_volume(order.seller.id, order.paid_at)
        facts = SellerFacts(order.seller.id, order.paid_at, CURRENCY, None, 0)
        rules = [
            rule
            for rule, ends in self.rules
            if rule.effective_from <= order.paid_at and (ends is None or ends > order.paid_at)
        ]
        resolved, inputs, volumes = [], [], []
        for line in order.lines:
            terms = resolve(rules, self.plan, [], facts, category_chain(line.listing))
            inputs.append(
                LineInput(line.total_minor, line.quantity, terms.terms, terms.group, volume)
            )
            resolved.append(terms)
            volumes.append(volume)
            volume += line.total_minor
        self.trailing[order.seller.id].append((order.paid_at, order.items_minor))
        return [
            (
                fee,
                explain(terms.name, terms.terms, fee, CURRENCY),
                _snapshot(
                    fee_request_line(line),
                    terms,
                    fee,
                    before,
                    category_chain(line.listing),
                    self.plan,
                ),
                terms,
            )
            for line, terms, fee, before in zip(
                order.lines, resolved, line_fees(inputs), volumes, strict=True
            )
        ]

    def _trailing_volume(self, seller_id: uuid.UUID, paid_at: datetime) -> int:
        window = self.trailing[seller_id]
        while window and window[0][0] < paid_at - GMV_WINDOW:
            window.popleft()
        return sum(gross for _at, gross in window)


async def load_pricing(session: AsyncSession) -> Pricing:
    """The rules and default plan in the database. Generated sellers have no plan of their own
    and the benchmark defines no incentives (refused if there are any: they are not priced)."""
    if any(incentive.active for incentive in await commission_repository.list_incentives(session)):
        raise RuntimeError("the benchmark's orders are priced without incentives")
    rules = [
        (rule_candidate(rule, version), version.effective_to)
        for rule in await commission_repository.list_rules(session)
        for version in rule.versions
    ]
    defaults = await commission_repository.default_plans(session)
    return Pricing(rules, plan_terms(defaults[0]) if defaults else None)


def category_chain(listing: ListingRecord) -> list[uuid.UUID]:
    parent = listing.category.parent
    return [parent.id, listing.category.id] if parent else [listing.category.id]


def fee_request_line(line: SoldLine) -> FeeRequestLine:
    return FeeRequestLine(
        line_id=line.id,
        listing_id=line.listing.id,
        quantity=line.quantity,
        unit_price_minor=line.unit_price_minor,
        line_total_minor=line.total_minor,
    )


async def pricing_in(url: str) -> Pricing:
    """:func:`load_pricing` from the database at ``url``."""
    database = Database(url)
    try:
        async with database.reading() as session:
            return await load_pricing(session)
    finally:
        await database.dispose()

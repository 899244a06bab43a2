"""Commission and monetization: versioned, effective-dated commission rules (flat, per category,
volume tiers, fixed fees, bounds), seller plans with monthly fees and listing limits, and
incentives. The fee of every order line is computed once, at payment, and stored.

Other domains use :func:`assess_order_fees` (idempotent: the first call freezes the fees) and
:func:`order_fees` with the models of :mod:`mercato.commission.schemas`.
"""

from mercato.commission.schemas import FeeLineOut, FeeRequest, FeeRequestLine, OrderFees
from mercato.commission.service import assess_order_fees, order_fees

__all__ = [
    "FeeLineOut",
    "FeeRequest",
    "FeeRequestLine",
    "OrderFees",
    "assess_order_fees",
    "order_fees",
]

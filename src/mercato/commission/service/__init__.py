"""Commission use cases. Other domains call :func:`assess_order_fees` at payment and
:func:`order_fees` to read the stored breakdown; adapters call one function per request."""

from mercato.commission.service.fees import assess_order_fees, order_fees, price_lines
from mercato.commission.service.incentives import (
    create_incentive,
    list_incentives,
    set_incentive_active,
)
from mercato.commission.service.plans import (
    ListingLimitReached,
    charge_plan_fees,
    choose_plan,
    get_my_plan,
    list_plans,
    save_plan,
)
from mercato.commission.service.rules import (
    create_rule,
    end_rule,
    get_rule,
    list_rules,
    revise_rule,
)
from mercato.commission.service.seller import get_order_fees, quote_fee

__all__ = [
    "ListingLimitReached",
    "assess_order_fees",
    "charge_plan_fees",
    "choose_plan",
    "create_incentive",
    "create_rule",
    "end_rule",
    "get_my_plan",
    "get_order_fees",
    "get_rule",
    "list_incentives",
    "list_plans",
    "list_rules",
    "order_fees",
    "price_lines",
    "quote_fee",
    "revise_rule",
    "save_plan",
    "set_incentive_active",
]

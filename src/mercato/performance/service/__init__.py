"""Seller performance use cases. Adapters call exactly one of these per request; the daily
job calls :func:`sellers_to_evaluate` and :func:`evaluate_seller`; search and payouts read
:func:`listings_suppressed` and :func:`payouts_held`."""

from mercato.performance.service.appeals import decide_appeal, file_appeal, list_appeals
from mercato.performance.service.reading import my_performance, seller_performance, seller_table
from mercato.performance.service.responses import record_dispute_answered, record_dispute_opened
from mercato.performance.service.standing import (
    evaluate_all,
    evaluate_seller,
    listings_suppressed,
    payouts_held,
    sellers_to_evaluate,
)
from mercato.performance.service.thresholds import (
    RATE_FIELDS,
    current_thresholds,
    list_threshold_versions,
    set_thresholds,
    thresholds_at,
)

__all__ = [
    "RATE_FIELDS",
    "current_thresholds",
    "decide_appeal",
    "evaluate_all",
    "evaluate_seller",
    "file_appeal",
    "list_appeals",
    "list_threshold_versions",
    "listings_suppressed",
    "my_performance",
    "payouts_held",
    "record_dispute_answered",
    "record_dispute_opened",
    "seller_performance",
    "seller_table",
    "sellers_to_evaluate",
    "set_thresholds",
    "thresholds_at",
]

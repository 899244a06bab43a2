"""Payouts: each seller's payout schedule, payouts of the available balance through the payment
provider (a failed payout returns the money), per-payout statements and the seller's balance.

Other domains use the events ``PayoutPaid`` / ``PayoutFailed`` and the schemas."""

from mercato.payouts.events import PayoutFailed, PayoutPaid
from mercato.payouts.schemas import Interval, PayoutOut, PayoutStatus

__all__ = ["Interval", "PayoutFailed", "PayoutOut", "PayoutPaid", "PayoutStatus"]

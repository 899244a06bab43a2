"""The escrow facts payouts need from the settlement domain: money still held in escrow for a
seller, and how much of it open disputes have frozen."""

from mercato.settlement import escrow_held_minor, frozen_minor

__all__ = ["escrow_held_minor", "frozen_minor"]

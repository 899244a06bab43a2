"""Helpers shared by the seller's and the staff's order pages: what every order template
needs to format, and turning the schedule form into an aware datetime."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mercato.kit.errors import FieldError, ValidationFailed
from mercato.kit.money import format_money
from mercato.orders.policy import OrderStatus, label
from mercato.orders.schemas import ScheduleIn

# Offered in the schedule form; the browser's own zone is added when it is not listed.
COMMON_TIME_ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Stockholm",
    "Europe/Oslo",
    "Europe/Helsinki",
    "Europe/Warsaw",
    "Europe/Athens",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Australia/Sydney",
)
CARRIERS = ("Colissimo", "La Poste", "DHL", "UPS", "DPD", "GLS", "FedEx", "PostNL", "Royal Mail")

# The seller's verbs, by the status they move an order to.
ACTION_LABELS = {
    OrderStatus.ACCEPTED: "Accept",
    OrderStatus.SHIPPED: "Ship",
    OrderStatus.SCHEDULED: "Schedule",
    OrderStatus.PERFORMED: "Mark performed",
    OrderStatus.DELIVERED: "Mark delivered",
    OrderStatus.CONFIRMED: "Confirm",
    OrderStatus.CANCELED: "Cancel",
}


def formatting() -> dict[str, Any]:
    """What every order template uses to show money, statuses and actions."""
    return {
        "money": format_money,
        "status_label": label,
        "statuses": list(OrderStatus),
        "action_labels": ACTION_LABELS,
    }


def order_ids(values: Iterable[str]) -> list[uuid.UUID]:
    """Order ids from repeated or comma-separated form fields; anything else is refused."""
    found: list[uuid.UUID] = []
    for value in values:
        for part in value.split(","):
            if not part.strip():
                continue
            try:
                found.append(uuid.UUID(part.strip()))
            except ValueError:
                raise ValidationFailed.on("ids", "Choose orders from the list.") from None
    if not found:
        raise ValidationFailed.on("ids", "Select at least one order.")
    return list(dict.fromkeys(found))


def schedule_from_form(when: str, zone_name: str) -> ScheduleIn:
    """The appointment typed in a ``datetime-local`` input, in the chosen time zone."""
    errors = []
    zone: ZoneInfo | None = None
    try:
        zone = ZoneInfo(zone_name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        errors.append(FieldError("timezone", "Choose a time zone from the list."))
    try:
        local = datetime.fromisoformat(when.strip())
    except ValueError:
        errors.append(FieldError("scheduled_for", "Enter a date and time, like 2026-12-01 10:00."))
    else:
        if local.tzinfo is not None:
            errors.append(FieldError("scheduled_for", "Enter the local date and time."))
    if errors or zone is None:
        raise ValidationFailed(errors[0].message, errors=errors)
    return ScheduleIn(scheduled_for=local.replace(tzinfo=zone))

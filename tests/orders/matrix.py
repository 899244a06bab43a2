"""The order messages rows of the authorization matrix (``tests/test_authorization.py``): an
order's thread is its buyer's, its seller's and staff's to read; only its buyer and its seller
write; another buyer and another seller are told the order does not exist."""

from __future__ import annotations

from typing import Any

from tests.fixtures.matrix import (
    ADMIN,
    ANON,
    BUYER,
    OTHER,
    OTHER_BUYER,
    SELLER,
    SUPPORT,
    Case,
    sellers_only,
)

PREFIX = "/api/v1/orders/"
MESSAGES = f"{PREFIX}{{orders_paid}}/messages"

# The order's parties; everyone else (another buyer, another seller) is told it does not exist.
PARTIES = {ANON: 401, OTHER: 404, OTHER_BUYER: 404}

CASES: list[Case] = [
    Case("GET", MESSAGES, PARTIES | {BUYER: 200, SELLER: 200, SUPPORT: 200, ADMIN: 200}),
    Case(
        "POST",
        MESSAGES,
        PARTIES | {BUYER: 201, SELLER: 201, SUPPORT: 403, ADMIN: 403},
        json={"body": "  Is it gift-wrapped?  "},
    ),
    Case("GET", f"{PREFIX}messages/awaiting", sellers_only(200) | {OTHER_BUYER: 403}),
]


async def placeholders(
    client: Any, people: Any, runtime: Any, values: dict[str, str]
) -> dict[str, str]:
    """Nothing of its own: the cases use the matrix's paid order (``{orders_paid}``)."""
    del client, people, runtime, values
    return {}

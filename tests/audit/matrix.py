"""The audit rows of the authorization matrix (``tests/test_authorization.py``): the audit log
is for admins only; support is refused like everyone else."""

from __future__ import annotations

from typing import Any

from tests.fixtures.matrix import Case, staff_only

PREFIX = "/api/v1/audit"

CASES: list[Case] = [
    Case("GET", "/api/v1/audit/entries", staff_only(200, support=403)),
    Case(
        "GET",
        "/api/v1/audit/entries?action=accounts.&since=2026-01-01&until=2026-12-31&limit=5",
        staff_only(200, support=403),
    ),
    Case(
        "GET",
        "/api/v1/audit/entries?since=2026-02-02&until=2026-02-01",
        staff_only(422, support=403),
    ),
    Case("GET", "/api/v1/audit/verification", staff_only(200, support=403)),
]


async def placeholders(
    client: Any, people: Any, runtime: Any, values: dict[str, str]
) -> dict[str, str]:
    """The audit cases name no rows: the log already holds the matrix's sign-ins."""
    return {}

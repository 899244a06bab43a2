"""The disputes rows of the authorization matrix (``tests/test_authorization.py``)."""

from __future__ import annotations

from typing import Any

from tests.fixtures.matrix import Case

PREFIX = "/api/v1/disputes"

CASES: list[Case] = []


async def placeholders(
    client: Any, people: Any, runtime: Any, values: dict[str, str]
) -> dict[str, str]:
    """The rows the disputes cases name (``{disputes_…}``), made for the case being run."""
    return {}

"""The reviews rows of the authorization matrix (``tests/test_authorization.py``)."""

from __future__ import annotations

from typing import Any

from tests.fixtures.matrix import Case

PREFIX = "/api/v1/reviews"

CASES: list[Case] = []


async def placeholders(
    client: Any, people: Any, runtime: Any, values: dict[str, str]
) -> dict[str, str]:
    """The rows the reviews cases name (``{reviews_…}``), made for the case being run."""
    return {}

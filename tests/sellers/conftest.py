from __future__ import annotations

import pytest

from tests.fixtures.accounts import Actor, actors


@pytest.fixture
async def people(runtime, client) -> dict[str, Actor]:
    """anonymous, buyer, seller, other_seller, support and admin, signed in through the API."""
    return await actors(runtime, client)

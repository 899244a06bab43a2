"""No card number ever reaches our database or our logs: the sandbox's card form takes it, checks
it and keeps only a token, the brand, the last four digits and the expiry."""

from __future__ import annotations

import logging
import re

import httpx
import pytest
from sqlalchemy import select

from mercato.kit.auth import Role
from mercato.kit.db import Base
from mercato.kit.runtime import Runtime
from tests.fixtures.accounts import create_user, login
from tests.payments.conftest import form_token

CARDS = ["4242424242424242", "4000000000003220", "4000000000000002", "4242424242424241"]
CVC = "987"


def forms_of(pan: str) -> list[str]:
    groups = [pan[i : i + 4] for i in range(0, len(pan), 4)]
    return [pan, " ".join(groups), "-".join(groups)]


async def everything_stored(runtime: Runtime) -> str:
    """Every value of every row of every table, as text."""
    chunks = []
    async with runtime.database.reading() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).all():
                chunks.append(f"{table.name}: {tuple(row)!r}")
    return "\n".join(chunks)


def test_no_column_is_made_for_card_numbers_or_codes():
    suspicious = re.compile(r"(^|_)(pan|card_?number|cvc|cvv|cvv2|track)($|_)")
    columns = [
        f"{table.name}.{column.name}"
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if suspicious.search(column.name)
    ]
    assert columns == []


async def test_card_numbers_never_reach_the_database_or_the_logs(
    runtime: Runtime,
    client: httpx.AsyncClient,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
):
    caplog.set_level(logging.DEBUG)
    await create_user(runtime, "pan@example.com", Role.BUYER, "Pan Buyer")
    buyer = await login(client, "pan@example.com")

    async def pay(key: str, number: str, expiry: str = "12/34") -> httpx.Response:
        created = await client.post(
            "/api/v1/payments",
            json={"amount_minor": 1000, "currency": "EUR", "method": "card"},
            headers={**buyer, "Idempotency-Key": key},
        )
        path = created.json()["redirect_url"].removeprefix("http://testserver")
        token = await form_token(client, path)
        return await client.post(
            f"{path}/card",
            data={"csrf_token": token, "number": number, "expiry": expiry, "cvc": CVC},
        )

    assert (await pay("a", "4242 4242 4242 4242")).status_code == 303
    assert (await pay("b", "4000-0000-0000-3220")).status_code == 303
    assert (await pay("c", "4000000000000002")).status_code == 303
    assert (await pay("d", "4242 4242 4242 4241")).status_code == 422  # fails Luhn
    assert (await pay("e", "4242424242424242", expiry="01/20")).status_code == 422  # expired
    # Sent to our own API by mistake, a card number is refused as an unknown field.
    misplaced = await client.post(
        "/api/v1/payments",
        json={"amount_minor": 1, "currency": "EUR", "method": "card", "card_number": CARDS[0]},
        headers={**buyer, "Idempotency-Key": "f"},
    )
    assert misplaced.status_code == 422
    assert CARDS[0] not in misplaced.text

    stored = await everything_stored(runtime)
    assert "4242" in stored  # the last four digits are kept, as they may be
    captured = capsys.readouterr()
    logs = "\n".join([captured.out, captured.err, caplog.text])
    assert "/sandbox/pay/" in logs  # the requests were logged: the scan looks at real output
    for pan in CARDS:
        for form in forms_of(pan):
            assert form not in stored, f"{form} is stored"
            assert form not in logs, f"{form} is in the logs"

"""No card number (PAN) or card code (CVC) is kept anywhere after the whole money flow: checkout,
card payments typed into the sandbox's card form (plain, spaced and dashed), a declined card,
and a refund. Every column of every table and every captured log line is scanned; the scanner
is shown to find a PAN planted in a text column, in a JSON column and in a log line, so a clean
result means something."""

from __future__ import annotations

import json
import logging
import re
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.kit.db import Base
from mercato.kit.runtime import Runtime
from mercato.payments import service
from mercato.payments.models import Payment
from mercato.payments.providers.sandbox.cards import TEST_CARDS
from tests.orders.conftest import (
    ADDRESS,
    API,
    Market,
    fill_cart,
    market,  # noqa: F401  (the fixture)
)
from tests.payments.conftest import form_token

CVC = "739"
# A CVC is three digits, which random ids contain by chance: it counts as found only next to
# a name that marks it as a card code (a form field, a JSON key, a log field).
CVC_NEAR_LABEL = re.compile(r"(cvc|cvv2?|csc|security.?code)\W{0,6}" + CVC, re.IGNORECASE)


def written_forms(pan: str) -> list[str]:
    groups = [pan[i : i + 4] for i in range(0, len(pan), 4)]
    return [pan, " ".join(groups), "-".join(groups)]


def card_data_in(haystack: str) -> list[str]:
    """Every test card number (in any of its written forms) and labelled CVC in ``haystack``."""
    found = [form for pan in TEST_CARDS for form in written_forms(pan) if form in haystack]
    found.extend(match.group(0) for match in CVC_NEAR_LABEL.finditer(haystack))
    return found


def _as_text(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


async def every_stored_value(session: AsyncSession) -> str:
    """Every column (text, JSON, numbers alike: a PAN fits in a BIGINT) of every row of every
    table the application defines."""
    chunks = []
    for table in Base.metadata.sorted_tables:
        for row in (await session.execute(select(table))).all():
            values = " | ".join(_as_text(value) for value in row)
            chunks.append(f"{table.name}: {values}")
    return "\n".join(chunks)


async def pay_on_the_card_form(
    client: httpx.AsyncClient, redirect_url: str, number: str
) -> httpx.Response:
    path = redirect_url.removeprefix("http://testserver")
    token = await form_token(client, path)
    form = {"csrf_token": token, "number": number, "expiry": "12/34", "cvc": CVC}
    return await client.post(f"{path}/card", data=form)


async def checkout_and_pay(
    runtime: Runtime,
    client: httpx.AsyncClient,
    shop: Market,
    number: str,
) -> dict[str, Any]:
    await fill_cart(runtime, shop.buyer, (shop.mug_small, 1))
    placed = await client.post(
        f"{API}/checkout",
        json={"address": ADDRESS, "payment_method": "card"},
        headers={**shop.headers("buyer"), "Idempotency-Key": uuid.uuid4().hex},
    )
    assert placed.status_code == 201, placed.text
    payment = placed.json()["payment"]
    paid = await pay_on_the_card_form(client, payment["redirect_url"], number)
    assert paid.status_code == 303, paid.text
    return dict(payment)


async def test_no_card_number_or_code_survives_the_money_flow(
    runtime: Runtime,
    client: httpx.AsyncClient,
    market: Market,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
):
    caplog.set_level(logging.DEBUG)
    first = await checkout_and_pay(runtime, client, market, "4242 4242 4242 4242")
    second = await checkout_and_pay(runtime, client, market, "4242-4242-4242-4242")
    declined = await checkout_and_pay(runtime, client, market, "4000000000000002")
    async with runtime.database.transaction() as session:
        refund = await service.refund_payment(session, uuid.UUID(first["id"]), 500, "refund:scan")
    assert (refund.status, refund.amount_minor) == ("succeeded", 500)

    async with runtime.database.reading() as session:
        statuses = {str(p.id): p.status for p in (await session.execute(select(Payment))).scalars()}
        stored = await every_stored_value(session)
    assert [statuses[p["id"]] for p in (first, second, declined)] == [
        "succeeded",
        "succeeded",
        "failed",
    ]
    captured = capsys.readouterr()
    logs = "\n".join([captured.out, captured.err, caplog.text])
    # The scan reads real data: the rows and the request log of the card form are there.
    assert "payments_sandbox_card_token" in stored and "| 4242 |" in stored
    assert "/card" in logs
    assert card_data_in(stored) == []
    assert card_data_in(logs) == []


async def test_the_scanner_finds_a_planted_card_number(
    runtime: Runtime,
    market: Market,  # noqa: F811
):
    """The negative check: the same scan reports a PAN put in a text column, in a JSON column
    and in a log line, in each written form, and a labelled CVC."""
    async with runtime.database.transaction() as session:
        before = await every_stored_value(session)
        assert card_data_in(before) == []
        await session.execute(
            text("UPDATE sellers_seller SET status_reason = :value"),
            {"value": "paid with 4000 0000 0000 3220"},
        )
        await session.execute(
            text(
                "INSERT INTO payments_sandbox_event (id, type, payload, created_at, attempts) "
                "VALUES ('evt_planted', 'planted', :payload, CURRENT_TIMESTAMP, 0)"
            ),
            {"payload": json.dumps({"card": {"number": "4242-4242-4242-4242", "cvc": CVC}})},
        )
        planted = await every_stored_value(session)
        await session.rollback()
    assert card_data_in(planted) == ["4242-4242-4242-4242", "4000 0000 0000 3220", f'cvc": "{CVC}']
    log_line = json.dumps({"event": "request", "form": {"number": "4000000000000341"}})
    assert card_data_in(log_line) == ["4000000000000341"]
    assert card_data_in(f"cvc={CVC}") == [f"cvc={CVC}"]
    assert card_data_in(f"request id 5{CVC}9ab") == []  # three digits alone are no card code

"""`mercato payments ledger-check` and `sandbox-settle` against a real embedded database."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid

import pytest
from typer.testing import CliRunner

from mercato import cli, config
from mercato.kit.auth import Principal, Role
from mercato.kit.money import Money
from mercato.kit.runtime import build_runtime, install_runtime
from mercato.payments import Posting, post_journal, start_payment
from mercato.payments.schemas import PaymentMethod


@pytest.fixture
def embedded(tmp_path, monkeypatch):
    monkeypatch.setenv("MERCATO_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("MERCATO_PASSWORD_HASH_MEMORY_KIB", "1024")
    for name in ("MERCATO_DATABASE_URL", "MERCATO_ENCRYPTION_KEYS", "MERCATO_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    config.get_settings.cache_clear()
    assert run("db", "upgrade").exit_code == 0
    yield tmp_path
    config.get_settings.cache_clear()
    install_runtime(None)


def run(*args: str):
    return CliRunner().invoke(cli.app, list(args))


def said(result) -> str:
    return " ".join(result.output.split())


def execute(path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(path / "mercato.db") as connection:
        return connection.execute(sql, params).fetchall()


def in_app(work):
    async def go():
        runtime = build_runtime(config.get_settings())
        try:
            async with runtime.database.transaction() as session:
                return await work(session)
        finally:
            await runtime.close()

    return asyncio.run(go())


def test_ledger_check_passes_then_names_each_corruption(embedded):
    capture = [
        Posting("provider:sandbox:clearing", -900, "EUR"),
        Posting("escrow:order:1", 900, "EUR"),
    ]
    in_app(lambda session: post_journal(session, "cap-1", "payment_capture", capture, "order:1"))
    healthy = run("payments", "ledger-check")
    assert healthy.exit_code == 0, healthy.output
    assert "Ledger OK: 1 journals, 2 postings, 2 balances" in said(healthy)

    execute(
        embedded,
        "UPDATE payments_ledger_balance SET balance_minor = 901 WHERE account = 'escrow:order:1'",
    )
    (journal_id,) = execute(embedded, "SELECT id FROM payments_ledger_journal")[0]
    execute(
        embedded,
        "INSERT INTO payments_ledger_posting (id, journal_id, position, account, currency, "
        "amount_minor) VALUES (?, ?, 2, 'seller:s1:available', 'EUR', -5)",
        uuid.uuid4().hex,
        journal_id,
    )
    broken = run("payments", "ledger-check")
    assert broken.exit_code == 1
    output = said(broken)
    assert "Ledger check FAILED: 5 violation(s)" in output
    for expected in (
        "journal-unbalanced",
        "cap-1",
        "EUR postings sum to -5, not 0",
        "currency-unbalanced",
        "balance-mismatch",
        "cached 901, sum of postings 900",
        "cached missing, sum of postings -5",
        "negative-balance",
        "seller:s1:available EUR",
    ):
        assert expected in output, expected


def test_sandbox_settle_confirms_a_bank_transfer(embedded):
    from mercato.accounts.service import create_user_with_role

    async def pay(session):
        user = await create_user_with_role(
            session, "cli-buyer@example.com", "a-long-passphrase", "Cli", Role.BUYER
        )
        buyer = Principal(user_id=user.id, role=Role.BUYER)
        started = await start_payment(
            session, buyer, Money(5000, "JPY"), PaymentMethod.BANK_TRANSFER, "k", "", None
        )
        return started.payment.id

    payment_id = in_app(pay)
    assert execute(embedded, "SELECT status FROM payments_payment") == [("processing",)]
    settled = run("payments", "sandbox-settle", str(payment_id))
    assert settled.exit_code == 0, settled.output
    assert "Settled; the webhook was delivered." in said(settled)
    assert execute(embedded, "SELECT status FROM payments_payment") == [("succeeded",)]
    assert run("payments", "ledger-check").exit_code == 0
    again = run("payments", "sandbox-settle", str(payment_id))
    assert "Nothing to settle." in said(again)

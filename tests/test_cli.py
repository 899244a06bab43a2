"""The `mercato` command line against a real (temporary) embedded database."""

from __future__ import annotations

import sqlite3

import pytest
from typer.testing import CliRunner

from mercato import cli, config
from mercato.orders.demo import STORIES


@pytest.fixture
def embedded(tmp_path, monkeypatch):
    monkeypatch.setenv("MERCATO_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("MERCATO_PASSWORD_HASH_MEMORY_KIB", "1024")
    for name in ("MERCATO_DATABASE_URL", "MERCATO_ENCRYPTION_KEYS", "MERCATO_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    config.get_settings.cache_clear()
    yield tmp_path
    config.get_settings.cache_clear()


def run(*args: str):
    return CliRunner().invoke(cli.app, list(args))


def said(result) -> str:
    """The output with rich's line wrapping undone."""
    return " ".join(result.output.split())


def rows(path, query):
    with sqlite3.connect(path / "mercato.db") as connection:
        return connection.execute(query).fetchall()


def test_upgrade_then_seed_twice_duplicates_nothing(embedded):
    assert run("db", "upgrade").exit_code == 0
    first = run("demo", "seed")
    assert first.exit_code == 0, first.output
    assert "admin@mercato.example" in first.output
    second = run("demo", "seed")
    assert second.exit_code == 0, second.output
    roles = rows(embedded, "SELECT role, count(*) FROM accounts_user GROUP BY role ORDER BY role")
    assert roles == [("admin", 1), ("buyer", 2), ("seller", 5), ("support", 1)]
    assert rows(embedded, "SELECT count(*) FROM sellers_seller") == [(5,)]
    assert rows(embedded, "SELECT count(*) FROM catalog_listing") == [(30,)]
    assert rows(embedded, "SELECT count(*) FROM accounts_address") == [(3,)]
    assert rows(embedded, "SELECT count(*) FROM orders_order") == [(len(STORIES),)]


def test_create_admin_and_refuse_a_duplicate(embedded):
    run("db", "upgrade")
    ok = run("users", "create-admin", "--email", "ops@example.com", "--password", "ops-long-pass")
    assert ok.exit_code == 0, ok.output
    again = run("users", "create-admin", "--email", "ops@example.com", "--password", "x-long-pass")
    assert again.exit_code == 1
    assert "already exists" in said(again)
    weak = run("users", "create-admin", "--email", "o2@example.com", "--password", "short")
    assert weak.exit_code == 1
    assert "at least 10 characters" in said(weak)
    assert rows(embedded, "SELECT email, role FROM accounts_user") == [("ops@example.com", "admin")]


def test_keys_rotate_reencrypts_everything_with_a_new_key(embedded):
    run("db", "upgrade")
    run("demo", "seed")
    before = rows(embedded, "SELECT display_name FROM accounts_user")
    assert all(value.startswith("v1$") for (value,) in before)
    result = run("keys", "rotate")
    assert result.exit_code == 0, result.output
    assert "Added encryption key 2." in result.output
    after = rows(embedded, "SELECT display_name FROM accounts_user")
    assert all(value.startswith("v2$") for (value,) in after)
    # The data still reads back through the application.
    config.get_settings.cache_clear()
    seeded_again = run("demo", "seed")
    assert seeded_again.exit_code == 0, seeded_again.output

"""``mercato audit verify`` against a migrated SQLite file: it passes on an intact chain and
names the first broken entry after a hand edit (raw SQL UPDATE) or a deleted entry."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from typer.testing import CliRunner

from mercato import cli, config
from mercato.audit import record
from mercato.kit.runtime import build_runtime


@pytest.fixture
def embedded(tmp_path, monkeypatch):
    monkeypatch.setenv("MERCATO_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("MERCATO_PASSWORD_HASH_MEMORY_KIB", "1024")
    for name in ("MERCATO_DATABASE_URL", "MERCATO_ENCRYPTION_KEYS", "MERCATO_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    config.get_settings.cache_clear()
    assert CliRunner().invoke(cli.app, ["db", "upgrade"]).exit_code == 0
    asyncio.run(_append(5))
    yield tmp_path
    config.get_settings.cache_clear()


async def _append(count: int) -> None:
    runtime = build_runtime(config.get_settings())
    try:
        for n in range(count):
            async with runtime.database.transaction() as session:
                await record(
                    session, action="sellers.decision", subject_type="seller", detail={"n": n}
                )
    finally:
        await runtime.close()


def verify() -> tuple[int, str]:
    result = CliRunner().invoke(cli.app, ["audit", "verify"])
    return result.exit_code, " ".join(result.output.split())


def tamper(path, sql: str) -> None:
    with sqlite3.connect(path / "mercato.db") as connection:
        connection.execute(sql)


def test_verify_passes_on_an_intact_chain(embedded):
    code, output = verify()
    assert code == 0, output
    assert "Audit chain OK: 5 entries" in output


def test_verify_names_a_hand_edited_entry(embedded):
    tamper(embedded, "UPDATE audit_entry SET detail = '{\"n\": 42}' WHERE seq = 3")
    code, output = verify()
    assert code == 1
    assert "Audit chain BROKEN at entry 3 (hash_mismatch)" in output
    assert "2 entries before it are intact." in output


def test_verify_names_an_edited_action(embedded):
    tamper(embedded, "UPDATE audit_entry SET action = 'sellers.nothing' WHERE seq = 4")
    code, output = verify()
    assert (code, "BROKEN at entry 4 (hash_mismatch)" in output) == (1, True)


def test_verify_names_a_deleted_entry(embedded):
    tamper(embedded, "DELETE FROM audit_entry WHERE seq = 2")
    code, output = verify()
    assert code == 1
    assert "Audit chain BROKEN at entry 2 (gap): entry 2 is missing" in output

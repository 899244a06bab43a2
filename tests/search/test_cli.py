"""`mercato search reindex` on an embedded database."""

from __future__ import annotations

from tests.test_cli import embedded, run  # noqa: F401 (the fixture)


def test_reindex_runs_on_an_empty_index(embedded):  # noqa: F811
    assert run("db", "upgrade").exit_code == 0
    result = run("search", "reindex")
    assert result.exit_code == 0, result.output
    assert "Checked 0 listing(s); 0 searchable." in result.output
    refused = run("search", "reindex", "--listing", "not-an-id")
    assert refused.exit_code == 2


def test_reindex_rebuilds_a_lost_index_from_the_catalog(embedded):  # noqa: F811
    import sqlite3

    assert run("db", "upgrade").exit_code == 0
    assert run("demo", "seed").exit_code == 0
    database = embedded / "mercato.db"
    with sqlite3.connect(database) as connection:
        before = connection.execute("SELECT count(*) FROM search_document").fetchone()[0]
        connection.execute("DELETE FROM search_document")
    assert before > 20
    result = run("search", "reindex")
    assert result.exit_code == 0, result.output
    assert f"{before} searchable." in result.output
    with sqlite3.connect(database) as connection:
        after = connection.execute("SELECT count(*) FROM search_document").fetchone()[0]
    assert after == before

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

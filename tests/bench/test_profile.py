"""Summing py-spy's collapsed stacks into the report's per-function shares."""

from __future__ import annotations

from bench import profile

# py-spy ``--format raw``: outermost frame first, the sample count last.
COLLAPSED = """\
<module> (uvicorn/main.py:10);checkout (/work/src/mercato/orders/api.py:40);\
reserve_stock (/work/src/mercato/catalog/service/stock.py:37);execute (asyncpg/connection.py:9) 30
<module> (uvicorn/main.py:10);checkout (/work/src/mercato/orders/api.py:41);\
checkout (/work/src/mercato/orders/api.py:41) 10
<module> (uvicorn/main.py:10);select (selectors.py:468) 60
"""


def test_stacks_are_summed_per_function_inclusive_and_self() -> None:
    found = profile.Profile("checkout")
    profile.add_stacks(found, COLLAPSED)

    assert found.samples == 100
    summary = found.summary()
    # Line numbers and the src/ prefix are dropped; a recursive call counts once per sample.
    assert summary["mercato_inclusive"] == [
        ["checkout (mercato/orders/api.py)", 40.0],
        ["reserve_stock (mercato/catalog/service/stock.py)", 30.0],
    ]
    assert summary["self"][0] == ["select (selectors.py)", 60.0]
    assert ["execute (asyncpg/connection.py)", 30.0] in summary["self"]


def test_lines_that_are_not_stacks_are_skipped() -> None:
    found = profile.Profile("search")
    profile.add_stacks(found, "\nnot a stack\n<module> (a.py:1) x\n")
    assert found.samples == 0
    assert found.summary()["mercato_inclusive"] == []


def test_the_report_section_lists_each_profiled_scenario() -> None:
    found = profile.Profile("checkout")
    profile.add_stacks(found, COLLAPSED)
    lines = "\n".join(profile.markdown([found.summary()]))
    assert "### checkout — 100 samples" in lines
    assert "| `checkout (mercato/orders/api.py)` | 40.0% |" in lines
    assert profile.markdown([]) == []

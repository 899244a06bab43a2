"""Parsing the load generators' output and rendering the benchmark report."""

from __future__ import annotations

import json

import pytest

from bench import checkout, cpu, report, scenarios

Report, ScenarioResult, WrkRun = report.Report, report.ScenarioResult, report.WrkRun

WRK_OUTPUT = """Running 20s test @ http://127.0.0.1:8100
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    10.57ms    2.10ms  48.21ms   91.00%
  30000 requests in 20.00s, 120.00MB read
Requests/sec:   1500.00
BENCH_JSON {"requests": 30000, "duration_us": 20000000, "bytes": 125829120, "errors": \
{"connect": 0, "read": 1, "write": 0, "status": 2, "timeout": 3}, "latency_us": {"min": 900, \
"mean": 10570.5, "max": 48210, "p50": 9800, "p90": 13000, "p95": 14500, "p99": 21250}}
"""

PGBENCH_OUTPUT = """pgbench (15.20 (Debian 15.20-0+deb12u1))
transaction type: bench/pgbench_order.sql
number of clients: 16
number of transactions actually processed: 41234
number of failed transactions: 0 (0.000%)
latency average = 7.761 ms
initial connection time = 12.345 ms
tps = 2061.734512 (without initial connection time)
"""

REDIS_OUTPUT = (
    '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms",'
    '"p99_latency_ms","max_latency_ms"\n'
    '"GET","98039.22","0.103","0.024","0.095","0.151","0.263","1.087"\n'
)


def test_wrk_output_is_read_from_the_json_line() -> None:
    run = report.parse_wrk(WRK_OUTPUT.replace("\\\n", ""))

    assert run == WrkRun(
        requests=30000,
        seconds=20.0,
        errors=6,
        p50_ms=9.8,
        p95_ms=14.5,
        p99_ms=21.25,
        mean_ms=10.5705,
        max_ms=48.21,
    )
    assert run.requests_per_second == 1500.0
    assert run.error_rate == pytest.approx(6 / 30000)


def test_wrk_output_without_the_json_line_is_refused() -> None:
    with pytest.raises(report.OutputError, match="BENCH_JSON"):
        report.parse_wrk("Requests/sec: 1500.00\n")


def test_a_run_with_no_request_counts_as_all_errors() -> None:
    run = WrkRun(0, 2.0, 0, 0, 0, 0, 0, 0)

    assert run.requests_per_second == 0
    assert run.error_rate == 1.0


def test_pgbench_output() -> None:
    run = report.parse_pgbench(PGBENCH_OUTPUT)

    assert run == report.PgbenchRun(transactions_per_second=2061.734512, latency_ms=7.761, failed=0)


def test_pgbench_output_without_tps_is_refused() -> None:
    with pytest.raises(report.OutputError):
        report.parse_pgbench("pgbench: error: connection failed\n")


def test_redis_benchmark_csv() -> None:
    assert report.parse_redis_benchmark(REDIS_OUTPUT) == report.RedisRun(98039.22, 0.095, 0.263)
    with pytest.raises(report.OutputError):
        report.parse_redis_benchmark(REDIS_OUTPUT, test="SET")


def test_proc_status_gives_resident_and_peak_sizes() -> None:
    status = "Name:\tpython\nVmPeak:\t  900000 kB\nVmHWM:\t  187456 kB\nVmRSS:\t  150000 kB\n"

    assert report.parse_proc_status(status) == {"VmHWM": 187456, "VmRSS": 150000}


@pytest.mark.parametrize(
    ("target", "value", "met"),
    [
        (scenarios.SEARCH_P95_100K, 50.0, True),
        (scenarios.SEARCH_P95_100K, 50.1, False),
        (scenarios.SEARCH_P95_1M, 149.0, True),
        (scenarios.PRODUCT_RATIO, 0.5, True),
        (scenarios.PRODUCT_RATIO, 0.49, False),
    ],
)
def test_targets(target: scenarios.Target, value: float, met: bool) -> None:
    assert target.met(value) is met


def _result(name: str, rps_requests: int, errors: int = 0, p95: float = 12.0) -> ScenarioResult:
    run = WrkRun(rps_requests, 10.0, errors, 5.0, p95, 30.0, 6.0, 40.0)
    return ScenarioResult(name, name.replace("_", " ").title(), 16, run)


def _report() -> Report:
    hello = _result("hello", 100_000)
    product = _result("product_page", 40_000)
    product.ceiling_rps = hello.run.requests_per_second
    product.target_label, product.target_met = scenarios.PRODUCT_RATIO.label, False
    product.target_metric = scenarios.PRODUCT_RATIO.metric
    product.peak_rss_mb = 180.4
    search = _result("search_one_word", 5_000, p95=41.0)
    search.target_label, search.target_met = scenarios.SEARCH_P95_100K.label, True
    search.target_metric = scenarios.SEARCH_P95_100K.metric
    result = Report(
        "full",
        "2026-11-26 10:00 UTC",
        {"cpus": 2},
        {"listings": 100_000},
        scenarios=[search, product],
        curve=[(1_000_000, _result("search_curve_1000000", 2_000, p95=160.0))],
        hello=hello,
        pgbench=report.PgbenchRun(2000.0, 8.0, 0),
        redis=report.RedisRun(98000.0, 0.1, 0.3),
        csv_import={"rows": 10_000, "seconds": 24.5},
        worker_peak_rss_mb=[190.0, 310.0],
    )
    return result


def test_markdown_report_shows_figures_ratios_and_verdicts() -> None:
    markdown = report.render_markdown(_report())

    assert "| Product Page | 16 | 4,000 | 5.0 | 12.0 | 30.0 | 0.00% | 180 | 40% |" in markdown
    assert "≥ 50% of hello-world req/s **missed**" in markdown
    assert "| Search One Word | 16 | 500 | 5.0 | 41.0 |" in markdown
    assert "p95 ≤ 50 ms at 100k listings **met**" in markdown
    assert "**10,000 req/s**" in markdown  # the hello-world ceiling
    assert "**2,000 tx/s**" in markdown
    assert "**24.5 s** — target 10,000 rows ≤ 30 s **met**" in markdown
    assert "190 MB, 310 MB — target ≤ 300 MB each **missed**" in markdown


def test_json_report_holds_every_figure() -> None:
    data = json.loads(json.dumps(_report().as_dict()))

    product = data["scenarios"][1]
    assert product["requests_per_second"] == 4000.0
    assert product["ratio_to_hello_world"] == 0.4
    assert product["target_met"] is False
    assert data["search_curve"][0]["listings"] == 1_000_000
    assert data["ceilings"]["pgbench_order"]["transactions_per_second"] == 2000.0
    assert data["web_workers"]["target_met"] is False


def test_failures_name_scenarios_with_errors_or_no_requests() -> None:
    result = _report()
    result.scenarios.append(_result("admin_users", 100, errors=3))
    result.curve.append((10_000, _result("search_curve_10000", 0)))

    assert result.failures() == [
        "admin_users: 3 error(s) in 100 request(s)",
        "search_curve_10000: 0 error(s) in 0 request(s)",
    ]


def test_a_scenario_that_served_nothing_misses_its_latency_target() -> None:
    from bench import run

    empty = ScenarioResult("search_typo", "Search, typo", 16, WrkRun(0, 3.0, 0, 0, 0, 0, 0, 0))
    fast = _result("search_typo", 3000, p95=20.0)
    scenario = scenarios.Scenario(
        "search_typo", "Search, typo", ("/",), target=scenarios.SEARCH_P95_100K
    )

    assert run.judge(empty, scenario, 1000.0).target_met is False
    assert run.judge(fast, scenario, 1000.0).target_met is True
    assert fast.ratio == 0.3


def _cpu(machine_ms: float, web_ms: float, unit: str = "request") -> dict[str, object]:
    """The summary of 100 units that cost these milliseconds each."""
    seconds = {"web workers": web_ms / 10, cpu.OTHER: 0.0, "machine": machine_ms / 10}
    return cpu.CpuSplit(unit, 100, seconds).summary()


def test_the_cpu_section_and_the_missed_targets_give_the_cost_per_request() -> None:
    result = _report()
    assert result.hello is not None
    result.hello.cpu = _cpu(0.3, 0.2)
    result.scenarios[1].cpu = _cpu(2.5, 2.0)
    bought = checkout.CheckoutRun(buyers=64, seconds=20.0, orders=150, oversold_units=0)
    bought.checkout_ms = [900.0]
    bought.cpu = _cpu(260.0, 100.0, unit="order")
    bought.database = checkout.DatabaseWork(2_550, 9_000).per_order(
        checkout.DatabaseWork(0, 1_500), bought.orders
    )
    result.checkout = bought.summary()

    markdown = report.render_markdown(result)

    assert "| Product Page | request | 2.0 | 0.0 | 2.5 | 800 |" in markdown
    assert "| Hello | request | 0.2 | 0.0 | 0.3 | 6,667 |" in markdown
    assert "| Checkout + card payment (4 requests) | order | 100.0 | 0.0 | 260.0 | 8 |" in markdown
    assert (
        "- **Product Page**: 4,000 req/s, 40% of hello-world against ≥ 50% of hello-world "
        "req/s; 2.5 ms of CPU per request (web workers 2.0 ms, everything else 0.0 ms). "
        "A hello-world request costs 0.30 ms." in markdown
    )
    assert "the cores allow about 8 orders/s: 300 orders/s would need at most 6.7 ms" in markdown
    assert "Each order takes 17.0 PostgreSQL transactions where the pgbench ceiling" in markdown
    assert "per order: 17.0 transactions, 50.0 rows written" in markdown


def test_the_checkout_gap_sets_an_orders_requests_beside_the_smallest_signed_in_request() -> None:
    result = _report()
    floor = _result(scenarios.API_FLOOR, 8_000)  # 800 req/s
    floor.cpu = _cpu(2.5, 2.2)
    result.scenarios.append(floor)
    bought = checkout.CheckoutRun(buyers=64, seconds=20.0, orders=150, oversold_units=0)
    bought.checkout_ms = [900.0]
    bought.cpu = _cpu(260.0, 100.0, unit="order")
    result.checkout = bought.summary()

    markdown = report.render_markdown(result)

    assert (
        "The smallest signed-in API request (GET /api/v1/me) costs 2.5 ms of CPU and serves "
        "800 req/s: an order's 4 requests at that cost alone take 10.0 ms and allow at most "
        "200 orders/s, before any checkout, payment or job work." in markdown
    )


def test_without_the_smallest_request_measured_the_checkout_gap_says_nothing_of_it() -> None:
    result = _report()
    bought = checkout.CheckoutRun(buyers=64, seconds=20.0, orders=150, oversold_units=0)
    bought.checkout_ms = [900.0]
    result.checkout = bought.summary()

    markdown = report.render_markdown(result)

    assert "Checkout + card payment**: 7.5 orders/s" in markdown
    assert "smallest signed-in API request" not in markdown


def test_met_targets_leave_no_gap_section() -> None:
    result = _report()
    result.scenarios[1].target_met = True

    assert "Missed targets" not in report.render_markdown(result)

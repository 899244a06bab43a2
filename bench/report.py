"""Reading the load generators' output and writing the benchmark report (Markdown and JSON).

Everything here is pure: parsing text into figures and figures into a report.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.checkout import CHECKOUT_REQUESTS, TARGET_ORDERS_PER_SECOND
from bench.checkout import markdown as checkout_markdown
from bench.cpu import CORES, MACHINE
from bench.cpu import markdown as cpu_markdown
from bench.ledger import markdown as ledger_markdown
from bench.profile import markdown as profile_markdown
from bench.scenarios import API_FLOOR, API_FLOOR_PATH
from bench.sweep import failures as sweep_failures
from bench.sweep import markdown as sweep_markdown

WRK_MARKER = "BENCH_JSON "
RSS_LIMIT_MB = 300
CSV_IMPORT_LIMIT_SECONDS = 30.0


class OutputError(ValueError):
    """A load generator's output lacks the figures the benchmark needs."""


@dataclass(frozen=True)
class WrkRun:
    requests: int
    seconds: float
    errors: int  # socket errors (connect, read, write, timeout) + non-2xx/3xx answers
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def error_rate(self) -> float:
        return self.errors / self.requests if self.requests else 1.0


def parse_wrk(output: str) -> WrkRun:
    """The figures the ``done()`` of ``bench/wrk/paths.lua`` prints as one JSON line."""
    for line in output.splitlines():
        if line.startswith(WRK_MARKER):
            data = json.loads(line[len(WRK_MARKER) :])
            latency = data["latency_us"]
            return WrkRun(
                requests=int(data["requests"]),
                seconds=data["duration_us"] / 1e6,
                errors=sum(int(count) for count in data["errors"].values()),
                p50_ms=latency["p50"] / 1000,
                p95_ms=latency["p95"] / 1000,
                p99_ms=latency["p99"] / 1000,
                mean_ms=latency["mean"] / 1000,
                max_ms=latency["max"] / 1000,
            )
    raise OutputError(f"wrk printed no {WRK_MARKER.strip()} line:\n{output[-2000:]}")


@dataclass(frozen=True)
class PgbenchRun:
    transactions_per_second: float
    latency_ms: float
    failed: int


def parse_pgbench(output: str) -> PgbenchRun:
    tps = re.search(r"^tps = ([\d.]+)", output, re.MULTILINE)
    latency = re.search(r"^latency average = ([\d.]+) ms", output, re.MULTILINE)
    failed = re.search(r"^number of failed transactions: (\d+)", output, re.MULTILINE)
    if tps is None or latency is None:
        raise OutputError(f"pgbench printed no tps or latency:\n{output[-2000:]}")
    return PgbenchRun(
        float(tps.group(1)), float(latency.group(1)), int(failed.group(1) if failed else 0)
    )


@dataclass(frozen=True)
class RedisRun:
    requests_per_second: float
    p50_ms: float
    p99_ms: float


def parse_redis_benchmark(output: str, test: str = "GET") -> RedisRun:
    """``redis-benchmark --csv`` output (a header line, then one row per test)."""
    rows = [row for row in csv.DictReader(io.StringIO(output.strip())) if row.get("test")]
    for row in rows:
        if row["test"] == test:
            return RedisRun(
                float(row["rps"]), float(row["p50_latency_ms"]), float(row["p99_latency_ms"])
            )
    raise OutputError(f"redis-benchmark printed no {test} row:\n{output[-2000:]}")


def parse_proc_status(text: str) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) of ``/proc/<pid>/status``, in kB."""
    values = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


# --- the report ------------------------------------------------------------------------------


@dataclass
class ScenarioResult:
    name: str
    title: str
    connections: int
    run: WrkRun
    peak_rss_mb: float | None = None
    ceiling_rps: float | None = None
    target_label: str | None = None
    target_metric: str | None = None  # "ratio" (to hello-world) or "p95_ms"
    target_met: bool | None = None
    cpu: dict[str, Any] | None = None  # bench.cpu.CpuSplit.summary() per request

    @property
    def ratio(self) -> float | None:
        if not self.ceiling_rps:
            return None
        return self.run.requests_per_second / self.ceiling_rps

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "connections": self.connections,
            "requests": self.run.requests,
            "seconds": round(self.run.seconds, 2),
            "requests_per_second": round(self.run.requests_per_second, 1),
            "p50_ms": self.run.p50_ms,
            "p95_ms": self.run.p95_ms,
            "p99_ms": self.run.p99_ms,
            "errors": self.run.errors,
            "error_rate": round(self.run.error_rate, 5),
            "peak_rss_mb": self.peak_rss_mb,
            "ratio_to_hello_world": None if self.ratio is None else round(self.ratio, 3),
            "target": self.target_label,
            "target_met": self.target_met,
            "cpu": self.cpu,
        }


@dataclass
class Report:
    mode: str
    started_at: str
    machine: dict[str, Any]
    dataset: dict[str, Any]
    scenarios: list[ScenarioResult] = field(default_factory=list)
    curve: list[tuple[int, ScenarioResult]] = field(default_factory=list)
    hello: ScenarioResult | None = None
    pgbench: PgbenchRun | None = None
    redis: RedisRun | None = None
    csv_import: dict[str, Any] | None = None
    checkout: dict[str, Any] | None = None  # bench.checkout.CheckoutRun.summary()
    ledger: dict[str, Any] | None = None  # bench.ledger.LedgerRun.summary()
    sweep: dict[str, Any] | None = None  # bench.sweep.summary()
    worker_peak_rss_mb: list[float] = field(default_factory=list)
    profiles: list[dict[str, Any]] = field(default_factory=list)  # bench.profile summaries
    notes: list[str] = field(default_factory=list)

    def failures(self) -> list[str]:
        """Scenarios that did not run cleanly: any error, or no request served at all."""
        runs = [*self.scenarios, *(result for _, result in self.curve)]
        if self.hello is not None:
            runs.append(self.hello)
        failed = [
            f"{result.name}: {result.run.errors} error(s) in {result.run.requests} request(s)"
            for result in runs
            if result.run.errors or not result.run.requests
        ]
        checkout = self.checkout
        if checkout and (
            checkout["errors"] or checkout["oversold_units"] or not checkout["orders"]
        ):
            failed.append(
                f"checkout: {checkout['errors']} error(s), {checkout['orders']} order(s),"
                f" {checkout['oversold_units']} oversold unit(s)"
            )
        if self.ledger and (self.ledger["errors"] or not self.ledger["journals"]):
            failed.append(
                f"ledger: {self.ledger['errors']} error(s), {self.ledger['journals']} journal(s)"
            )
        if self.sweep:
            failed += sweep_failures(self.sweep)
        return failed

    def as_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "started_at": self.started_at,
            "machine": self.machine,
            "dataset": self.dataset,
            "ceilings": {
                "hello_world": self.hello.as_dict() if self.hello else None,
                "pgbench_order": asdict(self.pgbench) if self.pgbench else None,
                "redis_get": asdict(self.redis) if self.redis else None,
            },
            "scenarios": [result.as_dict() for result in self.scenarios],
            "search_curve": [{"listings": size, **result.as_dict()} for size, result in self.curve],
            "csv_import": self.csv_import,
            "checkout": self.checkout,
            "ledger": self.ledger,
            "release_sweep": self.sweep,
            "web_workers": {
                "peak_rss_mb": self.worker_peak_rss_mb,
                "target": f"≤ {RSS_LIMIT_MB} MB each",
                "target_met": _rss_met(self.worker_peak_rss_mb),
            },
            "profiles": self.profiles,
            "notes": self.notes,
        }


def _rss_met(peaks: list[float]) -> bool | None:
    return None if not peaks else all(peak <= RSS_LIMIT_MB for peak in peaks)


def _verdict(met: bool | None) -> str:
    return "" if met is None else ("**met**" if met else "**missed**")


def _ms(value: float) -> str:
    return f"{value:.1f}"


def _row(result: ScenarioResult) -> str:
    ratio = "" if result.ratio is None else f"{result.ratio:.0%}"
    rss = "" if result.peak_rss_mb is None else f"{result.peak_rss_mb:.0f}"
    target = f"{result.target_label} {_verdict(result.target_met)}" if result.target_label else ""
    return (
        f"| {result.title} | {result.connections} | {result.run.requests_per_second:,.0f} "
        f"| {_ms(result.run.p50_ms)} | {_ms(result.run.p95_ms)} | {_ms(result.run.p99_ms)} "
        f"| {result.run.error_rate:.2%} | {rss} | {ratio} | {target} |"
    )


TABLE_HEAD = (
    "| scenario | conns | req/s | p50 ms | p95 ms | p99 ms | errors | peak RSS/worker MB "
    "| vs hello-world | target |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
)


def render_markdown(report: Report) -> str:
    lines = [
        f"# Mercato benchmark — {report.mode} run, {report.started_at}",
        "",
        _machine_line(report.machine),
        "",
        "## Dataset",
        "",
        *[f"- {key}: {value}" for key, value in report.dataset.items()],
        "",
        "## Ceilings (same machine, same run)",
        "",
        *_ceiling_lines(report),
        "",
        "## Scenarios",
        "",
        TABLE_HEAD,
        *[_row(result) for result in report.scenarios],
        "",
        "## Search latency by index size",
        "",
        TABLE_HEAD,
        *[_row(result) for _, result in report.curve],
        "",
        *_csv_lines(report.csv_import),
        *(checkout_markdown(report.checkout) if report.checkout else []),
        *(ledger_markdown(report.ledger, _pgbench_tps(report)) if report.ledger else []),
        *(sweep_markdown(report.sweep, _pgbench_tps(report)) if report.sweep else []),
        "## Memory",
        "",
        f"Peak RSS (VmHWM) of each web worker: "
        f"{', '.join(f'{peak:.0f} MB' for peak in report.worker_peak_rss_mb) or 'not measured'}"
        f" — target ≤ {RSS_LIMIT_MB} MB each {_verdict(_rss_met(report.worker_peak_rss_mb))}",
        "",
        *cpu_markdown(_cpu_rows(report)),
        *_gap_lines(report),
        *profile_markdown(report.profiles),
    ]
    if report.notes:
        lines += ["## Notes", "", *[f"- {note}" for note in report.notes], ""]
    return "\n".join(lines)


def _measured(report: Report) -> list[ScenarioResult]:
    """The platform's scenarios and the search curve, in the report's order."""
    return [*report.scenarios, *(result for _, result in report.curve)]


def _cpu_rows(report: Report) -> list[tuple[str, dict[str, Any]]]:
    ceiling = [report.hello] if report.hello else []
    rows = [(result.title, result.cpu) for result in [*ceiling, *_measured(report)] if result.cpu]
    if report.checkout and report.checkout.get("cpu"):
        title = f"Checkout + card payment ({CHECKOUT_REQUESTS} requests)"
        rows.append((title, report.checkout["cpu"]))
    return rows


def _gap_lines(report: Report) -> list[str]:
    """Each missed target with its remaining gap and the reason the CPU figures give."""
    missed = [result for result in _measured(report) if result.target_met is False]
    lines = [_scenario_gap(result, report.hello) for result in missed]
    if report.checkout and not report.checkout["target_met"]:
        lines.append(_checkout_gap(report.checkout, _api_floor(report)))
    if not lines:
        return []
    return ["## Missed targets: the gap and its reason", "", *lines, ""]


def _spent(cpu: dict[str, Any] | None) -> str:
    if not cpu:
        return "CPU not measured"
    parts = ", ".join(
        f"{part} {ms:.1f} ms" for part, ms in cpu["ms_per_unit"].items() if part != MACHINE
    )
    return f"{cpu['ms_per_unit'].get(MACHINE, 0.0):.1f} ms of CPU per {cpu['unit']} ({parts})"


def _scenario_gap(result: ScenarioResult, hello: ScenarioResult | None) -> str:
    run = result.run
    figure = (
        f"{run.requests_per_second:,.0f} req/s, {result.ratio:.0%} of hello-world"
        if result.target_metric == "ratio" and result.ratio is not None
        else f"p95 {run.p95_ms:.1f} ms"
    )
    line = f"- **{result.title}**: {figure} against {result.target_label}; {_spent(result.cpu)}."
    if hello is not None and hello.cpu and result.cpu:
        hello_ms = hello.cpu["ms_per_unit"].get(MACHINE, 0.0)
        line += f" A hello-world request costs {hello_ms:.2f} ms."
    return line


def _api_floor(report: Report) -> ScenarioResult | None:
    """The smallest signed-in API request, when this run measured it with its CPU."""
    found = [result for result in report.scenarios if result.name == API_FLOOR and result.cpu]
    return found[0] if found else None


def _checkout_gap(checkout: dict[str, Any], floor: ScenarioResult | None = None) -> str:
    cpu = checkout.get("cpu")
    line = (
        f"- **Checkout + card payment**: {checkout['orders_per_second']:,.1f} orders/s, "
        f"checkout p99 {checkout['checkout_p99_ms']} ms against {checkout['target']}; "
        f"{_spent(cpu)}."
    )
    if cpu and cpu.get("cpu_bound_ceiling_per_second"):
        line += (
            f" At that cost the cores allow about {cpu['cpu_bound_ceiling_per_second']:,.0f} "
            f"orders/s: {TARGET_ORDERS_PER_SECOND} orders/s would need at most "
            f"{1000 * CORES / TARGET_ORDERS_PER_SECOND:.1f} ms of CPU per "
            "order for everything (four requests, the payment's webhook and its follow-up "
            "jobs, PostgreSQL and the load generator)."
        )
    work = checkout.get("database")
    if work:
        line += (
            f" Each order takes {work['transactions_per_order']:,.1f} PostgreSQL transactions "
            "where the pgbench ceiling takes one."
        )
    if floor is not None:
        line += " " + _floor_sentence(floor)
    return line


def _floor_sentence(floor: ScenarioResult) -> str:
    """What an order's requests cost at the least any signed-in request costs: the part of the
    gap that no checkout, payment or job work can close (``floor`` comes from :func:`_api_floor`,
    which keeps it only with its CPU measured)."""
    assert floor.cpu is not None
    request_ms = floor.cpu["ms_per_unit"].get(MACHINE, 0.0)
    served = floor.run.requests_per_second
    return (
        f"The smallest signed-in API request (GET {API_FLOOR_PATH}) costs {request_ms:.1f} ms "
        f"of CPU and serves {served:,.0f} req/s: an order's {CHECKOUT_REQUESTS} requests at "
        f"that cost alone take {CHECKOUT_REQUESTS * request_ms:.1f} ms and allow at most "
        f"{served / CHECKOUT_REQUESTS:,.0f} orders/s, before any checkout, payment or job work."
    )


def _pgbench_tps(report: Report) -> float | None:
    return report.pgbench.transactions_per_second if report.pgbench else None


def _machine_line(machine: dict[str, Any]) -> str:
    return "Machine: " + ", ".join(f"{key} {value}" for key, value in machine.items())


def _ceiling_lines(report: Report) -> list[str]:
    lines = []
    if report.hello is not None:
        run = report.hello.run
        lines.append(
            f"- hello-world FastAPI, {report.hello.connections} connections: "
            f"**{run.requests_per_second:,.0f} req/s**, p50 {_ms(run.p50_ms)} ms, "
            f"p99 {_ms(run.p99_ms)} ms"
        )
    if report.pgbench is not None:
        lines.append(
            f"- pgbench, an order's writes in one transaction: "
            f"**{report.pgbench.transactions_per_second:,.0f} tx/s**, "
            f"average latency {report.pgbench.latency_ms:.2f} ms, "
            f"{report.pgbench.failed} failed"
        )
    if report.redis is not None:
        lines.append(
            f"- redis-benchmark GET: **{report.redis.requests_per_second:,.0f} req/s**, "
            f"p50 {report.redis.p50_ms:.3f} ms, p99 {report.redis.p99_ms:.3f} ms"
        )
    return lines


def _csv_lines(csv_import: dict[str, Any] | None) -> list[str]:
    if csv_import is None:
        return []
    met = (
        csv_import["seconds"] <= CSV_IMPORT_LIMIT_SECONDS if csv_import["rows"] >= 10_000 else None
    )
    return [
        "## CSV import",
        "",
        f"`mercato catalog import-csv` of {csv_import['rows']:,} rows: "
        f"**{csv_import['seconds']:.1f} s** — target 10,000 rows ≤ "
        f"{CSV_IMPORT_LIMIT_SECONDS:.0f} s {_verdict(met)}".rstrip(),
        "",
    ]

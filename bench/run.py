"""``make bench`` / ``make bench-smoke``: start Mercato in production mode on a dedicated database,
generate a marketplace, drive it with wrk, measure this machine's ceilings in the same run, and
write the report to ``bench/results/``.

    .venv/bin/python -m bench.run            # full: 100k listings, 20 s per scenario, 1M curve
    .venv/bin/python -m bench.run --smoke    # 1-3 minutes on small data; fails on any error
    .venv/bin/python -m bench.run --only search,product   # those scenarios and hello-world only
    .venv/bin/python -m bench.run --only checkout --reuse-data   # checkout on the last dataset
    .venv/bin/python -m bench.run --only sweep --reuse-data      # the release sweep alone
    .venv/bin/python -m bench.run --only pgbench,ledger,sweep    # money figures beside pgbench
    .venv/bin/python -m bench.run --only checkout --profile      # with py-spy profiles

PostgreSQL (127.0.0.1:5432, trust auth) and Redis (127.0.0.1:6379) must be running; the run uses
its own database ``mercato_bench`` (dropped and recreated) and Redis database 9. Everything it
starts is stopped when it ends, fails or is interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import csv
import json
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import IO, Any

import asyncpg
import redis
from argon2 import PasswordHasher

from bench import checkout, cpu, dataset, ledger, profile, report, scenarios, sweep
from bench.report import Report, ScenarioResult
from bench.scenarios import Scenario
from mercato.kit.crypto import KeyRing
from mercato.kit.db import Database
from mercato.payments.service import roll_up_closed_days

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
WRK_SCRIPT = ROOT / "bench" / "wrk" / "paths.lua"
PGBENCH_SCRIPT = ROOT / "bench" / "pgbench_order.sql"
DATABASE = "mercato_bench"
PG = "postgresql://postgres@127.0.0.1:5432"
DATABASE_URL = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{DATABASE}"
REDIS_URL = "redis://127.0.0.1:6379/9"
WEB_PORT = 8100
HELLO_PORT = 8101
WORKERS = 2
PRODUCT_PAGES = 200
PROFILES = RESULTS / "profiles"
READY_SECONDS = 90
TOOLS = ("wrk", "pgbench", "redis-benchmark")


class BenchError(RuntimeError):
    """The benchmark cannot go on: the platform did not start, a tool failed, a probe failed."""


@dataclass(frozen=True)
class Plan:
    mode: str
    scale: dataset.Scale
    warmup_seconds: int
    seconds: int
    curve: tuple[int, ...]  # index sizes measured beside the dataset's own
    csv_rows: int
    redis_requests: int
    checkout_buyers: int  # concurrent virtual buyers in the checkout scenario
    checkout_variants: int  # goods variants they buy from
    sweep_orders: int  # completed orders the release sweep releases


FULL_PLAN = Plan(
    "full", dataset.FULL, 5, 20, (1_000_000, 10_000), 10_000, 1_000_000, 64, 500, 100_000
)
# No warm-up in the smoke run: it proves the pipeline, its figures are not comparable.
SMOKE_PLAN = Plan("smoke", dataset.SMOKE, 0, 3, (10_000,), 500, 100_000, 8, 50, 2_000)


# --- processes -------------------------------------------------------------------------------


class Processes:
    """The servers this run started, each in its own process group, so that stopping one also
    stops the workers it forked."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self._files: list[IO[bytes]] = []

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        self._files.append(log)
        process = subprocess.Popen(  # noqa: S603 (our own commands, no shell)
            args, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.running[name] = process
        return process

    def log_tail(self, name: str, size: int = 3000) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-size:] if path.exists() else ""

    def stop(self, name: str) -> None:
        process = self.running.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop_all(self) -> None:
        for name in list(self.running):
            self.stop(name)
        for log in self._files:
            log.close()


def _interrupted(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


# --- set-up ----------------------------------------------------------------------------------


SECRETS_FILE = ROOT / "var" / "bench-secrets.json"


def bench_secrets(reuse: bool) -> dict[str, str]:
    """Fresh secrets for a new dataset; the previous run's when its dataset is reused (the
    generated accounts' fields are encrypted with them)."""
    if reuse and SECRETS_FILE.exists():
        saved: dict[str, str] = json.loads(SECRETS_FILE.read_text())
        return saved
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    fresh = {"secret_key": secrets.token_urlsafe(48), "encryption_keys": f"1:{key}"}
    SECRETS_FILE.parent.mkdir(parents=True, exist_ok=True)
    SECRETS_FILE.write_text(json.dumps(fresh))
    return fresh


def platform_env(var_dir: Path, reuse: bool = False) -> dict[str, str]:
    """Production mode with the bench's own secrets (see :func:`bench_secrets`)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("MERCATO_")}
    chosen = bench_secrets(reuse)
    env.update(
        MERCATO_MODE="production",
        MERCATO_SECRET_KEY=chosen["secret_key"],
        MERCATO_ENCRYPTION_KEYS=chosen["encryption_keys"],
        MERCATO_DATABASE_URL=DATABASE_URL,
        MERCATO_REDIS_URL=REDIS_URL,
        MERCATO_VAR_DIR=str(var_dir),
        MERCATO_HOST="127.0.0.1",
        MERCATO_PORT=str(WEB_PORT),
        MERCATO_BASE_URL=f"http://127.0.0.1:{WEB_PORT}",
        MERCATO_LOG_LEVEL="WARNING",
    )
    return env


def require_tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        raise BenchError(f"Missing tools: {', '.join(missing)} (make bench installs wrk).")


async def recreate_database() -> str:
    connection = await asyncpg.connect(f"{PG}/postgres")
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{DATABASE}"')
        version: str = await connection.fetchval("SHOW server_version")
    finally:
        await connection.close()
    return version


def run_command(args: list[str], env: dict[str, str] | None = None, timeout: int = 900) -> str:
    completed = subprocess.run(  # noqa: S603 (our own commands, no shell)
        args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    if completed.returncode != 0:
        raise BenchError(
            f"{' '.join(args[:3])} failed ({completed.returncode}):\n"
            f"{completed.stdout[-2000:]}\n{completed.stderr[-2000:]}"
        )
    return completed.stdout


def wait_ready(url: str, processes: Processes, name: str) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        process = processes.running[name]
        if process.poll() is not None:
            raise BenchError(
                f"{name} exited with {process.returncode}:\n{processes.log_tail(name)}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 (local URL)
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise BenchError(
        f"{name} was not ready at {url} in {READY_SECONDS} s:\n{processes.log_tail(name)}"
    )


# --- HTTP helpers ----------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def status_of(url: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (local URL)
    try:
        with _opener.open(request, timeout=30) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return error.code


def sign_in(base_url: str, email: str) -> dict[str, str]:
    """A bearer token for the generated account (the API's OAuth2 password flow)."""
    form = urllib.parse.urlencode({"username": email, "password": dataset.PASSWORD}).encode()
    request = urllib.request.Request(f"{base_url}/api/v1/auth/token", data=form)  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (local URL)
        token = json.loads(answer.read())["access_token"]
    return {"Authorization": f"Bearer {token}"}


# --- measuring -------------------------------------------------------------------------------


def worker_pids(supervisor: int) -> list[int]:
    """The uvicorn worker processes a ``mercato web`` supervisor spawned."""
    children = Path(f"/proc/{supervisor}/task/{supervisor}/children")
    pids = [int(pid) for pid in children.read_text().split()] if children.exists() else []
    return [pid for pid in pids if b"spawn_main" in _cmdline(pid)]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def memory_kb(pid: int) -> dict[str, int]:
    try:
        return report.parse_proc_status(Path(f"/proc/{pid}/status").read_text())
    except OSError:
        return {}


class RssSampler:
    """The largest resident size of any of ``pids`` while a scenario runs, sampled twice a
    second."""

    def __init__(self, pids: Callable[[], list[int]]) -> None:
        self._pids = pids
        self._stop = threading.Event()
        self.peak_kb = 0
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            for pid in self._pids():
                self.peak_kb = max(self.peak_kb, memory_kb(pid).get("VmRSS", 0))
            self._stop.wait(0.5)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


class Driver:
    """Runs scenarios with wrk against one server; with ``profiles``, py-spy samples the web
    workers during each measured run and the summaries are collected there."""

    def __init__(
        self,
        plan: Plan,
        base_url: str,
        work: Path,
        pids: Callable[[], list[int]],
        cpu_parts: dict[str, cpu.Part],
        profiles: list[dict[str, Any]] | None = None,
    ):
        self.plan, self.base_url, self.work, self.pids = plan, base_url, work, pids
        self.cpu_parts = cpu_parts
        self.profiles = profiles

    def cpu_meter(self) -> cpu.CpuMeter:
        return cpu.CpuMeter(self.cpu_parts)

    @contextlib.contextmanager
    def profiled(self, scenario: str) -> Iterator[None]:
        """Sample the web workers while the block runs, when profiling was asked for."""
        if self.profiles is None:
            yield
            return
        with profile.Sampler(scenario, self.pids, PROFILES) as sampler:
            yield
        self.profiles.append(sampler.profile.summary())

    def _wrk(self, scenario: Scenario, seconds: int, paths: Path, headers: dict[str, str]) -> str:
        args = [
            "wrk",
            "-t2",
            f"-c{scenario.connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(WRK_SCRIPT),
            self.base_url,
            "--",
            str(paths),
            *[f"{name}: {value}" for name, value in headers.items()],
        ]
        return run_command(args, timeout=seconds + 60)

    def measure(self, scenario: Scenario, headers: dict[str, str] | None = None) -> ScenarioResult:
        headers = headers or {}
        paths = self.work / f"{scenario.name}.paths"
        paths.write_text("\n".join(scenario.paths) + "\n")
        probe = status_of(self.base_url + scenario.paths[0], headers)
        if probe != 200:
            raise BenchError(f"{scenario.name}: {scenario.paths[0]} answered {probe}, not 200")
        if scenario.prime:
            for path in scenario.paths:
                status_of(self.base_url + path, headers)
        if self.plan.warmup_seconds:
            self._wrk(scenario, self.plan.warmup_seconds, paths, headers)
        with (
            RssSampler(self.pids) as sampler,
            self.profiled(scenario.name),
            self.cpu_meter() as meter,
        ):
            output = self._wrk(scenario, self.plan.seconds, paths, headers)
        run = report.parse_wrk(output)
        result = ScenarioResult(
            scenario.name,
            scenario.title,
            scenario.connections,
            run,
            peak_rss_mb=round(sampler.peak_kb / 1024, 1) if sampler.peak_kb else None,
            cpu=meter.split(run.requests, "request").summary(),
        )
        print(
            f"  {scenario.title}: {run.requests_per_second:,.0f} req/s, "
            f"p95 {run.p95_ms:.1f} ms, {run.errors} error(s)",
            flush=True,
        )
        return result


def judge(result: ScenarioResult, scenario: Scenario, hello_rps: float | None) -> ScenarioResult:
    result.ceiling_rps = hello_rps
    if scenario.target is not None:
        result.target_label = scenario.target.label
        result.target_metric = scenario.target.metric
        value = result.ratio if scenario.target.metric == "ratio" else result.run.p95_ms
        served = result.run.requests > 0
        result.target_met = None if value is None else served and scenario.target.met(value)
    return result


# --- ceilings --------------------------------------------------------------------------------


def measure_hello(
    plan: Plan, processes: Processes, env: dict[str, str], work: Path
) -> ScenarioResult:
    processes.start(
        "hello",
        [
            str(BIN / "uvicorn"),
            "bench.hello:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(HELLO_PORT),
            "--workers",
            str(WORKERS),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--log-level",
            "warning",
        ],
        env,
    )
    supervisor = processes.running["hello"].pid
    try:
        wait_ready(f"http://127.0.0.1:{HELLO_PORT}/", processes, "hello")
        driver = Driver(
            plan,
            f"http://127.0.0.1:{HELLO_PORT}",
            work,
            lambda: worker_pids(supervisor),
            {"web workers": cpu.process_group(supervisor)},
        )
        return driver.measure(scenarios.HELLO)
    finally:
        processes.stop("hello")


PGBENCH_TABLES = """
DROP TABLE IF EXISTS bench_posting, bench_journal, bench_order_line, bench_order, bench_stock;
CREATE TABLE bench_stock (sku_id int PRIMARY KEY, stock int NOT NULL);
CREATE TABLE bench_order (id bigserial PRIMARY KEY, buyer_id int NOT NULL,
    total_minor bigint NOT NULL, currency char(3) NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE bench_order_line (id bigserial PRIMARY KEY,
    order_id bigint NOT NULL REFERENCES bench_order (id),
    sku_id int NOT NULL REFERENCES bench_stock (sku_id), quantity int NOT NULL,
    unit_price_minor bigint NOT NULL);
CREATE INDEX ix_bench_order_line_order ON bench_order_line (order_id);
CREATE TABLE bench_journal (id bigserial PRIMARY KEY, idempotency_key text NOT NULL UNIQUE,
    order_id bigint NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE bench_posting (id bigserial PRIMARY KEY,
    journal_id bigint NOT NULL REFERENCES bench_journal (id), account text NOT NULL,
    currency char(3) NOT NULL, amount_minor bigint NOT NULL);
CREATE INDEX ix_bench_posting_journal ON bench_posting (journal_id);
"""


async def _pgbench_tables(skus: int, drop: bool = False) -> None:
    connection = await asyncpg.connect(f"{PG}/{DATABASE}")
    try:
        if drop:
            await connection.execute(PGBENCH_TABLES.split(";")[0])
            return
        await connection.execute(PGBENCH_TABLES)
        await connection.execute(
            "INSERT INTO bench_stock SELECT g, 1000000000 FROM generate_series(1, $1::int) g", skus
        )
        await connection.execute("ANALYZE bench_stock")
    finally:
        await connection.close()


def measure_pgbench(plan: Plan) -> report.PgbenchRun:
    skus = plan.scale.listings
    asyncio.run(_pgbench_tables(skus))
    try:

        def pgbench(seconds: int) -> str:
            return run_command(
                [
                    "pgbench",
                    "-h",
                    "127.0.0.1",
                    "-U",
                    "postgres",
                    "-n",
                    f"-c{scenarios.CONNECTIONS}",
                    "-j2",
                    f"-T{seconds}",
                    "-D",
                    f"buyers={plan.scale.buyers}",
                    "-D",
                    f"skus={skus}",
                    "-f",
                    str(PGBENCH_SCRIPT),
                    DATABASE,
                ],
                timeout=seconds + 120,
            )

        if plan.warmup_seconds:
            pgbench(plan.warmup_seconds)
        return report.parse_pgbench(pgbench(plan.seconds))
    finally:
        asyncio.run(_pgbench_tables(skus, drop=True))


def measure_redis(plan: Plan) -> report.RedisRun:
    output = run_command(
        [
            "redis-benchmark",
            "-h",
            "127.0.0.1",
            "-p",
            "6379",
            "--dbnum",
            "9",
            "-c",
            str(scenarios.CONNECTIONS),
            "-n",
            str(plan.redis_requests),
            "-t",
            "get",
            "--csv",
        ]
    )
    return report.parse_redis_benchmark(output)


# --- the CSV import --------------------------------------------------------------------------


def write_import_csv(path: Path, rows: int, seed: int = 42) -> None:
    """``rows`` new goods listings in the columns ``mercato catalog import-csv`` reads."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "listing_ref",
                "sku",
                "title",
                "description",
                "kind",
                "category",
                "price",
                "currency",
                "stock",
                "weight_grams",
                "attr:colour",
                "attr:material",
            ]
        )
        for index, listing in enumerate(dataset.listings(dataset.Scale(1, rows * 2, 0), seed)):
            if listing.kind != "goods":
                continue
            variant = listing.variants[0]
            writer.writerow(
                [
                    f"IMPORT-{index}",
                    f"IMPORT-{index}",
                    listing.title,
                    listing.description,
                    "goods",
                    listing.category.slug,
                    f"{variant.price_minor / 100:.2f}",
                    dataset.CURRENCY,
                    variant.stock,
                    variant.weight_grams,
                    listing.attributes["colour"],
                    listing.attributes["material"],
                ]
            )
            rows -= 1
            if rows == 0:
                return


def measure_csv_import(plan: Plan, env: dict[str, str], work: Path) -> dict[str, Any]:
    path = work / "import.csv"
    write_import_csv(path, plan.csv_rows)
    seller = dataset.sellers(plan.scale)[-1]
    started = time.perf_counter()
    run_command(
        [str(BIN / "mercato"), "catalog", "import-csv", str(path), "--seller", str(seller.id)], env
    )
    seconds = time.perf_counter() - started
    print(f"  CSV import of {plan.csv_rows} rows: {seconds:.1f} s", flush=True)
    return {"rows": plan.csv_rows, "seconds": round(seconds, 2), "seller_id": str(seller.id)}


# --- the run ---------------------------------------------------------------------------------


def machine(pg_version: str) -> dict[str, Any]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb_total = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        # Other work on the machine skews every figure: the load at the start says how much.
        "load average at start": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
        "cpus": os.cpu_count(),
        "cpu": model,
        "memory": f"{memory_kb_total / 1024 / 1024:.0f} GiB",
        "python": platform.python_version(),
        "postgresql": pg_version,
    }


def load_data(plan: Plan, env: dict[str, str]) -> dict[str, Any]:
    run_command([str(BIN / "mercato"), "db", "upgrade"], env)
    # The shared password's hash, made once with the platform's own Argon2 parameters.
    password_hash = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=1).hash(
        dataset.PASSWORD
    )
    started = time.perf_counter()
    timings = asyncio.run(
        dataset.load_marketplace(
            DATABASE_URL,
            plan.scale,
            keyring=KeyRing.parse(env["MERCATO_ENCRYPTION_KEYS"]),
            password_hash=password_hash,
        )
    )
    seconds = time.perf_counter() - started
    print(f"  generated {plan.scale} in {seconds:.1f} s", flush=True)
    return {
        "sellers": plan.scale.sellers,
        "listings": plan.scale.listings,
        "buyers": plan.scale.buyers,
        "past orders": plan.scale.past_orders,
        "load seconds": {name: round(value, 1) for name, value in timings.items()},
    }


def start_platform(processes: Processes, env: dict[str, str]) -> tuple[int, int]:
    """(web supervisor pid, job worker pid), each the leader of its own process group."""
    redis.Redis.from_url(REDIS_URL).flushdb()
    web = processes.start("web", [str(BIN / "mercato"), "web", "--workers", str(WORKERS)], env)
    worker = processes.start("worker", [str(BIN / "mercato"), "worker"], env)
    wait_ready(f"http://127.0.0.1:{WEB_PORT}/readyz", processes, "web")
    if worker.poll() is not None:
        raise BenchError(f"the job worker exited:\n{processes.log_tail('worker')}")
    return web.pid, worker.pid


def selected(scenario: Scenario, only: tuple[str, ...]) -> bool:
    """Whether ``--only`` keeps the scenario: its name starts with one of the given prefixes
    (``search`` keeps every search scenario, ``product`` the product page)."""
    return not only or scenario.name.startswith(only)


def run_scenarios(
    plan: Plan, driver: Driver, hello_rps: float, only: tuple[str, ...] = ()
) -> list[ScenarioResult]:
    product_ids = [
        listing.id
        for _, listing in zip(range(PRODUCT_PAGES), dataset.listings(plan.scale), strict=False)
    ]
    results = []
    for scenario in scenarios.platform_scenarios(
        product_ids, dataset.seller_email(1), dataset.ADMIN_EMAIL, dataset.buyer_email(1)
    ):
        if not selected(scenario, only):
            continue
        # Tokens live for minutes: each signed-in scenario gets a fresh one.
        headers = sign_in(driver.base_url, scenario.sign_in_as) if scenario.sign_in_as else None
        results.append(judge(driver.measure(scenario, headers), scenario, hello_rps))
    return results


def measure_checkout(plan: Plan, driver: Driver) -> dict[str, Any]:
    """Checkout + sandbox card payment by concurrent buyers, then the stock audit."""
    dsn = f"{PG}/{DATABASE}"
    since = datetime.now(UTC)  # the dataset's past orders bought before the stock was set
    variants = asyncio.run(checkout.prepare(dsn, plan.checkout_variants))
    emails = [dataset.buyer_email(index) for index in range(1, plan.checkout_buyers + 1)]
    run = asyncio.run(_checkout_runs(plan, driver, emails, variants, dsn))
    run.oversold_units, run.negative_stock_variants = asyncio.run(
        checkout.audit(dsn, variants, since)
    )
    summary = run.summary()
    print(
        f"  Checkout + card payment: {summary['orders_per_second']:,.1f} orders/s, checkout p99 "
        f"{summary['checkout_p99_ms']} ms, {run.errors} error(s), {run.oversold_units} oversold",
        flush=True,
    )
    return summary


async def _checkout_runs(
    plan: Plan, driver: Driver, emails: list[str], variants: list[Any], dsn: str
) -> checkout.CheckoutRun:
    """The buyers sign in once, warm up, then buy for the measured (and profiled) run."""
    buyers = await checkout.sign_in(driver.base_url, emails, dataset.PASSWORD)
    try:
        if plan.warmup_seconds:
            await checkout.drive(buyers, variants, plan.warmup_seconds)
        await asyncio.sleep(checkout.STATS_DELAY_SECONDS)
        before = await checkout.database_work(dsn)
        with driver.profiled("checkout"), driver.cpu_meter() as meter:
            run = await checkout.drive(buyers, variants, plan.seconds)
        run.cpu = meter.split(run.orders, "order").summary()
        await asyncio.sleep(checkout.STATS_DELAY_SECONDS)
        after = await checkout.database_work(dsn)
        run.database = after.per_order(before, run.orders)
        return run
    finally:
        await checkout.close(buyers)


LEDGER_WORKERS = 8


def measure_ledger(plan: Plan) -> dict[str, Any]:
    """Journals per second: capture and release journals posted through the payments service
    by concurrent workers on the bench database."""
    summary = asyncio.run(ledger.measure(DATABASE_URL, LEDGER_WORKERS, plan.seconds))
    print(
        f"  Ledger: {summary['journals_per_second']:,.1f} journals/s, p99 "
        f"{summary['journal_p99_ms']} ms, {summary['errors']} error(s)",
        flush=True,
    )
    return summary


def measure_sweep(plan: Plan, env: dict[str, str]) -> dict[str, Any]:
    """Orders released per second by the settlement sweep over ``plan.sweep_orders`` due
    orders, in a process of its own with the platform's settings (see :mod:`bench.sweep`)."""
    output = run_command(
        [
            sys.executable,
            "-m",
            "bench.sweep",
            "--plan",
            plan.mode,
            "--orders",
            str(plan.sweep_orders),
        ],
        env,
        timeout=max(900, plan.sweep_orders // 5),  # a few orders per second at worst
    )
    found = [line for line in output.splitlines() if line.startswith(sweep.MARKER)]
    if not found:
        raise BenchError(f"the release sweep printed no result:\n{output[-2000:]}")
    summary: dict[str, Any] = json.loads(found[-1].removeprefix(sweep.MARKER))
    print(
        f"  Release sweep: {summary['orders_per_second']:,.1f} orders/s over "
        f"{summary['orders']:,} orders ({summary['runs']} runs), "
        f"{summary['released_once']:,} released once, "
        f"{summary['ledger_violations']} ledger violation(s)",
        flush=True,
    )
    return summary


def run_curve(plan: Plan, driver: Driver, hello_rps: float) -> list[tuple[int, ScenarioResult]]:
    def measure(size: int) -> tuple[int, ScenarioResult]:
        redis.Redis.from_url(REDIS_URL).flushdb()  # no result cached from another size
        scenario = scenarios.curve_scenario(size)
        return size, judge(driver.measure(scenario), scenario, hello_rps)

    curve = [measure(plan.scale.listings)]
    for size in plan.curve:
        current = asyncio.run(dataset.search_document_count(DATABASE_URL))
        if size > current:
            timings = asyncio.run(dataset.grow_search_index(DATABASE_URL, size // current))
        else:
            timings = {"load": asyncio.run(dataset.load_search_only(DATABASE_URL, size))}
        count = asyncio.run(dataset.search_document_count(DATABASE_URL))
        print(f"  search index now {count:,} documents: {timings}", flush=True)
        curve.append(measure(count))
    return sorted(curve, key=lambda item: item[0])


async def existing_dataset(plan: Plan) -> tuple[str, dict[str, Any]] | None:
    """The server version and the dataset of a previous run of this plan, if the bench
    database still holds exactly that many listings; None otherwise."""
    try:
        connection = await asyncpg.connect(f"{PG}/{DATABASE}")
    except (OSError, asyncpg.PostgresError):
        return None
    try:
        version: str = await connection.fetchval("SHOW server_version")
        listings = await connection.fetchval("SELECT count(*) FROM catalog_listing")
        documents = await connection.fetchval("SELECT count(*) FROM search_document")
    except asyncpg.PostgresError:
        return None
    finally:
        await connection.close()
    if listings != plan.scale.listings or documents != plan.scale.listings:
        return None
    return version, {"listings": listings, "reused": "the previous run's dataset, migrated"}


def prepare_data(plan: Plan, env: dict[str, str], reuse: bool) -> tuple[str, dict[str, Any]]:
    """A freshly generated dataset, or with ``reuse`` the previous run's when it matches the
    plan (migrated to the current schema; the search index is refilled by the migration);
    either way with the periodic state a live deployment would have (see below)."""
    if reuse and (found := asyncio.run(existing_dataset(plan))) is not None:
        run_command([str(BIN / "mercato"), "db", "upgrade"], env)
        print("  reusing the dataset already in the bench database", flush=True)
    else:
        found = asyncio.run(recreate_database()), load_data(plan, env)
    rows = asyncio.run(roll_up_past_captures())
    print(f"  rolled up the past captures: {rows} day-currency row(s)", flush=True)
    return found


async def roll_up_past_captures() -> int:
    """What the scheduler's hourly job would have done over the dataset's past year of
    orders: the closed days' captures summed per day, so the finance overview reads the
    recent days only, as in a deployment that has been running (the bench starts no
    scheduler: its jobs would run amid the measurements)."""
    database = Database(DATABASE_URL)
    try:
        async with database.transaction() as session:
            return await roll_up_closed_days(session)
    finally:
        await database.dispose()


def run(
    plan: Plan, only: tuple[str, ...] = (), reuse_data: bool = False, profiled: bool = False
) -> int:
    started_at = datetime.now(UTC)
    require_tools()
    work = Path(tempfile.mkdtemp(prefix="mercato-bench-"))
    env = platform_env(work / "var", reuse=reuse_data)
    processes = Processes(work)
    mode = f"{plan.mode}, only {','.join(only)}" if only else plan.mode
    print(f"Mercato benchmark ({mode}); logs in {work}", flush=True)
    try:
        pg_version, data = prepare_data(plan, env, reuse_data)
        result = Report(mode, started_at.strftime("%Y-%m-%d %H:%M UTC"), machine(pg_version), data)
        print("Ceilings", flush=True)
        result.hello = measure_hello(plan, processes, env, work)
        if not only or "pgbench" in only:
            result.pgbench = measure_pgbench(plan)
        if not only:
            result.redis = measure_redis(plan)
        hello_rps = result.hello.run.requests_per_second
        print("Platform", flush=True)
        web, worker = start_platform(processes, env)
        driver = Driver(
            plan,
            f"http://127.0.0.1:{WEB_PORT}",
            work,
            lambda: worker_pids(web),
            {
                "web workers": cpu.process_group(web),
                "job worker": cpu.process_group(worker),
                "PostgreSQL": cpu.named("postgres"),
                "Redis": cpu.named("redis-server"),
            },
            result.profiles if profiled else None,
        )
        # The checkout's report sets the smallest signed-in request beside an order's four.
        wanted = (*only, scenarios.API_FLOOR) if "checkout" in only else only
        result.scenarios = run_scenarios(plan, driver, hello_rps, wanted)
        if not only or "checkout" in only:
            result.checkout = measure_checkout(plan, driver)
        if not only or "ledger" in only:
            result.ledger = measure_ledger(plan)
        if not only or "sweep" in only:
            result.sweep = measure_sweep(plan, env)
        if not only:
            result.csv_import = measure_csv_import(plan, env, work)
            result.curve = run_curve(plan, driver, hello_rps)
        result.worker_peak_rss_mb = [
            round(memory_kb(pid).get("VmHWM", 0) / 1024, 1) for pid in worker_pids(web)
        ]
        result.notes = notes(plan)
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
        result.notes.append(f"Load average at the end of the run: {load}.")
    finally:
        processes.stop_all()
    return write(result, plan, started_at, partial=bool(only))


def notes(plan: Plan) -> list[str]:
    return [
        f"wrk runs on the same {os.cpu_count()} cores as the servers (2 threads); "
        f"{plan.warmup_seconds} s warm-up, then {plan.seconds} s measured per scenario.",
        "Search requests add a price_max above every price: the results are those of the "
        "plain query, but nearly every request misses the few-seconds result cache.",
        "Errors: socket errors plus answers other than 2xx/3xx; every scenario's first path "
        "is probed first and must answer 200 (a sign-in redirect would fail the run).",
        "Signed-in scenarios use a bearer token from POST /api/v1/auth/token.",
    ]


def write(result: Report, plan: Plan, started_at: datetime, partial: bool = False) -> int:
    RESULTS.mkdir(parents=True, exist_ok=True)
    # A partial run (--only) never replaces the day's full report.
    stem = (
        started_at.strftime("%Y-%m-%d")
        if plan.mode == "full" and not partial
        else (f"{plan.mode if not partial else 'only'}-{started_at.strftime('%Y%m%d-%H%M%S')}")
    )
    markdown = report.render_markdown(result)
    (RESULTS / f"{stem}.md").write_text(markdown, encoding="utf-8")
    (RESULTS / f"{stem}.json").write_text(json.dumps(result.as_dict(), indent=2) + "\n")
    print(markdown)
    print(f"Report: {RESULTS / stem}.md and .json")
    failures = result.failures()
    for failure in failures:
        print(f"FAILED {failure}", file=sys.stderr)
    return 1 if failures else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="small data, seconds per scenario")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated scenario name prefixes (e.g. search,product): run only those "
        "beside the hello-world ceiling; no pgbench, redis, checkout, ledger, sweep, CSV import "
        "or curve unless named (pgbench, checkout, ledger, sweep)",
    )
    parser.add_argument(
        "--reuse-data",
        action="store_true",
        help="keep the bench database when it already holds this plan's dataset",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="sample the web workers with py-spy during each scenario; the report lists the "
        "hottest functions and bench/results/profiles/ keeps the stacks",
    )
    arguments = parser.parse_args()
    only = tuple(name.strip() for name in arguments.only.split(",") if name.strip())
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupted)
    try:
        plan = SMOKE_PLAN if arguments.smoke else FULL_PLAN
        code = run(plan, only, arguments.reuse_data, arguments.profile)
    except BenchError as error:
        print(f"Benchmark failed: {error}", file=sys.stderr)
        code = 2
    sys.exit(code)


if __name__ == "__main__":
    main()

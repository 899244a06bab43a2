"""The production background processes: ``mercato worker`` and ``mercato scheduler``.

Both need Redis (``MERCATO_REDIS_URL``): the worker consumes the Dramatiq queue the web processes
and the scheduler send jobs to. In embedded mode ``mercato all`` does both jobs itself.

A worker process builds the runtime, imports every task module, and runs a Dramatiq worker whose
async jobs share one event loop until SIGTERM or SIGINT; then it lets running jobs finish, puts
prefetched messages back on the queue and closes its connections on that loop. With
``--processes N`` a parent supervises N such processes and forwards the stop signal to them.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
from multiprocessing import resource_tracker

import dramatiq
import structlog

from mercato.config import ConfigurationError, Settings
from mercato.kit.dramatiq_jobs import (
    DramatiqBackend,
    close_broker,
    close_on_worker_shutdown,
    setup_broker,
)
from mercato.kit.jobs import install_backend
from mercato.kit.logging import configure_logging
from mercato.kit.runtime import build_runtime
from mercato.kit.scheduler import Scheduler, build_run_claims
from mercato.tasks_registry import load_all_tasks

log = structlog.get_logger(__name__)

# How long a stopping worker waits for running jobs before giving up on them (milliseconds).
SHUTDOWN_TIMEOUT_MS = 60_000
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def configure_process_logging(settings: Settings) -> None:
    """Our structlog lines plus Dramatiq's own (stdlib logging), both on stderr."""
    configure_logging(settings.log_level, json=settings.log_json)
    logging.basicConfig(level=settings.log_level.upper(), stream=sys.stderr)


def require_redis(settings: Settings, command: str) -> str:
    """The Redis URL, or a clear refusal naming the setting to fix."""
    if not settings.redis_url:
        raise ConfigurationError(
            f"`mercato {command}` needs the job queue: set MERCATO_REDIS_URL "
            "(e.g. redis://127.0.0.1:6379/0). Without Redis, run `mercato all`, which runs jobs "
            "and the scheduler inside the web process."
        )
    return settings.redis_url


def run_worker(settings: Settings, *, processes: int = 1, threads: int = 8) -> int:
    """Run the worker until SIGTERM/SIGINT; returns the process exit code."""
    require_redis(settings, "worker")
    if processes == 1:
        _run_worker_process(settings, threads)
        return 0
    return _supervise(settings, processes=processes, threads=threads)


def _block_stop_signals() -> None:
    """Stop signals are blocked before any thread or child exists (both inherit the mask) and
    then taken with sigwait: no handler ever interrupts code holding a lock (a logger's, an
    Event's) and deadlocks on it, and a signal arriving during start-up waits its turn."""
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)


def _run_worker_process(settings: Settings, threads: int) -> None:
    _block_stop_signals()
    runtime = build_runtime(settings)
    load_all_tasks()
    broker = setup_broker(require_redis(settings, "worker"))
    # Jobs that enqueue jobs send them back to the queue.
    install_backend(DramatiqBackend(broker))
    close_on_worker_shutdown(broker, runtime.close)
    worker = dramatiq.Worker(broker, worker_threads=threads)
    worker.start()
    log.info("worker.started", threads=threads, jobs=sorted(broker.actors))
    try:
        received = signal.sigwait(STOP_SIGNALS)
        log.info("worker.stopping", signal=signal.Signals(received).name)
    finally:
        # Running jobs finish, prefetched messages go back to Redis, then connections close.
        worker.stop(timeout=SHUTDOWN_TIMEOUT_MS)
        close_broker(broker)
    log.info("worker.stopped")


def _supervise(settings: Settings, *, processes: int, threads: int) -> int:
    """Run ``processes`` worker processes; stop them all on a signal or when one dies."""
    # Starting multiprocessing's resource tracker unblocks SIGINT and SIGTERM; start it first.
    resource_tracker.ensure_running()
    _block_stop_signals()
    # "spawn" gives each child a fresh interpreter: no inherited sockets, threads or event loop.
    context = multiprocessing.get_context("spawn")
    children = [
        context.Process(
            target=_child_main,
            args=(settings, threads, os.getpid()),
            name=f"mercato-worker-{n}",
        )
        for n in range(processes)
    ]
    for child in children:
        child.start()
    received = None
    while received is None and all(child.is_alive() for child in children):
        received = signal.sigtimedwait(STOP_SIGNALS, 1.0)
    if received is None:
        log.error("worker.child_exited", exit_codes=[child.exitcode for child in children])
    else:
        log.info("worker.stopping_children", signal=signal.Signals(received.si_signo).name)
    for child in children:
        if child.is_alive():
            child.terminate()  # SIGTERM: the child shuts down cleanly
    for child in children:
        child.join()
    failed = received is None or any(child.exitcode != 0 for child in children)
    return 1 if failed else 0


def _child_main(settings: Settings, threads: int, supervisor_pid: int) -> None:
    _die_with_supervisor(supervisor_pid)
    # A spawned child starts from a fresh interpreter: set its logging up again.
    configure_process_logging(settings)
    _run_worker_process(settings, threads)


def _die_with_supervisor(supervisor_pid: int) -> None:
    """Have Linux send SIGTERM when the supervisor dies (even by SIGKILL), so orphaned workers
    never keep consuming the queue with nobody watching them."""
    if sys.platform == "linux":
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() != supervisor_pid:  # it died before prctl took effect
        sys.exit(1)


async def run_scheduler(settings: Settings, *, stop: asyncio.Event | None = None) -> None:
    """Enqueue periodic jobs on the Dramatiq queue until SIGTERM/SIGINT (or ``stop`` is set).

    Any number of schedulers may run: Redis claims make each run enqueued once.
    """
    redis_url = require_redis(settings, "scheduler")
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for stop_signal in STOP_SIGNALS:
        loop.add_signal_handler(stop_signal, stop.set)
    runtime = build_runtime(settings)
    load_all_tasks()
    broker = setup_broker(redis_url)
    install_backend(DramatiqBackend(broker))
    try:
        await Scheduler(build_run_claims(runtime.redis)).run(stop)
    finally:
        for stop_signal in STOP_SIGNALS:
            loop.remove_signal_handler(stop_signal)
        close_broker(broker)
        await runtime.close()


__all__ = ["configure_process_logging", "require_redis", "run_scheduler", "run_worker"]

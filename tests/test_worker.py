"""The production background processes: `mercato worker` and `mercato scheduler`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.asyncio import Redis
from typer.testing import CliRunner

from mercato.cli import app as cli
from mercato.config import ConfigurationError, Settings, get_settings
from mercato.kit.db import Database
from mercato.kit.dramatiq_jobs import (
    DEFAULT_NAMESPACE,
    QUEUE,
    DramatiqBackend,
    close_broker,
    setup_broker,
)
from mercato.kit.outbox import OutboxMessage, add_message
from mercato.kit.scheduler import periodic_jobs
from mercato.tasks_registry import load_all_tasks
from mercato.worker import require_redis, run_scheduler
from tests.conftest import REDIS_URL, require_service
from tests.kit.background_support import migrated_sqlite_url, process_globals_restored

MERCATO = Path(sys.executable).parent / "mercato"
QUEUED_MESSAGES = f"{DEFAULT_NAMESPACE}:{QUEUE}.msgs"


@pytest.fixture
def fresh_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """The CLI reads MERCATO_* once and caches it; start and end each test from a clean cache."""
    monkeypatch.setenv("MERCATO_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("MERCATO_REDIS_URL", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("fresh_settings")
@pytest.mark.parametrize("command", ["worker", "scheduler"])
def test_commands_refuse_to_start_without_redis(command: str) -> None:
    result = CliRunner().invoke(cli, [command])

    assert result.exit_code == 2
    assert "MERCATO_REDIS_URL" in result.output
    assert "mercato all" in result.output


def test_require_redis_names_the_setting() -> None:
    with pytest.raises(ConfigurationError, match="MERCATO_REDIS_URL"):
        require_redis(Settings(redis_url=""), "worker")
    assert require_redis(Settings(redis_url=REDIS_URL), "worker") == REDIS_URL


def test_every_domain_task_module_is_loaded() -> None:
    names = load_all_tasks()

    assert {
        "kit.relay_outbox",
        "notifications.deliver_mail",
        "notifications.retry_queued_mail",
    } <= set(names)
    assert names == sorted(names)


async def load_outbox_message(database: Database, message_id: uuid.UUID) -> OutboxMessage:
    async with database.reading() as session:
        message = await session.get(OutboxMessage, message_id)
        assert message is not None
        session.expunge(message)
        return message


@pytest.mark.parametrize("processes", [1, 2])
async def test_worker_process_runs_queued_jobs_and_stops_cleanly_on_sigterm(
    redis_client: Redis, tmp_path: Path, processes: int
) -> None:
    url = await asyncio.to_thread(migrated_sqlite_url, tmp_path)
    database = Database(url)
    async with database.transaction() as session:
        # No handler for this topic exists, so relaying it records a failure we can observe.
        message_id = add_message(session, "tests.nobody_handles_this", {"n": 1}).id
    broker = setup_broker(REDIS_URL)
    await DramatiqBackend(broker).send("kit.relay_outbox", {})
    close_broker(broker)
    environment = {
        **os.environ,
        "MERCATO_VAR_DIR": str(tmp_path),
        "MERCATO_DATABASE_URL": url,
        "MERCATO_REDIS_URL": REDIS_URL,
        "MERCATO_LOG_JSON": "false",
    }
    command = [str(MERCATO), "worker", "--processes", str(processes), "--threads", "2"]
    with (tmp_path / "worker.log").open("w+") as log:
        # Its own process group, so a failed test can kill the children too: an orphaned
        # worker would otherwise consume the next test's messages.
        worker = subprocess.Popen(
            command, env=environment, stdout=log, stderr=log, start_new_session=True
        )
        try:
            async with asyncio.timeout(60):
                while (await load_outbox_message(database, message_id)).attempts == 0:
                    await asyncio.sleep(0.1)
            worker.send_signal(signal.SIGTERM)
            exit_code = await asyncio.to_thread(worker.wait, 60)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.pid, signal.SIGKILL)
            log.seek(0)
            output = log.read()
    await database.dispose()

    assert exit_code == 0, output
    message = await load_outbox_message(Database(url), message_id)
    assert message.last_error == "no handler registered for topic 'tests.nobody_handles_this'"
    assert "worker.stopped" in output
    assert await redis_client.hlen(QUEUED_MESSAGES) == 0


async def test_scheduler_enqueues_each_periodic_job_on_the_queue(
    redis_client: Redis, settings: Settings, tmp_path: Path
) -> None:
    scheduler_settings = settings.model_copy(
        update={
            "redis_url": REDIS_URL,
            "database_url": f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}",
        }
    )
    stop = asyncio.Event()
    with process_globals_restored():
        task = asyncio.create_task(run_scheduler(scheduler_settings, stop=stop))
        async with asyncio.timeout(10):
            while await redis_client.hlen(QUEUED_MESSAGES) < len(periodic_jobs()):
                await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(task, timeout=5)

    messages = [json.loads(raw) for raw in await redis_client.hvals(QUEUED_MESSAGES)]
    assert sorted(m["actor_name"] for m in messages) == sorted(periodic_jobs())
    assert {"kit.relay_outbox", "notifications.retry_queued_mail"} <= set(periodic_jobs())


def test_worker_children_exit_when_the_supervisor_is_killed(tmp_path: Path) -> None:
    require_service("Redis", REDIS_URL)
    environment = {
        **os.environ,
        "MERCATO_VAR_DIR": str(tmp_path),
        "MERCATO_REDIS_URL": REDIS_URL,
        "MERCATO_LOG_JSON": "false",
    }
    command = [str(MERCATO), "worker", "--processes", "2", "--threads", "1"]
    with (tmp_path / "worker.log").open("w+") as log:
        supervisor = subprocess.Popen(
            command, env=environment, stdout=log, stderr=log, start_new_session=True
        )
        try:
            children = _wait_for_children(supervisor.pid, count=2)
            supervisor.kill()
            supervisor.wait(10)
            deadline = time.monotonic() + 30
            while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not any(_alive(pid) for pid in children)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(supervisor.pid, signal.SIGKILL)


def _wait_for_children(parent: int, *, count: int) -> list[int]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        children = [
            int(pid)
            for pid in os.listdir("/proc")
            if pid.isdigit() and _parent_of(int(pid)) == parent
        ]
        workers = [pid for pid in children if b"spawn_main" in _cmdline(pid)]
        if len(workers) >= count:
            return workers
        time.sleep(0.1)
    raise AssertionError("the worker children never started")


def _parent_of(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return cmdline.read()
    except OSError:
        return b""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False

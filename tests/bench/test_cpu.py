"""The CPU meter reads real processes from /proc: this test process burns CPU and sees it."""

from __future__ import annotations

import os
import time
from pathlib import Path

from bench import cpu


def _burn(seconds: float) -> int:
    deadline, count = time.process_time() + seconds, 0
    while time.process_time() < deadline:
        count += 1
    return count


def test_the_meter_sees_the_cpu_this_process_group_spends() -> None:
    parts = {"this test": cpu.process_group(os.getpgid(0)), "nobody": lambda process: False}
    meter = cpu.CpuMeter(parts)

    with meter:
        _burn(0.3)

    assert meter.seconds["this test"] >= 0.25
    assert meter.seconds["nobody"] == 0.0
    assert meter.seconds["machine"] >= meter.seconds["this test"] - 0.02  # tick rounding
    assert meter.seconds[cpu.OTHER] >= 0.0


def test_named_processes_are_found_by_their_command_name() -> None:
    own_name = Path(f"/proc/{os.getpid()}/comm").read_text().strip()
    running = cpu.processes()

    assert sum(process.seconds for process in running if cpu.named(own_name)(process)) > 0.0
    assert not any(cpu.named("no-such-command-name")(process) for process in running)


def test_a_split_gives_milliseconds_per_unit_and_the_ceiling_the_cores_allow() -> None:
    split = cpu.CpuSplit("order", 50, {"web workers": 1.0, cpu.OTHER: 0.5, "machine": 2.0})

    summary = split.summary()

    assert summary["ms_per_unit"] == {"web workers": 20.0, cpu.OTHER: 10.0, "machine": 40.0}
    assert summary["cpu_bound_ceiling_per_second"] == round(cpu.CORES * 1000 / 40.0, 1)
    assert cpu.CpuSplit("order", 0, {"machine": 1.0}).summary()["ms_per_unit"] == {"machine": 0.0}
    assert cpu.CpuSplit("order", 0, {"machine": 1.0}).ceiling_per_second() is None

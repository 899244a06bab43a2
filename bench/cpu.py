"""Where the CPU goes while a scenario runs.

On a 2-core machine every part of the system shares the same cores: the web workers, the job
worker, PostgreSQL and the load generator. The CPU time each part spends per request (or per
order) tells why a throughput target is missed and what the cores allow at best, so the report
states the gap with its cause. Figures are read from ``/proc`` before and after the run.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1
OTHER = "everything else"
MACHINE = "machine"


@dataclass(frozen=True)
class ProcessCpu:
    """One process as ``/proc/<pid>/stat`` shows it: its command name, its process group, and
    its CPU seconds plus those of its children that have exited and been waited for (a
    PostgreSQL backend that closes during the run leaves its time to the postmaster, so the sum
    over the living processes never goes back)."""

    name: str
    group: int
    seconds: float


Part = Callable[[ProcessCpu], bool]  # which processes make up one part of the system


def processes() -> list[ProcessCpu]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            text = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue  # gone since the listing
        # The name is in parentheses and may hold spaces: the fields start after the last ')'.
        # pgrp is field 5, utime to cstime fields 14 to 17: the 3rd and 12th to 15th after it.
        name, _, rest = text.rpartition(")")
        fields = rest.split()
        seconds = sum(int(value) for value in fields[11:15]) / TICKS_PER_SECOND
        found.append(ProcessCpu(name.partition("(")[2], int(fields[2]), seconds))
    return found


def process_group(pgid: int) -> Part:
    """The processes of one group (a server and the workers it forked)."""
    return lambda process: process.group == pgid


def named(command: str) -> Part:
    """Every process with this command name (``postgres``: all backends)."""
    return lambda process: process.name == command


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent busy (not idle, not waiting for I/O) since boot."""
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values[:8]
    return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND


@dataclass
class CpuSplit:
    """CPU seconds each part spent while ``units`` requests (or orders) were served."""

    unit: str
    units: int
    seconds: dict[str, float]

    def ms_per_unit(self) -> dict[str, float]:
        if not self.units:
            return dict.fromkeys(self.seconds, 0.0)
        return {part: round(1000 * spent / self.units, 2) for part, spent in self.seconds.items()}

    def ceiling_per_second(self) -> float | None:
        """Units per second the cores allow at best at this CPU cost: all cores busy, nothing
        else running."""
        machine_ms = self.ms_per_unit().get(MACHINE, 0.0)
        return round(CORES * 1000 / machine_ms, 1) if machine_ms else None

    def summary(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "units": self.units,
            "ms_per_unit": self.ms_per_unit(),
            "cpu_bound_ceiling_per_second": self.ceiling_per_second(),
        }


class CpuMeter:
    """CPU seconds of each named part over a ``with`` block, plus the whole machine and what
    the named parts leave of it (the load generator, the OS, anything else)."""

    def __init__(self, parts: dict[str, Part]) -> None:
        self.parts = parts
        self._before: dict[str, float] = {}
        self.seconds: dict[str, float] = {}

    def _read(self) -> dict[str, float]:
        running = processes()  # one pass over /proc for every part
        spent = {
            part: sum(process.seconds for process in running if chosen(process))
            for part, chosen in self.parts.items()
        }
        return {**spent, MACHINE: machine_busy_seconds()}

    def __enter__(self) -> CpuMeter:
        self._before = self._read()
        return self

    def __exit__(self, *_exc: object) -> None:
        after = self._read()
        spent = {part: max(0.0, after[part] - self._before[part]) for part in after}
        machine = spent.pop(MACHINE)
        self.seconds = {**spent, OTHER: max(0.0, machine - sum(spent.values())), MACHINE: machine}

    def split(self, units: int, unit: str) -> CpuSplit:
        return CpuSplit(unit, units, dict(self.seconds))


def markdown(rows: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """The report's section: per scenario, CPU milliseconds per request (or order) by part."""
    if not rows:
        return []
    found = dict.fromkeys(part for _, split in rows for part in split["ms_per_unit"])
    parts = [part for part in found if part not in (MACHINE, OTHER)] + [OTHER]
    lines = [
        "## Where the CPU goes",
        "",
        f"CPU time of each part while the scenario was measured, divided by the requests (or "
        f"orders) served; *{OTHER}* is mostly the load generator. The last column is what "
        f"{CORES} cores allow at that cost with nothing else running: a throughput target above "
        "it needs less CPU per request, not more concurrency.",
        "",
        "| scenario | per | " + " | ".join(f"{part} ms" for part in parts) + " | machine ms "
        "| CPU-bound ceiling /s |",
        "|---|---|" + "---:|" * (len(parts) + 2),
    ]
    for title, split in rows:
        spent = split["ms_per_unit"]
        ceiling = split["cpu_bound_ceiling_per_second"]
        lines.append(
            f"| {title} | {split['unit']} | "
            + " | ".join(f"{spent.get(part, 0.0):.1f}" for part in parts)
            + f" | {spent.get(MACHINE, 0.0):.1f} | {'' if ceiling is None else f'{ceiling:,.0f}'} |"
        )
    return [*lines, ""]

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


def _stat_fields(pid: str) -> tuple[str, list[str]] | None:
    """(command name, fields after it) of ``/proc/<pid>/stat``; None once the process is gone.
    The name is in parentheses and may hold spaces, so the fields start after the last ')'."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name, _, rest = text.rpartition(")")
    return name.partition("(")[2], rest.split()


def _cpu_seconds(fields: list[str]) -> float:
    """The process's own CPU time plus that of its children that have exited and been waited
    for: a PostgreSQL backend that closes during the run leaves its time to the postmaster, so
    the sum over the living processes never goes back. utime, stime, cutime and cstime are
    fields 14 to 17 of the stat line: the 12th to 15th after the name."""
    return sum(int(value) for value in fields[11:15]) / TICKS_PER_SECOND


def _processes() -> list[tuple[str, list[str]]]:
    found = (_stat_fields(entry) for entry in os.listdir("/proc") if entry.isdigit())
    return [stat for stat in found if stat is not None]


def process_group(pgid: int) -> Callable[[], float]:
    """CPU seconds of the processes in one group (a server and the workers it forked)."""

    def seconds() -> float:
        return sum(_cpu_seconds(fields) for _, fields in _processes() if fields[2] == str(pgid))

    return seconds


def named(command: str) -> Callable[[], float]:
    """CPU seconds of every process with this command name (``postgres``: all backends)."""

    def seconds() -> float:
        return sum(_cpu_seconds(fields) for name, fields in _processes() if name == command)

    return seconds


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

    def __init__(self, parts: dict[str, Callable[[], float]]) -> None:
        self.parts = {**parts, MACHINE: machine_busy_seconds}
        self._before: dict[str, float] = {}
        self.seconds: dict[str, float] = {}

    def _read(self) -> dict[str, float]:
        return {part: read() for part, read in self.parts.items()}

    def __enter__(self) -> CpuMeter:
        self._before = self._read()
        return self

    def __exit__(self, *_exc: object) -> None:
        after = self._read()
        spent = {part: max(0.0, after[part] - self._before[part]) for part in self.parts}
        named_parts = sum(value for part, value in spent.items() if part != MACHINE)
        spent[OTHER] = max(0.0, spent[MACHINE] - named_parts)
        self.seconds = {part: spent[part] for part in [*self.parts, OTHER] if part != MACHINE}
        self.seconds[MACHINE] = spent[MACHINE]

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

"""Where the web workers spend their time while a scenario runs: py-spy samples each worker
from outside the process (no code change, no restart) and the stacks are summed per function.

The collapsed stacks of every profiled scenario are kept beside the report
(``bench/results/profiles/``; open them with speedscope or flamegraph.pl) and the report lists,
per scenario, the Mercato functions holding the most samples (their time including what they
call) and the frames burning the CPU themselves.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SAMPLE_RATE = 97  # per second and worker: off the beat of periodic work
OWN_CODE = "mercato/"
FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^:()]*)(?::\d+)?\)$")
TOP = 12
PY_SPY = Path(sys.executable).parent / "py-spy"  # installed with the project's dev extras


@dataclass
class Profile:
    """One scenario's samples, summed over its workers."""

    scenario: str
    samples: int = 0
    inclusive: Counter[str] = field(default_factory=Counter)
    own: Counter[str] = field(default_factory=Counter)
    stacks_file: str | None = None

    def share(self, count: int) -> float:
        return round(100 * count / self.samples, 1) if self.samples else 0.0

    def summary(self) -> dict[str, Any]:
        mercato = [(name, n) for name, n in self.inclusive.most_common() if OWN_CODE in name]
        return {
            "scenario": self.scenario,
            "samples": self.samples,
            "stacks_file": self.stacks_file,
            "mercato_inclusive": [[name, self.share(n)] for name, n in mercato[:TOP]],
            "self": [[name, self.share(n)] for name, n in self.own.most_common(TOP)],
        }


def frame_name(frame: str) -> str:
    """``function (path)`` with the path shortened to the package: ``site-packages/`` and
    ``src/`` prefixes dropped, line numbers dropped so one function is one entry."""
    match = FRAME.match(frame)
    if match is None:
        return frame
    path = match.group("file").split("site-packages/")[-1].split("/src/")[-1]
    return f"{match.group('function')} ({path})"


def add_stacks(profile: Profile, collapsed: str) -> None:
    """Add py-spy's raw output (``frame;frame;…;leaf count`` per line, outermost first)."""
    for line in collapsed.splitlines():
        stack, _, count = line.rstrip().rpartition(" ")
        if not stack or not count.isdigit():
            continue
        names = [frame_name(frame) for frame in stack.split(";")]
        samples = int(count)
        profile.samples += samples
        profile.own[names[-1]] += samples
        for name in set(names):  # a recursive function counts once per sample
            profile.inclusive[name] += samples


class Sampler:
    """Samples ``pids()`` (the workers alive when the scenario starts) until the block ends."""

    def __init__(self, scenario: str, pids: Callable[[], list[int]], directory: Path) -> None:
        self.scenario, self.pids, self.directory = scenario, pids, directory
        self._running: list[tuple[subprocess.Popen[bytes], Path]] = []
        self.profile = Profile(scenario)

    def __enter__(self) -> Sampler:
        self.directory.mkdir(parents=True, exist_ok=True)
        for pid in self.pids():
            output = self.directory / f"{self.scenario}-{pid}.txt"
            command = [
                str(PY_SPY),
                "record",
                "--pid",
                str(pid),
                "--rate",
                str(SAMPLE_RATE),
                "--nonblocking",  # never pause the worker: the figures stay the workers' own
                "--format",
                "raw",
                "--output",
                str(output),
            ]
            process = subprocess.Popen(  # noqa: S603 (our own command, no shell)
                command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            self._running.append((process, output))
        return self

    def __exit__(self, *_exc: object) -> None:
        combined = self.directory / f"{self.scenario}.collapsed"
        parts: list[str] = []
        for process, output in self._running:
            process.send_signal(signal.SIGINT)  # py-spy writes its output when interrupted
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
            if output.exists():
                parts.append(output.read_text())
                output.unlink()
        collapsed = "".join(parts)
        add_stacks(self.profile, collapsed)
        if collapsed:
            combined.write_text(collapsed)
            self.profile.stacks_file = str(combined.relative_to(combined.parents[2]))


def markdown(profiles: list[dict[str, Any]]) -> list[str]:
    """The report's section: per scenario, the Mercato functions with the largest share of
    the samples (inclusive) and the hottest frames (self)."""
    if not profiles:
        return []
    lines = [
        "## Profiles (py-spy on the web workers)",
        "",
        f"Sampled {SAMPLE_RATE} times a second per worker while each scenario was measured. "
        "*Inclusive* is the share of samples inside a function or anything it called; *self* is "
        "the share spent in the frame itself. Idle workers wait in the event loop's `select`.",
        "",
    ]
    for found in profiles:
        lines += [f"### {found['scenario']} — {found['samples']:,} samples", ""]
        lines += ["| Mercato function (inclusive) | share |", "|---|---:|"]
        lines += [f"| `{name}` | {share}% |" for name, share in found["mercato_inclusive"]]
        lines += ["", "| hottest frame (self) | share |", "|---|---:|"]
        lines += [f"| `{name}` | {share}% |" for name, share in found["self"]]
        if found["stacks_file"]:
            lines += ["", f"Collapsed stacks: `{found['stacks_file']}`."]
        lines.append("")
    return lines

"""Wall and CPU time per stage of a build (``proceedings build --timings``).

The orchestrator wraps each stage in :func:`timed`; a context without a ``timings`` table (or
with ``None``) is not timed. CPU time counts this process and the worker processes it waited
for during the stage (validation and stamping run in workers), so a stage on two busy cores
shows CPU ≈ 2 × wall.
"""

from __future__ import annotations

import contextlib
import os
import resource
import time
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class Stage:
    """The time one stage took (summed when it ran more than once)."""

    name: str
    wall: float = 0.0
    cpu: float = 0.0
    """This process's user + system time, plus that of the children it reaped meanwhile."""
    calls: int = 0
    peak_mb: float = 0.0
    """This process's peak RSS when the stage (last) ended: where memory grows."""


@dataclass
class Timings:
    """The stages of one run, in the order they first ran."""

    stages: dict[str, Stage] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)
    nested: list[list[float]] = field(default_factory=list)
    """Per open stage, the [wall, cpu] of the stages timed inside it (taken out of its own)."""

    def add(self, name: str, wall: float, cpu: float) -> None:
        stage = self.stages.setdefault(name, Stage(name))
        stage.wall += wall
        stage.cpu += cpu
        stage.calls += 1
        stage.peak_mb = _peak_mb(resource.RUSAGE_SELF)

    def table(self) -> str:
        """A plain-text table: one line per stage, then the total and the peak memory."""
        total_wall = time.perf_counter() - self.started
        total_cpu = _cpu()
        rows = [f"{'stage':<16} {'wall s':>8} {'cpu s':>8} {'% wall':>7} {'peak MB':>8}"]
        for s in self.stages.values():
            share = 100 * s.wall / total_wall if total_wall else 0.0
            rows.append(f"{s.name:<16} {s.wall:8.2f} {s.cpu:8.2f} {share:6.0f}% {s.peak_mb:8.0f}")
        other_wall = total_wall - sum(s.wall for s in self.stages.values())
        rows.append(f"{'other':<16} {other_wall:8.2f} {'':>8} {'':>7}  (imports, metadata, publishing)")
        rows.append(f"{'total':<16} {total_wall:8.2f} {total_cpu:8.2f} {'':>7}  (CPU: since the process started)")
        rows.append(f"peak RSS: {_peak_mb(resource.RUSAGE_SELF):.0f} MB this process, "
                    f"{_peak_mb(resource.RUSAGE_CHILDREN):.0f} MB largest worker")
        return "\n".join(rows)


def _cpu() -> float:
    """User + system seconds of this process and its reaped children (since the process started)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _peak_mb(who: int) -> float:
    peak = resource.getrusage(who).ru_maxrss
    return peak / (1024 * 1024) if os.uname().sysname == "Darwin" else peak / 1024


@contextlib.contextmanager
def timed(ctx: object, name: str) -> Iterator[None]:
    """Time the block as stage ``name`` into ``ctx.timings`` (nothing when that is absent or None).

    A stage timed inside another is counted once: its time is taken out of the enclosing stage's.
    """
    timings: Timings | None = getattr(ctx, "timings", None)
    if timings is None:
        yield
        return
    timings.stages.setdefault(name, Stage(name))  # listed in the order the stages start
    wall, cpu = time.perf_counter(), _cpu()
    timings.nested.append([0.0, 0.0])
    try:
        yield
    finally:
        inner_wall, inner_cpu = timings.nested.pop()
        spent_wall, spent_cpu = time.perf_counter() - wall, _cpu() - cpu
        timings.add(name, spent_wall - inner_wall, spent_cpu - inner_cpu)
        if timings.nested:
            timings.nested[-1][0] += spent_wall
            timings.nested[-1][1] += spent_cpu

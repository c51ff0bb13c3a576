"""The scenarios the benchmark measures; measuring one command (its wall time, CPU and peak RSS, its process tree's
sampled peak RSS); and the facts of the machine and the source measured."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCENARIOS = ("qpdf-preserve", "pdfunite", "cold", "warm", "one-changed")
"""What the benchmark measures for each size, in the order it measures and reports them."""
LABELS = {"qpdf-preserve": "qpdf-preserve", "pdfunite": "pdfunite", "cold": "cold build",
          "warm": "warm rebuild", "one-changed": "one paper changed"}


@dataclass
class Sample:
    """One measured child process."""

    seconds: float
    peak_rss_kb: int
    """ru_maxrss from wait4: the child's peak, or the largest of its (waited-for) descendants."""
    tree_rss_kb: int
    """Sampled peak of the summed RSS of the child and all its descendants (0 when not sampled)."""
    returncode: int
    cpu_seconds: float = 0.0
    """User + system time of the command and every descendant it waited for (workers included):
    steadier than wall time on a machine others are using."""


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                out.extend(int(c) for c in handle.read().split())
    except OSError:
        pass
    return out


def _tree_rss_kb(pid: int, page_kb: int, include_self: bool = True) -> int:
    total, todo = 0, [pid] if include_self else _children(pid)
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/statm") as handle:
                total += int(handle.read().split()[1]) * page_kb
        except (OSError, ValueError, IndexError):
            continue
        todo.extend(_children(p))
    return total


class _TreeSampler(threading.Thread):
    """Polls the summed RSS of the descendants of ``pid`` (Linux /proc; a no-op elsewhere)."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_kb = pid, interval, 0
        self.stopped = threading.Event()
        self.page_kb = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4

    def run(self) -> None:
        if not os.path.isdir(f"/proc/{self.pid}/task"):
            return
        while not self.stopped.wait(self.interval):
            self.peak_kb = max(self.peak_kb, _tree_rss_kb(self.pid, self.page_kb, include_self=False))


# Linux counts the RSS a process had before exec (its parent's pages, shared after fork or vfork)
# into its ru_maxrss. So every command is started by this small wrapper (a few MB: os, sys and time
# only) rather than by the benchmark itself (~80 MB of imports): the peak it reports is the
# command's own. It also times the command from fork to exit, without its own start-up.
_WRAPPER = r"""
import os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
with open(sys.argv[1], "w") as out:
    out.write(f"{seconds!r} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)} {usage.ru_utime + usage.ru_stime!r}")
"""


def measure(cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
            stderr_path: Path | None = None, quiet_stderr: bool = False) -> Sample:
    """Run ``cmd`` once; its wall time, its own peak RSS and its tree's sampled peak RSS.

    The file systems are synced first (not timed): the data the commands before it wrote (a cold build's 450 MB at
    N = 200, qpdf's and pdfunite's volumes) is not written back to disk while this one runs, by kernel threads that
    take CPU from a build on two cores more than from qpdf on one."""
    import tempfile

    os.sync()
    stderr = subprocess.DEVNULL if quiet_stderr or stderr_path is None else stderr_path.open("wb")
    fd, result_path = tempfile.mkstemp(prefix="bench-measure-")
    os.close(fd)
    try:
        proc = subprocess.Popen([sys.executable, "-S", "-E", "-c", _WRAPPER, result_path, *map(str, cmd)], cwd=cwd,
                                env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr)
        sampler = _TreeSampler(proc.pid)
        sampler.start()
        proc.wait()
        sampler.stopped.set()
        sampler.join()
        text = Path(result_path).read_text().split()
    finally:
        if stderr not in (subprocess.DEVNULL, None):
            stderr.close()
        os.unlink(result_path)
    if proc.returncode != 0 or len(text) != 4:
        raise RuntimeError(f"the measuring wrapper failed (exit {proc.returncode}) on {cmd[0]}")
    seconds, maxrss, returncode = float(text[0]), int(text[1]), int(text[2])
    peak_kb = maxrss // 1024 if sys.platform == "darwin" else maxrss  # bytes on macOS, KB on Linux
    return Sample(seconds, peak_kb, max(sampler.peak_kb, peak_kb), returncode, float(text[3]))


def source_state() -> dict:
    """The commit measured, and whether proceedings/ differed from it."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return ""

    commit = git("rev-parse", "--short", "HEAD")
    return {"commit": commit or None,
            "proceedings_modified": bool(git("status", "--porcelain", "--", "proceedings")) if commit else None}


def machine() -> dict:
    info = {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return info

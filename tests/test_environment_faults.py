"""The machine's faults are told as such (issue 13): a read-only or full output disk exits 74 and blames no
paper, leaves nothing half-written; a killed build leaves no worker behind.

The disks are real: tmpfs file systems mounted read-only or 300 KB small (we run as root in CI); the
tests skip, saying why, where mounting is not permitted.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from proceedings.errors import OutputError
from proceedings.util.outputs import raise_if_machine
from proceedings.util.workers import run_inline, run_limited
from tests.test_faults import _cli, small_project


@pytest.fixture
def tmpfs(tmp_path: Path):
    """mount(size, read_only) → a fresh tmpfs folder; unmounted afterwards."""
    mounted: list[Path] = []

    def mount(size: str, read_only: bool = False) -> Path:
        point = tmp_path / f"mnt{len(mounted)}"
        point.mkdir()
        options = f"size={size}" + (",ro" if read_only else "")
        proc = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], capture_output=True,
                              text=True, check=False)
        if proc.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here (needs root): {proc.stderr.strip()}")
        mounted.append(point)
        return point

    yield mount
    for point in reversed(mounted):
        subprocess.run(["umount", "-l", str(point)], capture_output=True, check=False)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_project(tmp_path_factory.mktemp("env") / "p")


def _no_blame(proc: subprocess.CompletedProcess, why: str) -> None:
    assert proc.returncode == 74, proc.stderr[-2000:]
    assert "error: cannot write " in proc.stderr and why in proc.stderr
    assert "could not be copied" not in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr


def _nothing_half_written(out: Path) -> None:
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    for path in out.rglob("*"):
        if path.suffix == ".pdf" and ".cache" not in path.parts:
            check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, check=False)
            assert check.returncode in (0, 3), path
        elif path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))


def test_read_only_output_folder_exits_74(project: Path, tmpfs):
    out = tmpfs("1m", read_only=True) / "build"
    _no_blame(_cli(project, out), "read-only file system")
    _no_blame(_cli(project, out, command="validate"), "read-only file system")


@pytest.mark.parametrize("size", ["300k", "1100k"])
def test_full_disk_exits_74_and_blames_no_paper(project: Path, tmpfs, size: str):
    out = tmpfs(size) / "build"
    proc = _cli(project, out)
    _no_blame(proc, "no space left on device")
    _nothing_half_written(out)
    assert not (out / "validation.json").exists() or all(
        not any(f["rule"] == "stamp-failed" for f in p["findings"])
        for p in json.loads((out / "validation.json").read_text(encoding="utf-8"))["papers"])


def _write_to(path: str) -> None:
    with open(path, "wb") as handle:
        handle.write(b"x" * (1 << 20))


def test_a_worker_that_cannot_write_reports_the_machine_not_the_input(tmpfs):
    target = str(tmpfs("64k") / "out" / "x.bin")
    os.makedirs(os.path.dirname(target))
    for outcomes in (run_limited(_write_to, [("a", (target,))], jobs=1, time_limit=30, memory_mb=256),
                     run_inline(_write_to, [("a", (target,))])):
        outcome = outcomes["a"]
        assert outcome.status == "error" and outcome.value[:2] == ("oserror", errno.ENOSPC)
        with pytest.raises(OutputError, match="cannot write .*: no space left on device"):
            raise_if_machine(outcome.value, Path(target).parent)
    # a paper the machine cannot read is the paper's problem, not the output's
    raise_if_machine(("oserror", errno.EACCES, "Permission denied", "/elsewhere/paper.pdf"), Path(target).parent)


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _survivors_of_a_kill(parent: subprocess.Popen, settle: float = 0.0) -> list[int]:
    """Wait for two workers of ``parent``, SIGKILL the parent, return the workers still alive 10 s later."""
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2 and parent.poll() is None and time.monotonic() < deadline:
            workers = _descendants(parent.pid)
            time.sleep(0.02)
        assert workers, "the parent ended before any worker was seen"
        time.sleep(settle)
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        return [p for p in workers if _alive(p)]
    finally:
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)  # our own test's leftovers
        if parent.poll() is None:
            parent.kill()
            parent.wait(10)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc to find the workers")
def test_killed_build_leaves_no_worker(tmp_path: Path):
    project = small_project(tmp_path / "p", papers=10)
    entries = yaml.safe_load((project / "camera_ready/papers.yaml").read_text(encoding="utf-8"))
    more = []
    for copy in range(3):  # 40 papers: validation lasts long enough to be killed in the middle
        for entry in entries:
            name = f"copy{copy}-{entry['file']}"
            shutil.copyfile(project / "camera_ready" / entry["file"], project / "camera_ready" / name)
            more.append({**entry, "id": f"{copy}-{entry['id']}", "file": name})
    (project / "camera_ready/papers.yaml").write_text(yaml.safe_dump(entries + more, sort_keys=False), encoding="utf-8")
    build = subprocess.Popen([sys.executable, "-m", "proceedings", "build", "--project", str(project), "-q", "-j", "2",
                              "--no-cache"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert _survivors_of_a_kill(build) == []


_BUSY_WORKERS = """
import time
from proceedings.util.workers import run_limited
run_limited(time.sleep, [("a", (120,)), ("b", (120,))], jobs=2, time_limit=300, memory_mb=256)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc to find the workers")
def test_busy_workers_die_with_their_parent():
    parent = subprocess.Popen([sys.executable, "-c", _BUSY_WORKERS])
    assert _survivors_of_a_kill(parent, settle=0.3) == []  # both workers inside their two-minute task

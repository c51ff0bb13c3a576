"""Folders the benchmark is done with: moved aside at once, deleted only after the last measurement.

Deleting a build folder (over a thousand files at N = 200) just before the next measured build charges that
build for the benchmark's own clean-up on some file systems. ext4 without a journal (this project's CI and
benchmark machines) does not hand out an inode deleted in the last minutes again: each file created then scans
past every recently deleted inode of its block group, about 0.5 µs each. A build that writes some 1,000 files
(each paper's stamped part and four citation files) after the last build's 1,250 were deleted took 0.4–0.8 s
longer, and more with every round; qpdf, which writes one file, does not notice. A rename frees no inode, so
folders are renamed into the trash here and the trash is emptied once every measurement is taken.

Deletions before the benchmark started (an earlier run's trash, a build folder removed by hand) are waited out:
:func:`settle` times the creation of a few files and waits, up to :data:`MAX_WAIT` seconds, until it is quick.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

PROBE_FILES = 100
"""Files created to time the file system."""
QUICK_MS = 0.1
"""A file created in this many milliseconds or less: nothing recently deleted is in the way (0.01–0.04 ms on a
quiet machine, 0.2–0.9 ms after a build folder was deleted)."""
MAX_WAIT = 420.0
"""Longest wait for the file system to settle: the kernel passes over an inode for up to 6 minutes after its
deletion."""


class Trash:
    """A folder to move finished folders into (same file system as they are), emptied by :meth:`empty`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def put(self, path: Path) -> None:
        """Move ``path`` (a folder or a file) into the trash, if it exists."""
        if not path.exists():
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        path.rename(Path(tempfile.mkdtemp(dir=self.folder)) / path.name)

    def empty(self) -> None:
        """Delete everything in the trash (after the last measurement)."""
        shutil.rmtree(self.folder, ignore_errors=True)


def create_ms(folder: Path) -> float:
    """Milliseconds to create one empty file in ``folder`` (the mean of :data:`PROBE_FILES`; the files are left
    there, so that no inode is freed)."""
    folder.mkdir(parents=True, exist_ok=True)
    tag = uuid.uuid4().hex[:12]
    started = time.perf_counter()
    for i in range(PROBE_FILES):
        (folder / f"{tag}-{i}").touch(exist_ok=False)
    return (time.perf_counter() - started) / PROBE_FILES * 1000


def settle(trash: Trash, probe: Path, status: Callable[[str], None],
           sleep: Callable[[float], None] = time.sleep) -> dict:
    """Wait until files are created quickly in ``probe`` (a new folder beside the builds': a block group's recent
    deletions slow down only the files created in it), at most :data:`MAX_WAIT` seconds; what was measured, for
    the report. The probe's files then go to the trash."""
    waited, ms = 0.0, create_ms(probe)
    while ms > QUICK_MS and waited < MAX_WAIT:
        if not waited:
            status(f"creating a file takes {ms:.2f} ms (files were deleted in the last minutes): waiting for the "
                   f"file system to settle, at most {MAX_WAIT / 60:.0f} min (see tools/bench_trash.py)")
        sleep(20.0)
        waited += 20.0
        ms = create_ms(probe)
    if waited:
        status(f"  {ms:.2f} ms a file after {waited:.0f} s")
    trash.put(probe)
    return {"file_create_ms": round(ms, 3), "settle_wait_s": waited}

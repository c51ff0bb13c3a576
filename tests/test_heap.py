"""The C heap of the tool's own processes keeps the memory a paper freed for the next one (util/heap.py)."""

from __future__ import annotations

import resource
import subprocess
import sys

import pytest

from proceedings.util.workers import run_limited

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt: Linux only")

ROUND = 100 * 100_000
"""Bytes one round of the probe holds at once: 100 blocks of 100 kB (each below glibc's first mapping threshold)."""


def freed_and_faulted(rounds: int = 20) -> int:
    """Minor page faults of ``rounds`` rounds of making and dropping :data:`ROUND` bytes in blocks (a paper read,
    then the next): about one round's pages when freed memory is kept, every round's when it is handed back."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(rounds):
        blocks = [bytearray(ROUND // 100) for _ in range(100)]  # zeroed: every page touched
        del blocks
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def test_a_worker_reuses_what_its_last_task_freed():
    pages = ROUND // resource.getpagesize()
    outcome = run_limited(freed_and_faulted, [("probe", ())], jobs=1, time_limit=120, memory_mb=512)["probe"]
    assert outcome.status == "ok", outcome.detail
    assert outcome.value < 3 * pages  # not 20 rounds' worth: the heap was not trimmed after each


def test_a_process_that_does_not_ask_hands_freed_memory_back():
    """The probe can tell: a plain Python process (glibc's defaults) faults every round's pages in again."""
    code = "from tests.test_heap import freed_and_faulted; print(freed_and_faulted())"
    faults = int(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    assert faults > 10 * (ROUND // resource.getpagesize())

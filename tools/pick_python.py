"""The Python interpreter `make` makes the virtual environment with (the Makefile's default ``PYTHON``).

A build is CPU-bound: the interpreter itself takes about a third of its CPU (perf). Interpreters of one version
differ in speed by how they were built: a distribution's or python.org's (profile-guided and link-time optimized,
the interpreter linked in one piece) ran a cold build of 200 real papers 8–13 % faster than pyenv's default build
(no optimization, a shared libpython) on the same machine, its pure Python 25–40 % faster. So the candidates found
here (``python3`` on PATH first, then ``python3.N`` on PATH, ``/usr/local/bin/python3``, ``/usr/bin/python3``) that
are Python 3.11+ and can make a virtual environment with pip (``venv`` and ``ensurepip``) each time a short
pure-Python workload, and the quickest is printed; ``python3`` on PATH is kept unless another of its version (3.11
for 3.11.x: the same wheels) is at least 15 % faster. ``make PYTHON=...`` chooses one instead. Standard library
only: it runs before anything is installed.

    python3 tools/pick_python.py          # prints the interpreter's path
    python3 tools/pick_python.py --why    # and, on stderr, every candidate's time
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, replace

MARGIN = 1.15
"""How much faster than ``python3`` on PATH another interpreter must be to be chosen over it."""

ROUNDS = 5
"""Times each candidate takes, alternated, its best kept: a spell of a slow machine during one probe (seen: a
third slower for a second) does not decide."""

MINIMUM = (3, 11)
"""The oldest Python the tool runs on (its regular expressions use possessive quantifiers and atomic
groups)."""

PROBE = r"""
import json, sys, time
ok = sys.version_info >= tuple(map(int, sys.argv[1:3]))
try:
    import ensurepip, venv  # venv makes pip with ensurepip (Debian ships it apart, in python3.N-venv)
except ImportError:
    ok = False

class Span:
    __slots__ = ("x0", "x1", "size", "text")
    def __init__(self, x0, x1, size, text):
        self.x0, self.x1, self.size, self.text = x0, x1, size, text

def work():
    spans, sizes = [], {}
    for i in range(6000):
        span = Span(i * 0.5, i * 0.5 + 7.25, 9.0 + (i & 3), "word %d" % (i & 63))
        if span.x1 - span.x0 > 1.2 * span.size or span.text.isprintable():
            spans.append(span)
        key = round(span.size * 2) / 2
        sizes[key] = sizes.get(key, 0) + len(span.text.split())
    spans.sort(key=lambda s: (-round(s.x0), s.x1))
    return " ".join(s.text for s in spans[:500])

best = float("inf")
for _ in range(9):
    start = time.perf_counter()
    work()
    best = min(best, time.perf_counter() - start)
print(json.dumps({"ok": ok, "executable": sys.executable, "version": sys.version.split()[0], "seconds": best}))
"""


@dataclass(frozen=True)
class Candidate:
    """An interpreter that ran the probe."""

    command: str
    executable: str
    version: str
    seconds: float
    """Its best time for the workload."""
    usable: bool
    """Python 3.11+ with venv and ensurepip."""


def candidates() -> list[str]:
    """Commands to try, ``python3`` on PATH first."""
    names = ["python3", *(f"python3.{minor}" for minor in range(20, MINIMUM[1] - 1, -1))]
    found = [path for path in (shutil.which(name) for name in names) if path]
    found += [path for path in ("/usr/local/bin/python3", "/usr/bin/python3") if os.access(path, os.X_OK)]
    return list(dict.fromkeys(found))


def probe(command: str) -> Candidate | None:
    """Run the probe in ``command``; None when it does not run."""
    try:
        done = subprocess.run([command, "-I", "-c", PROBE, *map(str, MINIMUM)], capture_output=True, text=True,
                              timeout=60, check=True)
        facts = json.loads(done.stdout)
        executable = os.path.realpath(facts["executable"] or command)
        return Candidate(command, executable, facts["version"], float(facts["seconds"]), bool(facts["ok"]))
    except (OSError, subprocess.SubprocessError, ValueError, KeyError, TypeError):
        return None


def choose(found: list[Candidate]) -> Candidate | None:
    """The first usable candidate, unless another usable one of the same Python version (``3.11`` of ``3.11.2``:
    the wheels that install for the first install for it) is at least :data:`MARGIN` times as fast."""
    usable = [c for c in found if c.usable]
    if not usable:
        return None
    first = usable[0]
    fastest = min((c for c in usable if _minor(c) == _minor(first)), key=lambda c: c.seconds)
    return fastest if fastest.seconds * MARGIN <= first.seconds else first


def _minor(candidate: Candidate) -> str:
    return ".".join(candidate.version.split(".")[:2])


def main(argv: list[str]) -> int:
    found: list[Candidate] = []
    seen: set[str] = set()
    for command in candidates():
        candidate = probe(command)
        if candidate is not None and candidate.executable not in seen:  # a shim or a link: the interpreter once
            seen.add(candidate.executable)
            found.append(candidate)
    for _ in range(ROUNDS - 1):
        for k, candidate in enumerate(found):
            again = probe(candidate.command) if candidate.usable else None
            if again is not None and again.seconds < candidate.seconds:
                found[k] = replace(candidate, seconds=again.seconds)
    chosen = choose(found)
    if "--why" in argv:
        for c in found:
            mark = "*" if c is chosen else " "
            why = "" if c.usable else "  (not usable: needs Python 3.11+ with venv and ensurepip)"
            print(f"{mark} {c.executable} {c.version}: {1000 * c.seconds:.1f} ms{why}", file=sys.stderr)
    if chosen is None:
        print("python3")  # the Makefile's venv step then says what is missing
        return 0
    print(chosen.executable)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The interpreter `make` makes the virtual environment with (tools/pick_python.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tools.pick_python import MARGIN, Candidate, choose, probe

ROOT = Path(__file__).resolve().parents[1]


def _candidate(name: str, seconds: float, usable: bool = True, version: str = "3.11.9") -> Candidate:
    return Candidate(name, f"/opt/{name}", version, seconds, usable)


def test_python3_on_path_is_kept_unless_another_is_clearly_faster():
    first = _candidate("python3", 0.010)
    assert choose([first, _candidate("other", 0.010 / MARGIN * 1.01)]) is first  # within the margin: the user's
    quick = _candidate("other", 0.010 / MARGIN * 0.99)
    assert choose([first, quick]) is quick


def test_another_python_version_is_never_chosen_over_python3():
    """Only the version ``python3`` is (its patch level aside): the wheels the project installs are that
    version's, and a package index offline may have no others."""
    first = _candidate("python3", 0.010, version="3.11.7")
    assert choose([first, _candidate("python3.13", 0.002, version="3.13.0")]) is first
    same = _candidate("python3.11", 0.005, version="3.11.2")
    assert choose([first, _candidate("python3.13", 0.002, version="3.13.0"), same]) is same


def test_an_interpreter_that_cannot_make_a_venv_is_never_chosen():
    first = _candidate("python3", 0.010)
    assert choose([first, _candidate("fast", 0.001, usable=False)]) is first
    assert choose([_candidate("python3", 0.010, usable=False), _candidate("b", 0.020)]).command == "b"
    assert choose([_candidate("python3", 0.010, usable=False)]) is None


def test_the_probe_reads_this_interpreter():
    found = probe(sys.executable)
    assert found is not None and found.usable  # the tests run in a venv made by pip: 3.11+, with venv
    assert found.version == sys.version.split()[0] and 0 < found.seconds < 5
    assert probe(str(ROOT / "no-such-python")) is None


def test_the_makefile_is_given_an_interpreter_that_runs():
    picked = subprocess.run([sys.executable, str(ROOT / "tools" / "pick_python.py")], capture_output=True,
                            text=True, check=True).stdout.strip()
    version = subprocess.run([picked, "-c", "import sys, venv, ensurepip; print(sys.version_info[:2] >= (3, 11))"],
                             capture_output=True, text=True, check=True).stdout.strip()
    assert version == "True"


def test_a_slow_spell_during_one_probe_does_not_decide(monkeypatch, capsys):
    """Each candidate is timed in alternated rounds and keeps its best: seen in CI, the quicker interpreter's one
    probe fell in a slow second and measured slower than the other."""
    import tools.pick_python as pick

    times = {"/usr/bin/python3.11": iter([0.0077, 0.0050, 0.0051, 0.0052, 0.0050]),
             "/opt/pyenv/python3.11": iter([0.0074, 0.0075, 0.0074, 0.0076, 0.0074])}
    monkeypatch.setattr(pick, "candidates", lambda: ["/opt/pyenv/python3.11", "/usr/bin/python3.11"])
    monkeypatch.setattr(pick, "probe", lambda command: Candidate(command, command, "3.11", next(times[command]), True))
    assert pick.main([]) == 0
    assert capsys.readouterr().out.strip() == "/usr/bin/python3.11"

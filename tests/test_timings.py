"""`proceedings build --timings`, the stage timer it uses, and the imports a build can do without."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from proceedings.util.timings import Timings, timed
from tests.conftest import REPO, make_project

STAGES = ("gather", "validate", "plan", "front matter", "author index", "stamp", "bind", "verify", "exports")


class _Ctx:
    def __init__(self, timings: Timings | None) -> None:
        self.timings = timings


def test_timed_counts_each_stage_once_and_nested_stages_apart():
    ctx = _Ctx(Timings())
    with timed(ctx, "outer"):
        sum(range(10_000))
        with timed(ctx, "inner"):
            sum(range(10_000))
    with timed(ctx, "outer"):
        pass
    stages = ctx.timings.stages
    assert list(stages) == ["outer", "inner"]
    assert stages["outer"].calls == 2 and stages["inner"].calls == 1
    assert all(s.wall >= 0 and s.cpu >= 0 for s in stages.values())
    assert ctx.timings.nested == []  # every stage closed
    table = ctx.timings.table().splitlines()
    assert table[0].split() == ["stage", "wall", "s", "cpu", "s", "%", "wall", "peak", "MB"]
    assert [line.split()[0] for line in table[1:3]] == ["outer", "inner"]
    assert table[-1].startswith("peak RSS: ")


def test_timed_does_nothing_without_a_table():
    with timed(_Ctx(None), "x"):
        pass
    with timed(object(), "x"):
        pass


def _env(tmp_path: Path) -> dict[str, str]:
    from proceedings.typeset import fonts

    return {**os.environ, "PROCEEDINGS_FONT_DIR": str(fonts.font_dir()), "XDG_CACHE_HOME": str(tmp_path / "xdg")}


@pytest.fixture(scope="module")
def small_project(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("timings")
    pdfs = sorted((REPO / "camera_ready").glob("*.pdf"))[:2]
    return make_project(base / "p", pdfs)


def test_build_timings_prints_every_stage_on_stderr(small_project, tmp_path):
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "proceedings", "build", "-p", str(small_project), "-o", str(out),
                           "-q", "--timings"], capture_output=True, text=True, env=_env(tmp_path), timeout=300,
                          check=False)
    assert done.returncode in (0, 1), done.stderr
    assert (out / "proceedings.pdf").is_file()
    lines = done.stderr.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:1] == ["stage"])
    names = [line[:16].strip() for line in lines[start + 1:]]
    assert names[:len(STAGES)] == list(STAGES)
    assert names[len(STAGES):len(STAGES) + 2] == ["other", "total"]
    for line in lines[start + 1:start + 1 + len(STAGES)]:
        wall, cpu, _share, peak = line[16:].split()[:4]
        assert float(wall) >= 0 and float(cpu) >= 0 and float(peak) > 10  # MB: a Python process
    assert "peak RSS" in lines[-1]
    assert "stage" not in done.stdout  # the table is on stderr only


def test_no_timings_table_without_the_option(small_project, tmp_path):
    done = subprocess.run([sys.executable, "-m", "proceedings", "build", "-p", str(small_project), "-o",
                           str(tmp_path / "o"), "-q"], capture_output=True, text=True, env=_env(tmp_path),
                          timeout=300, check=False)
    assert done.returncode in (0, 1), done.stderr
    assert "wall s" not in done.stderr


def test_a_warm_build_does_not_import_reportlab(small_project, tmp_path):
    """Front matter, author index and stamp template come from caches: no page is drawn, ReportLab stays out."""
    script = ("import sys\nfrom pathlib import Path\nfrom proceedings.cli import make_context\n"
              "from proceedings.pipeline import build\n"
              "p, o = Path(sys.argv[1]), Path(sys.argv[2])\n"
              "build(p, make_context(p, o, quiet=True))\n"
              "print('reportlab' in sys.modules)\n")
    out = tmp_path / "warm"
    runs = [subprocess.run([sys.executable, "-c", script, str(small_project), str(out)], capture_output=True,
                           text=True, env=_env(tmp_path), timeout=300, check=False) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0], runs[-1].stderr
    assert [r.stdout.strip() for r in runs] == ["True", "False"]  # the cold build draws; the warm one does not


def test_importing_the_cli_and_pipeline_leaves_reportlab_out():
    code = ("import sys, proceedings.cli, proceedings.pipeline, proceedings.stages.stamp; "
            "print(sorted(m for m in ('reportlab', 'markdown_it') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"

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
def cold(tmp_path_factory):
    """A 2-paper project built once, cold, by the command line with --timings: (project, out, env, stderr)."""
    base = tmp_path_factory.mktemp("timings")
    project = make_project(base / "p", sorted((REPO / "camera_ready").glob("*.pdf"))[:2])
    out, env = base / "out", _env(base)
    done = subprocess.run([sys.executable, "-m", "proceedings", "build", "-p", str(project), "-o", str(out), "-q",
                           "--timings"], capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode in (0, 1), done.stderr
    assert "stage" not in done.stdout  # the table is on stderr only
    return project, out, env, done.stderr


def test_build_timings_prints_every_stage_on_stderr(cold):
    _, out, _, stderr = cold
    assert (out / "proceedings.pdf").is_file()
    lines = stderr.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:1] == ["stage"])
    names = [line[:16].strip() for line in lines[start + 1:]]
    assert names[:len(STAGES)] == list(STAGES)
    assert names[len(STAGES):len(STAGES) + 2] == ["other", "total"]
    for line in lines[start + 1:start + 1 + len(STAGES)]:
        wall, cpu, _share, peak = line[16:].split()[:4]
        assert float(wall) >= 0 and float(cpu) >= 0 and float(peak) > 10  # MB: a Python process
    assert "peak RSS" in lines[-1]


def test_a_warm_build_imports_no_pdf_library_nor_prints_timings_unasked(cold):
    """Front matter, author index, validation results and stamped parts come from caches: no page is drawn
    (ReportLab stays out) and no PDF is read or written (pypdf and PDFium stay out too), nor any image (Pillow)."""
    project, out, env, _ = cold
    script = ("import sys\nfrom proceedings.cli import app\n"
              "try:\n    app(sys.argv[1:])\nexcept SystemExit as exc:\n    code = exc.code\n"
              "print(sorted(m for m in ('reportlab', 'pypdf', 'pypdfium2', 'fontTools', 'PIL') if m in sys.modules), code)\n")
    done = subprocess.run([sys.executable, "-c", script, "build", "-p", str(project), "-o", str(out), "-q"],
                          capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.stdout.strip().splitlines()[-1] in ("[] 0", "[] 1"), done.stdout + done.stderr
    assert "wall s" not in done.stderr


def test_importing_the_cli_and_pipeline_leaves_reportlab_out():
    code = ("import sys, proceedings.cli, proceedings.pipeline, proceedings.stages.stamp; "
            "print(sorted(m for m in ('reportlab', 'markdown_it') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"

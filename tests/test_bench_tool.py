"""tools/bench.py and tools/bench_papers.py on a tiny size: it works, nothing is timed or asserted about speed."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[1]


def _load(name: str):
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


bench_papers = _load("bench_papers")
bench = _load("bench")


def test_specs_are_deterministic_and_within_the_rules():
    first, again = bench_papers.papers(60), bench_papers.papers(60)
    assert [p.entry for p in first] == [p.entry for p in again]
    assert [p.spec for p in first] == [p.spec for p in again]
    assert all(6 <= p.pages <= 10 and 5 <= p.spec.body_pages <= 8 for p in first)
    assert all(p.spec.raster_kb == 100 and p.spec.page_size == "letter" for p in first)
    assert len({p.entry["id"] for p in first}) == 60 and len({p.file for p in first}) == 60
    sessions = [p.entry["session"] for p in first]
    assert len(set(sessions)) == 3 and sessions.count(sessions[0]) == 20
    names = " ".join(a["name"] + " " + p.entry["title"] for p in first for a in p.entry["authors"])
    assert any(ord(c) > 127 for c in names), "names and titles carry diacritics"
    # the project of N papers is the first N of the pool: N=40 and N=1000 share their files
    assert [p.entry for p in bench_papers.papers(5)] == [p.entry for p in first[:5]]


def test_a_family_name_that_is_not_the_last_word_is_given():
    people = bench_papers.population()
    multi = [p for p in people if p.family]
    assert multi
    for p in multi:  # family first (Nguyễn Thị Minh Khai) or a family of several words (Zoë van der Berg)
        assert p.name.startswith(p.family + " ") or (p.name.endswith(" " + p.family) and " " in p.family)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A 3-paper benchmark project, generated on two workers."""
    base = tmp_path_factory.mktemp("bench")
    projects = bench_papers.make_projects(base, [2, 3], workers=2)
    return base, projects


def test_projects_share_the_pool_and_are_valid_inputs(tiny):
    base, projects = tiny
    project = projects[3]
    assert project.dir.parent.name == f"papers-{bench_papers.generator_key()}"
    entries = yaml.safe_load((project.camera_ready / "papers.yaml").read_text(encoding="utf-8"))
    assert [e["id"] for e in entries] == ["1", "2", "3"]
    assert (project.dir / "front_matter" / "workshop.yaml").is_file()
    for p, path in zip(project.papers, project.files()):
        reader = PdfReader(path)
        assert len(reader.pages) == p.pages
        assert [round(float(x)) for x in reader.pages[0].mediabox[2:]] == [612, 792]
        assert os.path.samefile(path, project.original(p))  # hard links into the pool
        assert p.index == 3 or os.path.samefile(path, projects[2].camera_ready / p.file)
    changed = project.changed_paper()
    variant = PdfReader(project.changed(changed))
    assert len(variant.pages) == changed.pages
    assert project.changed(changed).read_bytes() != project.original(changed).read_bytes()
    # a second call generates nothing and lays the same project out again
    again = bench_papers.make_projects(base, [3], workers=1)[3]
    assert (again.camera_ready / "papers.yaml").read_bytes() == (project.camera_ready / "papers.yaml").read_bytes()


def test_a_new_generator_key_removes_the_old_papers(tmp_path, monkeypatch):
    stale = tmp_path / "papers-000000000000"
    stale.mkdir()
    (stale / "pool").mkdir()
    root = bench_papers.bench_root(tmp_path)
    assert not stale.exists() and root.name == f"papers-{bench_papers.generator_key()}"


def test_measure_reports_the_childs_own_peak(tmp_path):
    grow = "x = bytearray(60 * 1024 * 1024); x[::4096] = b'1' * len(x[::4096])"
    big = bench.measure([sys.executable, "-c", grow])
    small = bench.measure([sys.executable, "-c", "pass"])
    assert big.returncode == 0 and small.returncode == 0
    assert big.peak_rss_kb > small.peak_rss_kb + 50 * 1024  # each run its own peak, not the max so far
    assert big.seconds > 0 and big.tree_rss_kb >= big.peak_rss_kb
    failed = bench.measure([sys.executable, "-c", "import sys; sys.exit(3)"])
    assert failed.returncode == 3


def test_targets_are_judged_as_the_issue_says():
    def res(name, seconds, rss_kb=100_000, out=0):
        return bench.Result(name, [bench.Sample(seconds, rss_kb, rss_kb, 0)], out)

    big = {"qpdf-preserve": res("qpdf-preserve", 10), "pdfunite": res("pdfunite", 20),
           "cold": res("cold", 79, out=105), "warm": res("warm", 21), "one-changed": res("one-changed", 24,
                                                                                          rss_kb=1300 * 1024)}
    got = {t.what: t for t in bench.targets(1000, big, input_bytes=100)}
    assert len(got) == 5
    assert got["cold build ≤ 8× qpdf-preserve"].met
    assert not got["warm rebuild ≤ 2× qpdf-preserve"].met
    assert got["one paper changed ≤ 2.5× qpdf-preserve"].met
    assert not got["peak RSS of a build ≤ 1.2 GB"].met
    assert got["output ≤ 1.1× the inputs' size"].met
    small = bench.targets(40, {**big, "cold": res("cold", 99)}, input_bytes=100)
    assert [(t.what, t.met) for t in small] == [("cold build ≤ 5× pdfunite", True)]
    assert bench.targets(3, big, input_bytes=100) == []


def test_the_whole_tool_on_three_papers(tmp_path, monkeypatch):
    """Generation, every scenario, the per-stage build, the table and the JSON; 1 run."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    out = tmp_path / "results.json"
    code = bench.main(["--sizes", "3", "--runs", "1", "--json", str(out), "--bench-dir", str(tmp_path / "b"),
                       "--no-install"])
    assert code == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    (size,) = report["sizes"]
    assert size["n"] == 3 and size["runs"] == 1 and size["input_bytes"] > 300_000
    scenarios = size["scenarios"]
    for name in ("cold", "warm", "one-changed"):
        s = scenarios[name]
        assert len(s["seconds"]) == 1 and s["peak_rss_mb"] > 0 and s["output_over_input"] > 0.5
        assert s["exit_status"] == [0], s["notes"]
        assert not [n for n in s["notes"] if n.startswith("WRONG")]  # warm = cold, one changed ≠ warm
    stages = report["stages"]
    assert stages["n"] == 3 and {"merge"} <= {s["stage"].rsplit("/", 1)[-1] for s in stages["stages"]}
    # the project is left as generated: the changed paper is the pool's file again
    root = tmp_path / "b" / f"papers-{bench_papers.generator_key()}"
    p = bench_papers.papers(3)[1]  # the middle one is the one changed
    assert os.path.samefile(root / "n3" / "camera_ready" / p.file, root / "pool" / f"{p.index:04d}.pdf")

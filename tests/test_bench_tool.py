"""tools/bench.py and tools/bench_papers.py on a tiny size: it works, nothing is timed or asserted about speed."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
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


def test_measure_reports_the_childs_own_peak(tmp_path, monkeypatch):
    synced = []  # what earlier commands wrote is on disk before each measurement (not written back during it)
    monkeypatch.setattr(os, "sync", lambda: synced.append(1))
    grow = "x = bytearray(60 * 1024 * 1024); x[::4096] = b'1' * len(x[::4096])"
    big = bench.measure([sys.executable, "-c", grow])
    small = bench.measure([sys.executable, "-c", "pass"])
    assert big.returncode == 0 and small.returncode == 0 and len(synced) == 2
    assert big.peak_rss_kb > small.peak_rss_kb + 50 * 1024  # each run its own peak, not the max so far
    assert big.seconds > 0 and big.tree_rss_kb >= big.peak_rss_kb and big.cpu_seconds > 0
    failed = bench.measure([sys.executable, "-c", "import sys; sys.exit(3)"])
    assert failed.returncode == 3


def test_targets_are_judged_as_the_issue_says():
    def res(name, seconds, rss_kb=100_000, out=0):
        return bench.Result(name, [bench.Sample(seconds, rss_kb, rss_kb, 0)], out)

    big = {"qpdf-preserve": res("qpdf-preserve", 10), "pdfunite": res("pdfunite", 20),
           "cold": res("cold", 39, out=105), "warm": res("warm", 3.1), "one-changed": res("one-changed", 9,
                                                                                        rss_kb=1100 * 1024)}
    got = {t.what: t for t in bench.targets(1000, big, input_bytes=100)}
    assert len(got) == 5
    assert got["cold build ≤ 4× qpdf-preserve"].met
    assert not got["warm rebuild ≤ 0.3× qpdf-preserve"].met
    assert got["one paper changed ≤ 1× qpdf-preserve"].met
    assert not got["peak RSS of a build ≤ 1 GB"].met
    assert got["output ≤ 1.1× the inputs' size"].met
    mid = {t.what: t.met for t in bench.targets(200, big, input_bytes=100)}
    assert mid == {"cold build ≤ 4× qpdf-preserve": True, "warm rebuild ≤ 0.5× qpdf-preserve": True,
                   "one paper changed ≤ 1× qpdf-preserve": True}
    small = bench.targets(40, {**big, "cold": res("cold", 41)}, input_bytes=100)
    assert [(t.what, t.met) for t in small] == [("cold build ≤ 2× pdfunite", False)]
    assert bench.targets(3, big, input_bytes=100) == []


def test_the_markdown_table_has_every_series_scenario_and_target():
    def scenario(label, median, q, u):
        return {"label": label, "median_s": median, "vs_qpdf_preserve": q, "vs_pdfunite": u, "peak_rss_mb": 80.0,
                "tree_rss_mb": 200.0, "cpu_s": 2 * median, "cpu_vs_qpdf_preserve": q}

    sizes = [{"series": series, "n": 40, "pages": 300, "scenarios": {
        "qpdf-preserve": scenario("qpdf-preserve", 1.0, 1.0, 0.5), "pdfunite": scenario("pdfunite", 2.0, 2.0, 1.0),
        "cold": scenario("cold build", 3.0, 3.0, 1.5)},
        "targets": [{"n": 40, "what": "cold build ≤ 2× pdfunite", "value": 1.5, "limit": 2.0, "unit": "×",
                     "met": True}]} for series in ("real", "synthetic")]
    report = {"date": "2026-11-29T05:00:00+00:00", "machine": {"cpus": 2, "cpu": "X"}, "source": {"commit": "abc"},
              "load_average_before": [7.5, 6, 5], "sizes": sizes}
    text = bench.bench_extras.markdown(report)
    lines = text.splitlines()
    assert lines[0].startswith("Measured 2026-11-29 05:00 UTC on 2 cores (X), commit abc, load average 7.5")
    assert "| real | 40 | 300 | cold build | 3.00 | 3.00× | 1.50× | 6.00 | 3.00× | 80 | 200 |" in lines
    assert "| synthetic | 40 | 300 | qpdf-preserve | 1.00 | 1.00× | 0.50× | 2.00 | 1.00× | 80 | 200 |" in lines
    assert "| real | 40 | cold build ≤ 2× pdfunite | 1.50× | met |" in lines
    assert all(line.count("|") in (0, 6, 12) for line in lines)  # every row has its columns


bench_latex = bench.bench_latex


def _check(path: Path) -> None:
    import shutil
    import subprocess

    if shutil.which("qpdf"):
        done = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr  # 3 would be warnings: none either


@pytest.mark.parametrize("xref_stream", [False, True])
def test_a_unique_copy_appends_an_update_and_keeps_the_file(tmp_path, xref_stream):
    import shutil
    import subprocess

    src = min((ROOT / "camera_ready").glob("*.pdf"))  # a classic cross-reference table
    if xref_stream:  # as pdflatex writes: object streams and a cross-reference stream
        if not shutil.which("qpdf"):
            pytest.skip("qpdf is not installed (it makes the cross-reference stream file)")
        subprocess.run(["qpdf", "--object-streams=generate", str(src), str(tmp_path / "s.pdf")], check=True)
        src = tmp_path / "s.pdf"
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    bench_latex.unique_copy(src, a, "bench-1", "A Title")
    bench_latex.unique_copy(src, b, "bench-2", "A Title")
    original = src.read_bytes()
    assert a.read_bytes().startswith(original) and b.read_bytes().startswith(original)
    assert a.read_bytes() != b.read_bytes() and len(a.read_bytes()) - len(original) < 4000
    for path, copy_id in ((a, "bench-1"), (b, "bench-2")):
        _check(path)
        reader, before = PdfReader(path), PdfReader(src)
        assert reader.metadata.title == f"A Title [{copy_id}]"
        assert reader.metadata["/BenchCopy"] == copy_id
        assert len(reader.pages) == len(before.pages)
        assert b"benchmark copy " + copy_id.encode() in reader.pages[0].get_contents().get_data()
        assert reader.pages[0].extract_text() == before.pages[0].extract_text()
        assert (b"/XRef" in path.read_bytes()[len(original):]) == xref_stream


def test_the_latex_shapes_vary_as_asked():
    shapes = bench_latex.shapes()
    assert len(shapes) == bench_latex.SHAPES and len({s.title for s in shapes}) > 15
    kinds = {k.rstrip("*") for s in shapes for k in s.figures}
    assert kinds == {"pgfplots", "tikz", "rule", "png"}
    assert any(k.endswith("*") for s in shapes for k in s.figures)  # figures across both columns
    assert any(s.onecolumn_appendix for s in shapes) and any(s.tables for s in shapes)
    assert all(12 <= s.references <= 45 for s in shapes)
    source = bench_latex.latex_source(shapes[3])
    assert source.startswith("\\documentclass[sigconf]{acmart}") and "\\begin{thebibliography}" in source
    assert "\\onecolumn" in source and "Woodstock" not in source


def test_the_whole_tool_on_three_papers(tiny, tmp_path, monkeypatch):
    """Every scenario, the per-stage build, the table and the JSON; 1 run (on the papers ``tiny`` generated:
    the tool finds them and generates nothing)."""
    base, _ = tiny
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    out = tmp_path / "results.json"
    events: list[str] = []  # no folder deleted between measurements (see tools/bench_trash.py)
    measure, rmtree = bench.measure, shutil.rmtree
    monkeypatch.setattr(bench, "measure", lambda *a, **k: events.append("measure") or measure(*a, **k))
    monkeypatch.setattr(shutil, "rmtree", lambda *a, **k: events.append("delete") or rmtree(*a, **k))
    code = bench.main(["--sizes", "3", "--runs", "1", "--json", str(out), "--bench-dir", str(base),
                       "--no-install", "--no-settle", "--series", "synthetic"])
    assert code == 0
    first, last = events.index("measure"), len(events) - events[::-1].index("measure")
    assert events.count("measure") >= 6 and "delete" not in events[first:last] and "delete" in events[last:]
    assert not (base / "trash").exists()  # emptied at the end
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
    root = base / f"papers-{bench_papers.generator_key()}"
    p = bench_papers.papers(3)[1]  # the middle one is the one changed
    assert os.path.samefile(root / "n3" / "camera_ready" / p.file, root / "pool" / f"{p.index:04d}.pdf")


@pytest.mark.slow
def test_the_real_series_on_three_copies_of_two_compiled_papers(tmp_path, monkeypatch, capsys):
    """pdflatex compiles two acmart papers once; the tool cycles them to 3 unique papers and measures."""
    why = bench_latex.tex_available()
    if why:
        pytest.skip(why)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setattr(bench_latex, "SHAPES", 2)
    monkeypatch.setattr(bench_latex, "PASSES", 1)  # the flow is under test, not the cross-references
    out, md = tmp_path / "results.json", tmp_path / "table.md"
    code = bench.main(["--sizes", "3", "--runs", "1", "--json", str(out), "--bench-dir", str(tmp_path / "b"),
                       "--no-install", "--no-settle", "--series", "real", "--markdown", str(md), "--no-stages"])
    assert code == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    (size,) = report["sizes"]
    assert size["series"] == "real" and size["n"] == 3
    for name in ("cold", "warm", "one-changed"):
        assert size["scenarios"][name]["exit_status"] == [0], size["scenarios"][name]["notes"]
        assert not [n for n in size["scenarios"][name]["notes"] if n.startswith("WRONG")]
    (root,) = (tmp_path / "b").glob("latex-*")
    files = sorted((root / "n3" / "camera_ready").glob("*.pdf"))
    assert len(files) == 3 and len({f.read_bytes() for f in files}) == 3  # unique, though two are one paper
    assert files[0].read_bytes()[:1000] == files[2].read_bytes()[:1000]
    assert "| real | 3 |" in md.read_text(encoding="utf-8") and "Markdown (for the README)" in capsys.readouterr().out


def test_without_tex_the_benchmark_says_so_and_runs_the_synthetic_series(tiny, tmp_path, monkeypatch, capsys):
    base, _ = tiny
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no pdflatex, kpsewhich, qpdf, pdfunite, git
    assert bench_latex.tex_available() == "pdflatex is not installed"
    out = tmp_path / "results.json"
    code = bench.main(["--sizes", "2", "--runs", "1", "--json", str(out), "--bench-dir", str(base),
                       "--no-install", "--no-settle", "--no-stages"])
    assert code == 0
    assert "real series skipped: pdflatex is not installed; running the synthetic series only" in capsys.readouterr().err
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["series"] == ["synthetic"] and [s["series"] for s in report["sizes"]] == ["synthetic"]
    assert not list(base.glob("latex-*"))


def test_the_benchmark_waits_for_recent_deletions_to_settle(tmp_path, monkeypatch):
    """A slow file creation (files deleted in the last minutes) is waited out before measuring, up to a limit."""
    bench_trash = sys.modules["bench_trash"]
    trash = bench_trash.Trash(tmp_path / "trash")
    assert bench_trash.create_ms(tmp_path / "probe") < 50 and len(list((tmp_path / "probe").iterdir())) == 100
    times = iter([0.6, 0.3, 0.02])
    monkeypatch.setattr(bench_trash, "create_ms", lambda folder: next(times))
    slept, said = [], []
    record = bench_trash.settle(trash, tmp_path / "probe", said.append, slept.append)
    assert record == {"file_create_ms": 0.02, "settle_wait_s": 40.0} and slept == [20.0, 20.0] and len(said) == 2
    assert not (tmp_path / "probe").exists() and len(list(trash.folder.glob("*/probe/*"))) == 100  # to the trash
    monkeypatch.setattr(bench_trash, "create_ms", lambda folder: 0.9)  # never settles: the wait has a limit
    record = bench_trash.settle(trash, tmp_path / "probe", said.append, slept.append)
    assert record["settle_wait_s"] == bench_trash.MAX_WAIT and record["file_create_ms"] == 0.9
    (tmp_path / "old").mkdir()
    trash.put(tmp_path / "old")
    trash.put(tmp_path / "gone")  # nothing there: nothing to do
    assert not (tmp_path / "old").exists() and len(list(trash.folder.glob("*/old"))) == 1
    trash.empty()
    assert not trash.folder.exists()

#!/usr/bin/env python3
"""The benchmark (`make bench`): the proceedings build against qpdf and pdfunite on the same files.

    python tools/bench.py                       # N = 40 and 200, 3 runs each, both series
    python tools/bench.py --full                # and N = 1000, one run
    python tools/bench.py --quick               # N = 10 and 40, 1 run: to try it out
    python tools/bench.py --sizes 40,1000 --runs 3 --large-runs 1 --json .bench/results.json

For each series (real: pdflatex-compiled acmart papers, see tools/bench_latex.py; synthetic: ReportLab-drawn,
see tools/bench_papers.py) and each size N it makes (once, cached under .bench/) N unique camera-ready papers
and a project of them, then measures, on the same files and in the same run:

    qpdf-preserve   qpdf --empty --stream-data=preserve --pages FILES -- out.pdf
    pdfunite        pdfunite FILES out.pdf
    cold build      proceedings build into a fresh --out folder, no caches of any kind
    warm rebuild    the same build again into the same --out folder, nothing changed
    one changed     one camera-ready paper rewritten (other seed, same pages), built into the same --out

Each measurement is a child process, started through a tiny wrapper: wall time from fork to
exit (time.perf_counter), peak RSS from os.wait4 (ru_maxrss: the child's own peak, or its largest
descendant's), and the sampled peak of the summed RSS of the whole process tree (workers included).
Runs are interleaved (round r measures every scenario once), so drifts of the machine hit every
scenario alike; the table shows medians. Times are
compared with qpdf-preserve (and pdfunite) of the same run, which cancels the machine's speed.

The table goes to stdout, and to --json; progress goes to stderr. Exit status 0 when every
measurement ran (missed targets are shown, not failed), 2 when a build failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for entry in (str(ROOT), str(ROOT / "tools")):
    if entry not in sys.path:
        sys.path.insert(0, entry)

import bench_extras  # noqa: E402
import bench_latex  # noqa: E402
import bench_papers  # noqa: E402
from bench_extras import print_report  # noqa: E402
from bench_measure import LABELS, SCENARIOS, Sample, machine, measure, source_state  # noqa: E402 - Sample: the tests' too
from bench_stages import stage_breakdown  # noqa: E402
from bench_trash import Trash, settle  # noqa: E402

BENCH_DIR = ROOT / ".bench"
BUILDS = ("cold", "warm", "one-changed")


# --------------------------------------------------------------------------- baselines


def ensure_baselines(install: bool = True) -> dict[str, str | None]:
    """Paths of qpdf and pdfunite; installs them with apt-get when missing and root, else explains."""
    tools = {"qpdf": shutil.which("qpdf"), "pdfunite": shutil.which("pdfunite")}
    missing = [t for t, p in tools.items() if not p]
    if missing and install and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"installing {', '.join(missing)}: apt-get install -y qpdf poppler-utils", file=sys.stderr)
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update"], check=False, env=env, **quiet)
        subprocess.run(["apt-get", "install", "-y", "qpdf", "poppler-utils"], check=False, env=env, **quiet)
        tools = {"qpdf": shutil.which("qpdf"), "pdfunite": shutil.which("pdfunite")}
    for name, path in tools.items():
        if not path:
            package, brew = ("qpdf", "qpdf") if name == "qpdf" else ("poppler-utils", "poppler")
            print(f"{name} is not installed, so its baseline is skipped. Install it with "
                  f"`sudo apt-get install {package}` (Debian, Ubuntu), `sudo dnf install {package}` (Fedora) "
                  f"or `brew install {brew}` (macOS), then run the benchmark again.", file=sys.stderr)
    return tools


def _version(cmd: list[str]) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    text = (done.stdout or done.stderr).strip().splitlines()
    return text[0] if text else ""


# --------------------------------------------------------------------------- scenarios


def proceedings_cmd() -> list[str]:
    """The installed `proceedings` script beside this Python, else `python -m proceedings`."""
    script = Path(sys.executable).parent / "proceedings"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "proceedings"]


def build_env(cache_home: Path) -> dict[str, str]:
    """The build's environment: caches under ``cache_home`` (fresh for a cold build), fonts prepared once, the
    package byte-compiled as ``pip install`` does (an editable install under PYTHONDONTWRITEBYTECODE would
    compile every module from source on every run: start-up no installed copy pays)."""
    import compileall

    from proceedings.typeset import fonts

    compileall.compile_dir(str(ROOT / "proceedings"), quiet=1)
    font_dir = fonts.font_dir()
    fonts.prepare(jobs=os.cpu_count() or 1)
    env = dict(os.environ)
    env.pop("SOURCE_DATE_EPOCH", None)
    env.pop("PROCEEDINGS_CACHE_DIR", None)  # a cold build reads no cache of any kind
    env.update({"XDG_CACHE_HOME": str(cache_home), "PROCEEDINGS_FONT_DIR": str(font_dir)})
    return env


@dataclass
class Result:
    """Every run of one scenario at one size."""

    scenario: str
    samples: list[Sample] = field(default_factory=list)
    output_bytes: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def cpu_median(self) -> float:
        return statistics.median(s.cpu_seconds for s in self.samples)

    @property
    def peak_rss_mb(self) -> float:
        return max(s.peak_rss_kb for s in self.samples) / 1024

    @property
    def tree_rss_mb(self) -> float:
        return max(s.tree_rss_kb for s in self.samples) / 1024


class BuildFailed(RuntimeError):
    pass


def _digest(path: Path) -> str:
    from proceedings.stages.gather import sha256_file

    return sha256_file(path)


def _build(project: bench_papers.BenchProject, out: Path, cache: Path, log: Path, result: Result) -> str:
    """One timed build; returns the sha256 of the volume it wrote."""
    cmd = proceedings_cmd() + ["build", "--project", str(project.dir), "--out", str(out), "-q"]
    sample = measure(cmd, env=build_env(cache), stderr_path=log)
    message = log.read_text(encoding="utf-8", errors="replace").strip()
    if sample.returncode not in (0, 1) or not (out / "proceedings.pdf").is_file():
        raise BuildFailed(f"{result.scenario} build of N={project.n} exited {sample.returncode}:\n{message}")
    if sample.returncode == 1 and message and message not in result.notes:
        result.notes.append(message)  # rule violations in the papers: outputs are written anyway
    result.samples.append(sample)
    result.output_bytes = (out / "proceedings.pdf").stat().st_size
    return _digest(out / "proceedings.pdf")


def _check(ok: bool, result: Result, problem: str) -> None:
    """A wrong result is noted beside the time (a fast build that does the wrong thing is no win)."""
    if not ok and f"WRONG: {problem}" not in result.notes:
        result.notes.append(f"WRONG: {problem}")
        _status(f"  WRONG: {problem}")


def run_size(project: bench_papers.BenchProject, runs: int, tools: dict[str, str | None],
             work: Path, trash: Trash) -> dict[str, Result]:
    """Measure every scenario ``runs`` times, interleaved; the project is left as generated. Folders done with go
    to ``trash`` (see bench_trash: deleting them between measurements would slow the next build down)."""
    results = {s: Result(s) for s in SCENARIOS if s in BUILDS or tools.get(s.split("-")[0])}
    files = [p.file for p in project.papers]
    trash.put(work)
    work.mkdir(parents=True)
    for path in project.files():  # the inputs in the page cache for everyone alike
        path.read_bytes()
    changed = project.changed_paper()
    try:
        for r in range(runs):
            _status(f"N={project.n}: round {r + 1}/{runs}")
            if "qpdf-preserve" in results:
                out = work / "qpdf.pdf"
                sample = measure([tools["qpdf"], "--empty", "--stream-data=preserve", "--pages", *files, "--",
                                  str(out)], cwd=project.camera_ready, quiet_stderr=True)
                if sample.returncode not in (0, 3):  # 3: succeeded with warnings
                    raise BuildFailed(f"qpdf exited {sample.returncode}")
                results["qpdf-preserve"].samples.append(sample)
                results["qpdf-preserve"].output_bytes = out.stat().st_size
                _status(f"  qpdf-preserve {sample.seconds:.2f} s")
            if "pdfunite" in results:
                out = work / "pdfunite.pdf"
                sample = measure([tools["pdfunite"], *files, str(out)], cwd=project.camera_ready, quiet_stderr=True)
                if sample.returncode != 0:
                    raise BuildFailed(f"pdfunite exited {sample.returncode}")
                results["pdfunite"].samples.append(sample)
                results["pdfunite"].output_bytes = out.stat().st_size
                _status(f"  pdfunite      {sample.seconds:.2f} s")
            for old in work.glob("build-*"):  # to the trash, emptied at the end (a 1,000-paper build is ~2 GB)
                trash.put(old)
            out, cache = work / f"build-{r}", work / f"cache-{r}"
            trash.put(cache)
            cache.mkdir()
            cold = _build(project, out, cache, work / "cold.log", results["cold"])
            _status(f"  cold          {results['cold'].samples[-1].seconds:.2f} s")
            warm = _build(project, out, cache, work / "warm.log", results["warm"])
            _status(f"  warm          {results['warm'].samples[-1].seconds:.2f} s")
            _check(warm == cold, results["warm"], "the warm rebuild wrote another volume than the cold build")
            bench_papers.replace_file(project.changed(changed), project.camera_ready / changed.file)
            try:
                one = _build(project, out, cache, work / "changed.log", results["one-changed"])
            finally:
                project.restore()
            _check(one != warm, results["one-changed"], "a paper changed but the volume did not")
            _status(f"  one changed   {results['one-changed'].samples[-1].seconds:.2f} s")
            trash.put(cache)
    finally:
        project.restore()
        for name in ("qpdf.pdf", "pdfunite.pdf"):
            (work / name).unlink(missing_ok=True)
    return results


# --------------------------------------------------------------------------- targets and report


@dataclass
class Target:
    n: int
    what: str
    value: float
    limit: float
    unit: str

    @property
    def met(self) -> bool:
        return self.value <= self.limit


def targets(n: int, results: dict[str, Result], input_bytes: int) -> list[Target]:
    """The issue's targets (issue 15): against qpdf-preserve from 200 papers on, against pdfunite at 40."""
    out: list[Target] = []
    qpdf, unite = results.get("qpdf-preserve"), results.get("pdfunite")
    if n >= 200 and qpdf and qpdf.samples:
        warm = 0.3 if n >= 1000 else 0.5
        for scenario, limit in (("cold", 4.0), ("warm", warm), ("one-changed", 1.0)):
            if results.get(scenario) and results[scenario].samples:
                out.append(Target(n, f"{LABELS[scenario]} ≤ {limit:g}× qpdf-preserve",
                                  results[scenario].median / qpdf.median, limit, "×"))
    if n >= 1000:  # the main conference
        peak = max(results[s].peak_rss_mb for s in BUILDS if results.get(s) and results[s].samples)
        out.append(Target(n, "peak RSS of a build ≤ 1 GB", peak, 1024, "MB"))
        out.append(Target(n, "output ≤ 1.1× the inputs' size", results["cold"].output_bytes / input_bytes, 1.1, "×"))
    elif 40 <= n < 200 and unite and unite.samples:  # a workshop (below 40 papers, start-up time dominates)
        out.append(Target(n, "cold build ≤ 2× pdfunite", results["cold"].median / unite.median, 2.0, "×"))
    return out


def size_record(project: bench_papers.BenchProject, runs: int, results: dict[str, Result],
                series: str = "synthetic") -> dict:
    input_bytes = sum(p.stat().st_size for p in project.files())
    qpdf, unite = results.get("qpdf-preserve"), results.get("pdfunite")
    scenarios = {}
    for name, res in results.items():
        if not res.samples:
            continue
        scenarios[name] = {
            "label": LABELS[name],
            "seconds": [round(s.seconds, 3) for s in res.samples],
            "median_s": round(res.median, 3),
            "cpu_s": round(res.cpu_median, 3),
            "cpu_vs_qpdf_preserve": round(res.cpu_median / qpdf.cpu_median, 2)
            if qpdf and qpdf.samples and qpdf.cpu_median else None,
            "vs_qpdf_preserve": round(res.median / qpdf.median, 2) if qpdf and qpdf.samples else None,
            "vs_pdfunite": round(res.median / unite.median, 2) if unite and unite.samples else None,
            "peak_rss_mb": round(res.peak_rss_mb, 1),
            "tree_rss_mb": round(res.tree_rss_mb, 1),
            "output_bytes": res.output_bytes,
            "output_over_input": round(res.output_bytes / input_bytes, 3),
            "exit_status": sorted({s.returncode for s in res.samples}),
            "notes": res.notes,
        }
    return {
        "series": series,
        "n": project.n,
        "runs": runs,
        "pages": sum(p.pages for p in project.papers),
        "input_bytes": input_bytes,
        "scenarios": scenarios,
        "targets": [{**asdict(t), "met": t.met} for t in targets(project.n, results, input_bytes)],
    }


# --------------------------------------------------------------------------- main


def _status(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _sizes(text: str) -> list[int]:
    sizes = sorted({int(s) for s in text.split(",") if s.strip()})
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("sizes are positive numbers of papers, e.g. 40,1000")
    return sizes


def load_series(names: list[str], base: Path, sizes: list[int]) -> dict[str, dict[int, bench_papers.BenchProject]]:
    """The projects of every series asked for; the real one only where TeX is installed (else it says so)."""
    out: dict[str, dict[int, bench_papers.BenchProject]] = {}
    for name in names:
        if name == "real":
            why = bench_latex.tex_available()
            if why:
                _status(f"real series skipped: {why}; running the synthetic series only")
                continue
            _status(f"compiling or reusing acmart papers under {base}, cycled to {max(sizes)}")
            out[name] = bench_latex.make_projects(base, sizes)
        else:
            _status(f"generating or reusing {max(sizes)} synthetic papers under {base}")
            out[name] = bench_papers.make_projects(base, sizes)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=_sizes, default=[40, 200], help="numbers of papers (default 40,200)")
    parser.add_argument("--full", action="store_true", help="add N = 1000 (one run of it, see --large-runs)")
    parser.add_argument("--series", default="real,synthetic",
                        help="real (acmart papers compiled with pdflatex), synthetic (ReportLab), or both")
    parser.add_argument("--runs", type=int, default=3, help="runs of each scenario; the table shows medians")
    parser.add_argument("--large-runs", type=int, default=None,
                        help="runs for sizes of 500 papers and more (default: 1 with --full, else --runs)")
    parser.add_argument("--json", type=Path, default=BENCH_DIR / "results.json", help="where the results go")
    parser.add_argument("--markdown", type=Path, default=None, help="also write the Markdown table here")
    parser.add_argument("--quick", action="store_true", help="sizes 10 and 40, one run: to try it out")
    parser.add_argument("--memory", type=_sizes, default=None, metavar="SIZES",
                        help="only peak RSS of one cold build per size (e.g. 200,1000,2000), first series")
    parser.add_argument("--bench-dir", type=Path, default=BENCH_DIR, help="papers, projects and builds (.bench/)")
    parser.add_argument("--no-stages", action="store_true", help="skip the per-stage cold build of the largest N")
    parser.add_argument("--profile", action="store_true", help="cProfile the per-stage build (written beside --json)")
    parser.add_argument("--no-install", action="store_true", help="never apt-get install qpdf/poppler-utils")
    parser.add_argument("--no-settle", action="store_true",
                        help="measure at once, without waiting out files deleted in the last minutes (see bench_trash)")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.runs, args.large_runs = [10, 40], 1, 1
    if args.full:
        args.sizes = sorted({*args.sizes, 1000})
        args.large_runs = args.large_runs or 1
    args.large_runs = args.large_runs or args.runs
    args.series = [s.strip() for s in args.series.split(",") if s.strip()]
    if not args.series or set(args.series) - {"real", "synthetic"}:
        parser.error("--series takes real, synthetic or both")
    command = "python tools/bench.py " + " ".join(argv if argv is not None else sys.argv[1:])
    trash = Trash(args.bench_dir / "trash")
    try:
        return _run(args, command, trash)
    finally:
        trash.empty()  # after the last measurement (see bench_trash)


def _run(args: argparse.Namespace, command: str, trash: Trash) -> int:
    """Load the series, measure, report (:func:`main`'s work once its options are read)."""
    started = time.perf_counter()
    series, large_runs = args.series, args.large_runs
    if args.memory:
        loaded = load_series(series[:1], args.bench_dir, args.memory)
        if not loaded:  # the real series without TeX: the synthetic one
            loaded = load_series(["synthetic"], args.bench_dir, args.memory)
        name, projects = next(iter(loaded.items()))
        if not args.no_settle:
            settle(trash, args.bench_dir / "runs" / "probe", _status)
        rows = bench_extras.memory_scan(projects, args.bench_dir / "runs" / "memory", build_env, proceedings_cmd(),
                                        trash)
        print(bench_extras.memory_markdown(name, rows))
        return 0

    tools = ensure_baselines(install=not args.no_install)
    loaded = load_series(series, args.bench_dir, args.sizes)
    generated_s = time.perf_counter() - started
    file_system = None if args.no_settle else settle(trash, args.bench_dir / "runs" / "probe", _status)  # first
    report = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "versions": {"qpdf": _version([tools["qpdf"], "--version"]) if tools["qpdf"] else None,
                     "pdfunite": _version([tools["pdfunite"], "-v"]) if tools["pdfunite"] else None},
        "load_average_before": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "file_system": file_system,
        "source": source_state(),
        "generator_key": bench_papers.generator_key(),
        "series": list(loaded),
        "command": command,
        "sizes": [],
    }
    try:
        for name, projects in loaded.items():
            for n in args.sizes:
                runs = large_runs if n >= 500 else args.runs
                results = run_size(projects[n], runs, tools, args.bench_dir / "runs" / f"{name}-n{n}", trash)
                report["sizes"].append(size_record(projects[n], runs, results, name))
        if not args.no_stages and loaded:
            name, projects = next(iter(loaded.items()))
            n = max(args.sizes)
            _status(f"{name} N={n}: one more cold build, timing each stage")
            profile = args.json.with_suffix(".prof") if args.profile else None
            report["stages"] = stage_breakdown(projects[n], args.bench_dir / "runs" / f"{name}-n{n}", trash,
                                               profile)
            report["stages"]["series"] = name
    except BuildFailed as exc:
        _status(f"benchmark stopped: {exc}")
        return 2
    report["load_average_after"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    report["total_s"] = round(time.perf_counter() - started, 1)
    report["generate_s"] = round(generated_s, 1)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print_report(report)
    markdown = bench_extras.markdown(report)
    print("\nMarkdown (for the README):\n\n" + markdown)
    if args.markdown:
        args.markdown.write_text(markdown + "\n", encoding="utf-8")
    print(f"results: {args.json}  (benchmark took {report['total_s'] / 60:.1f} min, "
          f"{report['generate_s'] / 60:.1f} of them generating papers)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

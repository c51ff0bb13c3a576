"""The benchmark's per-stage cold build: a timer on every function the pipeline calls, optionally cProfiled."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import bench_papers
from bench_trash import Trash

_STAGE_RUNNER = r"""
import json, sys, time
t0 = time.perf_counter()
from pathlib import Path
import proceedings.pipeline as pipeline
from proceedings.context import make_context
t_import = time.perf_counter() - t0
project, out, dest, profile = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
sums, stack = {}, []  # path -> [depth, seconds, calls], in the order of first call

def timed(name, fn):
    def wrapper(*args, **kwargs):
        stack.append(name)
        path = "/".join(stack)
        entry = sums.setdefault(path, [len(stack) - 1, 0.0, 0])
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            entry[1] += time.perf_counter() - started
            entry[2] += 1
            stack.pop()
    return wrapper

for name, value in list(vars(pipeline).items()):
    if (callable(value) and getattr(value, "__module__", "").startswith("proceedings.")
            and not isinstance(value, type) and name != "build"):
        setattr(pipeline, name, timed(name, value))
ctx = make_context(project, out)
t1 = time.perf_counter()
if profile:
    import cProfile
    prof = cProfile.Profile()
    prof.runcall(pipeline.build, project, ctx)
    prof.dump_stats(profile)
else:
    pipeline.build(project, ctx)
total = time.perf_counter() - t1
first = {p: i for i, p in enumerate(sums)}  # first-call order; children listed under their parent
tree = sorted(sums, key=lambda p: [first["/".join(p.split("/")[:k])] for k in range(1, p.count("/") + 2)])
stages = [{"stage": p, "depth": sums[p][0], "seconds": round(sums[p][1], 3), "calls": sums[p][2]} for p in tree]
dest.write_text(json.dumps({"import_s": round(t_import, 3), "build_s": round(total, 3), "stages": stages}))
"""


def stage_breakdown(project: bench_papers.BenchProject, work: Path, trash: Trash, profile: Path | None = None) -> dict:
    """One cold build in a child process with a timer on every stage the pipeline calls (its folders then go to
    ``trash``)."""
    from bench import BuildFailed, build_env, measure

    out, cache, dest = work / "stages-build", work / "stages-cache", work / "stages.json"
    for path in (out, cache):
        trash.put(path)
    cache.mkdir(parents=True)
    cmd = [sys.executable, "-c", _STAGE_RUNNER, str(project.dir), str(out), str(dest), str(profile or "")]
    sample = measure(cmd, env=build_env(cache), stderr_path=work / "stages.log")
    trash.put(out)
    trash.put(cache)
    if not dest.is_file():
        raise BuildFailed("the per-stage build failed:\n" + (work / "stages.log").read_text(errors="replace"))
    data = json.loads(dest.read_text())
    data.update({"n": project.n, "wall_s": round(sample.seconds, 3), "peak_rss_mb": round(sample.peak_rss_kb / 1024, 1),
                 "profile": str(profile) if profile else None})
    return data


def print_stages(stages: dict, console) -> None:
    from rich.table import Table

    table = Table(title=f"Cold build of N={stages['n']}, per stage (one run, {stages['wall_s']:.1f} s wall)",
                  title_justify="left")
    table.add_column("stage")
    table.add_column("s", justify="right")
    table.add_column("% of build", justify="right")
    table.add_column("calls", justify="right")
    total = stages["build_s"]
    table.add_row("python start + imports", f"{stages['wall_s'] - total:.2f}", "", "")
    hidden = 0
    for s in stages["stages"]:
        if s["seconds"] < 0.01:
            hidden += 1
            continue
        name = "  " * s["depth"] + s["stage"].rsplit("/", 1)[-1]
        table.add_row(name, f"{s['seconds']:.2f}", f"{100 * s['seconds'] / total:.0f}%" if total else "",
                      str(s["calls"]))
    table.add_row("build (pipeline.build)", f"{total:.2f}", "100%", "1")
    console.print(table)
    if hidden:
        console.print(f"({hidden} calls under 0.01 s not shown; all are in the JSON)", markup=False)
    if stages.get("profile"):
        console.print(f"cProfile of that build: {stages['profile']} (python -m pstats)", markup=False)

"""The benchmark's report (rich tables, and the Markdown table for the README) and its memory scan (peak RSS
against N)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from bench_measure import SCENARIOS
from bench_trash import Trash


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}×"


def markdown(report: dict) -> str:
    """Every series and size as one Markdown table, then the targets, ready to paste."""
    m = report.get("machine", {})
    load = report.get("load_average_before")
    when = (f"Measured {report.get('date', '')[:16].replace('T', ' ')} UTC on {m.get('cpus')} cores"
            f"{' (' + m['cpu'] + ')' if m.get('cpu') else ''}, commit {report.get('source', {}).get('commit')}"
            f"{f', load average {load[0]:.1f} before the run' if load else ''}.")
    lines = [when, "",
             ("| series | N | pages | scenario | median s | × qpdf-preserve | × pdfunite | CPU s | CPU × qpdf "
              "| peak RSS MB | tree RSS MB |"),
             "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for size in report["sizes"]:
        for name in SCENARIOS:
            s = size["scenarios"].get(name)
            if s:
                lines.append(f"| {size.get('series', 'synthetic')} | {size['n']} | {size['pages']} | {s['label']} | "
                             f"{s['median_s']:.2f} | {_ratio(s['vs_qpdf_preserve'])} | {_ratio(s['vs_pdfunite'])} | "
                             f"{'' if s.get('cpu_s') is None else format(s['cpu_s'], '.2f')} | "
                             f"{_ratio(s.get('cpu_vs_qpdf_preserve'))} | "
                             f"{s['peak_rss_mb']:.0f} | {s['tree_rss_mb']:.0f} |")
    goals = [(size.get("series", "synthetic"), t) for size in report["sizes"] for t in size["targets"]]
    if goals:
        lines += ["", "| series | N | target | measured | |", "| --- | ---: | --- | ---: | --- |"]
        for series, t in goals:
            value = f"{t['value']:.0f} MB" if t["unit"] == "MB" else f"{t['value']:.2f}×"
            lines.append(f"| {series} | {t['n']} | {t['what']} | {value} | {'met' if t['met'] else 'MISSED'} |")
    stages = report.get("stages")
    if stages:
        title = (f"Cold build of {stages.get('series', '')} N={stages['n']} per stage "
                 f"({stages['wall_s']:.1f} s wall, one run):")
        lines += ["", title, "", "| stage | s | % |", "| --- | ---: | ---: |"]
        total = stages["build_s"] or 1.0
        lines.append(f"| python start + imports | {stages['wall_s'] - stages['build_s']:.2f} | |")
        for s in stages["stages"]:
            if s["depth"] == 0 and s["seconds"] >= 0.01:
                lines.append(f"| {s['stage']} | {s['seconds']:.2f} | {100 * s['seconds'] / total:.0f}% |")
    return "\n".join(lines)


def memory_scan(projects: dict, work: Path, build_env: Callable[[Path], dict], cmd: list[str],
                trash: Trash) -> list[dict]:
    """One cold build per project (fresh output and caches); its peak RSS, own and whole tree. Its folders go to
    ``trash`` once measured."""
    from bench import BuildFailed, measure

    rows = []
    for n in sorted(projects):
        project = projects[n]
        out, cache, log = work / f"n{n}-build", work / f"n{n}-cache", work / f"n{n}.log"
        for path in (out, cache):
            trash.put(path)
        cache.mkdir(parents=True)
        sample = measure(cmd + ["build", "--project", str(project.dir), "--out", str(out), "-q"],
                         env=build_env(cache), stderr_path=log)
        if sample.returncode not in (0, 1):
            raise BuildFailed(f"N={n}: exit {sample.returncode}\n{log.read_text(errors='replace')}")
        rows.append({"n": n, "pages": sum(p.pages for p in project.papers), "seconds": round(sample.seconds, 2),
                     "peak_rss_mb": round(sample.peak_rss_kb / 1024), "tree_rss_mb": round(sample.tree_rss_kb / 1024)})
        print(f"N={n}: {sample.seconds:.1f} s, peak RSS {sample.peak_rss_kb / 1024:.0f} MB "
              f"(tree {sample.tree_rss_kb / 1024:.0f} MB)", flush=True)
        trash.put(out)
        trash.put(cache)
    return rows


def memory_markdown(series: str, rows: list[dict]) -> str:
    lines = [f"Peak RSS of a cold build ({series} series):", "",
             "| N | pages | cold build s | peak RSS MB (largest process) | tree RSS MB (with workers) |",
             "| ---: | ---: | ---: | ---: | ---: |"]
    lines += [f"| {r['n']} | {r['pages']} | {r['seconds']:.1f} | {r['peak_rss_mb']} | {r['tree_rss_mb']} |"
              for r in rows]
    return "\n".join(lines)


def print_report(report: dict, console=None) -> None:
    """The report as rich tables on stdout: every series and size, the targets, the notes, the stages."""
    from bench_stages import print_stages
    from rich.console import Console
    from rich.table import Table

    console = console or Console(highlight=False, width=None if sys.stdout.isatty() else 120)
    m = report["machine"]
    table = Table(title=f"proceedings build vs qpdf/pdfunite — {report['date'][:10]}, {m.get('cpus')} cores"
                        f"{', ' + m['cpu'] if m.get('cpu') else ''}", title_justify="left")
    for col, justify in (("series", "left"), ("N", "right"), ("pages", "right"), ("scenario", "left"),
                         ("median s", "right"),
                         ("× qpdf", "right"), ("× pdfunite", "right"), ("CPU s", "right"), ("CPU × qpdf", "right"),
                         ("peak RSS MB", "right"),
                         ("tree RSS MB", "right"), ("out / in", "right"), ("runs", "right")):
        table.add_column(col, justify=justify)
    for size in report["sizes"]:
        first = True
        for name in SCENARIOS:
            s = size["scenarios"].get(name)
            if not s:
                continue
            ratio = lambda v: "" if v is None else f"{v:.2f}"
            table.add_row(size.get("series", "synthetic") if first else "", str(size["n"]) if first else "",
                          str(size["pages"]) if first else "", s["label"],
                          f"{s['median_s']:.2f}",
                          ratio(s["vs_qpdf_preserve"]), ratio(s["vs_pdfunite"]), f"{s.get('cpu_s', 0):.2f}",
                          ratio(s.get("cpu_vs_qpdf_preserve")), f"{s['peak_rss_mb']:.0f}",
                          f"{s['tree_rss_mb']:.0f}", f"{s['output_over_input']:.3f}", str(len(s["seconds"])))
            first = False
        table.add_section()
    console.print(table)
    goals = Table(title="Targets", title_justify="left")
    for col, justify in (("series", "left"), ("N", "right"), ("target", "left"), ("measured", "right"),
                         ("", "left")):
        goals.add_column(col, justify=justify)
    for size in report["sizes"]:
        for t in size["targets"]:
            value = f"{t['value']:.0f} MB" if t["unit"] == "MB" else f"{t['value']:.2f}×"
            goals.add_row(size.get("series", "synthetic"), str(t["n"]), t["what"], value,
                          "[green]met[/green]" if t["met"] else "[red]MISSED[/red]")
    console.print(goals)
    for size in report["sizes"]:
        for s in size["scenarios"].values():
            for note in s["notes"]:
                what = note if note.startswith("WRONG") else f"exit 1 (rules broken in papers): {note.splitlines()[0]}"
                console.print(f"{size.get('series', 'synthetic')} N={size['n']}, {s['label']}: {what}", markup=False)
    if report.get("stages"):
        print_stages(report["stages"], console)

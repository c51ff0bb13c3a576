"""``proceedings check FILE.pdf...``: the validation of the build, for authors, without a project.

:func:`check_files` runs the validate stage's :func:`~proceedings.stages.validate.check_file` on each
file, in worker processes under the venue's time and memory limits, and returns one
:class:`~proceedings.findings.PaperReport` per file, in the order given.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from pydantic import ValidationError

from proceedings.errors import InputError
from proceedings.findings import Finding, PaperReport, ValidationReport
from proceedings.project.model import Rules
from proceedings.util.workers import Outcome, run_inline, run_limited


def parse_authors(text: str) -> list[tuple[str, str | None]]:
    """``"Ada Lovelace; Charles Babbage"`` as (name, family) pairs (family: the last word)."""
    return [(name.strip(), None) for name in text.replace("\n", ";").split(";") if name.strip()]


def make_rules(profile: str, **overrides: Any) -> Rules:
    """The venue's rules for ``profile``; a bad value is an :class:`InputError` naming the option."""
    try:
        return Rules.model_validate({"profile": profile, **{k: v for k, v in overrides.items() if v is not None}})
    except ValidationError as exc:
        def option(e: Any) -> str:  # a model-level error (the profile and the limits' order) names no field
            named = "-".join(str(p) for p in e["loc"]).replace("_", "-")
            return named or ("min-pages/--max-pages" if "min_pages" in e["msg"] else "profile")

        problems = [f"--{option(e)}: {e['msg'].removeprefix('Value error, ')}" for e in exc.errors()]
        raise InputError("the rules given on the command line cannot be used", problems) from None


def _from_command_line(f: Finding) -> Finding:
    """The title and author findings speak of papers.yaml; here the author gave them."""
    if f.rule not in ("title", "authors"):
        return f

    def said(text: str) -> str:
        text = re.sub(r"; tell the chair if papers\.yaml is wrong", "", text)
        return re.sub(r"\b(?:of|in) papers\.yaml", "given", text)

    return dataclasses.replace(f, message=said(f.message), fix=said(f.fix))


def check_files(paths: Sequence[Path | str], *, profile: str = "acm-sigconf", title: str = "",
                authors: Sequence[tuple[str, str | None]] | str = (), rules: Rules | None = None,
                jobs: int = 0, pictures: Path | None = None) -> list[PaperReport]:
    """Check each PDF as the build checks a camera-ready paper; a missing file is an :class:`InputError`.

    With ``pictures``, each located finding's page is drawn into ``pictures/validation/`` (its ``image``
    is relative to ``pictures``), as the build draws them.
    """
    from proceedings.stages.validate import _failure, check_file

    venue = rules or make_rules(profile)
    people = parse_authors(authors) if isinstance(authors, str) else list(authors)
    files = [Path(p) for p in paths]
    missing = [f"{p}: {'not a file' if p.exists() else 'no such file'}" for p in files if not p.is_file()]
    if missing:
        raise InputError(missing[0] if len(missing) == 1 else f"{len(missing)} files not found",
                         missing if len(missing) > 1 else None)
    rules_json = venue.model_dump(mode="json")
    tasks = [(str(i), (str(p), rules_json, title, people)) for i, p in enumerate(files)]
    outcomes: dict[str, Outcome] = {}
    try:
        outcomes = run_limited(check_file, tasks, jobs=jobs, time_limit=venue.time_limit,
                               memory_mb=venue.memory_limit_mb)
    except (OSError, ImportError, ValueError, RuntimeError):  # no worker processes here
        outcomes = run_inline(check_file, tasks)
    reports = []
    for i, path in enumerate(files):
        outcome = outcomes[str(i)]
        name = path.name if sum(1 for f in files if f.name == path.name) == 1 else f"{path.name}-{i + 1}"
        report = PaperReport(id=name, file=str(path), sha256=hashlib.sha256(path.read_bytes()).hexdigest())
        if outcome.status == "ok" and isinstance(outcome.value, dict):
            data = outcome.value
            report.pages, report.body_pages = data.get("pages"), data.get("body_pages")
            report.references_page, report.usable = data.get("references_page"), bool(data.get("usable"))
            report.findings = [_from_command_line(Finding(**f)) for f in data.get("findings", [])]
        else:  # timed out, out of memory, crashed: the build's findings for it
            source = SimpleNamespace(paper=SimpleNamespace(id=report.id, file=report.file), sha256=report.sha256)
            report.findings = _failure(source, outcome, venue).findings  # type: ignore[arg-type]
        reports.append(report)
    if pictures is not None:
        from proceedings.context import make_context
        from proceedings.export.pictures import attach_pictures

        ctx = make_context(Path(pictures), Path(pictures), jobs=jobs)
        attach_pictures(ValidationReport(papers=reports), {r.id: (Path(r.file), r.sha256) for r in reports},
                        Path(pictures), ctx, venue)
    return reports


def summary(reports: list[PaperReport]) -> ValidationReport:
    """The reports as one :class:`ValidationReport` (its JSON is validation.json's shape)."""
    return ValidationReport(papers=reports)


def print_reports(reports: list[PaperReport], console: Any, pictures: Path | None = None) -> None:
    """Every finding of every file, with its fix (and its picture, under ``pictures``)."""
    for report in reports:
        errors, warnings = len(report.errors), len(report.warnings)
        pages = f", {report.pages} page{'s' if report.pages != 1 else ''}" if report.pages else ""
        if not report.findings:
            console.print(f"[bold]{report.file}[/bold]{pages}: [green]no problems[/green]", highlight=False)
            continue
        state = f"[red]{errors} error{'s' if errors != 1 else ''}[/red]" if errors else "no errors"
        state += f", [yellow]{warnings} warning{'s' if warnings != 1 else ''}[/yellow]" if warnings else ""
        console.print(f"[bold]{report.file}[/bold]{pages}: {state}", highlight=False)
        for f in sorted(report.findings, key=lambda f: (f.severity != "error", f.page or 0)):
            style = "red" if f.severity == "error" else "yellow"
            where = f"p. {f.page}: " if f.page else ""
            console.print(f"  [{style}]{f.severity} {f.rule}[/{style}] ", end="", highlight=False)
            console.print(f"{where}{f.message}", markup=False, highlight=False)
            if f.fix:
                console.print(f"    fix: {f.fix}", markup=False, highlight=False, style="dim")
            if f.image:
                console.print(f"    picture: {Path(pictures or '.') / f.image}", markup=False, highlight=False,
                              style="dim")

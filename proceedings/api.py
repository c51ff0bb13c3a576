"""The library API: every operation of the command line as a function, for programs that compile proceedings.

>>> from proceedings import api
>>> result = api.build("path/to/project")              # doctest: +SKIP
>>> result.raise_for_status()                           # doctest: +SKIP

Each function takes a project folder and keyword options (see :class:`~proceedings.context.Options`),
returns a typed result and raises the exceptions of :mod:`proceedings.errors`, each of which carries its
exit status. Nothing here prints: progress goes to an injectable callable and messages to :mod:`logging`.
Importing this module imports neither typer nor rich.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from proceedings.context import BuildContext, Options, Progress, no_progress
from proceedings.errors import (
    BuildError,
    ExitCode,
    InputError,
    OutputError,
    ProceedingsError,
    RuleViolation,
    UnknownPaperError,
    raise_for_rules,
)
from proceedings.findings import PaperReport, ValidationReport
from proceedings.util.outputs import inside, writing

if TYPE_CHECKING:
    from proceedings.export.bundle import BundleResult
    from proceedings.pipeline import BuildResult
    from proceedings.project.model import Project

__all__ = [
    "BuildError", "ExitCode", "InputError", "Options", "OutputError", "ProceedingsError", "Progress", "RuleViolation",
    "UnknownPaperError", "ValidationResult", "build", "bundle", "check", "cite", "is_current", "validate",
    "write_emails",
]

CITATION_FORMATS = ("bibtex", "ris", "csl-json", "acm")
"""The formats of :func:`cite`."""


def _outside_inputs(project: Path, out: Path) -> None:
    """Raise :class:`InputError` when ``out`` is in the project's camera_ready/ or front_matter/: a build there
    would write its files among the inputs, and over any of them named as an output is (papers/ID.pdf)."""
    from proceedings.project.model import CAMERA_READY
    from proceedings.project.program import FRONT_MATTER

    for folder in (CAMERA_READY, FRONT_MATTER):
        if inside(out, project / folder):
            raise InputError(f"{out}: the output folder is inside the project's {folder}/, among the inputs it would "
                             f"write over; give another (the default is {project / 'build'})")


def _context(project_dir: str | Path, out_dir: str | Path | None, strict: bool, jobs: int, use_cache: bool,
             progress: Progress) -> BuildContext:
    for name, value in (("project_dir", project_dir), ("out_dir", out_dir)):
        if not isinstance(value, (str, os.PathLike)) and (value is not None or name == "project_dir"):
            raise InputError(f"{name}: a folder's path (str or Path), not {type(value).__name__}")
    project = Path(project_dir)
    if not project.is_dir():
        raise InputError(f"{project}: project folder not found")
    if out_dir is not None:
        _outside_inputs(project, Path(out_dir))
    options = Options(out_dir=Path(out_dir) if out_dir is not None else None, strict=strict, jobs=jobs,
                      use_cache=use_cache, progress=progress)
    return BuildContext(project, options)


def build(project_dir: str | Path, out_dir: str | Path | None = None, *, strict: bool = False, jobs: int = 0,
          use_cache: bool = True, progress: Progress = no_progress, timings: bool = False) -> BuildResult:
    """Run every stage and write every output under ``out_dir`` (default ``PROJECT/build``).

    Papers that break rules do not raise: the result says so (``result.raise_for_status()``). With
    ``timings``, ``result.timings`` holds the wall and CPU time of every stage.
    Raises :class:`InputError` (exit 2) for an unusable project and :class:`BuildError` (exit 3) when the
    volume fails its own consistency check.
    """
    from proceedings.pipeline import build as run_build

    ctx = _context(project_dir, out_dir, strict, jobs, use_cache, progress)
    if timings:  # wall and CPU time and peak memory per stage: result.timings.table()
        from proceedings.util.timings import Timings

        ctx.timings = Timings()
    return run_build(ctx.project_dir, ctx)


@dataclass
class ValidationResult:
    """What ``validate`` found: the project and every paper's findings."""

    project: Project
    """The project as loaded."""
    report: ValidationReport
    """Every paper's findings, in volume order."""
    warnings: list[str]
    """Warnings about the project itself (unknown fields…), besides the papers' findings."""
    out_dir: Path
    """Where validation.json, validation.html and the pictures of findings were written."""
    strict: bool = False
    """Whether warnings fail :meth:`raise_for_status`."""

    def raise_for_status(self) -> None:
        """Raise :class:`RuleViolation` when a paper has an error (or, strict, any warning)."""
        raise_for_rules("validate", self.report.error_count, self.report.warning_count + len(self.warnings),
                        self.strict, self.report.broken)


def validate(project_dir: str | Path, out_dir: str | Path | None = None, *, strict: bool = False, jobs: int = 0,
             use_cache: bool = True, progress: Progress = no_progress, write: bool = True) -> ValidationResult:
    """Check every camera-ready paper against the venue's rules; write validation.json and .html (if ``write``)."""
    from proceedings.pipeline import check

    ctx = _context(project_dir, out_dir, strict, jobs, use_cache, progress)
    gathered, report = check(ctx.project_dir, ctx, write)  # the folder held: a build into it waits
    return ValidationResult(gathered.project, report, list(ctx.warnings), ctx.out_dir, strict)


def is_current(project_dir: str | Path, out_dir: str | Path | None = None) -> bool:
    """Whether the build in ``out_dir`` describes the project as it is now (the rule ``cite`` and ``bundle`` use)."""
    from proceedings.pipeline import is_current as current

    ctx = _context(project_dir, out_dir, False, 0, True, no_progress)
    return current(ctx.project_dir, ctx)


def cite(project_dir: str | Path, paper_id: str, format: str = "bibtex", out_dir: str | Path | None = None, *,
         jobs: int = 0, progress: Progress = no_progress, fmt: str | None = None) -> str:
    """One paper's citation (``format``: ``bibtex``, ``ris``, ``csl-json`` or ``acm``, as ``cite --format``; ``fmt``,
    its earlier name, still works) with its pages in the volume.

    Builds first when the build in ``out_dir`` is missing or out of date.
    """
    fmt = fmt or format
    from proceedings.export.citations import render_citation
    from proceedings.pipeline import ensure_built, gather_project

    if fmt not in CITATION_FORMATS:
        raise InputError(f"unknown citation format {fmt!r} (known: {', '.join(CITATION_FORMATS)})")
    ctx = _context(project_dir, out_dir, False, jobs, True, progress)
    gathered = gather_project(ctx.project_dir, ctx)  # loaded once: a project that cannot be used, exit 2
    project = gathered.project
    if project.paper(str(paper_id)) is None:
        raise UnknownPaperError(f"no paper with id {paper_id!r} in {project.root}",
                                ["known ids: " + ", ".join(p.id for p in project.papers)])
    metadata, _ = ensure_built(gathered, ctx)
    return render_citation(metadata, str(paper_id), fmt)


def bundle(project_dir: str | Path, out_dir: str | Path | None = None, *, profile: str = "generic",
           allow_errors: bool = False, jobs: int = 0, progress: Progress = no_progress) -> BundleResult:
    """Write the publisher handoff archive, building first when the build is missing or out of date.

    Raises :class:`RuleViolation` while any paper has a validation error, unless ``allow_errors``.
    """
    from proceedings.export.bundle import bundle as write_bundle
    from proceedings.export.bundle import check_profile
    from proceedings.pipeline import ensure_built, gather_project, held

    check_profile(profile)
    ctx = _context(project_dir, out_dir, False, jobs, True, progress)
    gathered = gather_project(ctx.project_dir, ctx)  # loaded once: a project that cannot be used, exit 2
    with held(ctx), writing(ctx.out_dir):  # the archive holds one build's files, not two; a full disk: exit 74
        _, rebuilt = ensure_built(gathered, ctx)
        return write_bundle(gathered.project, ctx.out_dir, profile, allow_errors, rebuilt)


def write_emails(result: ValidationResult, folder: str | Path, *, template: str | Path | None = None) -> list[Path]:
    """One e-mail per paper with problems into ``folder`` (``validate --emails``): ``ID.txt``, and ``ID.eml`` with the
    pictures of its findings attached. Raises :class:`OutputError` when the folder cannot be written."""
    from proceedings.export.report import write_emails as write

    folder = Path(folder)
    with writing(folder):  # a read-only or full disk: OutputError (exit 74), not an internal error
        return write(result.report, result.project, folder, template=Path(template) if template else None,
                     pictures=result.out_dir)


def check(files: Sequence[str | Path], *, profile: str = "acm-sigconf", title: str = "", authors: str = "",
          jobs: int = 0, pictures: str | Path | None = None, min_pages: int | None = None,
          max_pages: int | None = None) -> list[PaperReport]:
    """Check single PDFs against a venue profile without a project (``proceedings check``), one report each.

    ``title`` and ``authors`` ("A; B") are looked for on page 1 when given; with ``pictures``, the page of
    each located finding is drawn into ``pictures/validation/``; ``min_pages`` and ``max_pages`` replace the
    profile's page limits (a venue of 12 to 16 pages). Raises :class:`InputError` for a missing file, an unknown
    profile or limits that cannot be used.
    """
    from proceedings.checks.standalone import check_files, make_rules

    if isinstance(files, (str, os.PathLike)):  # one file, not the characters of its name
        files = [files]
    folder = Path(pictures) if pictures is not None else None
    with writing(folder):  # the pictures' folder read-only or full: OutputError (exit 74)
        return check_files([Path(f) for f in files], title=title, authors=authors, jobs=jobs, pictures=folder,
                           rules=make_rules(profile, min_pages=min_pages, max_pages=max_pages))

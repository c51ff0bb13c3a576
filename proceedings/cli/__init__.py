"""The command line. The one place where errors become exit statuses (0 ok, 1 rules broken, 2 bad input)."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from proceedings import __version__
from proceedings.context import BuildContext
from proceedings.errors import ProceedingsError, RuleViolation

app = typer.Typer(
    name="proceedings",
    help="Compile the camera-ready papers of a workshop or conference into a published proceedings volume.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

ProjectOpt = Annotated[Path, typer.Option("--project", "-p", help="The project folder.", show_default=True)]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="Output folder (default: PROJECT/build).")]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Warnings fail the run too (exit 1).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars, fewer messages.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Say what each stage does.")]
JobsOpt = Annotated[int, typer.Option("--jobs", "-j", help="Worker processes for validation (0: one per core).")]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Ignore cached validation results.")]


class _StderrHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        level = record.levelname.lower()
        style = {"warning": "yellow", "error": "red"}.get(level, "dim")
        err.print(f"[{style}]{level}:[/{style}] {record.getMessage()}", markup=True, highlight=False)


def _setup_logging(verbose: bool, quiet: bool) -> None:
    root = logging.getLogger("proceedings")
    root.handlers[:] = [_StderrHandler()]
    root.setLevel(logging.INFO if verbose else logging.ERROR if quiet else logging.WARNING)
    root.propagate = False
    # pypdf's own complaints about broken files are findings of ours, not terminal noise
    logging.getLogger("pypdf").setLevel(logging.ERROR if not verbose else logging.WARNING)


def make_context(project: Path, out_dir: Path | None, *, strict: bool = False, quiet: bool = False,
                 jobs: int = 0, use_cache: bool = True) -> BuildContext:
    """The build context of a command."""
    return BuildContext(project_dir=project, out_dir=out_dir or project / "build", strict=strict, quiet=quiet,
                        jobs=jobs, use_cache=use_cache)


def run(action: Callable[[], Any]) -> None:
    """Run a command body; turn the tool's exceptions into messages and exit statuses."""
    try:
        action()
    except ProceedingsError as exc:
        err.print(f"[bold red]error:[/bold red] {exc.message}", markup=True, highlight=False)
        for problem in exc.problems:
            err.print(f"  {problem}", markup=False, highlight=False)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        err.print("interrupted")
        raise typer.Exit(130) from None
    except Exception as exc:  # noqa: BLE001 - a bug of ours: one message, the traceback on request
        if os.environ.get("PROCEEDINGS_DEBUG"):
            raise
        err.print(f"[bold red]internal error:[/bold red] {type(exc).__name__}: {exc}", markup=True, highlight=False)
        err.print("  this is a bug in proceedings; run again with PROCEEDINGS_DEBUG=1 for the traceback",
                  markup=False, highlight=False)
        raise typer.Exit(70) from None


def finish(ctx: BuildContext, errors: int, warnings: int, what: str) -> None:
    """End of a run: rule errors exit 1; with --strict, warnings too."""
    if errors:
        raise RuleViolation(f"{what}: {errors} error{'s' if errors != 1 else ''} in the papers "
                            "(outputs written; see build/validation.html)")
    if ctx.strict and (warnings or ctx.warnings):
        n = warnings + len(ctx.warnings)
        raise RuleViolation(f"{what}: {n} warning{'s' if n != 1 else ''} and --strict is on")


@app.callback(invoke_without_command=True)
def _main(version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False) -> None:
    if version:
        out.print(f"proceedings {__version__}")
        raise typer.Exit(0)


@app.command()
def build(project: ProjectOpt = Path("."), out_dir: OutOpt = None, strict: StrictOpt = False,
          quiet: QuietOpt = False, verbose: VerboseOpt = False, jobs: JobsOpt = 0,
          no_cache: NoCacheOpt = False,
          timings: Annotated[bool, typer.Option("--timings", help="Print wall and CPU time per stage (stderr).")]
          = False) -> None:
    """Run every stage: gather, validate, front matter, merge, index, citations."""
    _setup_logging(verbose, quiet)
    ctx = make_context(project, out_dir, strict=strict, quiet=quiet, jobs=jobs, use_cache=not no_cache)
    if timings:
        from proceedings.util.timings import Timings

        ctx.timings = Timings()

    def body() -> None:
        from proceedings.pipeline import build as build_volume

        result = build_volume(project, ctx)
        v = result.volume
        if not quiet:
            out.print(f"{result.outputs['volume']}: {len(result.plan.papers)} papers, {v.page_count} pages "
                      f"({v.front_pages} front matter, {sum(p.count for p in v.papers)} papers, "
                      f"{v.index_pages} author index)")
            _summary(result.report)
        if ctx.timings is not None:
            err.print(ctx.timings.table(), markup=False, highlight=False)
        finish(ctx, result.report.error_count, result.report.warning_count, "build")

    run(body)


def _summary(report, strict: bool = False) -> None:
    from proceedings.export.report import print_table

    print_table(report, out, strict=strict)


class Format(str, Enum):
    table = "table"
    json = "json"


@app.command()
def validate(project: ProjectOpt = Path("."), out_dir: OutOpt = None,
             format: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
             strict: StrictOpt = False, quiet: QuietOpt = False, verbose: VerboseOpt = False, jobs: JobsOpt = 0,
             no_cache: NoCacheOpt = False,
             emails: Annotated[Path | None, typer.Option(
                 "--emails", help="Write one e-mail per paper with problems into this folder (ID.txt).")] = None,
             email_template: Annotated[Path | None, typer.Option(
                 "--email-template", help="Jinja2 template of the e-mails (default: front_matter/email.txt.j2 "
                 "when the project has one, else the built-in one).")] = None) -> None:
    """Check the camera-ready papers against the venue's rules; write validation.json and .html."""
    _setup_logging(verbose, quiet)
    ctx = make_context(project, out_dir, strict=strict, quiet=quiet, jobs=jobs, use_cache=not no_cache)

    def body() -> None:
        import json

        from proceedings.pipeline import check
        from proceedings.export.report import write_reports

        gathered, report = check(project, ctx)
        write_reports(report, gathered.project, ctx.out_dir)
        if emails is not None:
            from proceedings.export.report import write_emails

            written = write_emails(report, gathered.project, emails, template=email_template)
            err.print(f"wrote {len(written)} e-mail{'s' if len(written) != 1 else ''} to {emails}", highlight=False)
        if format is Format.json:
            sys.stdout.write(json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n")
        else:
            _summary(report, strict)
        finish(ctx, report.error_count, report.warning_count, "validate")

    run(body)


class CiteFormat(str, Enum):
    bibtex = "bibtex"
    ris = "ris"
    csl_json = "csl-json"
    acm = "acm"


@app.command()
def cite(paper_id: Annotated[str, typer.Argument(metavar="ID", help="The paper's id in papers.yaml.")],
         project: ProjectOpt = Path("."),
         format: Annotated[CiteFormat, typer.Option("--format", "-f", help="bibtex, ris, csl-json or acm.")]
         = CiteFormat.bibtex, verbose: VerboseOpt = False) -> None:
    """Print one paper's citation, with its pages in the volume (builds first when build/ is out of date)."""
    _setup_logging(verbose, quiet=not verbose)
    ctx = make_context(project, None, quiet=True)

    def body() -> None:
        from proceedings.export.citations import cite as cite_paper

        sys.stdout.write(cite_paper(project, paper_id, format.value, ctx))
        sys.stdout.flush()

    run(body)


# `init` and `import easychair|openreview` (proceedings/init.py, proceedings/importers/)
from proceedings.cli.imports import import_app, init_command  # noqa: E402

app.command("init")(init_command)
app.add_typer(import_app, name="import")


class Profile(str, Enum):
    generic = "generic"
    acm = "acm"
    ceur_ws = "ceur-ws"


@app.command()
def bundle(project: ProjectOpt = Path("."), out_dir: OutOpt = None,
           profile: Annotated[Profile, typer.Option("--profile", help="generic, acm (adds ACM's paper-metadata CSV) "
                                                    "or ceur-ws (adds a CEUR-WS volume folder and zip).")]
           = Profile.generic,
           allow_errors: Annotated[bool, typer.Option("--allow-errors", help="Bundle even while papers have "
                                                      "validation errors.")] = False,
           quiet: QuietOpt = False, verbose: VerboseOpt = False) -> None:
    """Write the publisher handoff archive (builds first when build/ is missing or out of date)."""
    _setup_logging(verbose, quiet)
    ctx = make_context(project, out_dir, quiet=quiet)

    def body() -> None:
        from proceedings.export.bundle import bundle as make_bundle

        result = make_bundle(project, ctx, profile=profile.value, allow_errors=allow_errors)
        if not quiet:
            out.print(f"{result.path}: {len(result.entries)} files"
                      + (f", {result.errors} validation errors allowed" if result.errors else ""), markup=False)
            for key in ("acm_csv", "ceur_folder", "ceur_zip"):
                if key in result.extra:
                    out.print(f"{result.extra[key]}", markup=False)

    run(body)


def main() -> None:
    """Console-script entry point."""
    app()

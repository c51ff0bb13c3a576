"""The commands. Each parses its options, calls :mod:`proceedings.api` and prints what came back."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from proceedings import __version__, api
from proceedings.cli.common import (
    JobsOpt,
    NoCacheOpt,
    OutOpt,
    ProjectOpt,
    QuietOpt,
    StrictOpt,
    VerboseOpt,
    err,
    out,
    progress_for,
    run,
    setup_logging,
)
from proceedings.cli.imports import import_app, init_command
from proceedings.errors import RuleViolation
from proceedings.util.heap import keep_freed_memory

app = typer.Typer(
    name="proceedings",
    help="Compile the camera-ready papers of a workshop or conference into a published proceedings volume.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("init")(init_command)
app.add_typer(import_app, name="import")


@app.callback(invoke_without_command=True)
def _main(version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False) -> None:
    if version:
        out.print(f"proceedings {__version__}")
        raise typer.Exit(0)


def _summary(report, strict: bool = False) -> None:
    from proceedings.export.report import print_table

    print_table(report, out, strict=strict)


@app.command()
def build(project: ProjectOpt = Path("."), out_dir: OutOpt = None, strict: StrictOpt = False,
          quiet: QuietOpt = False, verbose: VerboseOpt = False, jobs: JobsOpt = 0,
          no_cache: NoCacheOpt = False,
          timings: Annotated[bool, typer.Option("--timings", help="Print wall and CPU time per stage (stderr).")]
          = False) -> None:
    """Run every stage: gather, validate, plan, front matter, stamp, bind, verify, exports."""
    setup_logging(verbose, quiet)

    def body() -> None:
        result = api.build(project, out_dir, strict=strict, jobs=jobs, use_cache=not no_cache,
                           progress=progress_for(quiet), timings=timings)
        v = result.volume
        if not quiet:
            out.print(f"{result.outputs['volume']}: {len(result.plan.papers)} papers, {v.page_count} pages "
                      f"({v.front_pages} front matter, {sum(p.count for p in v.papers)} papers, "
                      f"{v.index_pages} author index)", markup=False)
            _summary(result.report)
        if result.timings is not None:
            err.print(result.timings.table(), markup=False, highlight=False)
        result.raise_for_status()

    run(body)


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
    setup_logging(verbose, quiet)

    def body() -> None:
        result = api.validate(project, out_dir, strict=strict, jobs=jobs, use_cache=not no_cache,
                              progress=progress_for(quiet))
        if emails is not None:
            written = api.write_emails(result, emails, template=email_template)
            err.print(f"wrote {len(written)} e-mail{'s' if len(written) != 1 else ''} to {emails}", highlight=False)
        if format is Format.json:
            sys.stdout.write(json.dumps(result.report.to_json(), indent=2, ensure_ascii=False) + "\n")
        else:
            _summary(result.report, strict)
        result.raise_for_status()

    run(body)


class CiteFormat(str, Enum):
    bibtex = "bibtex"
    ris = "ris"
    csl_json = "csl-json"
    acm = "acm"


@app.command()
def cite(paper_id: Annotated[str, typer.Argument(metavar="ID", help="The paper's id in papers.yaml.")],
         project: ProjectOpt = Path("."), out_dir: OutOpt = None,
         format: Annotated[CiteFormat, typer.Option("--format", "-f", help="bibtex, ris, csl-json or acm.")]
         = CiteFormat.bibtex, verbose: VerboseOpt = False) -> None:
    """Print one paper's citation, with its pages in the volume (builds first when the build is out of date)."""
    setup_logging(verbose, quiet=not verbose)

    def body() -> None:
        sys.stdout.write(api.cite(project, paper_id, format.value, out_dir))
        sys.stdout.flush()

    run(body)


@app.command("check")
def check_pdfs(
    files: Annotated[list[Path], typer.Argument(metavar="FILE.pdf...", help="The PDFs to check.")],
    profile: Annotated[str, typer.Option("--profile", help="The venue's rules: acm-sigconf, ieee-conference, "
                                         "lncs or generic.")] = "acm-sigconf",
    title: Annotated[str, typer.Option("--title", help="The paper's title, to look for on page 1.")] = "",
    authors: Annotated[str, typer.Option("--authors", help='Its authors, "A; B", to look for on page 1.')] = "",
    format: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
    pictures: Annotated[Path | None, typer.Option("--pictures", help="Draw the page of each located finding, "
                                                  "its place framed in red, into DIR/validation/.")] = None,
    min_pages: Annotated[int | None, typer.Option("--min-pages", help="Fewest pages of content (the profile's "
                                                  "when not given).")] = None,
    max_pages: Annotated[int | None, typer.Option("--max-pages", help="Most pages of content, references "
                                                  "excluded (the profile's when not given).")] = None,
    quiet: QuietOpt = False, verbose: VerboseOpt = False, jobs: JobsOpt = 0) -> None:
    """Check PDFs against a venue's rules without a project (for authors, before they upload); exit 0 or 1."""
    setup_logging(verbose, quiet)

    def body() -> None:
        from proceedings.checks.standalone import print_reports, summary

        reports = api.check(files, profile=profile, title=title, authors=authors, jobs=jobs, pictures=pictures,
                            min_pages=min_pages, max_pages=max_pages)
        if format is Format.json:
            sys.stdout.write(json.dumps(summary(reports).to_json(), indent=2, ensure_ascii=False) + "\n")
        else:
            print_reports(reports, out, pictures)
        errors = sum(len(r.errors) for r in reports)
        if errors:
            raise RuleViolation(f"check: {errors} error{'s' if errors != 1 else ''} to fix before uploading")

    run(body)


class Profile(str, Enum):
    generic = "generic"
    acm = "acm"
    ceur_ws = "ceur-ws"
    crossref = "crossref"


@app.command()
def bundle(project: ProjectOpt = Path("."), out_dir: OutOpt = None,
           profile: Annotated[Profile, typer.Option("--profile", help="generic, acm (adds ACM's e-Rights CSV), "
                                                    "ceur-ws (adds a CEUR-WS volume folder and zip) or crossref "
                                                    "(adds crossref.xml, a Crossref deposit).")]
           = Profile.generic,
           allow_errors: Annotated[bool, typer.Option("--allow-errors", help="Bundle even while papers have "
                                                      "validation errors.")] = False,
           quiet: QuietOpt = False, verbose: VerboseOpt = False) -> None:
    """Write the publisher handoff archive (builds first when the build is missing or out of date)."""
    setup_logging(verbose, quiet)

    def body() -> None:
        result = api.bundle(project, out_dir, profile=profile.value, allow_errors=allow_errors,
                            progress=progress_for(quiet))
        if not quiet:
            out.print(f"{result.path}: {len(result.entries)} files"
                      + (f", {result.errors} validation errors allowed" if result.errors else ""), markup=False)
            for key in sorted(result.extra):
                out.print(f"{result.extra[key]}", markup=False)

    run(body)


def main() -> None:
    """Console-script entry point. Once the command has finished (its files written and closed), the process
    ends without the interpreter's teardown, which frees every object one by one (a tenth of a second after a
    build): the exit handlers run, the output is flushed, and only then does the process exit. The process is
    this tool's own: its C heap keeps what it frees (:mod:`proceedings.util.heap`)."""
    keep_freed_memory()
    try:
        app()
    except SystemExit as exc:
        finish(exc.code)
    finish(0)


def finish(code: object) -> NoReturn:
    """Exit with ``code`` as ``sys.exit`` would, skipping the interpreter's teardown when no thread but daemons
    is left to wait for and nothing profiles or traces the process (else the ordinary exit)."""
    import atexit
    import os
    import threading

    if sys.getprofile() is not None or sys.gettrace() is not None or any(
            t is not threading.main_thread() and not t.daemon for t in threading.enumerate()):
        sys.exit(code)  # a profiler or coverage writes its data at teardown; threads are waited for
    if code is None or isinstance(code, int):
        status = code or 0
    else:  # sys.exit("message"): printed, status 1
        print(code, file=sys.stderr)
        status = 1
    atexit._run_exitfuncs()  # logging flushed, child processes joined, temporary files removed
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (``| head``), a closed stream: nothing more to say there
            status = status or 120
    os._exit(status)

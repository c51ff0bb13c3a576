"""The ``init`` and ``import easychair|openreview`` commands (registered on the app in cli.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from proceedings.cli.common import out, run, setup_logging

if TYPE_CHECKING:
    from proceedings.importers.common import Export
    from proceedings.importers.reconcile import MergeResult

import_app = typer.Typer(
    help="Import the accepted papers of a submission system into camera_ready/papers.yaml.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
)

_Project = Annotated[Path, typer.Option("--project", "-p", help="The project folder.")]
_DryRun = Annotated[bool, typer.Option("--dry-run", "-n", help="Show the change to papers.yaml; write nothing.")]
_Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Log every paper's outcome.")]
_Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Errors only.")]


def init_command(
    directory: Annotated[Path, typer.Argument(help="The project folder to create.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite the project files if they exist.")] = False,
) -> None:
    """Start a project: commented front matter templates and an empty camera_ready/papers.yaml."""

    setup_logging(False, False)

    def body() -> None:
        from proceedings.project.init import init_project

        for path in init_project(directory, force=force):
            out.print(f"wrote {path}", markup=False)
        out.print(f"next: fill in {directory}/front_matter/workshop.yaml, then import the accepted papers "
                  f"(proceedings import easychair|openreview --project {directory} ...) and put their PDFs in "
                  f"{directory}/camera_ready/", markup=False)

    run(body)


def _finish(project: Path, export: Export, dry_run: bool, quiet: bool) -> None:
    from proceedings.errors import InputError
    from proceedings.importers.reconcile import merge

    if not project.is_dir():
        raise InputError(f"{project}: project folder not found (create one with `proceedings init {project}`)")
    result = merge(project, export)
    if dry_run:
        sys.stdout.write(result.diff())
        sys.stdout.flush()
    else:
        result.write()
    if not quiet:
        _summary(export, result, dry_run)


def _summary(export: Export, result: MergeResult, dry_run: bool) -> None:
    from collections import Counter

    from proceedings.project.model import CAMERA_READY, PAPERS_FILE

    def say(text: str) -> None:
        out.print(text, markup=False, highlight=False, emoji=False)

    def section(heading: str, lines: list[str]) -> None:
        """The heading and its indented lines, when there are any."""
        if lines:
            say(f"  {heading}:")
            for line in lines:
                say(f"    {line}")

    by_id = {p.id: p for p in export.papers}
    others = Counter(p.status.value for p in export.papers if not p.accepted)
    rest = ", ".join(f"{n} {status}" for status, n in sorted(others.items()))
    counts = f"{len(export.papers)} submissions, {result.accepted} accepted" + (f" ({rest})" if rest else "")
    say(f"{export.source}: {counts}")
    for note in export.notes:
        say(f"  note: {note}")
    state = ("unchanged" if not result.modified
             else f"{'would be written' if dry_run else 'written'}"
             + (" whole (comments inside it lost)" if result.rewritten else ""))
    say(f"{PAPERS_FILE}: {len(result.added)} added, {len(result.kept)} already there; {state}")

    section("not imported, their decision not taken as accepting (if one is, give every accepting decision, "
            "exactly, with --decision)" if export.source == "EasyChair" else "not imported, not decided yet",
            _undecided(export))
    if result.kept:  # a papers.yaml of the chair's: what came in is named (an entry removed by hand comes back)
        section("added at the end (new in the export; an entry you deleted comes back: comment it out instead)",
                [f"{pid}: {by_id[pid].title}" for pid in result.added])
    section("commented out in papers.yaml, so not added (uncomment the entry to take the paper in)",
            [f"{pid}: {by_id[pid].title}" for pid in result.commented])
    section("differs in the export (papers.yaml kept as it is; edit it by hand if the export is right)",
            [f"{pid}: {d}" for pid, diffs in result.changed.items() for d in diffs])
    section("in papers.yaml but not accepted in the export (kept; remove by hand if it should go)",
            [f"{pid}: {why}" for pid, why in result.not_accepted.items()])
    section("file set (the one named was not found)",
            [f"{pid}: {new} (was {old})" for pid, (old, new) in result.files_set.items()])
    section("several PDFs match (none chosen; set `file` by hand)",
            [f"{pid}: {', '.join(files)}" for pid, files in result.ambiguous.items()])
    section(f"papers without a PDF in {CAMERA_READY}/ ({len(result.missing_pdf)})",
            [f"{pid}: {file}" for pid, file in result.missing_pdf])
    section(f"PDFs in {CAMERA_READY}/ that match no paper ({len(result.unmatched_pdfs)})", result.unmatched_pdfs)


def _undecided(export: Export, most: int = 10) -> list[str]:
    """The undecided submissions, by their decision as the export words it: "'Short paper': 21, 40"."""
    from proceedings.text import some_of

    by_decision: dict[str, list[str]] = {}
    for paper in export.papers:
        if paper.status.value == "undecided":
            by_decision.setdefault(paper.decision or "(no decision)", []).append(paper.id)
    return [f"{decision!r}: {some_of(ids, most)}" for decision, ids in by_decision.items()]


@import_app.command("easychair")
def import_easychair(
    submissions: Annotated[Path, typer.Option(
        "--submissions", "-s", help="EasyChair's submissions export: submission.csv, or the .xlsx workbook "
                                    "(its Authors sheet is read too).")],
    authors: Annotated[Path | None, typer.Option(
        "--authors", "-a", help="EasyChair's authors export (author.csv or .xlsx).")] = None,
    decision: Annotated[list[str] | None, typer.Option(
        "--decision", "-d", help="A decision that counts as accepted, exactly (repeatable; default: any "
                                 "decision starting with 'accept').")] = None,
    project: _Project = Path("."), dry_run: _DryRun = False, verbose: _Verbose = False, quiet: _Quiet = False,
) -> None:
    """Import the accepted papers of EasyChair's submissions and authors exports."""

    setup_logging(verbose, quiet)

    def body() -> None:
        from proceedings.importers.easychair import read_easychair

        _finish(project, read_easychair(submissions, authors, decision or None), dry_run, quiet)

    run(body)


@import_app.command("openreview")
def import_openreview(
    notes: Annotated[Path, typer.Option(
        "--notes", help="A JSON dump of the venue's OpenReview (API v2) submission notes.")],
    venue_id: Annotated[str | None, typer.Option(
        "--venue-id", help="The venue id of accepted papers (default: the most common one not marked "
                           "submitted, rejected or withdrawn).")] = None,
    profiles: Annotated[Path | None, typer.Option(
        "--profiles", help="A JSON dump of the authors' OpenReview profiles, for affiliations.")] = None,
    project: _Project = Path("."), dry_run: _DryRun = False, verbose: _Verbose = False, quiet: _Quiet = False,
) -> None:
    """Import the accepted papers of an OpenReview notes dump."""

    setup_logging(verbose, quiet)

    def body() -> None:
        from proceedings.importers.openreview import read_openreview

        _finish(project, read_openreview(notes, venue_id, profiles), dry_run, quiet)

    run(body)

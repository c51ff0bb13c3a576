"""The orchestrator: every stage in order, each a function of its input and the build context.

It also owns the one staleness rule: a build records the :func:`~proceedings.stages.gather.fingerprint`
of its inputs (``OUT/.cache/build-state.json``); :func:`ensure_built` builds again unless the recorded
fingerprint is the current one and every output is still there. ``cite`` and ``bundle`` go through it.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from proceedings.context import BuildContext, source_date
from proceedings.errors import BuildError, DamagedPart, RuleViolation, StampFailure, raise_for_rules
from proceedings.export.metadata import make_metadata
from proceedings.export.program import write_program_files
from proceedings.findings import Finding, ValidationReport
from proceedings.stages.ahead import StampAhead
from proceedings.stages.draw import draw_parts
from proceedings.stages.gather import Gathered, fingerprint, gather, input_files
from proceedings.stages.papercache import PaperCache, forget_part
from proceedings.stages.plan import Plan, plan_volume
from proceedings.stages.publish import publish, stage
from proceedings.stages.results import nothing_cached
from proceedings.stages.stamp import Volume, bind_volume, check_footer, merge, volume_key
from proceedings.stages.validate import validate
from proceedings.typeset.glyphs import check_glyphs
from proceedings.util.alongside import AlongsideStopped, alongside
from proceedings.util.atomic import Staging, exclusive, held_signals, json_bytes, read_json, sweep, write_cache_json
from proceedings.util.cache import digest, memo, memo_peek
from proceedings.util.outputs import guarded, prepare
from proceedings.util.owned import adopt
from proceedings.util.timings import Timings, timed

log = logging.getLogger(__name__)


@dataclass
class BuildResult:
    """What a build produced."""

    gathered: Gathered
    report: ValidationReport
    plan: Plan
    volume: Volume
    metadata: dict
    outputs: dict[str, Path]
    context_warnings: list[str]
    """Warnings of the build itself (glyphs, papers left out), besides the papers' findings."""
    strict: bool = False
    """Whether warnings fail :meth:`raise_for_status`."""
    timings: Timings | None = None
    """Wall and CPU time per stage, when asked for."""

    def raise_for_status(self) -> None:
        """Raise :class:`RuleViolation` when a paper broke a rule (or, strict, on any warning)."""
        raise_for_rules("build", self.report.error_count, self.report.warning_count + len(self.context_warnings),
                        self.strict, self.report.broken)


def _report_removals(report: ValidationReport, volume: Volume) -> None:
    for paper_id, removed in volume.removed.items():
        paper = report.by_id(paper_id)
        for what, count in sorted(removed.items()):
            paper.findings.append(Finding(
                "sanitized", "warning", None,
                f"removed from the volume: {what}" + (f" (×{count})" if count > 1 else ""),
                "nothing to do, unless the signature matters: stamping page numbers changes the file, which no "
                "signature survives" if "signature" in what else
                "remove active content (scripts, launch actions, attachments, media) from the PDF"))


def gather_project(project_dir: Path, ctx: BuildContext, later: bool = False) -> Gathered:
    """Load the project and hash its papers (a project that cannot be used: :class:`InputError`, before anything
    is written); ``later``: those not hashed before left to the checks, which read them anyway (see gather)."""
    with timed(ctx, "gather"):
        gathered = gather(project_dir, ctx, later)
        ctx.build_time = source_date(input_files(gathered.project))
    return gathered


@contextlib.contextmanager
def held(ctx: BuildContext) -> Iterator[None]:
    """The output folder, made (exit 74 when it cannot be) and held (another command into it waits); the record
    files of an earlier version of the tool removed from it (the papers it published recorded as its own)."""
    prepare(ctx.out_dir)
    with exclusive(ctx.out_dir):
        _retire_file_records(ctx.out_dir)
        yield


FILE_RECORDS = ((Path(".cache") / "validation", True), (Path(".cache") / "stamped", False))
"""Where versions before the journals (``.cache/validation.jsonl``, ``.cache/stamped.jsonl``) kept a file per
paper's record (``*.json``), read by nothing now; and whether the folder goes too (``stamped/`` holds the stamped
papers still)."""


def _retire_file_records(out_dir: Path) -> None:
    earlier = False  # whether a version before the journals built here: maybe before util/owned's records too
    for folder, whole in FILE_RECORDS:
        where = out_dir / folder
        if not where.is_dir():
            continue
        try:
            for old in where.glob("*.json"):
                earlier = True
                old.unlink(missing_ok=True)
            if whole:
                where.rmdir()
        except OSError as exc:  # a folder of other files, or one that cannot be written: left as it is
            log.debug("old records in %s left: %s", where, exc)
    if earlier:  # the papers it published are its own (.cache/published.json): one dropped since is removed
        published = read_json(out_dir / ".cache" / "published.json")
        adopt(out_dir, "papers", [name.removeprefix("papers/") for name in published if name.startswith("papers/")
                                  and name.count("/") == 1] if isinstance(published, dict) else [])


@guarded  # a full or read-only output disk exits 74 (OutputError), never blamed on a paper
def check(project_dir: Path, ctx: BuildContext, write: bool = True) -> tuple[Gathered, ValidationReport]:
    """Gather and validate only (``proceedings validate``); with ``write``, validation.json and .html too."""
    gathered = gather_project(project_dir, ctx)
    with held(ctx):  # the validation cache and reports go there
        with timed(ctx, "validate"):
            report = validate(gathered, ctx)
        if write:
            from proceedings.export.report import write_reports

            write_reports(report, gathered.project, ctx.out_dir)
    return gathered, report


STATE_FILE = Path(".cache") / "build-state.json"
"""Where a build records the fingerprint of its inputs, relative to the output folder."""
OUTPUTS = ("proceedings.pdf", "front_matter.pdf", "metadata.json", "validation.json", "proceedings.bib")
"""What a finished build always leaves in the output folder."""


def stale_reason(gathered: Gathered, ctx: BuildContext) -> str | None:
    """Why the build in ``ctx.out_dir`` does not describe the gathered project; None when it is current."""
    state = read_json(ctx.out_dir / STATE_FILE)
    if not isinstance(state, dict) or state.get("fingerprint") != fingerprint(gathered, ctx.build_time):
        return "its inputs, the build time or the tool changed since it was built"
    metadata = read_json(ctx.out_dir / "metadata.json")
    if not isinstance(metadata, dict):
        return "metadata.json is missing or cannot be read"
    papers = metadata.get("papers", [])
    missing = [name for name in OUTPUTS if not (ctx.out_dir / name).is_file()]
    missing += [name for name in (f"papers/{p.get('id')}.pdf" for p in papers) if not (ctx.out_dir / name).is_file()]
    return f"{missing[0]} is missing" if missing else None


def is_current(project_dir: Path, ctx: BuildContext) -> bool:
    """Whether the build in ``ctx.out_dir`` describes the project as it is now."""
    return stale_reason(gather_project(project_dir, ctx), ctx) is None


@guarded
def ensure_built(gathered: Gathered, ctx: BuildContext) -> tuple[dict, bool]:
    """The metadata of a current build of the ``gathered`` project in ``ctx.out_dir``, and whether it had to be
    built now (the folder held meanwhile: see :func:`held`)."""
    with held(ctx):
        reason = stale_reason(gathered, ctx)
        if reason is None:
            metadata = read_json(ctx.out_dir / "metadata.json")
            assert isinstance(metadata, dict)  # stale_reason read it
            return metadata, False
        log.info("building %s first: %s", ctx.out_dir, reason)
        return _build(gathered, ctx).metadata, True


def _export(ctx: BuildContext, name: str, key: str, write: Callable[[], dict[str, Path] | Path]) -> dict[str, Path]:
    """Run an exporter unless its inputs are unchanged and every file it wrote last time is still there."""
    out = Path(ctx.out_dir)

    def run() -> dict[str, str]:  # paths kept relative to the output folder: it may be moved or copied
        result = write()
        paths = result if isinstance(result, dict) else {name: result}
        return {k: str(Path(v).relative_to(out)) if Path(v).is_relative_to(out) else str(v) for k, v in paths.items()}

    paths = memo(ctx, f"export-{name}", key, run)
    if not _present(out, paths):
        paths = run()
    return {k: out / v for k, v in paths.items()}


def _present(out: Path, paths: dict[str, str]) -> bool:
    """Whether every file an exporter wrote (paths relative to the output folder ``out``) is still there."""
    return all((out / v).exists() for v in paths.values())


def _exported(ctx: BuildContext, name: str, key: str) -> dict[str, Path] | None:
    """``name``'s files, when :func:`_export` would leave them as they are (made from ``key``, all still there)."""
    out, paths = Path(ctx.out_dir), memo_peek(ctx, f"export-{name}", key)
    return {k: out / v for k, v in paths.items()} if isinstance(paths, dict) and _present(out, paths) else None


def _undated(metadata: dict) -> dict:
    """What the citations are made of: the metadata without the camera-ready files' sha256 and the build date."""
    shown = _shown(metadata)
    return {**shown, "volume": {k: v for k, v in shown["volume"].items() if k != "build_date"}}


def _citation_files(metadata: dict, out: Path) -> list[tuple[str, Path, str]]:
    """Every paper's citations and proceedings.bib (``metadata``: what they are made of), written beside their
    final paths under ``out`` by another process while the volume is bound; the files it wrote, which this
    process's :class:`~proceedings.util.atomic.Staging` puts in place, or removes."""
    from proceedings.export.citations import stage_citations  # imported while papers are checked

    staging = Staging()
    try:
        stage_citations(metadata, out, staging)
    except BaseException:
        staging.discard()
        raise
    return staging.files


class _Citations:
    """The citations' files :func:`_citation_files` is writing, taken on by the staging of the volume once it is
    bound (a part found damaged, which binds the volume again, is found before); written here when that process
    died (what it wrote removed first)."""

    def __init__(self, written: Callable[[], list[tuple[str, Path, str]]], metadata: dict) -> None:
        self.written, self.metadata = written, metadata

    def stage(self, staging: Staging, out: Path) -> None:
        """Stage the citations' files with ``staging``."""
        from proceedings.export.citations import stage_citations, sweep_citations

        try:
            staging.adopt(self.written())
            return
        except AlongsideStopped as exc:
            log.warning("the citations are written again: %s", exc)
            sweep_citations(self.metadata, out)  # what the dead process had written
        stage_citations(self.metadata, out, staging)


def _pages(ctx: BuildContext, report: ValidationReport, project, metadata: dict) -> dict[str, Path]:
    """The reports, the programme and index.html, which link the files present: made last."""
    from proceedings.export.htmlindex import write_index_html
    from proceedings.export.report import write_reports

    shown = _shown(metadata)  # what programme and index.html are made of (functions of it alone)
    exports_key = digest("exports", shown)
    outputs = write_reports(report, project, ctx.out_dir)
    outputs.update(_export(ctx, "program", exports_key, lambda: write_program_files(shown, project.root, ctx.out_dir)))
    outputs["index"] = _export(ctx, "index", exports_key, lambda: write_index_html(shown, ctx.out_dir))["index"]
    return outputs


def _shown(metadata: dict) -> dict:
    """metadata.json without the camera-ready files' sha256 (kept there for the publisher, shown by no export):
    a paper replaced by a corrected file with the same pages and title renders no export again."""
    return {**metadata, "papers": [{k: v for k, v in p.items() if k != "sha256"} for p in metadata["papers"]]}


def _verified_once(ctx: BuildContext, volume: Volume, plan: Plan, metadata: dict) -> Callable:
    """Verify the bound volume, unless it was bound from the very parts and plan of the volume verified last time
    (``key``: bind's digest of them; binding is deterministic, so the bytes are those verified, and the new
    volume is not read once more just to hash it). The content streams of every paper's part are not decoded again
    (see verify.verify): stamping decoded each of its streams before writing it, in this build or an earlier one,
    and bind copied them from a file whose checksum it checked, or from the last volume (those bytes read back by
    their CRC-32). Only the front matter and the author index drawn in this build are decoded again."""
    marker = ctx.out_dir / ".cache" / "verified.json"

    def check_volume(tmp: Path, written: list, key: str) -> None:
        from proceedings.stages.verify import verify  # reads PDF: only when a volume was bound

        stamp = {"bound": key, "metadata": digest(metadata)}
        try:
            if ctx.use_cache and json.loads(marker.read_text(encoding="utf-8")) == stamp:
                return
        except (OSError, ValueError):
            pass
        drawn = {i for i in volume.fresh if i in (0, len(volume.parts) - 1)}  # made by ReportLab, not stamped
        trusted = {i: w for i, w in enumerate(written) if i not in drawn} if ctx.use_cache else {}
        with timed(ctx, "verify"):
            verify(tmp, volume, plan, metadata, trusted)
        write_cache_json(marker, stamp)

    return check_volume


def _bind_and_publish(project, plan: Plan, front, index, volume: Volume, metadata: dict, ctx: BuildContext,
                      texts: _Citations | None, cite_key: str,
                      cache: PaperCache) -> tuple[Volume, dict[str, Path]]:
    """Bind the volume and publish its parts and the citations (``texts``: their files being written, None when
    they are current; ``cite_key``: their export's key). Everything is made ready beside its final path first
    (each paper's stamped part to be moved there, the front matter written under a temporary name), the volume bound and
    verified beside its own while another process writes the citations there (their files then taken on); once it
    has passed, everything is put in place together (see :mod:`proceedings.stages.publish`). No thread runs
    meanwhile: binding and verification may fork. A cached stamped paper is checked as it is read (bind, staging):
    one found damaged is stamped again, never blamed on the paper, and the volume bound again."""
    for _ in range(len(plan.papers) + 1):
        staging = Staging()
        try:
            publication = stage(volume, ctx, staging)
            with timed(ctx, "bind"):
                bound, before = bind_volume(volume, project, plan, ctx, staging,  # before: its parts where they
                                            check=_verified_once(ctx, volume, plan, metadata))  # are until published
                outputs = {"volume": bound}
            if texts is not None:
                texts.stage(staging, ctx.out_dir)
            staging.write(ctx.out_dir / "metadata.json", json_bytes(metadata))  # the volume's pages: with it
            with held_signals():  # SIGINT, SIGTERM: once every file is in place, the stale removed, the records kept
                outputs.update(publish(publication, staging))  # every staged file put in place
                volume.relocate({part: target for part, (target, _) in publication.moved.items()})
                cache.relocated(publication.moved)
                cache.records.tidy(placed.paper.id for placed in plan.papers)  # the volume's papers' only
                _restate(ctx, before, volume_key(volume, project, plan, ctx))
                if texts is not None:
                    from proceedings.export.citations import placed_citations

                    outputs.update(_export(ctx, "citations", cite_key,
                                           lambda: placed_citations(texts.metadata, ctx.out_dir)))
            return volume, outputs
        except DamagedPart as exc:
            log.warning("%s: the cached stamped copy is damaged (its checksum changed); discarded and rebuilt",
                        forget_part(ctx, exc.path))
            with timed(ctx, "stamp"):  # the papers stamped in this build so far are in ``cache.fresh``: counted
                volume = merge(project, plan, front, index, ctx, cache)
        finally:
            staging.discard()
    raise BuildError("the cached stamped papers keep reading back damaged", [str(ctx.out_dir / ".cache")])


def _restate(ctx: BuildContext, before: str, after: str) -> None:
    """The bound and verified volume's records restated for its parts where they were published: a paper stamped
    again to the bytes already published is left there with its own time (publish's ``held``), so the volume's key
    changes with no byte of it changed (else the next build, with nothing changed, binds and verifies it again)."""
    if before == after:
        return
    for name, field in (("bound.json", "key"), ("verified.json", "bound")):
        marker = ctx.out_dir / ".cache" / name
        entry = read_json(marker)
        if isinstance(entry, dict) and entry.get(field) == before:
            try:
                write_cache_json(marker, {**entry, field: after})
            except OSError as exc:  # not recorded: the next build binds the volume again, nothing worse
                log.debug("%s not restated: %s", marker, exc)


@guarded
def build(project_dir: Path, ctx: BuildContext) -> BuildResult:
    """Run every stage; write every output under ``ctx.out_dir``."""
    gathered = gather_project(project_dir, ctx, later=nothing_cached(ctx))  # a cold build: hashed as checked
    with held(ctx):  # --out that cannot hold it: exit 74 before any work; one build at a time into a folder
        return _build(gathered, ctx)


def _build(gathered: Gathered, ctx: BuildContext) -> BuildResult:
    """:func:`build`'s stages, the output folder held."""
    if sweep(ctx.out_dir):  # before this build writes anything beside its outputs
        log.info("removed the temporary files of an interrupted build")
    (ctx.out_dir / STATE_FILE).unlink(missing_ok=True)  # a build that stops half-way is never current
    ahead = StampAhead(gathered, ctx)  # each paper stamped in the task that checks it, numbered as most likely
    with timed(ctx, "validate"):
        report = validate(gathered, ctx, ahead)  # every paper's sha256 known from here on
    state = fingerprint(gathered, ctx.build_time)
    project = gathered.project
    check_glyphs(project, ctx)
    check_footer(project, ctx)
    while True:
        with timed(ctx, "plan"):
            plan = plan_volume(gathered, report, ctx)
        if not plan.papers:
            from proceedings.export.report import write_reports

            write_reports(report, project, ctx.out_dir)
            raise RuleViolation(f"no paper can be read, so no volume was made; see {ctx.out_dir / 'validation.json'}",
                                [f"{r.id}: {f.message}" for r in report.papers for f in r.errors])
        front, index = draw_parts(project, plan, ctx, ahead.drawn, ahead.timed_out)
        try:
            with timed(ctx, "stamp"):
                volume = merge(project, plan, front, index, ctx, ahead.cache)
            break
        except StampFailure as exc:  # passed validation, yet cannot be copied: out of the volume, reported
            for paper_id, why in exc.failures.items():
                paper = report.by_id(paper_id)
                paper.usable = False
                paper.findings.append(Finding(
                    "stamp-failed", "error", None,
                    f"The paper passed the checks but could not be copied into the volume: {why}.",
                    "Export the PDF again from the source (LaTeX: pdflatex) and check that every page opens in a "
                    "viewer; upload it again."))
    _report_removals(report, volume)
    pages = {"front_matter": volume.front_pages, "papers": sum(p.pages for p in plan.papers),
             "author_index": volume.index_pages, "total": volume.page_count,
             "first_paper_page": 1, "last_page": plan.index_first_page + volume.index_pages - 1}
    metadata = make_metadata(project, plan, report, pages, ctx)
    undated = _undated(metadata)  # what the citations are made of: none shows the build date
    cite_key = digest("exports", undated)
    cited = _exported(ctx, "citations", cite_key)
    try:
        with (contextlib.nullcontext() if cited is not None
              else alongside(_citation_files, undated, ctx.out_dir)) as written:  # another process, while this binds
            volume, outputs = _bind_and_publish(project, plan, front, index, volume, metadata, ctx,
                                                written and _Citations(written, undated), cite_key, ahead.cache)
    except BaseException:  # that process stopped, if it had not finished: the files it wrote beside theirs removed
        if cited is None:
            from proceedings.export.citations import sweep_citations

            sweep_citations(undated, ctx.out_dir)
        raise
    outputs.update(cited or {})
    outputs["metadata"] = ctx.out_dir / "metadata.json"
    with timed(ctx, "exports"):
        outputs.update(_pages(ctx, report, project, metadata))
    write_cache_json(ctx.out_dir / STATE_FILE, {"fingerprint": state})
    log.info("wrote %s (%d pages)", outputs["volume"], volume.page_count)
    return BuildResult(gathered, report, plan, volume, metadata, outputs, list(ctx.warnings), ctx.strict, ctx.timings)

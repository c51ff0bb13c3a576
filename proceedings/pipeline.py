"""The orchestrator: every stage in order, each a function of its input and the build context."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from proceedings.util.atomic import write_json
from proceedings.util.cache import digest, memo
from proceedings.util.timings import timed
from proceedings.export.citations import write_citations
from proceedings.context import BuildContext, source_date
from proceedings.errors import RuleViolation
from proceedings.findings import Finding, ValidationReport
from proceedings.typeset.fonts import font_dir
from proceedings.typeset.glyphs import check_glyphs
from proceedings.stages.gather import Gathered, gather, input_files, sha256_file
from proceedings.export.htmlindex import write_index_html
from proceedings.stages.stamp import StampFailure, Volume, bind_volume, merge, publish
from proceedings.export.metadata import make_metadata
from proceedings.stages.plan import Plan, plan_volume
from proceedings.export.report import write_reports
from proceedings.stages.validate import validate
from proceedings.stages.verify import verify

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


def _report_removals(report: ValidationReport, volume: Volume) -> None:
    for paper_id, removed in volume.removed.items():
        paper = report.by_id(paper_id)
        for what, count in sorted(removed.items()):
            paper.findings.append(Finding(
                "sanitized", "warning", None,
                f"removed from the volume: {what}" + (f" (×{count})" if count > 1 else ""),
                "remove active content (scripts, launch actions, attachments, media) from the PDF"))


def check(project_dir: Path, ctx: BuildContext) -> tuple[Gathered, ValidationReport]:
    """Gather and validate only (``proceedings validate``)."""
    with timed(ctx, "gather"):
        gathered = gather(project_dir, ctx)
        ctx.build_time = source_date(input_files(gathered.project))
    with timed(ctx, "validate"):
        return gathered, validate(gathered, ctx)


def _plan_facts(plan: Plan) -> list:
    """What the drawn pages show of each paper (the key of the front matter and index caches)."""
    return [[p.paper.id, p.paper.title, [(a.name, a.family_name, a.given_names) for a in p.paper.authors],
             p.paper.session, p.first_page, p.pages] for p in plan.papers]


def _export(ctx: BuildContext, name: str, key: str, write: Callable[[], dict[str, Path] | Path]) -> dict[str, Path]:
    """Run an exporter unless its inputs are unchanged and every file it wrote last time is still there."""
    def run() -> dict[str, str]:
        result = write()
        paths = result if isinstance(result, dict) else {name: result}
        return {k: str(v) for k, v in paths.items()}

    paths = memo(ctx, f"export-{name}", key, run)
    if not all(Path(v).exists() for v in paths.values()):
        paths = run()
    return {k: Path(v) for k, v in paths.items()}


def _verified_once(ctx: BuildContext, volume: Volume, plan: Plan, metadata: dict) -> Callable[[Path], None]:
    """Verify the bound volume, unless it is byte for byte the volume verified last time."""
    marker = ctx.out_dir / ".cache" / "verified.json"

    def check_volume(tmp: Path) -> None:
        stamp = {"sha256": sha256_file(tmp), "metadata": digest(metadata)}
        try:
            if ctx.use_cache and json.loads(marker.read_text(encoding="utf-8")) == stamp:
                return
        except (OSError, ValueError):
            pass
        with timed(ctx, "verify"):
            verify(tmp, volume, plan, metadata)
        write_json(marker, stamp)

    return check_volume


def _draw(what: str, *args):
    """The front matter or the author index, drawn: ReportLab is imported only when a page is drawn."""
    if what == "frontmatter":
        from proceedings.typeset.frontmatter import make_front_matter

        return make_front_matter(*args)
    from proceedings.typeset.authorindex import make_author_index

    return make_author_index(*args)


def build(project_dir: Path, ctx: BuildContext) -> BuildResult:
    """Run every stage; write every output under ``ctx.out_dir``."""
    gathered, report = check(project_dir, ctx)
    project = gathered.project
    check_glyphs(project, ctx)
    while True:
        with timed(ctx, "plan"):
            plan = plan_volume(gathered, report, ctx)
        if not plan.papers:
            write_reports(report, project, ctx.out_dir)
            raise RuleViolation("no paper can be read, so no volume was made; see build/validation.json",
                                [f"{r.id}: {f.message}" for r in report.papers for f in r.errors])
        facts = _plan_facts(plan)
        front_key = digest("front", project.model_dump(mode="json", exclude={"papers", "root"}), facts,
                           font_dir().name)
        with timed(ctx, "front matter"):
            front = memo(ctx, "front-matter", front_key, lambda: _draw("frontmatter", project, plan, ctx))
        with timed(ctx, "author index"):
            index = memo(ctx, "author-index", digest("index", project.workshop.model_dump(mode="json"), facts,
                                                     font_dir().name), lambda: _draw("authorindex", project, plan))
        try:
            with timed(ctx, "stamp"):
                volume = merge(project, plan, front, index, ctx)
            break
        except StampFailure as exc:  # passed validation, yet cannot be copied: out of the volume, reported
            for paper_id, why in exc.failures.items():
                paper = report.by_id(paper_id)
                paper.usable = False
                paper.findings.append(Finding("stamp-failed", "error", None,
                                              f"the paper could not be copied into the volume ({why})",
                                              "export the PDF again from its source"))
    _report_removals(report, volume)
    pages = {"front_matter": volume.front_pages, "papers": sum(p.pages for p in plan.papers),
             "author_index": volume.index_pages, "total": volume.page_count,
             "first_paper_page": 1, "last_page": plan.index_first_page + volume.index_pages - 1}
    metadata = make_metadata(project, plan, report, pages, ctx)
    with timed(ctx, "bind"):
        outputs = {"volume": bind_volume(volume, project, plan, ctx,
                                         check=_verified_once(ctx, volume, plan, metadata))}
    outputs.update(publish(volume, ctx))
    write_json(ctx.out_dir / "metadata.json", metadata)
    outputs["metadata"] = ctx.out_dir / "metadata.json"
    exports_key = digest("exports", metadata)  # citations and index.html are functions of metadata.json
    with timed(ctx, "exports"):
        outputs.update(_export(ctx, "citations", exports_key, lambda: write_citations(metadata, ctx.out_dir)))
        outputs.update(write_reports(report, project, ctx.out_dir))
        outputs["index"] = _export(ctx, "index", exports_key,
                                   lambda: write_index_html(metadata, ctx.out_dir))["index"]
    log.info("wrote %s (%d pages)", outputs["volume"], volume.page_count)
    return BuildResult(gathered, report, plan, volume, metadata, outputs, list(ctx.warnings))

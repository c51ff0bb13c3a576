"""The orchestrator: every stage in order, each a function of its input and the build context."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from proceedings.atomic import write_json
from proceedings.authorindex import make_author_index
from proceedings.citations import write_citations
from proceedings.context import BuildContext, source_date
from proceedings.errors import RuleViolation
from proceedings.findings import Finding, ValidationReport
from proceedings.frontmatter import make_front_matter
from proceedings.gather import Gathered, gather, input_files
from proceedings.htmlindex import write_index_html
from proceedings.merge import Volume, bind_volume, merge, publish
from proceedings.metadata import make_metadata
from proceedings.plan import Plan, plan_volume
from proceedings.report import write_reports
from proceedings.validate import validate
from proceedings.verify import verify

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
    gathered = gather(project_dir, ctx)
    ctx.build_time = source_date(input_files(gathered.project))
    return gathered, validate(gathered, ctx)


def build(project_dir: Path, ctx: BuildContext) -> BuildResult:
    """Run every stage; write every output under ``ctx.out_dir``."""
    gathered, report = check(project_dir, ctx)
    project = gathered.project
    plan = plan_volume(gathered, report, ctx)
    if not plan.papers:
        write_reports(report, project, ctx.out_dir)
        raise RuleViolation("no paper can be read, so no volume was made; see build/validation.json",
                            [f"{r.id}: {f.message}" for r in report.papers for f in r.errors])
    front = make_front_matter(project, plan, ctx)
    index = make_author_index(project, plan)
    volume = merge(project, plan, front, index, ctx)
    _report_removals(report, volume)
    pages = {"front_matter": volume.front_pages, "papers": sum(p.pages for p in plan.papers),
             "author_index": volume.index_pages, "total": volume.page_count,
             "first_paper_page": 1, "last_page": plan.index_first_page + volume.index_pages - 1}
    metadata = make_metadata(project, plan, report, pages, ctx)
    outputs = {"volume": bind_volume(volume, project, plan, ctx, check=lambda tmp: verify(tmp, volume, plan, metadata))}
    outputs.update(publish(volume, ctx))
    write_json(ctx.out_dir / "metadata.json", metadata)
    outputs["metadata"] = ctx.out_dir / "metadata.json"
    outputs.update(write_citations(project, metadata, ctx.out_dir))
    outputs.update(write_reports(report, project, ctx.out_dir))
    outputs["index"] = write_index_html(project, metadata, ctx.out_dir)
    log.info("wrote %s (%d pages)", outputs["volume"], volume.page_count)
    return BuildResult(gathered, report, plan, volume, metadata, outputs, list(ctx.warnings))

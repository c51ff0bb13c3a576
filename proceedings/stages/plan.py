"""Stage 3, plan: give every readable paper its printed page range, before anything is drawn."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from proceedings.context import BuildContext
from proceedings.findings import ValidationReport
from proceedings.project.model import Paper
from proceedings.stages.gather import Gathered, Source

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Placed:
    """A paper with its place in the volume."""

    source: Source
    pages: int
    """Pages of the camera-ready file."""
    first_page: int
    """Printed (arabic) number of its first page."""

    @property
    def paper(self) -> Paper:
        return self.source.paper

    @property
    def last_page(self) -> int:
        return self.first_page + self.pages - 1


@dataclass(frozen=True)
class Plan:
    """The papers of the volume in order, with pages; papers left out are in the report."""

    papers: list[Placed]

    @property
    def index_first_page(self) -> int:
        """Printed number of the author index's first page."""
        return (self.papers[-1].last_page + 1) if self.papers else 1

    def sessions(self) -> list[tuple[str | None, list[Placed]]]:
        """Consecutive runs of papers under the same session heading."""
        runs: list[tuple[str | None, list[Placed]]] = []
        for placed in self.papers:
            if runs and runs[-1][0] == placed.paper.session:
                runs[-1][1].append(placed)
            else:
                runs.append((placed.paper.session, [placed]))
        return runs


def plan_volume(gathered: Gathered, report: ValidationReport, ctx: BuildContext) -> Plan:
    """Number the pages: papers from 1 in volume order, unreadable papers left out (and reported)."""
    placed: list[Placed] = []
    page = 1
    for source in gathered.sources:
        paper_report = report.by_id(source.paper.id)
        if not paper_report.usable or not paper_report.pages:
            ctx.warn(f"paper {source.paper.id} ({source.paper.file}) is left out of the volume: "
                     + "; ".join(f.message.rstrip(".") for f in paper_report.errors) + ".")
            continue
        placed.append(Placed(source=source, pages=paper_report.pages, first_page=page))
        page += paper_report.pages
    log.info("planned %d papers, %d pages", len(placed), page - 1)
    return Plan(papers=placed)

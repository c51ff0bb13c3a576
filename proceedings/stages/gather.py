"""Stage 1, gather: read the project files and fingerprint every camera-ready PDF."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from proceedings.context import BuildContext
from proceedings.project.program import FRONT_MATTER, PROGRAM_FILE, SPONSORS_FILE
from proceedings.project.model import (
    COMMITTEE_FILE, ORGANIZERS_FILE, PAPERS_FILE, PREFACE_FILE, WORKSHOP_FILE, Paper, Project, load_project,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Source:
    """One camera-ready file, fingerprinted."""

    paper: Paper
    path: Path
    sha256: str
    size: int


@dataclass(frozen=True)
class Gathered:
    """The project and its sources, in volume order."""

    project: Project
    sources: list[Source]

    def source(self, paper_id: str) -> Source:
        return next(s for s in self.sources if s.paper.id == paper_id)


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_files(project: Project) -> list[Path]:
    """Every file the build reads, for the build time and caches."""
    root = project.root
    files = [root / f for f in (WORKSHOP_FILE, ORGANIZERS_FILE, COMMITTEE_FILE, PREFACE_FILE, PAPERS_FILE,
                                PROGRAM_FILE, SPONSORS_FILE)]
    logos = [project.workshop.logo, *(s.logo for s in project.sponsors)]
    files += sorted({root / FRONT_MATTER / name for name in logos if name})
    return [f for f in files if f.is_file()] + [project.pdf_path(p) for p in project.papers]


def gather(project_dir: Path, ctx: BuildContext) -> Gathered:
    """Load and check the project; hash each camera-ready file."""
    project = load_project(project_dir)
    for notice in project.notices:
        ctx.warn(notice)
    sources = []
    with ctx.progress("gather", len(project.papers)) as advance:
        for paper in project.papers:
            path = project.pdf_path(paper)
            sources.append(Source(paper=paper, path=path, sha256=sha256_file(path), size=path.stat().st_size))
            advance(1)
    log.info("gathered %d papers from %s", len(sources), project_dir)
    return Gathered(project=project, sources=sources)

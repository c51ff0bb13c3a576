"""Stage 1, gather: read the project files and fingerprint every camera-ready PDF."""

from __future__ import annotations

import hashlib
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from proceedings.context import BuildContext
from proceedings.project.loading import load_project
from proceedings.project.model import PAPERS_FILE, WORKSHOP_FILE, Paper, Project
from proceedings.util.atomic import IO_THREADS, write_cache_json
from proceedings.util.cache import digest, file_stamp

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Source:
    """One camera-ready file, fingerprinted."""

    paper: Paper
    path: Path
    sha256: str
    """Empty while gather left the file to the check that reads it anyway (see :func:`gather`)."""
    size: int


@dataclass(frozen=True)
class Gathered:
    """The project and its sources, in volume order."""

    project: Project
    sources: list[Source]
    digests: _Digests | None = field(default=None, compare=False, repr=False)
    """The record of the files' digests, saved by :meth:`settle` (when gather left files unhashed)."""

    @cached_property
    def by_id(self) -> dict[str, Source]:
        """Paper id -> its source."""
        return {source.paper.id: source for source in self.sources}

    def hashed(self, source: Source, sha256: str) -> None:
        """The sha256 of a file gather left unhashed, as the check that read it found it."""
        if not source.sha256:
            source.sha256 = sha256
            if self.digests is not None:
                self.digests.found(source.path, sha256)

    def fill(self, source: Source) -> None:
        """Hash the file now, unless its sha256 is known (one gone since gather, which its check found unreadable,
        keeps none)."""
        if not source.sha256:
            try:
                self.hashed(source, sha256_file(source.path))
            except OSError as exc:
                log.debug("%s: not hashed: %s", source.path, exc)

    def settle(self) -> None:
        """Every file's sha256 known (those still unknown hashed now), and the record of them kept."""
        for source in self.sources:
            self.fill(source)
        if self.digests is not None:
            self.digests.save()


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class _Digests:
    """sha256 of camera-ready files, reused while a file's size, times and inode are those recorded.

    A write to a file changes its ctime (which no program can set back), a replacement its inode;
    so a warm build hashes nothing, and a changed file is always hashed again.
    """

    def __init__(self, ctx: BuildContext) -> None:
        self.path = ctx.out_dir / ".cache" / "digests.json"
        self.known: dict[str, list] = {}
        if ctx.use_cache:
            try:
                self.known = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                pass
        self.seen: dict[str, list] = {}

    def sha256(self, path: Path, later: bool = False) -> tuple[str, int]:
        """The file's sha256 and size; ``later``: an empty sha256 for a file not recorded (see :meth:`found`)."""
        stamp = file_stamp(path)
        entry = self.known.get(str(path))
        sha = entry[4] if stamp and isinstance(entry, list) and len(entry) == 5 and entry[:4] == stamp \
            else "" if later and stamp else sha256_file(path)  # a missing file raises here, as before
        self.seen[str(path)] = [*stamp, sha]
        return sha, stamp[0]

    def found(self, path: Path, sha256: str) -> None:
        """The sha256 of a file :meth:`sha256` left empty (its stamp as it was then)."""
        entry = self.seen.get(str(path))
        if entry is not None:
            entry[4] = sha256

    def save(self) -> None:
        """Keep the digests found (a file left unhashed, gone before its check, is not recorded)."""
        seen = {path: entry for path, entry in self.seen.items() if entry[-1]}
        if seen != self.known:
            try:
                write_cache_json(self.path, seen)
            except OSError as exc:  # a read-only output folder: hashed again next time
                log.debug("digests not kept: %s", exc)


def input_files(project: Project) -> list[Path]:
    """Every file the build reads, in a stable order: all of front_matter/, papers.yaml, the papers' PDFs."""
    root = project.root
    front = root / WORKSHOP_FILE
    files = sorted(f for f in front.parent.rglob("*") if f.is_file()) if front.parent.is_dir() else []
    if (root / PAPERS_FILE).is_file():
        files.append(root / PAPERS_FILE)
    return files + [project.pdf_path(p) for p in project.papers]


def fingerprint(gathered: Gathered, build_time: object) -> str:
    """One digest of everything a build's outputs depend on: the tool's code, the build time, every input's bytes.

    The orchestrator's one staleness rule: outputs recorded with this digest are current.
    """
    hashed = {s.path: s.sha256 for s in gathered.sources}
    root = gathered.project.root
    files = [(str(f.relative_to(root)) if f.is_relative_to(root) else str(f), hashed.get(f) or sha256_file(f))
             for f in input_files(gathered.project) if f.is_file()]
    return digest("build-state", str(build_time), files)


def gather(project_dir: Path, ctx: BuildContext, later: bool = False) -> Gathered:
    """Load and check the project; hash each camera-ready file. ``later``: a file whose digest is not recorded is
    left unhashed (sha256 empty) for the check that reads it to hash (:meth:`Gathered.hashed`; a cold build, where
    no check's result can be looked up by it), and :meth:`Gathered.settle` then keeps the record."""
    project = load_project(project_dir)
    for notice in project.notices:
        ctx.warn(notice)
    sources = []
    digests = _Digests(ctx)
    paths = [project.pdf_path(paper) for paper in project.papers]
    with ctx.progress("gather", len(paths)) as advance, \
            ThreadPoolExecutor(max_workers=IO_THREADS) as pool:
        for paper, path, (sha, size) in zip(project.papers, paths,
                                            pool.map(lambda path: digests.sha256(path, later), paths)):
            sources.append(Source(paper=paper, path=path, sha256=sha, size=size))
            advance(1)
    if not later:
        digests.save()
    log.info("gathered %d papers from %s", len(sources), project_dir)
    return Gathered(project=project, sources=sources, digests=digests if later else None)

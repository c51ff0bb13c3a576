"""Work done ahead, while the papers are checked: each paper stamped in the task that checks it (the file at
hand), the front matter and author index drawn for the plan as most likely, and the later stages' modules
imported by this process, which waits for the workers anyway.

The stamp stage (:mod:`proceedings.stages.stamp`) needs every paper's printed first page, which the plan knows
only once every paper is checked. Most papers pass, and their pages are known before they are checked: each task
tells this process its paper's pages as soon as it has opened the file, and once checked asks for the paper's
first page. That is the page the volume will most likely give it (the papers before it in volume order: their
pages from a cached check, or as their tasks told them; a paper that cannot be opened is taken as left out),
known by then unless a paper before it has not been opened yet (that paper is not stamped ahead). The paper is
stamped in the same task and kept in the stamp cache under the key the stamp stage will look up. When the plan
numbers a paper otherwise (a paper before it was left out after all), that key differs and the stamp stage
stamps it again, as it would have anyway: the guess costs time when wrong, never a wrong page. The drawings
are used by the draw stage (:mod:`proceedings.stages.draw`) likewise, only when drawn from the very facts.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from proceedings.context import BuildContext
from proceedings.pdf.xmp import DocumentMetadata
from proceedings.stages import draw
from proceedings.stages.gather import Gathered, Source
from proceedings.stages.papercache import PaperCache
from proceedings.stages.plan import Placed, Plan
from proceedings.stages.stamp import footer_text, paper_key
from proceedings.typeset.limited import TIMEOUT_PREFIX, seconds_for
from proceedings.util.cache import memo_peek
from proceedings.util.workers import Outcome, import_meanwhile

log = logging.getLogger(__name__)

BUDGET = 0.5
"""Share of the task's time limit checking may take for the paper still to be stamped in the same task."""


LATER_IMPORTS = ("proceedings.stages.verify", "proceedings.typeset.glyphs", "fontTools.ttLib", "PIL.Image",
                 "proceedings.export.citations", "proceedings.export.htmlindex:compile_templates",
                 "proceedings.export.report")
"""Modules the stages after validation import (the volume's reader, the glyph check, the pictures of findings,
the exporters), and their templates compiled (see :func:`~proceedings.util.workers.import_meanwhile`)."""


@dataclass(frozen=True)
class StampJob:
    """What a worker needs to stamp a paper it has just checked, besides its :class:`Placement` (see
    :func:`~proceedings.stages.parts.stamp_paper`)."""

    out: str
    footer: str
    budget: float
    """Seconds: when checking took longer, the paper is left to the stamp stage (the task's time limit holds)."""
    sha256: bool = False
    """The task tells the file's sha256 with its pages (gather left it unhashed)."""


@dataclass(frozen=True)
class Placement:
    """Where the volume will most likely put a paper: the answer to a worker's ``("place", None)``."""

    first_page: int
    meta: DocumentMetadata
    key: str
    """The paper's stamp cache key: the stamped file's /ID."""


def count_pages(path: Path) -> int | None:
    """The file's pages as qpdf counts them; None when it cannot be opened."""
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            return len(pdf.pages)
    except Exception as exc:  # noqa: BLE001 - a file qpdf cannot open is checked, and left out, by validation
        log.debug("%s: pages not counted: %s", path, exc)
        return None


class StampAhead:
    """Numbers the papers in volume order as their pages become known; keeps what the workers stamped and drew
    ahead."""

    def __init__(self, gathered: Gathered, ctx: BuildContext) -> None:
        self.ctx = ctx
        self.gathered = gathered
        self.project = gathered.project
        self.footer = footer_text(self.project)
        self.cache = PaperCache(ctx)
        self.budget = BUDGET * self.project.workshop.rules.time_limit
        self.next_page = 1
        self._order: list[Source] = []
        """Every paper met so far, in volume order."""
        self._counts: dict[str, int] = {}
        """Paper id -> its pages (0: left out), once known: the first known stands."""
        self._firsts: dict[str, Placed] = {}
        self._placed: dict[str, tuple[Placed, str]] = {}
        self.plan: list[Placed] = []
        """The papers placed so far (every one before them known), in volume order: the plan, if every paper is
        checked as guessed."""
        self.drawn: dict[str, tuple[str, Any]] = {}
        """Drawing (:data:`~proceedings.stages.draw.FRONT`, ``INDEX``) -> (its key, the drawing), made ahead."""
        self._drawings: dict[str, dict[str, str]] = {}
        self.timed_out: dict[str, str] = {}
        """Drawing -> its key, of the drawings that ran past their time limit ahead."""

    def place(self, source: Source, pages: int) -> None:
        """The next paper in volume order, its ``pages`` known (0: left out)."""
        self._order.append(source)
        self.counted(source.paper.id, pages)

    def job(self, source: Source) -> StampJob:
        """The next paper in volume order, checked now: its task's stamp job (its pages told by the task)."""
        self._order.append(source)
        return StampJob(str(self._beside(source)), self.footer, self.budget, not source.sha256)

    def counted(self, paper_id: str, pages: int | None) -> None:
        """A paper's pages (None or 0: left out); the papers whose first page that settles placed."""
        self._counts.setdefault(paper_id, pages or 0)
        while len(self._firsts) < len(self._order) and self._order[len(self._firsts)].paper.id in self._counts:
            source = self._order[len(self._firsts)]
            placed = self._firsts[source.paper.id] = Placed(source=source, pages=self._counts[source.paper.id],
                                                             first_page=self.next_page)
            if placed.pages:
                self.next_page += placed.pages
                self.plan.append(placed)

    def heard(self, paper_id: str, message: tuple) -> Placement | None:
        """What a task tells (``("pages", count, sha256)``: the sha256 of the file as it read it, empty when gather
        hashed it) or asks (``("place", None)``: its :class:`Placement`; None when a paper before it is not counted
        yet, or its stamped copy is cached)."""
        kind, value, *more = message
        if kind == "pages":
            if more and more[0]:
                self.gathered.hashed(self.gathered.by_id[paper_id], more[0])
            self.counted(paper_id, value)
            return None
        return self.placement(paper_id) if kind == "place" else None

    def placement(self, paper_id: str) -> Placement | None:
        """Where the paper goes, when every paper before it is counted (and its sha256 known: its stamp cache key),
        unless its stamped copy is cached."""
        placed = self._firsts.get(paper_id)
        if placed is None or not placed.pages or not placed.source.sha256:
            return None
        key, meta = self.cache.keys[(paper_id, placed.first_page, placed.pages)] = paper_key(placed, self.project,
                                                                                            self.footer)
        if self.cache.get(paper_id, key) is not None:
            return None
        self._placed[paper_id] = (placed, key)
        return Placement(placed.first_page, meta, key)

    def _beside(self, source: Source) -> Path:
        """Where a worker stamps a paper ahead: a folder of its own beside the cached copies (which stay as they
        were until the guess is known to be right; no paper id can name a file here for another's)."""
        return self.cache.dir.parent / "ahead" / f"{source.paper.id}.pdf"

    def record(self, source: Source, checked: dict[str, Any], stamped: Any) -> None:
        """Keep the copy a worker stamped, when the check agrees with the guess (usable, as many pages); any other
        is dropped (the stamp stage stamps that paper, and reports what goes wrong). ``checked``: the check's
        result, empty when the task failed (its pages, when it never told them: left out)."""
        self.counted(source.paper.id, checked.get("pages") if checked.get("usable") else 0)
        entry = self._placed.pop(source.paper.id, None)
        if entry is None:
            return
        placed, key = entry
        side, target = self._beside(source), self.cache.dir / f"{source.paper.id}.pdf"
        try:  # stamped is None when the task ended after its check (past its time, its worker dead): maybe written
            if not isinstance(stamped, (list, tuple)):
                log.debug("paper %s: not stamped ahead (%s)", source.paper.id, stamped)
            elif checked.get("usable") and checked.get("pages") == placed.pages == stamped[0]:
                pages, removed, shared, crc, layout = stamped
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(side, target)
                self.cache.put(source.paper.id, key, target, pages, Counter(removed), tuple(shared), crc, layout)
            side.unlink(missing_ok=True)
        except OSError as exc:  # the output folder's fault: the stamp stage meets it again, and says so
            log.debug("paper %s: stamped copy not kept: %s", source.paper.id, exc)

    def warm_up(self) -> None:
        """Import what the stages after validation read with (pypdf, fontTools, Pillow) while the workers check the
        first papers: this process waits for them anyway (in a thread: a worker that finishes is not kept waiting)."""
        import_meanwhile(LATER_IMPORTS)

    def drawings(self, taken: set[str]) -> list[tuple[str, tuple, float]]:
        """Tasks that draw the front matter and the author index of the plan guessed (once every paper is met; the
        pages of those not told yet counted here), for :func:`~proceedings.util.workers.call`; their keys are none
        of ``taken``."""
        for source in self._order:
            if source.paper.id not in self._counts:
                self.counted(source.paper.id, count_pages(source.path))
        if not self.plan:
            return []
        plan = Plan(papers=list(self.plan))
        current = draw.keys(self.project, plan)
        seconds = seconds_for(self.project.workshop.rules)
        whats = tuple(what for what in (draw.FRONT, draw.INDEX)
                      if memo_peek(self.ctx, what, current[what], shared=True) is None)  # else drawn in an earlier
        if not whats:  # build from the same facts
            return []
        name = "drawings"
        while name in taken:
            name += "*"
        self._drawings[name] = {what: current[what] for what in whats}
        return [(name, (draw.drawings, whats, self.project, plan), seconds * len(whats))]

    def drew(self, name: str, outcome: Outcome) -> bool:
        """Keep the drawings made ahead; whether ``name`` was their task (a failure is left to the draw stage to
        report)."""
        drawn = self._drawings.pop(name, None)
        if drawn is None:
            return False
        if outcome.status == "ok":
            self.drawn.update((what, (key, outcome.value[what])) for what, key in drawn.items())
        else:
            log.debug("%s not drawn ahead: %s %s", ", ".join(drawn), outcome.status, outcome.detail)
            if outcome.status == "timeout":  # drawn again from the same facts, it would only take as long
                self.timed_out = drawn
            elif outcome.detail.startswith(TIMEOUT_PREFIX):  # one of them past its own limit: that one
                self.timed_out = {what: key for what, key in drawn.items()
                                  if outcome.detail.startswith(f"{TIMEOUT_PREFIX}{draw.named((what,))} ")}
        return True

"""Work done ahead, while the papers are checked: each paper stamped in the task that checks it (the file at
hand), the front matter and author index drawn for the plan as most likely, and the later stages' modules
imported by this process, which waits for the workers anyway.

The stamp stage (:mod:`proceedings.stages.stamp`) needs every paper's printed first page, which the plan knows
only once every paper is checked. Most papers pass, and their pages can be counted before they are checked;
so each paper checked is numbered as the volume will most likely number it (papers before it in volume order:
their pages from a cached check, or counted now; a paper that cannot be counted is taken as left out), stamped
in the same worker task, and kept in the stamp cache under the key the stamp stage will look up. When the plan
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
    """What a worker needs to stamp a paper it has just checked (see :func:`~proceedings.stages.parts.stamp_paper`)."""

    first_page: int
    out: str
    footer: str
    meta: DocumentMetadata
    budget: float
    """Seconds: when checking took longer, the paper is left to the stamp stage (the task's time limit holds)."""
    key: str = ""
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
    """Numbers the papers in volume order as they are checked; keeps what the workers stamped and drew ahead."""

    def __init__(self, gathered: Gathered, ctx: BuildContext) -> None:
        self.ctx = ctx
        self.project = gathered.project
        self.footer = footer_text(self.project)
        self.cache = PaperCache(ctx)
        self.budget = BUDGET * self.project.workshop.rules.time_limit
        self.next_page = 1
        self._placed: dict[str, tuple[Placed, str]] = {}
        self.plan: list[Placed] = []
        """Every paper placed so far, in volume order: the plan, if every paper is checked as guessed."""
        self.drawn: dict[str, tuple[str, Any]] = {}
        """Drawing (:data:`~proceedings.stages.draw.FRONT`, ``INDEX``) -> (its key, the drawing), made ahead."""
        self._drawings: dict[str, dict[str, str]] = {}
        self.timed_out: dict[str, str] = {}
        """Drawing -> its key, of the drawings that ran past their time limit ahead."""

    def place(self, source: Source, pages: int | None) -> StampJob | None:
        """Place the next paper in volume order: ``pages`` when known (0: left out), None when it is checked now
        (its pages are counted). The stamp job of a paper checked now, unless its stamped copy is cached."""
        known = pages is not None
        count = pages if known else count_pages(source.path)
        if not count:
            return None
        placed = Placed(source=source, pages=count, first_page=self.next_page)
        self.next_page += count
        self.plan.append(placed)
        if known:
            return None
        key, meta = self.cache.keys[(source.paper.id, placed.first_page, count)] = paper_key(placed, self.project,
                                                                                            self.footer)
        if self.cache.get(source.paper.id, key) is not None:
            return None
        self._placed[source.paper.id] = (placed, key)
        return StampJob(placed.first_page, str(self._beside(source)), self.footer, meta, self.budget, key)

    def _beside(self, source: Source) -> Path:
        """Where a worker stamps a paper ahead: a folder of its own beside the cached copies (which stay as they
        were until the guess is known to be right; no paper id can name a file here for another's)."""
        return self.cache.dir.parent / "ahead" / f"{source.paper.id}.pdf"

    def record(self, source: Source, checked: dict[str, Any], stamped: Any) -> None:
        """Keep the copy a worker stamped, when the check agrees with the guess (usable, as many pages); any other
        is dropped (the stamp stage stamps that paper, and reports what goes wrong)."""
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
        """Tasks that draw the front matter and the author index of the plan guessed (once every paper is placed),
        for :func:`~proceedings.util.workers.call`; their keys are none of ``taken``."""
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

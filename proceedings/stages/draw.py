"""Stage 4, draw: the front matter and the author index, from the plan.

Both are drawn with ReportLab from user input, in a worker process under the venue's limits (see
:mod:`proceedings.typeset.limited`), and reused while what their pages show is unchanged. A drawing made ahead,
while the papers were checked (:mod:`proceedings.stages.ahead`), serves when it was made from the same facts.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from proceedings.context import BuildContext
from proceedings.project.model import Project
from proceedings.project.program import asset_digests
from proceedings.stages.plan import Plan
from proceedings.typeset.fonts import font_dir
from proceedings.util.cache import digest, memo_keep, memo_peek
from proceedings.util.timings import timed

if TYPE_CHECKING:
    from proceedings.typeset.frontdata import FrontMatter

log = logging.getLogger(__name__)

FRONT, INDEX = "front-matter", "author-index"
"""The two drawings (their cache names)."""
TITLES = {FRONT: "front matter", INDEX: "author index"}
"""Their names in timings and messages."""


def facts(plan: Plan) -> list:
    """What the drawn pages show of each paper (part of both drawings' keys)."""
    return [[p.paper.id, p.paper.title, [(a.name, a.family_name, a.given_names) for a in p.paper.authors],
             p.paper.session, p.first_page, p.pages] for p in plan.papers]


def index_facts(plan: Plan) -> list:
    """What the author index shows of each author beyond :func:`facts`: what sets one person apart from another
    of the same name (suffix, ORCID iD, affiliation)."""
    return [[(a.name_suffix, a.orcid, a.affiliation) for a in p.paper.authors] for p in plan.papers]


def keys(project: Project, plan: Plan) -> dict[str, str]:
    """Each drawing's key: everything it is drawn from."""
    shown = facts(plan)
    return {FRONT: digest("front", project.model_dump(mode="json", exclude={"papers", "root"}), shown,
                          font_dir().name, asset_digests(project)),
            INDEX: digest("index", project.workshop.model_dump(mode="json"), shown, index_facts(plan),
                          font_dir().name)}


def drawing(what: str, project: Project, plan: Plan) -> Any:
    """Draw ``what`` here (run in a worker; ReportLab is imported only here)."""
    if what == FRONT:
        from proceedings.typeset.frontmatter import draw_front_matter

        return draw_front_matter(project, plan)
    from proceedings.typeset.authorindex import draw_author_index

    return draw_author_index(project, plan)


def named(whats: tuple[str, ...] | dict[str, str]) -> str:
    """The drawings ``whats`` named in a message: "the front matter and the author index"."""
    return " and ".join(f"the {TITLES[w]}" for w in whats)


def drawings(whats: tuple[str, ...], project: Project, plan: Plan) -> dict[str, Any]:
    """Draw each of ``whats`` here, in one task: one worker loads ReportLab and the fonts once for both. Each is
    held to the time one part may take, as when drawn alone (the task's limit is their sum): past it, that part's
    :class:`~proceedings.typeset.limited.DrawingTimeout`, whatever else was drawn or cached."""
    from proceedings.typeset.limited import seconds_for, timeout_error

    limit = seconds_for(project.workshop.rules)
    drawn = {}
    for what in whats:
        error = timeout_error(named((what,)), limit)
        started = time.monotonic()
        with _alarm(limit, error):  # a part that never ends fails at its own limit, not at the task's (their sum)
            drawn[what] = drawing(what, project, plan)
        if time.monotonic() - started > limit:  # past it where the alarm could not interrupt (C code, no alarm)
            raise error
    return drawn


@contextlib.contextmanager
def _alarm(seconds: float, error: BaseException) -> Iterator[None]:
    """Raise ``error`` in what runs inside once ``seconds`` have passed (a real-time timer: in a process's main
    thread, as a worker's task runs; elsewhere nothing)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expired(signum: int, frame: Any) -> None:
        raise error

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _limited(whats: tuple[str, ...], project: Project, plan: Plan, ctx: BuildContext) -> dict[str, Any]:
    """Draw ``whats`` in a worker under the venue's limits (see :mod:`proceedings.typeset.limited`); when drawing
    them together fails, each alone, so that the error names the part that cannot be drawn."""
    from proceedings.errors import OutputError
    from proceedings.typeset.limited import DrawingTimeout, draw

    rules = project.workshop.rules
    if len(whats) > 1:
        try:
            return draw(drawings, (whats, project, plan), rules, named(whats), ctx.out_dir, parts=len(whats))
        except (DrawingTimeout, OutputError):  # past the time limit, or the machine's fault: the same alone
            raise
        except Exception:  # drawn again one at a time (each in a worker of its own, with the whole memory limit):
            # the failure, if any, is reported for its part
            log.debug("drawing %s together failed; one at a time", " and ".join(whats), exc_info=True)
    return {what: draw(drawing, (what, project, plan), rules, f"the {TITLES[what]}", ctx.out_dir) for what in whats}


def draw_parts(project: Project, plan: Plan, ctx: BuildContext, ready: dict[str, tuple[str, Any]] | None = None,
               timed_out: dict[str, str] | None = None) -> tuple[FrontMatter, bytes]:
    """The front matter and the author index of ``plan``: cached, made ahead (``ready``: drawing -> (its key,
    the drawing)), or drawn now (together, in one worker). ``timed_out``: drawing -> key, of those that ran past
    the time limit ahead: from the same facts, that is the error, without drawing them again."""
    current = keys(project, plan)
    if timed_out and all(current[what] == key for what, key in timed_out.items()):
        from proceedings.typeset.limited import seconds_for, timeout_error

        raise timeout_error(named(timed_out), seconds_for(project.workshop.rules) * len(timed_out))
    made = {what: got[1] for what, got in (ready or {}).items() if got[0] == current[what]}
    cached = {what: memo_peek(ctx, what, current[what], shared=True) for what in (FRONT, INDEX) if what not in made}
    drawn = {what: value for what, value in cached.items() if value is not None}
    for what in drawn:
        log.info("%s: unchanged, reused", what)
    missing = tuple(what for what in (FRONT, INDEX) if what not in made and what not in drawn)
    if len(missing) > 1:  # timed as the front matter, by far the larger
        with timed(ctx, TITLES[FRONT]):
            made.update(_limited(missing, project, plan, ctx))
    for what in (FRONT, INDEX):
        with timed(ctx, TITLES[what]):
            if what not in drawn:
                value = made[what] if what in made else _limited((what,), project, plan, ctx)[what]
                drawn[what] = memo_keep(ctx, what, current[what], value, shared=True)
    return drawn[FRONT], drawn[INDEX]

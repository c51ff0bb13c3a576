"""Stage 4, draw: the front matter and the author index, from the plan.

Both are drawn with ReportLab from user input, in a worker process under the venue's limits (see
:mod:`proceedings.typeset.limited`), and reused while what their pages show is unchanged. A drawing made ahead,
while the papers were checked (:mod:`proceedings.stages.ahead`), serves when it was made from the same facts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from proceedings.context import BuildContext
from proceedings.project.model import Project
from proceedings.project.program import asset_digests
from proceedings.stages.plan import Plan
from proceedings.typeset.fonts import font_dir
from proceedings.util.cache import digest, memo
from proceedings.util.timings import timed

if TYPE_CHECKING:
    from proceedings.typeset.frontdata import FrontMatter

FRONT, INDEX = "front-matter", "author-index"
"""The two drawings (their cache names)."""
TITLES = {FRONT: "front matter", INDEX: "author index"}
"""Their names in timings and messages."""


def facts(plan: Plan) -> list:
    """What the drawn pages show of each paper (part of both drawings' keys)."""
    return [[p.paper.id, p.paper.title, [(a.name, a.family_name, a.given_names) for a in p.paper.authors],
             p.paper.session, p.first_page, p.pages] for p in plan.papers]


def keys(project: Project, plan: Plan) -> dict[str, str]:
    """Each drawing's key: everything it is drawn from."""
    shown = facts(plan)
    return {FRONT: digest("front", project.model_dump(mode="json", exclude={"papers", "root"}), shown,
                          font_dir().name, asset_digests(project)),
            INDEX: digest("index", project.workshop.model_dump(mode="json"), shown, font_dir().name)}


def drawing(what: str, project: Project, plan: Plan) -> Any:
    """Draw ``what`` here (run in a worker; ReportLab is imported only here)."""
    if what == FRONT:
        from proceedings.typeset.frontmatter import draw_front_matter

        return draw_front_matter(project, plan)
    from proceedings.typeset.authorindex import draw_author_index

    return draw_author_index(project, plan)


def _limited(what: str, project: Project, plan: Plan, ctx: BuildContext) -> Any:
    """Draw ``what`` in a worker under the venue's limits (see :mod:`proceedings.typeset.limited`)."""
    from proceedings.typeset.limited import draw

    return draw(drawing, (what, project, plan), project.workshop.rules, f"the {TITLES[what]}", ctx.out_dir)


def draw_parts(project: Project, plan: Plan, ctx: BuildContext,
               ready: dict[str, tuple[str, Any]] | None = None) -> tuple[FrontMatter, bytes]:
    """The front matter and the author index of ``plan``: cached, made ahead (``ready``: drawing -> (its key,
    the drawing)), or drawn now."""
    current = keys(project, plan)
    drawn: dict[str, Any] = {}
    for what in (FRONT, INDEX):
        made = (ready or {}).get(what)

        def compute(what: str = what, made: tuple[str, Any] | None = made) -> Any:
            return made[1] if made is not None and made[0] == current[what] else _limited(what, project, plan, ctx)

        with timed(ctx, TITLES[what]):
            drawn[what] = memo(ctx, what, current[what], compute, shared=True)
    return drawn[FRONT], drawn[INDEX]

"""``template``: the paper is in the venue's template; the error names what it looks like instead."""

from proceedings.checks.layout import layout_of
from proceedings.checks.paper import Paper
from proceedings.checks.registry import check
from proceedings.findings import Finding


@check("template", "Template", "1")
def run(paper: Paper):
    venue = paper.venue
    layout = layout_of(paper)
    if venue.layout is None or layout.id in (venue.layout, "unknown"):
        return []
    return [Finding(
        "template", "error", 1,
        f"The paper is not in the venue's template ({venue.name}): it looks like {layout.name}.",
        venue.fix("template", f"Typeset the paper with the {venue.name} template."))]

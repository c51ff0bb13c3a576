"""JavaScript, launch actions, attachments, rich media, XFA: the volume cannot carry them."""

from proceedings.checks.activewalk import check_active_content
from proceedings.checks.paper import Paper
from proceedings.checks.registry import check


@check("active-content", "Active content", "2", needs_text=False)
def run(paper: Paper):
    return check_active_content(paper.pdf, paper.count)

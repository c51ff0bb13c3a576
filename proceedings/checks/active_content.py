"""JavaScript, launch actions, attachments, rich media, XFA: the volume cannot carry them."""

from proceedings.checks.activewalk import check_active_content, may_have_active_content
from proceedings.checks.paper import Paper
from proceedings.checks.registry import check


@check("active-content", "Active content", "1", needs_text=False)
def run(paper: Paper):
    if not may_have_active_content(paper.data, paper.reader):
        return []
    return check_active_content(paper.reader, paper.count)

"""``submission-id``: the review version's "Submission ID" header."""

import re

from proceedings.checks._marks import running_marks
from proceedings.checks.paper import Paper
from proceedings.checks.pdfcheck import on_pages
from proceedings.checks.registry import check
from proceedings.findings import Finding

PATTERN = re.compile(r"submission\s+id\b")


@check("submission-id", "Submission ID", "2")
def run(paper: Paper):
    hits = running_marks(paper, PATTERN, title_page=True)
    if not hits:
        return []
    first = min(hits)
    return [Finding(
        "submission-id", "error", first,
        f"The paper still shows \"Submission ID\" (the review version's header) on {on_pages(list(hits))}.",
        "Remove the submission number (\\acmSubmissionID) and the 'review' option; compile the camera-ready version.",
        box=hits[first])]

"""``submission-id``: the review version's "Submission ID" header."""

import re

from proceedings.checks._marks import mark_findings
from proceedings.checks.paper import Paper
from proceedings.checks.registry import check

PATTERN = re.compile(r"submission\s+id\b")


@check("submission-id", "Submission ID", "2")
def run(paper: Paper):
    return mark_findings(
        paper, "submission-id", PATTERN, "\"Submission ID\" (the review version's header)",
        "Remove the submission number (\\acmSubmissionID) and the 'review' option; compile the camera-ready "
        "version.", title_page=True)

"""``draft-footer``: acmart's authordraft footer "Unpublished working draft. Not for distribution."."""

import re

from proceedings.checks._marks import running_marks
from proceedings.checks.paper import Paper
from proceedings.checks.pdfcheck import on_pages
from proceedings.checks.registry import check
from proceedings.findings import Finding

PATTERN = re.compile(r"unpublished\s+working\s+draft")


@check("draft-footer", "Draft footer", "2")
def run(paper: Paper):
    hits = running_marks(paper, PATTERN)
    if not hits:
        return []
    first = min(hits)
    return [Finding(
        "draft-footer", "error", first,
        f"The paper still shows the footer \"Unpublished working draft. Not for distribution.\" on {on_pages(list(hits))}.",
        "Remove the 'authordraft' option of \\documentclass (use \\documentclass[sigconf]{acmart}).",
        box=hits[first])]

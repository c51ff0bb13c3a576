"""``draft-footer``: acmart's authordraft footer "Unpublished working draft. Not for distribution."."""

import re

from proceedings.checks._marks import mark_findings
from proceedings.checks.paper import Paper
from proceedings.checks.registry import check

PATTERN = re.compile(r"unpublished\s+working\s+draft")


@check("draft-footer", "Draft footer", "2")
def run(paper: Paper):
    return mark_findings(
        paper, "draft-footer", PATTERN, "the footer \"Unpublished working draft. Not for distribution.\"",
        "Remove the 'authordraft' option of \\documentclass (use \\documentclass[sigconf]{acmart}).")

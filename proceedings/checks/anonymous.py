"""``anonymous``: the review version's author block ("Anonymous Author(s)") in place of the authors.

Only page 1's author block counts: a later page may quote the phrase (an example, a discussion of
double-blind review), and page 1 listing the real authors settles it.
"""

import re

from proceedings.checks._marks import find_lines
from proceedings.checks.paper import Paper
from proceedings.checks.registry import check
from proceedings.findings import Finding

PATTERN = re.compile(r"(?:^|\n)\W{0,3}anonymous\s+(?:author(?:s|\(s\))?|submission)\b")


@check("anonymous", "Anonymous author block", "2")
def run(paper: Paper):
    hits = find_lines(paper, PATTERN, pages=[1])
    if not hits:
        return []
    return [Finding(
        "anonymous", "error", 1, "The paper still shows \"Anonymous Author(s)\" (the review version's author "
        "block) on page 1.",
        "Compile the camera-ready version: remove the 'anonymous' and 'review' options of \\documentclass and "
        "give the real authors.", box=hits[1])]

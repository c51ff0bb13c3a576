"""``anonymous``: the review version's author block ("Anonymous Author(s)") in place of the authors.

Only page 1's author block counts: a later page may quote the phrase (an example, a discussion of
double-blind review), and page 1 listing the real authors settles it.
"""

import re

from proceedings.checks.paper import Paper
from proceedings.checks.registry import check
from proceedings.checks.textcheck import fold, required_text
from proceedings.findings import Finding

PATTERN = re.compile(r"(?:^|\n)\W{0,3}anonymous\s+(?:authors|author\(s\)|author|submission)(?![a-z])"
                     r"(?![^\S\n]+(?!(?:paper|id|no|number|institution|affiliation)\b)[a-z])")
"""The phrase at the start of a line, and no word of a sentence after it (a number, a mark, a comma, "paper id"
may follow: "Anonymous submission #1234", "Anonymous Authors, Anonymous Institution"): a title that begins with
"Anonymous Authors and …" is no author block."""
NEEDLE = required_text(PATTERN)
"""What every match holds ("anonymous"): a page without it is not searched."""


@check("anonymous", "Anonymous author block", "6")
def run(paper: Paper):
    page = paper.page(1)
    text = paper.folded.get(1, "")
    if page is None or NEEDLE not in text or not PATTERN.search(text):  # ``in``: at memory speed
        return []
    title = fold(paper.title)
    for line in page.lines:
        text = fold(line.text)
        if PATTERN.search(text) and not (title and text in title and "(s)" not in text):  # a title's line
            return [Finding(
                "anonymous", "error", 1, "The paper still shows \"Anonymous Author(s)\" (the review version's "
                "author block) on page 1.",
                paper.venue.fix("anonymous", "Compile the camera-ready version: turn the template's review or "
                                "anonymous mode off and give the real authors."), box=line.box)]
    return []

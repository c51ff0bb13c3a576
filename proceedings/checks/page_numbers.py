"""``page-numbers``: the paper prints page numbers of its own (acmart's ``printfolios=true``, a word processor's
"Page 2 of 8" footer). In the volume they stand beside the stamped numbers and, from the second paper on, disagree
with them and with the page labels.

A number alone on a line near the top or the bottom edge counts when it goes up with the page (its page's number
plus one offset) on at least two pages and half of them: a table's or a line-number column's figures do not.
Numbers inside the strip the volume stamps are ``bottom-margin``'s to report, those of a review copy (line numbers
too) ``line-numbers``'.
"""

from __future__ import annotations

import re

from proceedings.checks.exempt import exempt_ids
from proceedings.checks.layout import in_template
from proceedings.checks.line_numbers import columns_by_page
from proceedings.checks.paper import Paper
from proceedings.checks.pdfcheck import on_pages
from proceedings.checks.registry import check
from proceedings.checks.textcheck import fold
from proceedings.findings import Finding
from proceedings.pdf.geometry import Rect

EDGE = 100.0
"""Points from the top or bottom edge of the page where a page number is looked for."""
FOLIO = re.compile(r"^[^\w]{0,3}(?:page\s+)?(\d{1,4})(?:\s*(?:of|/)\s*\d{1,4})?[^\w]{0,3}$")


@check("page-numbers", "Page numbers of the paper's own", "1")
def run(paper: Paper):
    if paper.count < 2 or not in_template(paper) or columns_by_page(paper):
        return []  # another template: ``template`` says so once; line numbers: a review copy, folios and all
    zone = paper.venue.stamp_zone
    runs: dict[tuple[str, int], dict[int, Rect]] = {}  # (top or bottom, number - page) -> page -> box
    for page in paper.pages:
        skip = exempt_ids(paper, page.number)
        for line in page.lines:
            if line.y1 < EDGE and line.y0 >= zone:
                where = "bottom"
            elif line.y0 > page.height - EDGE:
                where = "top"
            else:
                continue
            found = FOLIO.match(fold(line.text))
            if found is None or any(id(s) in skip for s in line.spans):
                continue
            runs.setdefault((where, int(found.group(1)) - page.number), {}).setdefault(page.number, line.box)
    hits = max(runs.values(), key=len, default={})
    if len(hits) < 2 or len(hits) * 2 < paper.count:
        return []
    first = min(hits)
    return [Finding(
        "page-numbers", "error", first,
        f"The paper prints page numbers of its own on {on_pages(sorted(hits))}: the volume stamps its own, so the "
        "pages would show two numbers that disagree.",
        paper.venue.fix("page-numbers", "Remove the paper's own page numbers (acmart: no printfolios=true in "
                        "\\settopmatter; Word: delete the page-number field of the header or footer); the volume "
                        "numbers the pages."), box=hits[first])]

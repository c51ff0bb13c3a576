"""``page-numbers``: the paper prints page numbers of its own (acmart's ``printfolios=true``, a word processor's
"Page 2 of 8" footer). In the volume they stand beside the stamped numbers and, from the second paper on, disagree
with them and with the page labels.

A number alone on a line near the top or the bottom edge counts when it goes up with the page (its page's number
plus one offset) on at least two pages and half of them: a table's or a line-number column's figures do not. So does
a number at either end of a page's first or last line, a running head's ("2  A. Author et al.", "Short title  3",
as llncs prints them with ``runningheads``). Numbers in running heads have the profile's severity
(``Venue.own_page_numbers``: a warning where the venue's own template prints them so); numbers alone, an error.
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
TOP_EDGE = 110.0
"""The same from the top edge: llncs's running head stands 103 pt below it."""
FOLIO = re.compile(r"^[^\w]{0,3}(?:page\s+)?(\d{1,4})(?:\s*(?:of|/)\s*\d{1,4})?[^\w]{0,3}$")
_DIGIT = re.compile(r"\d")
HEAD = re.compile(r"^(\d{1,4})\s+[^\d\s].*\S|^.*[^\d\s]\s+(\d{1,4})$")
"""A running head with the page number at its start or its end."""


@check("page-numbers", "Page numbers of the paper's own", "1")
def run(paper: Paper):
    if paper.count < 2 or not in_template(paper) or columns_by_page(paper):
        return []  # another template: ``template`` says so once; line numbers: a review copy, folios and all
    zone = paper.venue.stamp_zone
    runs: dict[tuple[str, int], dict[int, Rect]] = {}  # (top or bottom, number - page) -> page -> box
    bare: set[tuple[str, int]] = set()  # the runs with a number alone on its line (not in a running head)
    for page in paper.pages:
        skip: set[int] | None = None
        outer: set[int] | None = None  # both worked out for the page once a line there may hold its number
        for line in page.lines:
            if line.y1 < EDGE and line.y0 >= zone:
                where = "bottom"
            elif line.y0 > page.height - TOP_EDGE:
                where = "top"
            else:
                continue
            if not _DIGIT.search(line.text):  # most lines near the edges: no number, nothing folded
                continue
            text = fold(line.text)
            found = alone = FOLIO.match(text)
            if alone is None:
                found = HEAD.match(text)
                if found is not None:
                    if outer is None:
                        outer = _outer_lines(page, zone)
                    if id(line) not in outer:
                        found = None
            if found is None:
                continue
            if skip is None:
                skip = exempt_ids(paper, page.number)
            if any(id(s) in skip for s in line.spans):
                continue
            key = (where, int(next(g for g in found.groups() if g)) - page.number)
            runs.setdefault(key, {}).setdefault(page.number, line.box)
            if alone:
                bare.add(key)
    key = max(runs, key=lambda k: len(runs[k]), default=None)
    hits = runs[key] if key is not None else {}
    if len(hits) < 2 or len(hits) * 2 < paper.count:
        return []
    first = min(hits)
    alone = key in bare
    fix = ("Remove the paper's own page numbers (acmart: no printfolios=true in \\settopmatter; Word: delete the "
           "page-number field of the header or footer); the volume numbers the pages.")
    return [Finding(
        "page-numbers", "error" if alone else paper.venue.own_page_numbers, first,
        f"The paper prints page numbers of its own{'' if alone else ' in its running heads'} on "
        f"{on_pages(sorted(hits))}: the volume stamps its own, so the pages would show two numbers that disagree.",
        fix if alone else paper.venue.fix("page-numbers", fix), box=hits[first])]


def _outer_lines(page, zone: float) -> set[int]:
    """Identities of the page's first line and its last above the stamp zone, where a running head or foot is,
    when they are no larger than the body text of a page of text (a page whose one line is "Potato 2" has none)."""
    if not page.has_letters(50):
        return set()
    size = page.body_size() + 0.25
    kept = [ln for ln in page.lines if ln.y0 >= zone]
    if not kept:
        return set()
    return {id(ln) for ln in (max(kept, key=lambda ln: ln.y1), min(kept, key=lambda ln: ln.y0)) if ln.size <= size}

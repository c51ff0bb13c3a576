"""``margins``: content outside the venue's text block, on any side, on any page (references too).

Only pages of the venue's size are measured (a wrong size is ``page-size``'s finding) and only when
the paper is in the venue's template (otherwise ``template`` says so once). Line numbers, the draft
footer and the stamp zone have their own rules.
"""

from proceedings.checks.exempt import exempt_ids
from proceedings.checks.layout import in_template
from proceedings.checks.paper import Paper
from proceedings.checks.pdfcheck import on_pages
from proceedings.checks.registry import check
from proceedings.findings import Finding
from proceedings.pdf.textlayer import Span

_SIDES = ("left", "bottom", "right", "top")


@check("margins", "Margins", "3")
def run(paper: Paper):
    venue = paper.venue
    block = venue.text_block
    if block is None or not in_template(paper):
        return []
    tol = venue.margin_tolerance
    left, bottom, right, top = block[0] - tol, block[1] - tol, block[2] + tol, block[3] + tol
    hits: dict[int, tuple[list, set[str]]] = {}
    for page in paper.pages:
        if not paper.right_size(page):
            continue
        skip = exempt_ids(paper, page.number)
        out, sides = [], set()
        for s in page.spans:
            if left <= s.x0 and bottom <= s.y0 and s.x1 <= right and s.y1 <= top:  # inside: nearly every span
                continue
            if id(s) in skip or s.y0 < venue.stamp_zone or not any(c.isalnum() for c in s.text):
                continue
            beyond = [s.x0 < left, s.y0 < bottom, s.x1 > right, s.y1 > top]
            if any(beyond):  # not for a box of NaNs, which is neither inside nor out
                out.append(s)
                sides.update(side for side, b in zip(_SIDES, beyond, strict=True) if b)
        for fig in page.figures:
            x0, y0, x1, y1 = max(fig[0], 0), max(fig[1], 0), min(fig[2], page.width), min(fig[3], page.height)
            if x1 - x0 < 2 or y1 - y0 < 2 or y0 < venue.stamp_zone:  # off the page, or ``bottom-margin``'s
                continue
            beyond = [x0 < left, y0 < bottom, x1 > right, y1 > top]
            if any(beyond):
                out.append(Span("(a figure)", x0, y0, x1, y1, 0.0, False))
                sides.update(side for side, b in zip(_SIDES, beyond, strict=True) if b)
        if out:
            hits[page.number] = (out, sides)
    if not hits:
        return []
    first = min(hits)
    spans, _ = hits[first]
    sides = sorted({side for _, (_, s) in hits.items() for side in s}, key=_SIDES.index)
    box = (min(s.x0 for s in spans), min(s.y0 for s in spans), max(s.x1 for s in spans), max(s.y1 for s in spans))
    sample = spans[0].text.strip()
    sample = sample if len(sample) <= 50 else sample[:47] + "…"
    return [Finding(
        "margins", "error", first,
        f"Content outside the text block of {venue.name} ({', '.join(sides)} margin) on {on_pages(list(hits))}: "
        f"\"{sample}\".",
        "Keep every figure, table, caption, equation and line inside the template's text block; do not change "
        "the template's margins (no \\vspace tricks, \\enlargethispage or geometry changes).", box=box)]

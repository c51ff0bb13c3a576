"""``bottom-margin``: nothing in the strip at the bottom of a page where the volume stamps its page number."""

from proceedings.checks.exempt import exempt_ids
from proceedings.checks.layout import in_template
from proceedings.checks.paper import Paper
from proceedings.checks.pdfcheck import on_pages
from proceedings.checks.registry import check
from proceedings.findings import Finding
from proceedings.pdf.textlayer import Span


@check("bottom-margin", "Bottom margin", "4")
def run(paper: Paper):
    if not in_template(paper):
        return []  # another template: ``template`` says so once, its margins are not the venue's
    zone = paper.venue.stamp_zone
    hits: dict[int, list] = {}
    for page in paper.pages:
        skip = exempt_ids(paper, page.number)
        spans = [s for s in page.spans if s.y0 < zone and s.y1 > 1 and s.x1 > 0 and s.x0 < page.width
                 and any(c.isalnum() for c in s.text) and id(s) not in skip]
        spans += [Span("(a figure)", f[0], f[1], f[2], f[3], 0.0, False) for f in page.figures
                  if f[1] < zone and f[3] > 1 and f[2] > 0 and f[0] < page.width]
        if spans:
            hits[page.number] = spans
    if not hits:
        return []
    first = min(hits)
    spans = hits[first]
    sample = " ".join(s.text.strip() for s in sorted(spans, key=lambda s: (-s.y0, s.x0)))
    sample = sample if len(sample) <= 60 else sample[:57] + "…"
    box = (min(s.x0 for s in spans), min(s.y0 for s in spans), max(s.x1 for s in spans), max(s.y1 for s in spans))
    return [Finding(
        "bottom-margin", "error", first,
        f"Content in the bottom margin, where the page number will be stamped over it, on {on_pages(list(hits))}: "
        f"\"{sample}\".",
        f"Keep the bottom {zone:.0f} pt of every page empty: remove footers and page numbers, and keep figures, "
        "tables and their captions inside the text block.", box=box)]

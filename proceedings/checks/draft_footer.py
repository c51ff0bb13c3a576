"""``draft-footer``: a draft's marks left in the camera-ready version: acmart's authordraft footer "Unpublished
working draft. Not for distribution.", and a watermark ("DRAFT" across the page: the draftwatermark package,
a class's draft option)."""

import re

from proceedings.checks._marks import mark_findings
from proceedings.checks.paper import Paper
from proceedings.checks.pdfcheck import on_pages
from proceedings.checks.registry import check
from proceedings.checks.textcheck import fold
from proceedings.findings import Finding

PATTERN = re.compile(r"unpublished\s+working\s+draft")
WATERMARK = re.compile(r"(?:draft(?:\s+copy|\s+version)?|preliminary\s+version|do\s+not\s+distribute)")
"""What a watermark says, the whole of its span (folded)."""
WATERMARK_SIZE = 2.0
"""How many times the body's size a watermark's letters are, at least."""


@check("draft-footer", "Draft footer", "3")
def run(paper: Paper):
    return mark_findings(
        paper, "draft-footer", PATTERN, "the footer \"Unpublished working draft. Not for distribution.\"",
        "Remove the 'authordraft' option of \\documentclass (use \\documentclass[sigconf]{acmart}).",
    ) + _watermark(paper)


def _watermark(paper: Paper) -> list[Finding]:
    """One error when a draft watermark is on at least half of the pages."""
    hits: dict[int, tuple[str, tuple[float, float, float, float]]] = {}
    for page in paper.pages:
        body = page.body_size() or 10.0
        for span in page.spans:
            if span.size >= WATERMARK_SIZE * body and WATERMARK.fullmatch(fold(span.text)):
                hits[page.number] = (span.text.strip(), span.box)
                break
    if not hits or len(hits) * 2 < max(paper.count, 1):
        return []
    first = min(hits)
    return [Finding(
        "draft-footer", "error", first, f"The paper still shows the watermark \"{hits[first][0]}\" on "
        f"{on_pages(list(hits))}.",
        "Remove the draft watermark (\\usepackage{draftwatermark}, or the 'draft' option of the document class) "
        "and compile the camera-ready version.", box=hits[first][1])]

"""``draft-footer``: a draft's marks left in the camera-ready version: acmart's authordraft footer "Unpublished
working draft. Not for distribution.", and a watermark ("DRAFT" across the page: the draftwatermark package,
a class's draft option)."""

import re

from proceedings.checks._marks import mark_finding, mark_findings, on_enough_pages
from proceedings.checks.paper import Paper
from proceedings.checks.registry import check
from proceedings.checks.textcheck import is_watermark
from proceedings.findings import Finding

PATTERN = re.compile(r"unpublished\s+working\s+draft")


@check("draft-footer", "Draft footer", "3")
def run(paper: Paper):
    return mark_findings(
        paper, "draft-footer", PATTERN, "the footer \"Unpublished working draft. Not for distribution.\"",
        "Remove the 'authordraft' option of \\documentclass (use \\documentclass[sigconf]{acmart}).",
    ) + _watermark(paper)


def _watermark(paper: Paper) -> list[Finding]:
    """One error when a draft watermark (:func:`~proceedings.checks.textcheck.is_watermark`) is on at least half
    of the pages."""
    found = {}
    for page in paper.pages:
        body = page.body_size()
        span = next((s for s in page.spans if is_watermark(s.text, s.size, body)), None)
        if span is not None:
            found[page.number] = span
    hits = on_enough_pages(paper, {number: span.box for number, span in found.items()})
    words = found[min(hits)].text.strip() if hits else ""
    return mark_finding(
        "draft-footer", hits, f"the watermark \"{words}\"",
        "Remove the draft watermark (\\usepackage{draftwatermark}, or the 'draft' option of the document class) "
        "and compile the camera-ready version.")

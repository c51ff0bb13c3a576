"""``draft-footer``: a draft's marks left in the camera-ready version: acmart's authordraft footer "Unpublished
working draft. Not for distribution.", and a watermark ("DRAFT" across the page: the draftwatermark package,
a class's draft option)."""

from __future__ import annotations

from dataclasses import dataclass

from proceedings.checks._marks import mark_finding, on_enough_pages, running_marks
from proceedings.checks.paper import Paper
from proceedings.checks.registry import check
from proceedings.checks.textcheck import DRAFT_MARK, WATERMARK_SIZE, is_watermark
from proceedings.pdf.geometry import Rect
from proceedings.pdf.textlayer import Span


@dataclass(frozen=True)
class DraftMarks:
    """What the rule reports, page by page: the geometry rules leave exactly these to it (see
    :func:`~proceedings.checks.exempt.exempt_ids`)."""

    footer: dict[int, Rect]
    """Pages that show acmart's draft footer, and where."""
    watermark: dict[int, list[Span]]
    """Pages that show a draft watermark (:func:`~proceedings.checks.textcheck.is_watermark`), and its spans."""


def draft_marks(paper: Paper) -> DraftMarks:
    """The paper's draft marks, found once (the rule and the geometry rules of every page read them): each only
    when it is on at least half of the pages, as a class or package prints it."""
    found = paper.notes.get("draft-marks")
    if found is None:
        spans: dict[int, list[Span]] = {}
        for page in paper.pages:
            body = page.body_size()
            least = WATERMARK_SIZE * (body or 10.0)  # as is_watermark asks first: most spans are asked no more
            marks = [s for s in page.spans if s.size >= least and is_watermark(s.text, s.size, body)]
            if marks:
                spans[page.number] = marks
        shown = on_enough_pages(paper, {number: marks[0].box for number, marks in spans.items()})
        found = paper.notes["draft-marks"] = DraftMarks(running_marks(paper, DRAFT_MARK),
                                                        {number: spans[number] for number in shown})
    return found


@check("draft-footer", "Draft footer", "3")
def run(paper: Paper):
    marks = draft_marks(paper)
    watermark = {number: spans[0].box for number, spans in marks.watermark.items()}
    words = marks.watermark[min(watermark)][0].text.strip() if watermark else ""
    return mark_finding(
        "draft-footer", marks.footer, "the footer \"Unpublished working draft. Not for distribution.\"",
        "Remove the 'authordraft' option of \\documentclass (use \\documentclass[sigconf]{acmart}).",
    ) + mark_finding(
        "draft-footer", watermark, f"the watermark \"{words}\"",
        "Remove the draft watermark (\\usepackage{draftwatermark}, or the 'draft' option of the document class) "
        "and compile the camera-ready version.")

"""Spans that rules of their own report, which the geometry rules (``margins``, ``bottom-margin``, ``overprint``)
leave alone: line numbers (``line-numbers``), acmart's draft footer and a draft watermark (``draft-footer``)."""

from __future__ import annotations

from proceedings.checks.draft_footer import draft_marks
from proceedings.checks.line_numbers import span_ids
from proceedings.checks.paper import Paper
from proceedings.checks.textcheck import is_draft_mark


def exempt_ids(paper: Paper, number: int) -> set[int]:
    """Identities of page ``number``'s spans the geometry rules leave to other rules, on the pages those rules
    report them: its line numbers, a draft watermark ("DRAFT" across the page, level or turned), and the pieces
    of acmart's draft footer (a footer "Preprint. Not for distribution." is no piece of it, nor "Not for
    distribution." on a page without the footer). Worked out once a page: three rules ask."""
    known: dict[int, set[int]] = paper.notes.setdefault("exempt", {})
    if number in known:
        return known[number]
    ids = span_ids(paper, number)
    page = paper.page(number)
    if page is not None:
        marks = draft_marks(paper)
        ids |= {id(s) for s in marks.watermark.get(number, [])}
        if number in marks.footer:
            ids |= {id(s) for s in page.spans if is_draft_mark(s.text)}
    known[number] = ids
    return ids

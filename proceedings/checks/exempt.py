"""Spans that rules of their own report, which the geometry rules (``margins``, ``bottom-margin``, ``overprint``)
leave alone: line numbers (``line-numbers``) and acmart's draft watermark (``draft-footer``)."""

from __future__ import annotations

from proceedings.checks.line_numbers import span_ids
from proceedings.checks.paper import Paper
from proceedings.checks.textcheck import DRAFT_MARK, is_draft_mark


def exempt_ids(paper: Paper, number: int) -> set[int]:
    """Identities of page ``number``'s spans the geometry rules leave to other rules: its line numbers, and the
    pieces of the draft watermark when the page shows it (a footer "Preprint. Not for distribution." is no piece
    of it, nor "Not for distribution." on a page without the watermark)."""
    ids = span_ids(paper, number)
    page = paper.page(number)
    if page is not None and DRAFT_MARK in paper.folded.get(number, ""):
        ids |= {id(s) for s in page.spans if is_draft_mark(s.text)}
    return ids

"""Spans that rules of their own report, which the geometry rules (``margins``, ``bottom-margin``, ``overprint``)
leave alone: line numbers (``line-numbers``), acmart's draft footer and a draft watermark (``draft-footer``)."""

from __future__ import annotations

from proceedings.checks.line_numbers import span_ids
from proceedings.checks.paper import Paper
from proceedings.checks.textcheck import DRAFT_MARK, is_draft_mark, is_watermark


def exempt_ids(paper: Paper, number: int) -> set[int]:
    """Identities of page ``number``'s spans the geometry rules leave to other rules: its line numbers, a draft
    watermark ("DRAFT" across the page, level or turned), and the pieces of acmart's draft footer when the page
    shows it (a footer "Preprint. Not for distribution." is no piece of it, nor "Not for distribution." on a page
    without the footer)."""
    ids = span_ids(paper, number)
    page = paper.page(number)
    if page is None:
        return ids
    body = page.body_size()
    ids |= {id(s) for s in page.spans if is_watermark(s.text, s.size, body)}
    if DRAFT_MARK in paper.folded.get(number, ""):
        ids |= {id(s) for s in page.spans if is_draft_mark(s.text)}
    return ids

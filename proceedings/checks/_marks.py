"""Shared by the checks that look for a phrase on the pages: where it is, as pages and a box."""

from __future__ import annotations

import re

from proceedings.checks.paper import Paper
from proceedings.checks.pdfcheck import on_pages
from proceedings.checks.textcheck import fold, required_text
from proceedings.findings import Finding
from proceedings.pdf.geometry import Rect


def find_lines(paper: Paper, pattern: re.Pattern[str], pages: list[int] | None = None) -> dict[int, Rect]:
    """Page -> box of the first line whose folded text matches, for every page (or those given)."""
    out: dict[int, Rect] = {}
    needle = required_text(pattern)
    for page in paper.pages:
        if pages is not None and page.number not in pages:
            continue
        text = paper.folded.get(page.number, "")
        if needle not in text or not pattern.search(text):
            continue
        for line in page.lines:
            if pattern.search(fold(line.text)):
                out[page.number] = line.box
                break
        else:
            out[page.number] = page.content_box() or (0.0, 0.0, page.width, page.height)
    return out


def running_marks(paper: Paper, pattern: re.Pattern[str], title_page: bool = False) -> dict[int, Rect]:
    """Like :func:`find_lines`, for marks a class prints on every page (a draft footer, a review header):
    only spans or lines that begin with the mark count, and only when they are on at least half of the pages,
    so that a sentence quoting the mark in the text is no finding. ``title_page``: a mark at the start of a
    line in the top half of page 1 (the title block) counts too."""
    anchored = re.compile(r"^\W{0,3}(?:" + pattern.pattern + ")")
    out: dict[int, Rect] = {}
    needle = required_text(pattern)
    for page in paper.pages:
        text = paper.folded.get(page.number, "")
        if needle not in text or not pattern.search(text):
            continue
        for item in [*page.spans, *page.lines]:  # a watermark is a span of its own; a header may be cut in spans
            if anchored.search(fold(item.text)):
                out[page.number] = item.box
                break
    return on_enough_pages(paper, out, title_page)


def on_enough_pages(paper: Paper, hits: dict[int, Rect], title_page: bool = False) -> dict[int, Rect]:
    """``hits`` (page -> box of a mark) when they are on at least half of the pages, else none (``title_page``:
    a mark in the top half of page 1 alone counts too)."""
    if len(hits) * 2 >= max(paper.count, 1):
        return hits
    first = paper.page(1)
    if title_page and 1 in hits and first is not None and hits[1][1] > first.height / 2:
        return {1: hits[1]}
    return {}


def mark_finding(rule: str, hits: dict[int, Rect], what: str, fix: str) -> list[Finding]:
    """One error for a mark printed where ``hits`` say (none when they are empty)."""
    if not hits:
        return []
    first = min(hits)
    return [Finding(rule, "error", first, f"The paper still shows {what} on {on_pages(list(hits))}.", fix,
                    box=hits[first])]


def mark_findings(paper: Paper, rule: str, pattern: re.Pattern[str], what: str, fix: str,
                  title_page: bool = False) -> list[Finding]:
    """One error when the class's running mark ``pattern`` is printed (see :func:`running_marks`)."""
    return mark_finding(rule, running_marks(paper, pattern, title_page), what, fix)

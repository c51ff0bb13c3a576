"""``length``: the body, measured to the References heading (a started page counts), plus every page of
appendix after the references, within the venue's limits (the seed: 4 to 8 pages)."""

from __future__ import annotations

import os
import re
from operator import attrgetter

from proceedings.checks.paper import Paper
from proceedings.checks.pdfcheck import plural
from proceedings.checks.registry import check
from proceedings.findings import Finding
from proceedings.pdf.textlayer import Line


def body_pages(paper: Paper) -> int:
    """Pages of body before the references, a started page counting as a page (one line of body above the
    heading, or in a column before it, starts it); every page without a heading. Found once a paper (the rule
    and the check's result read it)."""
    found = paper.notes.get("body-pages")
    if found is None:
        found = paper.notes["body-pages"] = _body_pages(paper)
    return found


def _body_pages(paper: Paper) -> int:
    refs = paper.references
    if refs is None:
        return paper.count
    page = paper.page(refs.page)
    started = False
    if page is not None:
        top = page.height - 66
        tops: dict[int, Line | None] = {}  # each page's top line, found once for every line compared
        started = any(not _running(paper, page.number, ln, tops) for ln in page.lines  # the first body line will do
                      if 40 < ln.y0 < top and len(ln.text) >= 10 and (ln.y0 > refs.top or ln.x1 <= refs.x0))
    return refs.page - 1 + (1 if started else 0)


def _running(paper: Paper, number: int, line: Line, tops: dict[int, Line | None]) -> bool:
    """Whether ``line`` is a running header or footer: the same words (page numbers aside) at the same height on a
    page near it (two pages away first: left and right pages may differ); or, for the top line of its page, words
    that begin as the top line's there (a header naming the current section: "Workshop 2025 — 3 Method"; a
    figure's caption is no page's top line)."""
    words = _DIGITS.sub("", line.text).strip()
    low, high = line.y0 - 2, line.y0 + 2
    top = line is _top_line(paper, number, tops) and not _CAPTION.match(words)
    for other in (number - 2, number + 2, number - 1, number + 1):
        near = paper.page(other) if 1 <= other <= paper.count else None
        if near is None or not near.lines:
            continue
        their_top = _top_line(paper, other, tops)
        for ln in near.lines:
            if low <= ln.y0 <= high:
                theirs = _DIGITS.sub("", ln.text).strip()
                if theirs == words or top and ln is their_top and _begin_alike(theirs, words):
                    return True
    return False


def _top_line(paper: Paper, number: int, tops: dict[int, Line | None]) -> Line | None:
    """The top line of page ``number`` (None: none), kept in ``tops``."""
    if number not in tops:
        page = paper.page(number)
        tops[number] = max(page.lines, key=_Y1) if page is not None and page.lines else None
    return tops[number]


_CAPTION = re.compile(r"(?:fig(?:ure)?|table|tab|algorithm|listing)\b", re.IGNORECASE)
"""How a caption begins: captions of figures at the top of pages two apart begin alike, and are body."""


def _begin_alike(one: str, two: str) -> bool:
    """Whether two texts share their first :data:`SHARED_START` characters."""
    return len(os.path.commonprefix([one, two])) >= SHARED_START


SHARED_START = 16
"""Characters a running header's fixed part holds at least (body lines at one height rarely begin alike)."""


_DIGITS = re.compile(r"\d+")
_Y1 = attrgetter("y1")


@check("length", "Length", "4")
def run(paper: Paper):
    rules = paper.rules
    refs = paper.references
    body = body_pages(paper)
    appendix = paper.appendix_pages
    extra = [p for p in appendix if p > body]
    total = body + len(extra)
    if refs:
        where = f"{plural(body, 'page')} before the references (heading on page {refs.page})"
        if extra:
            where += (f" and {plural(len(extra), 'page')} of appendix after the references "
                      f"(pages {extra[0]}–{extra[-1]})")
            where = where.replace(f"(pages {extra[0]}–{extra[0]})", f"(page {extra[0]})")
    else:
        where = f"{plural(paper.count, 'page')} and no \"References\" heading found, so every page counts as body"
    limit = (str(rules.max_pages) if rules.min_pages == rules.max_pages else f"{rules.min_pages}–{rules.max_pages}"
             if rules.min_pages else f"at most {rules.max_pages}")
    if total > rules.max_pages:  # the first page over the limit: of the body, or of the appendix after the references
        over = rules.max_pages + 1 if body > rules.max_pages else extra[rules.max_pages - body]
        return [Finding(
            "length", "error", over,
            f"The paper is too long: {where}; the limit is {plural(rules.max_pages, 'page')} of content, "
            "references excluded (appendices count; a started page counts as a page).",
            f"Shorten the body and appendices to {plural(rules.max_pages, 'page')} or fewer; only the references "
            "may follow on extra pages. If the references start earlier, give them a heading line that reads "
            "\"References\".", box=_over_box(paper, over))]
    if total < rules.min_pages:
        return [Finding(
            "length", "error", None,
            f"The paper is too short: {where}; the venue asks for {limit} pages, references excluded.",
            f"Send the full paper: at least {plural(rules.min_pages, 'page')} before the references.")]
    return []


def _over_box(paper: Paper, number: int):
    """The content of the first page over the limit (on the references page, what comes before the heading)."""
    page = paper.page(number)
    if page is None:
        return None
    refs = paper.references
    spans = [s for s in page.spans if any(c.isalnum() for c in s.text) and 40 < s.y0 < page.height - 66
             and not (refs and refs.page == number and s.y1 <= refs.top and s.x0 >= refs.x0 - 6)]
    if not spans:
        return page.content_box()
    return (min(s.x0 for s in spans), min(s.y0 for s in spans), max(s.x1 for s in spans), max(s.y1 for s in spans))

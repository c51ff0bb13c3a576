"""``line-numbers``: review-mode, ``lineno`` or Word line numbers, found by geometry on every page.

A column of small numerals, one above the other, increasing down the page, outside the text columns
(left of the leftmost column, right of the rightmost, or in the gutter between two). Text order is not
used: ``lineno`` numbers share the baseline with their line and come in any order in the stream.
"""

from __future__ import annotations

import itertools
import statistics

from proceedings.checks.paper import Paper
from proceedings.checks.pdfcheck import on_pages
from proceedings.checks.registry import check
from proceedings.findings import Finding
from proceedings.pdf.textlayer import PageText, Span

RUN = 8
"""Numerals in an increasing column that make line numbers."""
EXTENT = 0.3
"""Share of the page height such a run must cover: a numbered code listing of a dozen lines is not it."""


def _columns(page: PageText, exclude: set[int]) -> list[tuple[float, float]]:
    """(left, right) of the text columns: starts and ends shared by many long lines."""
    lines = [ln for ln in page.lines if len(ln.text) >= 25 and not any(id(s) in exclude for s in ln.spans)]
    if len(lines) < 5:
        return []
    lefts = sorted(round(ln.x0) for ln in lines)
    groups: list[list[int]] = []
    for x in lefts:
        if groups and x - groups[-1][-1] <= 4:
            groups[-1].append(x)
        else:
            groups.append([x])
    out = []
    for group in groups:
        if len(group) >= max(3, len(lines) // 10):
            left = statistics.median(group)
            ends = [ln.x1 for ln in lines if abs(ln.x0 - left) <= 6]
            out.append((min(group), statistics.median(ends)))
    return out


def number_column(page: PageText) -> list[Span]:
    """The spans of the page's line-number column(s); [] when it has none."""
    spans, extent = candidates(page)
    return spans if extent >= EXTENT * page.height else []


def candidates(page: PageText) -> tuple[list[Span], float]:
    """Columns of increasing numerals in a margin (runs of at least :data:`RUN`), and the height of the
    tallest run: a listing's dozen numbered lines are candidates, a page of them is line numbering."""
    body = page.body_size() or 10.0
    numerals = [s for s in page.spans if s.text.strip().isdigit() and len(s.text.strip()) <= 5
                and s.size <= 1.15 * body and s.x1 - s.x0 < 6 * max(s.size, 1)]
    if len(numerals) < RUN:
        return [], 0.0
    found: list[Span] = []
    found_ids: set[int] = set()  # by identity: a span's fields compared for every pair was quadratic
    tallest = 0.0
    columns = None
    for key in ("x1", "x0"):
        numerals.sort(key=lambda s: getattr(s, key))
        groups: list[list[Span]] = [[numerals[0]]]
        for span in numerals[1:]:
            if getattr(span, key) - getattr(groups[-1][-1], key) <= 2.5:
                groups[-1].append(span)
            else:
                groups.append([span])
        for group in groups:
            if len(group) < RUN or all(id(s) in found_ids for s in group):
                continue
            if columns is None:
                columns = _columns(page, {id(s) for s in numerals})
            if not _outside(group, columns, page.width):
                continue
            group.sort(key=lambda s: -s.y0)
            values = [int(s.text) for s in group]
            start, best = 0, -1.0
            for i in range(1, len(values) + 1):  # every line numbered, or every fifth
                a = values[i - 1]
                if i < len(values) and (values[i] - a == 1 or (values[i] - a == 5 and a % 5 == 0)):
                    continue
                if i - start >= RUN:
                    best = max(best, group[start].y1 - group[i - 1].y0)
                start = i
            if best >= 0:
                found.extend(s for s in group if id(s) not in found_ids)
                found_ids.update(map(id, group))
                tallest = max(tallest, best)
    return found, tallest


def _outside(group: list[Span], columns: list[tuple[float, float]], width: float) -> bool:
    """Whether the numerals sit in a margin: left of the first column, right of the last, or in a gutter."""
    if not columns:
        return False
    x0 = statistics.median(s.x0 for s in group)
    x1 = statistics.median(s.x1 for s in group)
    lefts = sorted(columns)
    if x1 <= lefts[0][0] + 1 and x1 < 0.25 * width:
        return True
    if x0 >= max(c[1] for c in lefts) - 1 and x0 > 0.75 * width:
        return True
    return len(lefts) > 1 and any(a[1] - 1 <= x0 and x1 <= b[0] + 1 for a, b in itertools.pairwise(lefts))


def columns_by_page(paper: Paper) -> dict[int, list[Span]]:
    """Page -> its line-number spans, for pages that have them (computed once per paper)."""
    if "line_numbers" not in paper.notes:
        hits: dict[int, list[Span]] = {}
        numbered = False
        for page in paper.pages:
            spans, extent = candidates(page)
            if spans:
                hits[page.number] = spans
                numbered = numbered or extent >= EXTENT * page.height
        paper.notes["line_numbers"] = hits if numbered else {}
    return paper.notes["line_numbers"]


def span_ids(paper: Paper, number: int) -> set[int]:
    """Identities of the line-number spans of page ``number`` (other rules leave them alone)."""
    return {id(s) for s in columns_by_page(paper).get(number, [])}


@check("line-numbers", "Line numbers", "2")
def run(paper: Paper):
    hits = columns_by_page(paper)
    if not hits:
        return []
    first = min(hits)
    left = min(hits[first], key=lambda s: s.x0)
    mid = (left.x0 + left.x1) / 2
    spans = [s for s in hits[first] if abs((s.x0 + s.x1) / 2 - mid) <= 8]  # the leftmost column of them
    box = (min(s.x0 for s in spans), min(s.y0 for s in spans), max(s.x1 for s in spans), max(s.y1 for s in spans))
    return [Finding(
        "line-numbers", "error", first,
        f"Line numbers in the margins (review mode, lineno or Word line numbering) on {on_pages(list(hits))}.",
        paper.venue.fix("line-numbers", "Remove the line numbering (LaTeX: the 'review' option or \\linenumbers; "
                        "Word: Layout › Line Numbers › None) and export the camera-ready version again."),
        box=box)]

"""``overprint``: text printed over other text, on any page: a table or an equation wider than its column (LaTeX's
"Overfull \\hbox") runs on into the next column, and both are unreadable there.

Two spans collide when they share at least :data:`MIN_OVERLAP` points of width, over more than half the height of the
smaller: an accent, a ``\\not`` or a letter set twice to look bold share far less, or the same text. Rotated text
is left alone (its box is upright, and slanted column heads share theirs). The draft watermark and line numbers
have rules of their own.
"""

from __future__ import annotations

from operator import attrgetter

from proceedings.checks.exempt import exempt_ids
from proceedings.checks.paper import Paper
from proceedings.checks.pdfcheck import on_pages
from proceedings.checks.registry import check
from proceedings.findings import Finding
from proceedings.pdf.textlayer import PageText, Span

MIN_OVERLAP = 12.0
"""Points of width two spans must share to collide (about three letters of body text)."""


def _text(span: Span) -> bool:
    """Whether the span is text (a letter or digit)."""
    return any(c.isalnum() for c in span.text)


def collisions(page: PageText, skip: set[int] = frozenset()) -> list[tuple[Span, Span]]:  # type: ignore[assignment]
    """Pairs of the page's spans printed over each other, none of them in ``skip`` (spans sorted by their bottom:
    each is compared with those that start below its top only).

    Two spans collide when they share :data:`MIN_OVERLAP` points of width over more than half the height of the
    smaller. Only spans set on the level count: a rotated one (a table's slanted column heads) has an upright box
    far taller than its type, which neighbours share without any letter touching. (The tests are written out
    here, as ``min`` and ``max`` would be: this loop meets every pair of neighbouring spans of every page.)"""
    spans = [s for s in page.spans if s.x1 - s.x0 >= MIN_OVERLAP and s.y1 - s.y0 <= 2 * max(s.size, 1.0)]
    spans.sort(key=attrgetter("y0"))
    count = len(spans)
    out = []
    for i, s in enumerate(spans):
        x0, y0, x1, top = s.x0, s.y0, s.x1, s.y1
        j = i + 1
        while j < count:
            t = spans[j]
            if not t.y0 < top:
                break
            j += 1
            wide = (t.x1 if t.x1 < x1 else x1) - (t.x0 if t.x0 > x0 else x0)
            if not wide >= MIN_OVERLAP:
                continue
            high = (t.y1 if t.y1 < top else top) - (t.y0 if t.y0 > y0 else y0)
            s_high, t_high = top - y0, t.y1 - t.y0
            if high > 0.5 * (t_high if t_high < s_high else s_high) and s.text.strip() != t.text.strip() \
                    and id(s) not in skip and id(t) not in skip and _text(s) and _text(t):
                out.append((s, t))
    return out


@check("overprint", "Text printed over text", "4")
def run(paper: Paper):
    hits = {}
    for page in paper.pages:
        found = collisions(page, exempt_ids(paper, page.number))
        if found:
            hits[page.number] = found
    if not hits:
        return []
    first = min(hits)
    s, t = hits[first][0]
    box = (min(s.x0, t.x0), min(s.y0, t.y0), max(s.x1, t.x1), max(s.y1, t.y1))
    sample = " / ".join(" ".join(x.text.split())[:30].rstrip() for x in (s, t))
    return [Finding(
        "overprint", "error", first,
        f"Text is printed over other text on {on_pages(list(hits))} (\"{sample}\"): a table, equation or URL "
        "wider than its column runs into the next one, and neither can be read there.",
        "Make the table or equation fit its column (\\resizebox, smaller columns, a line break, or the full "
        "width with table* / figure*); LaTeX's log names it as an 'Overfull \\hbox'.", box=box)]

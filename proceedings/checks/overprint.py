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

def _collide(s: Span, t: Span) -> bool:
    wide = min(s.x1, t.x1) - max(s.x0, t.x0)
    high = min(s.y1, t.y1) - max(s.y0, t.y0)
    return wide >= MIN_OVERLAP and high > 0.5 * min(s.y1 - s.y0, t.y1 - t.y0)


def _level(span: Span) -> bool:
    """Whether the span is set on the level: a rotated one (a table's slanted column heads) has an upright box
    far taller than its type, which neighbours share without any letter touching."""
    return span.y1 - span.y0 <= 2 * max(span.size, 1.0)


def _text(span: Span) -> bool:
    """Whether the span is text (a letter or digit)."""
    return any(c.isalnum() for c in span.text)


def collisions(page: PageText, skip: set[int] = frozenset()) -> list[tuple[Span, Span]]:  # type: ignore[assignment]
    """Pairs of the page's spans printed over each other, none of them in ``skip`` (spans sorted by their bottom:
    each is compared with those that start below its top only)."""
    spans = sorted((s for s in page.spans if s.x1 - s.x0 >= MIN_OVERLAP and _level(s)), key=attrgetter("y0"))
    out = []
    for i, s in enumerate(spans):
        top, j = s.y1, i + 1
        while j < len(spans) and spans[j].y0 < top:
            t = spans[j]
            j += 1
            if _collide(s, t) and s.text.strip() != t.text.strip() and id(s) not in skip and id(t) not in skip \
                    and _text(s) and _text(t):
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

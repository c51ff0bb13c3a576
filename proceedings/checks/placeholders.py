"""``placeholders``: the template's sample values left in (acmart: Conference'17, 978-x-xxxx-xxxx-x/YY/MM,
10.1145/nnnnnnn.nnnnnnn, Woodstock '18...), and a body of Lorem ipsum."""

from __future__ import annotations

import re

from proceedings.checks._marks import find_lines
from proceedings.checks.paper import Paper
from proceedings.checks.registry import check
from proceedings.findings import Finding

LOREM = re.compile(r"\blorem\s+ipsum\s+dolor\b")


@check("placeholders", "Template placeholders", "2")
def run(paper: Paper):
    found: dict[str, tuple[int, tuple]] = {}
    for label, pattern in paper.venue.placeholder_patterns():
        hits = find_lines(paper, pattern)
        if hits:
            first = min(hits)
            found[label] = (first, hits[first])
    out = []
    if found:
        first = min(page for page, _ in found.values())
        if len({page for page, _ in found.values()}) == 1:
            listed = ", ".join(f"\"{label}\"" for label in found) + f" (page {first})"
        else:
            listed = ", ".join(f"\"{label}\" (page {page})" for label, (page, _) in found.items())
        box = next(b for page, b in found.values() if page == first)
        out.append(Finding(
            "placeholders", "error", first, f"Template placeholders left in: {listed}.",
            paper.venue.fix("placeholders", "Replace the template's sample values with the real ones."), box=box))
    lorem = _lorem_pages(paper)
    if lorem:
        out.append(Finding(
            "placeholders", "error", lorem[0], f"The body is placeholder text (\"Lorem ipsum dolor…\") on "
            f"{len(lorem)} of {paper.count} pages, from page {lorem[0]}.",
            "Send the real paper: replace the Lorem ipsum filler with its text."))
    return out


def _lorem_pages(paper: Paper) -> list[int]:
    """Body pages where Lorem ipsum is much of the text, when they are half the body or more (a quoted phrase,
    or a filler paragraph in an appendix, is not a body of Lorem ipsum)."""
    refs = paper.references
    body = [p for p in paper.pages if refs is None or p.number < refs.page] or paper.pages[:1]
    pages = []
    for page in body:
        text = paper.folded.get(page.number, "")
        if LOREM.search(text):
            words = re.findall(r"[a-z]+", text)
            latin = sum(1 for w in words if w in _LATIN)
            if words and latin >= 0.25 * len(words):
                pages.append(page.number)
    return pages if len(pages) * 2 >= len(body) else []


_LATIN = frozenset({
    "lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "consetetur", "adipiscing", "sadipscing", "elit",
    "elitr", "sed", "do", "eiusmod", "tempor", "incididunt", "ut", "labore", "et", "dolore", "magna", "aliqua",
    "enim", "ad", "minim", "veniam", "quis", "nostrud", "exercitation", "ullamco", "laboris", "nisi", "aliquip",
    "ex", "ea", "commodo", "consequat", "duis", "aute", "irure", "in", "reprehenderit", "voluptate", "velit",
    "esse", "cillum", "eu", "fugiat", "nulla", "pariatur", "excepteur", "sint", "occaecat", "cupidatat", "non",
    "proident", "sunt", "culpa", "qui", "officia", "deserunt", "mollit", "anim", "id", "est", "laborum", "diam",
    "nonumy", "eirmod", "invidunt", "erat", "voluptua", "vero", "eos", "accusam", "justo", "duo", "dolores",
    "rebum", "stet", "clita", "kasd", "gubergren", "sea", "takimata", "sanctus", "vestibulum", "etiam", "aliquam",
    "tortor", "auctor", "nunc", "nec", "mauris", "ac",
})

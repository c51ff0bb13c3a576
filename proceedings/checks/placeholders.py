"""``placeholders``: the template's sample values left in (acmart: Conference'17, 978-x-xxxx-xxxx-x/YY/MM,
10.1145/nnnnnnn.nnnnnnn, Woodstock '18...), a body or a paragraph of Lorem ipsum (errors), and an editing note
such as "TODO: ..." left in (a warning: a paper may quote such notes, say from source code)."""

from __future__ import annotations

import re
import unicodedata

from proceedings.checks._marks import find_lines
from proceedings.checks.paper import Paper
from proceedings.checks.registry import check
from proceedings.checks.textcheck import fold, fold_lines
from proceedings.findings import Finding
from proceedings.pdf.textlayer import Line

LOREM = re.compile(r"\blorem\s+ipsum\s+dolor\b")
FILLER_WORDS = 25
"""Words of a paragraph of filler read after "Lorem ipsum dolor": with no English among them, it is no quotation."""
NOTE = re.compile(r"\[\s*(?:TODO|FIXME)\b|\b(?:TODO|FIXME)\s*:")
"""An editing note to the authors: "TODO: ...", "[TODO ...]" (capitals, as written to stand out)."""


@check("placeholders", "Template placeholders", "3")
def run(paper: Paper):
    found: dict[str, tuple[int, tuple]] = {}
    for label, pattern in paper.venue.placeholder_patterns():
        hits = find_lines(paper, pattern)
        if hits:
            first = min(hits)
            found[label] = (first, hits[first])
    lorem = _lorem_pages(paper)
    filler = None if lorem else _filler_paragraph(paper)
    filler_text = f"a paragraph of Lorem ipsum filler on page {filler[0]}" if filler else ""
    out = []
    if found:
        first = min(page for page, _ in found.values())
        by_page: dict[int, list[str]] = {}
        for label, (page, _) in found.items():
            by_page.setdefault(page, []).append(f"\"{label}\"")
        listed = "; ".join(f"{', '.join(labels)} (page {page})" for page, labels in sorted(by_page.items()))
        box = next(b for page, b in found.values() if page == first)
        out.append(Finding(
            "placeholders", "error", first,
            f"Template placeholders left in: {listed}" + (f"; and {filler_text}." if filler else "."),
            paper.venue.fix("placeholders", "Replace the template's sample values with the real ones."), box=box))
    elif filler:
        out.append(Finding(
            "placeholders", "error", filler[0], f"Placeholder text left in: {filler_text}.",
            "Replace the Lorem ipsum filler with the paper's own text.", box=filler[1]))
    if lorem:
        out.append(Finding(
            "placeholders", "error", lorem[0], f"The body is placeholder text (\"Lorem ipsum dolor…\") on "
            f"{len(lorem)} of {paper.count} pages, from page {lorem[0]}.",
            "Send the real paper: replace the Lorem ipsum filler with its text."))
    note = _editing_note(paper)
    if note is not None:
        page, line = note
        out.append(Finding(
            "placeholders", "warning", page, f"An editing note is left in on page {page}: \"{_clip(line.text)}\".",
            "Remove the note, or the text it stands for, from the camera-ready version (a note the paper quotes, "
            "say from source code, can stay).", box=line.box))
    return out


def _filler_paragraph(paper: Paper) -> tuple[int, tuple] | None:
    """Page and line box where a paragraph of Lorem ipsum filler starts: "Lorem ipsum dolor" and the next
    :data:`FILLER_WORDS` words without an English function word among them (a quoted "Lorem ipsum dolor sit
    amet" runs on in English). The text of an included figure is left out: a mock-up of a user interface shows
    filler as the figure's content."""
    for page in paper.pages:
        if "lorem" not in paper.folded.get(page.number, ""):
            continue
        lines = [ln for ln in page.lines if not any(_inside(ln.box, fig) for fig in page.figures)]
        text = (paper.folded[page.number] if len(lines) == len(page.lines)  # no figure's text: folded already
                else fold_lines("\n".join(ln.text for ln in lines)))
        for match in LOREM.finditer(text):
            words = re.findall(r"[a-z]+", text[match.end():])[:FILLER_WORDS]
            if len(words) == FILLER_WORDS and _ENGLISH.isdisjoint(words):
                box = next((ln.box for ln in lines if LOREM.search(fold(ln.text))), None)
                return page.number, box or page.content_box() or (0.0, 0.0, page.width, page.height)
    return None


def _inside(box: tuple[float, float, float, float], figure: tuple[float, float, float, float]) -> bool:
    """Whether the middle of ``box`` lies in ``figure`` (both displayed coordinates)."""
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return figure[0] <= x <= figure[2] and figure[1] <= y <= figure[3]


def _editing_note(paper: Paper) -> tuple[int, Line] | None:
    """The first line with an editing note (:data:`NOTE`): (page, line), or None."""
    for page in paper.pages:
        folded = paper.folded.get(page.number, "")
        if "todo" not in folded and "fixme" not in folded:  # most pages: their lines are not read one by one
            continue
        for line in page.lines:
            if ("TODO" in line.text or "FIXME" in line.text) and NOTE.search(line.text):
                return page.number, line
    return None


def _clip(text: str, limit: int = 80) -> str:
    """``text`` on one line, without the marks a text layer leaves for a broken word, cut at ``limit``."""
    text = " ".join("".join(c for c in text if not unicodedata.category(c).startswith("C")).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _lorem_pages(paper: Paper) -> list[int]:
    """Body pages where Lorem ipsum is much of the text, when they are half the body or more (a quoted phrase,
    or a filler paragraph in an appendix, is not a body of Lorem ipsum)."""
    refs = paper.references
    body = [p for p in paper.pages if refs is None or p.number < refs.page] or paper.pages[:1]
    pages = []
    for page in body:
        text = paper.folded.get(page.number, "")
        if "lorem" in text and LOREM.search(text):  # a substring is found at memory speed, a pattern is not
            words = re.findall(r"[a-z]+", text)
            latin = sum(1 for w in words if w in _LATIN)
            if words and latin >= 0.25 * len(words):
                pages.append(page.number)
    return pages if len(pages) * 2 >= len(body) else []


_ENGLISH = frozenset("the of and to is that for on with as by we this are be from our it which can or not these "
                     "their was were has have been than also but into more each other when where while".split())
"""English function words that are no words of Lorem ipsum (not "a", "in", "at" or "do", which are)."""

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

"""What a paper's layout looks like: ACM sigconf, an ACM journal format, IEEE conference, LNCS, one column...

Told from geometry (page size, columns, text width), fonts and a few phrases of page 1. Used by the
``template`` check to name what the paper looks like, and by ``margins`` and ``rights-block``, which
only measure a paper in the venue's own template.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from proceedings.checks.paper import Paper


@dataclass(frozen=True)
class Layout:
    id: str
    """``acm-sigconf``, ``acm-journal``, ``ieee-conference``, ``lncs``, ``acm-obsolete``, ``one-column``,
    ``unknown``."""
    name: str
    """How a message names it: "IEEE conference layout"."""


_ROMAN_HEAD = re.compile(r"^(?:I|II|III|IV|V|VI|VII|VIII|IX|X)\.\s+[A-Z][A-Z ]{3,}$")
_JOURNAL = re.compile(r"\b(?:j\.\s*acm|proc\.\s*acm|acm\s+trans\.|acm\s+comput\.\s+surv)")


def _journal(p1: str) -> bool:
    """Whether page 1 (folded) names an ACM journal (each phrase of :data:`_JOURNAL` has "acm": a page without it
    is not searched)."""
    return "acm" in p1 and _JOURNAL.search(p1) is not None


def _fonts(paper: Paper, pages: list) -> dict[str, int]:
    """Characters set in each family of fonts (counted by font name first: a page has a few fonts)."""
    by_name: dict[str, int] = {}
    for page in pages:
        for s in page.spans:
            by_name[s.font] = by_name.get(s.font, 0) + len(s.text)
    weights: dict[str, int] = {}
    for font, count in by_name.items():
        name = font.lower()
        family = ("libertine" if "libertin" in name or "biolinum" in name else
                  "times" if "times" in name or "nimbusrom" in name or "ptm" in name else
                  "cm" if re.match(r"(cm|lm|sfrm|sfbx|sfti|cmu)", name) or "lmroman" in name else "other")
        weights[family] = weights.get(family, 0) + count
    return weights


def _column_width(pages: list) -> float:
    widths = [ln.x1 - ln.x0 for p in pages for ln in p.lines if len(ln.text) >= 40]
    return statistics.median(widths) if len(widths) >= 10 else 0.0


def detect(paper: Paper) -> Layout:
    """The layout of ``paper``; ``unknown`` when the evidence is thin (then no template finding)."""
    pages = [p for p in paper.pages[:6] if p.has_letters(200)]
    if not pages:
        return Layout("unknown", "an unknown layout")
    first = paper.page(1)
    p1 = paper.folded.get(1, "")
    width, height = first.width, first.height
    text_width = _column_width(pages)
    two_columns = 0 < text_width < 0.45 * width
    fonts = _fonts(paper, pages)
    main = max(fonts, key=fonts.get) if fonts else "other"
    acm_ref = "acm reference format" in p1
    permission = "permission to make digital or hard copies" in p1
    if abs(width - 486) <= 3 and abs(height - 720) <= 3:
        return Layout("acm-journal", "ACM journal format acmsmall (one column, 6.75 × 10 in)")
    if not two_columns and text_width:
        if _journal(p1) or (acm_ref and main == "libertine" and text_width > 0.62 * width):
            return Layout("acm-journal", "an ACM journal or manuscript format (one column, acmsmall, acmlarge or "
                                         "manuscript)")
        if text_width < 0.62 * width and ("keywords:" in p1 or main == "cm") and not acm_ref:
            return Layout("lncs", "LNCS (Springer llncs) layout")
        return Layout("one-column", "a one-column layout")
    if two_columns:
        ieee = ("index terms" in p1 or any(_ROMAN_HEAD.match(ln.text.strip()) for p in pages for ln in p.lines))
        if _journal(p1):
            return Layout("acm-journal", "an ACM journal format (acmtog or another two-column journal format)")
        if acm_ref or main == "libertine":
            body = statistics.median(p.body_size() for p in pages)
            if main == "libertine" and body >= 9.7:
                return Layout("acm-sigplan", "ACM sigplan format (10 pt, \\documentclass[sigplan]{acmart})")
            return Layout("acm-sigconf", "ACM sigconf layout")
        if ieee and main != "libertine":
            return Layout("ieee-conference", "IEEE conference layout")
        if permission:
            return Layout("acm-obsolete", "an obsolete ACM template (sig-alternate, sigplanconf or acmconf)")
        return Layout("two-column", f"a two-column layout of another template (its text is set in {_FAMILY[main]})")
    return Layout("unknown", "an unknown layout")


_FAMILY = {"libertine": "Libertine", "times": "Times", "cm": "Computer Modern", "other": "other fonts"}


def in_template(paper: Paper) -> bool:
    """Whether the paper may be measured as the venue's template (its layout is the venue's, or unclear)."""
    return paper.venue.layout is None or layout_of(paper).id in (paper.venue.layout, "unknown")


def layout_of(paper: Paper) -> Layout:
    """:func:`detect`, once per paper."""
    if "layout" not in paper.notes:
        paper.notes["layout"] = detect(paper)
    return paper.notes["layout"]

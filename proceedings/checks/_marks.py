"""Shared by the checks that look for a phrase on the pages: where it is, as pages and a box."""

from __future__ import annotations

import re

from proceedings.checks.paper import Paper
from proceedings.checks.textcheck import fold
from proceedings.pdf.geometry import Rect


def find_lines(paper: Paper, pattern: re.Pattern[str], pages: list[int] | None = None) -> dict[int, Rect]:
    """Page -> box of the first line whose folded text matches, for every page (or those given)."""
    out: dict[int, Rect] = {}
    for page in paper.pages:
        if pages is not None and page.number not in pages:
            continue
        if not pattern.search(paper.folded.get(page.number, "")):
            continue
        for line in page.lines:
            if pattern.search(fold(line.text)):
                out[page.number] = line.box
                break
        else:
            out[page.number] = page.content_box() or (0.0, 0.0, page.width, page.height)
    return out

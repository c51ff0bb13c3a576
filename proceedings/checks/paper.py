"""What every check reads: one camera-ready file, opened once, with its venue, title and authors.

Expensive facts (the text of every page, the fonts, where the references start, what the layout looks
like) are computed on first use and shared by the checks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from pikepdf import Pdf

from proceedings.checks.bookmarks import hint_pages
from proceedings.checks.pdfcheck import FontReport, walk_fonts
from proceedings.checks.textcheck import (
    fold,
    fold_lines,
    is_references_heading,
    raw_heading,
)
from proceedings.pdf.textlayer import Line, PageText, TextLayer
from proceedings.project.model import Rules
from proceedings.venues import PAGE_SIZES, Venue

MIN_LETTERS = 8
"""A page with fewer letters than this has no text."""


@dataclass(frozen=True)
class Heading:
    """Where the references start: the page and the top of the heading line (displayed points)."""

    page: int
    top: float
    x0: float = 0.0
    """The left edge of the heading's column (of the heading itself where nothing is under it): what is left of
    it is an earlier column."""


@dataclass
class Paper:
    """One file under check."""

    path: str
    data: bytes
    pdf: Pdf
    """The file opened with pikepdf (open while the checks run)."""
    count: int
    rules: Rules
    venue: Venue
    layer: TextLayer | None
    title: str = ""
    authors: Sequence[tuple[str, str | None]] = ()
    notes: dict[str, Any] = field(default_factory=dict)
    """Facts checks hand to each other (e.g. the line-number spans the margins check leaves alone)."""

    @cached_property
    def reader(self) -> Any:
        """The file opened with pypdf, for checks written against pypdf's object model (the built-in checks
        read :attr:`pdf`): parsed in Python on first use, so a check that asks for it pays that parse."""
        import io

        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(self.data), strict=False)
        if reader.is_encrypted:
            reader.decrypt("")
        return reader

    # ----------------------------------------------------------------- fonts and pages

    @cached_property
    def fonts(self) -> FontReport | None:
        """Every font of every page (None when the walk failed)."""
        try:
            return walk_fonts(self.pdf, self.count)
        except (MemoryError, RecursionError):
            raise
        except Exception:  # noqa: BLE001 - a hostile file: the fonts check says nothing, text decides
            return None

    @property
    def has_fonts(self) -> bool:
        return self.fonts is None or self.fonts.count > 0

    @cached_property
    def pages(self) -> list[PageText]:
        """Every page's text, read once (empty when PDFium could not open the file)."""
        return list(self.layer) if self.layer is not None else []

    def page(self, number: int) -> PageText | None:
        return self.pages[number - 1] if 1 <= number <= len(self.pages) else None

    @cached_property
    def has_text(self) -> bool:
        return self.has_fonts and any(p.has_letters(MIN_LETTERS) for p in self.pages)

    @cached_property
    def folded(self) -> dict[int, str]:
        """Page number -> its lines, folded (see :func:`~proceedings.checks.textcheck.fold`), one per line."""
        return {p.number: fold_lines(p.text) for p in self.pages}

    def right_size(self, page: PageText) -> bool:
        """Whether the page has the venue's size (±2 pt): geometry rules apply only to such pages."""
        w, h = PAGE_SIZES[self.venue.page_size]
        return abs(page.width - w) <= 2 and abs(page.height - h) <= 2

    # ----------------------------------------------------------------- references

    @cached_property
    def references(self) -> Heading | None:
        """The references heading: the last page whose raw stream or text has it, from the end."""
        for page in reversed(self.pages):
            line = find_heading(page)
            if line is not None:
                return Heading(page.number, line.y1, _column_left(page, line))
        for number in hint_pages(self.pdf, self.count) + list(range(self.count, 0, -1)):
            if raw_heading(self.pdf, number):
                page = self.page(number)
                return Heading(number, page.height - 36 if page else 756.0)
        return None

    @cached_property
    def appendix_pages(self) -> list[int]:
        """Pages after the references that hold an appendix (a heading "Appendix" or "A  Title" after them)."""
        refs = self.references
        if refs is None:
            return []
        start = None
        for page in self.pages:
            if page.number < refs.page:
                continue
            for line in page.lines:
                if page.number == refs.page and (line.y1 >= refs.top - 1 or line.x0 < refs.x0 - 6):
                    continue  # above the heading, or in an earlier column: body
                if _appendix_heading(line, page.body_size()):
                    start = (page.number, line.y1)
                    break
            if start:
                break
        if start is None:
            return []
        return list(range(start[0], self.count + 1))


_APPENDIX = re.compile(r"^(?:appendix(?:es)?\b|supplementary\s+material\b|[a-h](?:\.\d+)?\s+[a-z]|[a-h]\.\s+[a-z])")


def _appendix_heading(line: Line, body: float) -> bool:
    text = line.text.strip()
    capitals = text.isupper() and len(text) <= 40  # IEEEtran's headings: small capitals of the body's size
    if not text or len(text) > 80 or not (line.bold or line.size >= 1.15 * body or capitals):
        return False
    return bool(_APPENDIX.match(fold(text)))


def _column_left(page: PageText, heading: Line) -> float:
    """The left edge of the column ``heading`` heads: the lines just under it that it overlaps (a heading centred
    in its column, as IEEEtran's, starts right of the column's left edge)."""
    under = [ln.x0 for ln in page.lines
             if 0 < heading.y0 - ln.y1 < 60 and ln.x0 < heading.x1 and ln.x1 > heading.x0]
    return min([heading.x0, *under])


def find_heading(page: PageText) -> Line | None:
    """The references heading of a page, if it has one (outside the top and bottom margins)."""
    size = page.body_size()
    for line in page.lines:
        if 40 <= line.y0 <= page.height - 36 and is_references_heading(line, size):
            return line
    return None

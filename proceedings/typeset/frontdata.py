"""What the front matter stage hands on (no ReportLab here: a warm build unpickles it without drawing)."""

from __future__ import annotations

from dataclasses import dataclass, field

# Section keys, in the order they appear; titles as printed and bookmarked.
SECTIONS = {
    "title": "Title Page",
    "copyright": "Copyright",
    "contents": "Table of Contents",
    "preface": "Preface",
    "organizers": "Organizing Committee",
    "committee": "Program Committee",
}


@dataclass(frozen=True)
class TocLink:
    """Where a table-of-contents entry was drawn: front-matter page index and rectangle."""

    page_index: int
    rect: tuple[float, float, float, float]
    paper_id: str


@dataclass
class FrontMatter:
    """The drawn front matter, and where its parts and links landed."""

    pdf: bytes
    sections: dict[str, int] = field(default_factory=dict)
    """Section key → 0-based page index."""
    section_titles: dict[str, str] = field(default_factory=dict)
    toc_links: list[TocLink] = field(default_factory=list)

"""What the front matter stage hands on (no ReportLab here: a warm build unpickles it without drawing)."""

from __future__ import annotations

from dataclasses import dataclass, field

from proceedings.text import join_names

# Section keys, in the order they appear; titles as printed and bookmarked.
SECTIONS = {
    "title": "Title Page",
    "copyright": "Copyright",
    "contents": "Table of Contents",
    "preface": "Preface",
    "organizers": "Organizing Committee",
    "committee": "Program Committee",
    "program": "Program",
    "sponsors": "Sponsors",
}
FRONT_CONTENTS = ("preface", "organizers", "committee", "program")
"""Sections listed in the table of contents (then each talk's page, then the sponsors)."""

MAX_TOC_AUTHORS = 12
"""A longer author list is printed in the contents as its first names and "et al." (the build warns)."""
MAX_TOC_AUTHOR_CHARS = 600
"""Characters of a contents author line, beyond which it is shortened the same way."""
MAX_TOC_TITLE = 1_000
"""Characters of a title printed in the contents (the loader's limit; a safety net against entries taller
than a page)."""


INDEX_TARGET = ""
"""A contents link's ``paper_id`` that leads to the author index's first page (no paper's id is empty)."""


@dataclass(frozen=True)
class TocLink:
    """Where a table-of-contents entry was drawn: front-matter page index and rectangle."""

    page_index: int
    rect: tuple[float, float, float, float]
    paper_id: str | None
    """The paper it links to (its first page in the volume; :data:`INDEX_TARGET`: the author index's), or None
    for a front-matter page."""
    target_page: int | None = None
    """The 0-based front-matter page it links to, when not a paper."""


@dataclass
class FrontMatter:
    """The drawn front matter, and where its parts and links landed."""

    pdf: bytes
    sections: dict[str, int] = field(default_factory=dict)
    """Section key → 0-based page index."""
    section_titles: dict[str, str] = field(default_factory=dict)
    toc_links: list[TocLink] = field(default_factory=list)


def shorten(text: str, limit: int) -> str:
    """``text``, cut to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def toc_authors(names: list[str]) -> str:
    """The author line of a contents entry: every name, or the first ones and "et al." for a long list
    (more than ``MAX_TOC_AUTHORS`` names, or more than ``MAX_TOC_AUTHOR_CHARS`` characters)."""
    line = join_names(names)
    if len(names) <= MAX_TOC_AUTHORS and len(line) <= MAX_TOC_AUTHOR_CHARS:
        return line
    shown: list[str] = []
    for name in names[: MAX_TOC_AUTHORS - 2]:
        if len(", ".join([*shown, name])) > MAX_TOC_AUTHOR_CHARS - 30:
            break
        shown.append(name)
    first = ", ".join(shown) if shown else shorten(names[0], MAX_TOC_AUTHOR_CHARS - 30)
    return f"{first}, et al. ({len(names)} authors)"

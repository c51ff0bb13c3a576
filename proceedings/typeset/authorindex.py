"""Stage 5b, author index: every author, family name first, with the pages of their papers."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from reportlab.platypus import Flowable, FrameBreak, KeepTogether, Paragraph, Spacer

from proceedings.project.model import Person, Project
from proceedings.stages.plan import Plan
from proceedings.text import index_letter, match_fold, person_sort_key
from proceedings.typeset.styles import Styles, build_pdf, esc, page_size

log = logging.getLogger(__name__)

INDEX_TITLE = "Author Index"


@dataclass
class IndexEntry:
    """One person of the index."""

    family: str
    given: str
    pages: list[int] = field(default_factory=list)
    papers: list[str] = field(default_factory=list)
    suffix: str = ""
    """A generational suffix ("Jr.", "III"), printed after the given names as in "King, Martin Luther, Jr."."""

    @property
    def label(self) -> str:
        return ", ".join(part for part in (self.family, self.given, self.suffix) if part)


_SUFFIX_SPELLINGS = {"junior": "jr", "jnr": "jr", "senior": "sr", "snr": "sr", "2nd": "ii", "3rd": "iii",
                     "4th": "iv"}


def _suffix_key(suffix: str) -> str:
    """One spelling of a suffix ("Jr", "Jr.", "Junior" are one): father and son are two people, never one."""
    key = match_fold(suffix).rstrip(".")
    return _SUFFIX_SPELLINGS.get(key, key)


def _identity(person: Person) -> tuple[str, str, str]:
    return match_fold(person.family_name), match_fold(person.given_names), _suffix_key(person.name_suffix)


def author_entries(plan: Plan) -> list[IndexEntry]:
    """The index's entries, sorted by family then given name, accent-insensitive."""
    entries: dict[tuple[str, str], IndexEntry] = {}
    for placed in plan.papers:
        for author in placed.paper.authors:
            entry = entries.setdefault(_identity(author), IndexEntry(author.family_name, author.given_names,
                                                                     suffix=author.name_suffix))
            if placed.paper.id not in entry.papers:
                entry.papers.append(placed.paper.id)
                entry.pages.append(placed.first_page)
    return sorted(entries.values(), key=lambda e: (*person_sort_key(f"{e.given} {e.family}".strip(), e.family),
                                                    _suffix_key(e.suffix), e.suffix))


class IndexLine(Paragraph):
    """An entry of the index: its label, then its page numbers. Run on past the foot of a column, the part in the
    next column (or on the next page) opens with the label again and "(continued)", never with bare numbers."""

    def __init__(self, label: str, pages: list[int], style, *, continued: bool = False) -> None:
        self.label, self.pages, self.continued = label, pages, continued
        head = f"{esc(label)} <i>(continued)</i>" if continued else esc(label)
        super().__init__(f"{head}  {', '.join(str(p) for p in pages)}", style)

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        if self.wrap(avail_width, avail_height)[1] <= avail_height:
            return [self]
        low, high = 0, len(self.pages) - 1  # the most numbers that fit, at least one, never all
        while low < high:
            mid = (low + high + 1) // 2
            part = IndexLine(self.label, self.pages[:mid], self.style, continued=self.continued)
            if part.wrap(avail_width, avail_height)[1] <= avail_height:
                low = mid
            else:
                high = mid - 1
        if low == 0:
            return []  # not even the label and one number: the whole entry goes to the next column
        return [IndexLine(self.label, self.pages[:low], self.style, continued=self.continued),
                IndexLine(self.label, self.pages[low:], self.style, continued=True)]


def draw_author_index(project: Project, plan: Plan) -> bytes:
    """Draw the author index in two columns, grouped by letter; page numbers stamped later."""
    styles = Styles()
    story = [Paragraph(INDEX_TITLE, styles.h1), FrameBreak()]
    letter = None
    for entry in author_entries(plan):
        first = index_letter(entry.family, entry.family)
        para = IndexLine(entry.label, entry.pages, styles.index_entry)
        if first != letter:
            letter = first
            story.append(KeepTogether([Paragraph(esc(letter), styles.index_letter), para]))
        else:
            story.append(para)
    story.append(Spacer(1, 1))
    w = project.workshop
    pdf = build_pdf(story, page_size(w.rules.page_size), title=f"{w.acronym}: {INDEX_TITLE}",
                    author=", ".join(e.name for e in w.editors), columns=2, first_page_header=52)
    log.info("author index drawn")
    return pdf

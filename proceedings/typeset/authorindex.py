"""Stage 5b, author index: every author, family name first, with the pages of their papers.

Who is one person (one entry):

- Authors are one person by name: family name, given names and generational suffix, compared accent- and
  case-insensitively ("Ángel" is "Angel"; "King, Jr." is not "King, Sr."). Affiliations never part them: one
  person who moved, or whose institution is spelled two ways, stays one entry.
- Of one name, a valid ORCID iD tells people apart: when the volume's authors of that name carry two or more
  different iDs, each iD is an entry of its own (Wei Zhang with iD A, Wei Zhang with iD B: two entries, even
  as co-authors of one paper). An iD that is no ORCID iD (its form or check character: warned at load) counts
  as none, so a mistyped digit does not split one person.
- An author of that name without an iD joins the one person only when that is unambiguous: when at most one
  iD is given for the name. With two or more, the authors without one (whom nothing assigns to either) are one
  entry of their own; their affiliation is not taken to decide, as two people of one name may share one.

Entries that share a name are told apart for the reader by their affiliations as papers.yaml gives them
("Zhang, Wei (Tsinghua University)" / "Zhang, Wei (MIT)"; a person of several: all of them, "; " between, in
volume order). Where an entry's affiliations are not its own (absent, or the same as another's), its ORCID iD is
added ("Zhang, Wei (MIT; ORCID 0000-0002-1825-0097)"); the entry without an iD keeps its affiliations alone
(or the bare name when it has none). Such entries sort by that qualifier.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

from reportlab.platypus import Flowable, FrameBreak, KeepTogether, Paragraph, Spacer

from proceedings.project.model import Person, Project
from proceedings.stages.plan import Plan
from proceedings.text import index_letter, match_fold, person_sort_key, valid_orcid
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
    orcid: str = ""
    """The ORCID iD that sets this entry apart from others of its name ("" when it needs none, or has none)."""
    affiliations: list[str] = field(default_factory=list)
    """Its authors' affiliations, each once, in volume order."""
    qualifier: str = ""
    """What tells it apart from other entries of its name, printed in parentheses ("" when none shares it)."""

    @property
    def label(self) -> str:
        name = ", ".join(part for part in (self.family, self.given, self.suffix) if part)
        return f"{name} ({self.qualifier})" if self.qualifier else name


_SUFFIX_SPELLINGS = {"junior": "jr", "jnr": "jr", "senior": "sr", "snr": "sr", "2nd": "ii", "3rd": "iii",
                     "4th": "iv"}


def _suffix_key(suffix: str) -> str:
    """One spelling of a suffix ("Jr", "Jr.", "Junior" are one): father and son are two people, never one."""
    key = match_fold(suffix).rstrip(".")
    return _SUFFIX_SPELLINGS.get(key, key)


def _identity(person: Person) -> tuple[str, str, str]:
    return match_fold(person.family_name), match_fold(person.given_names), _suffix_key(person.name_suffix)


def _tell_apart(entries: list[IndexEntry]) -> None:
    """Qualify entries of one name: by their affiliations where those are theirs alone, else with the iD added."""
    texts = ["; ".join(e.affiliations) for e in entries]
    held = Counter(match_fold(text) for text in texts)
    for entry, text in zip(entries, texts):
        if text and held[match_fold(text)] == 1:
            entry.qualifier = text
        elif entry.orcid:
            entry.qualifier = f"{text}; ORCID {entry.orcid}" if text else f"ORCID {entry.orcid}"
        else:  # the one entry of the name without an iD
            entry.qualifier = text


def author_entries(plan: Plan) -> list[IndexEntry]:
    """The index's entries (one per person, as the module says), sorted by family then given name,
    accent-insensitive."""
    by_name: dict[tuple[str, str, str], list[tuple[Person, str, str]]] = {}
    for placed in plan.papers:
        for author in placed.paper.authors:
            by_name.setdefault(_identity(author), []).append(
                (author, placed.paper.id, valid_orcid(author.orcid) or ""))
    first_page = {placed.paper.id: placed.first_page for placed in plan.papers}
    entries: list[IndexEntry] = []
    for occurrences in by_name.values():
        orcids = {orcid for _, _, orcid in occurrences} - {""}
        people: dict[str, IndexEntry] = {}
        for author, paper_id, orcid in occurrences:
            who = orcid if len(orcids) > 1 else ""
            entry = people.setdefault(who, IndexEntry(author.family_name, author.given_names,
                                                      suffix=author.name_suffix, orcid=who))
            if paper_id not in entry.papers:
                entry.papers.append(paper_id)
                entry.pages.append(first_page[paper_id])
            affiliation = " ".join((author.affiliation or "").split())
            if affiliation and match_fold(affiliation) not in {match_fold(a) for a in entry.affiliations}:
                entry.affiliations.append(affiliation)
        if len(people) > 1:
            _tell_apart(list(people.values()))
        entries.extend(people.values())
    return sorted(entries, key=lambda e: (*person_sort_key(f"{e.given} {e.family}".strip(), e.family),
                                          _suffix_key(e.suffix), e.suffix, match_fold(e.qualifier), e.qualifier,
                                          e.pages[0]))


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

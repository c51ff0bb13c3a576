"""The author index as a reader of a large volume sees it: one entry per person, and an entry that runs on to the
next column or page names whose page numbers follow."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pypdfium2 as pdfium

from proceedings.project.loading import load_project
from proceedings.project.model import Paper, Person
from proceedings.stages.gather import Source
from proceedings.stages.plan import Placed, Plan
from proceedings.typeset.authorindex import author_entries, draw_author_index

REPO = Path(__file__).resolve().parents[1]


def _plan(authors_of: list[list[Person]], pages: int = 6) -> Plan:
    placed = []
    for i, authors in enumerate(authors_of):
        paper = Paper(id=str(i + 1), title=f"Paper {i + 1}", authors=authors, file=f"p{i + 1}.pdf")
        placed.append(Placed(Source(paper, Path(paper.file), "0" * 64, 1), pages, 1 + i * pages))
    return Plan(placed)


def _columns(pdf: bytes) -> list[list[str]]:
    """The lines of each column of each page, in reading order (the first page's title with its left column)."""
    out = []
    document = pdfium.PdfDocument(pdf)
    for page in document:
        width, height = page.get_size()
        text = page.get_textpage()
        for left, right in ((0, width / 2), (width / 2, width)):
            lines = [unicodedata.normalize("NFC", line.strip())
                     for line in text.get_text_bounded(left, 0, right, height).splitlines() if line.strip()]
            if lines:
                out.append(lines)
    return out


def test_a_generational_suffix_is_printed_and_keeps_father_and_son_apart():
    father = Person(name="Martin Luther King, Sr.")
    son = Person(name="Martin Luther King Jr.")
    son_again = Person(name="Martin Luther King, Jr.")
    entries = author_entries(_plan([[father], [son], [son_again]]))
    assert [(e.label, e.pages) for e in entries] == [("King, Martin Luther, Jr.", [7, 13]),
                                                     ("King, Martin Luther, Sr.", [1])]


def test_an_entry_carried_over_to_the_next_column_names_its_author_again():
    """A prolific author's page numbers run on past the foot of a column: the column that goes on with them
    starts with the author's name (continued), never with bare page numbers."""
    project = load_project(REPO)
    people = [Person(name=f"Given{k} Family{chr(65 + k // 26)}{chr(65 + k % 26)}") for k in range(70)]
    prolific = Person(name="Ada Zwicky")
    papers = [[people[k % 70], prolific] for k in range(700)]
    pdf = draw_author_index(project, _plan(papers, pages=9))
    columns = _columns(pdf)
    assert len(columns) >= 3
    for col in columns:
        assert not re.match(r"^\d", col[0]), f"a column starts with bare page numbers: {col[:2]}"
    carried = [col[0] for col in columns if col[0].startswith("Zwicky, Ada (continued)")]
    assert carried, [col[0] for col in columns]
    text = " ".join(" ".join(col) for col in columns)
    pages = [int(n) for n in re.findall(r"\d+", text[text.index("Zwicky, Ada"):])]
    assert pages == [1 + k * 9 for k in range(700)]  # every page once, in order, none lost at a break

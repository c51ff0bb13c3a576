"""The author index as a reader of a large volume sees it: one entry per person."""

from __future__ import annotations

from pathlib import Path

from proceedings.project.model import Paper, Person
from proceedings.stages.gather import Source
from proceedings.stages.plan import Placed, Plan
from proceedings.typeset.authorindex import author_entries


def _plan(authors_of: list[list[Person]], pages: int = 6) -> Plan:
    placed = []
    for i, authors in enumerate(authors_of):
        paper = Paper(id=str(i + 1), title=f"Paper {i + 1}", authors=authors, file=f"p{i + 1}.pdf")
        placed.append(Placed(Source(paper, Path(paper.file), "0" * 64, 1), pages, 1 + i * pages))
    return Plan(placed)


def test_a_generational_suffix_is_printed_and_keeps_father_and_son_apart():
    father = Person(name="Martin Luther King, Sr.")
    son = Person(name="Martin Luther King Jr.")
    son_again = Person(name="Martin Luther King, Jr.")
    entries = author_entries(_plan([[father], [son], [son_again]]))
    assert [(e.label, e.pages) for e in entries] == [("King, Martin Luther, Jr.", [7, 13]),
                                                     ("King, Martin Luther, Sr.", [1])]

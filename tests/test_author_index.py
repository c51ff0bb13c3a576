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


ORCID_A, ORCID_B, ORCID_C, ORCID_D = ("0000-0002-1825-0097", "0000-0001-5109-3700", "0000-0002-1694-233X",
                                      "0000-0003-1415-9269")


def _index_lines(volume: Path) -> list[str]:
    """The lines of the volume's author index (its last pages), as a reader sees them: an entry that wraps is
    joined to one line."""
    document = pdfium.PdfDocument(volume)
    labels = [document.get_page_label(i) for i in range(len(document))]
    first = labels.index(next(label for label in labels if label.isdigit()))
    pages = [i for i in range(first, len(document)) if "Author Index" in document[i].get_textpage().get_text_range()]
    lines: list[str] = []
    for i in pages:
        for col in _columns(pdfium_page_pdf(document, i)):
            for line in col:
                if lines and (re.match(r"^[\d,\s]+$", line) or not re.search(r"\d$", lines[-1]) and
                              not re.fullmatch(r"\w", lines[-1]) and lines[-1] != "Author Index"):
                    lines[-1] = f"{lines[-1]} {line}"
                else:
                    lines.append(line)
    return lines


def pdfium_page_pdf(document, index: int) -> bytes:
    """One page of ``document`` as a PDF of its own."""
    import io

    single = pdfium.PdfDocument.new()
    single.import_pages(document, [index])
    out = io.BytesIO()
    single.save(out)
    return out.getvalue()


def test_namesakes_with_different_orcids_are_two_entries_told_apart_in_the_volume(repo_build, tmp_path: Path):
    """Two people of one name (different ORCID iDs) are two entries, each with its own pages and its affiliation;
    one person who moved institution (one iD, or one iD and none) stays one entry; an author without an iD is
    not given to either of two namesakes."""
    import yaml

    from tests.conftest import build_project, copy_repo_build

    project, _ = copy_repo_build(repo_build, tmp_path / "p")
    papers_yaml = project / "camera_ready" / "papers.yaml"
    papers = yaml.safe_load(papers_yaml.read_text(encoding="utf-8"))
    added = {
        0: {"name": "Wei Zhang", "affiliation": "Tsinghua University", "orcid": ORCID_A},
        3: {"name": "Wei Zhang", "affiliation": "MIT", "orcid": f"https://orcid.org/{ORCID_B}"},
        5: {"name": "Wei Zhang", "affiliation": "Peking University"},  # no iD, two namesakes: neither's
        1: {"name": "Ana Ángel", "affiliation": "Universidad de Chile", "orcid": ORCID_C},
        6: {"name": "Ana Angel", "affiliation": "University of Oslo", "orcid": ORCID_C},  # moved: one person
        2: {"name": "Li Na", "affiliation": "Fudan University", "orcid": ORCID_D},
        7: {"name": "Li Na", "affiliation": "Zhejiang University"},  # no iD, one namesake with one: hers
        4: {"name": "Jan Novak", "affiliation": "Charles University", "orcid": ORCID_A.replace("97", "98")},
        8: {"name": "Jan Novak", "affiliation": "Charles University", "orcid": ORCID_D},  # a mistyped iD is none
    }
    for index, author in added.items():
        papers[index]["authors"].append(author)
    papers_yaml.write_text(yaml.safe_dump(papers, allow_unicode=True, sort_keys=False), encoding="utf-8")
    result = build_project(project)
    first = {str(p["id"]): p["first_page"]
             for p in __import__("json").loads(result.outputs["metadata"].read_text())["papers"]}
    page = [first[str(papers[i]["id"])] for i in range(len(papers))]
    lines = _index_lines(result.outputs["volume"])
    zhang = [line for line in lines if line.startswith("Zhang, Wei")]
    assert zhang == [f"Zhang, Wei (MIT) {page[3]}", f"Zhang, Wei (Peking University) {page[5]}",
                     f"Zhang, Wei (Tsinghua University) {page[0]}"], lines
    assert [line for line in lines if line.startswith(("Ángel", "Angel"))] == [f"Ángel, Ana {page[1]}, {page[6]}"]
    assert [line for line in lines if line.startswith("Na, Li")] == [f"Na, Li {page[2]}, {page[7]}"]
    assert [line for line in lines if line.startswith("Novak")] == [f"Novak, Jan {page[4]}, {page[8]}"]


def test_namesakes_of_one_affiliation_are_told_apart_by_their_orcid():
    same = [Person(name="Wei Zhang", affiliation="MIT", orcid=ORCID_A),
            Person(name="Wei Zhang", affiliation="MIT", orcid=ORCID_B),
            Person(name="Wei Zhang", affiliation="MIT"), Person(name="Wei Zhang", orcid=ORCID_C)]
    entries = author_entries(_plan([[same[0], same[1]], [same[2]], [same[3]]]))
    assert [(e.label, e.pages) for e in entries] == [
        ("Zhang, Wei (MIT)", [7]), (f"Zhang, Wei (MIT; ORCID {ORCID_B})", [1]),
        (f"Zhang, Wei (MIT; ORCID {ORCID_A})", [1]),
        (f"Zhang, Wei (ORCID {ORCID_C})", [13])]

"""Bookmarks and bibliography anchors (checks/bookmarks.py), read with pikepdf by the rules validation read them
by with pypdf: every file here gives the same hints as pypdf's outline and named destinations gave."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String
from pypdf import PdfReader

from proceedings.checks.bookmarks import hint_pages
from proceedings.checks.textcheck import HEADING_WORDS, fold
from proceedings.util.tolerant import tolerant
from tests.conftest import ACMART, AWKWARD, need


def pypdf_hints(data: bytes) -> list[int]:
    """The hints as validation computed them with pypdf (its outline and named destinations), for comparison."""
    reader = PdfReader(io.BytesIO(data), strict=False)
    count = len(reader.pages)
    hints: list[int] = []
    stack = [tolerant(lambda: list(reader.outline)[:500], [])]
    seen = 0
    while stack and seen < 1000:
        for item in stack.pop():
            seen += 1
            if isinstance(item, list):
                stack.append(item[:500])
                continue
            title = re.sub(r"[\W\d_]+", "", fold(str(item.title)))
            number = tolerant(lambda i=item: reader.get_destination_page_number(i), None)
            if title in HEADING_WORDS and number is not None and 0 <= number < count:
                hints.append(number + 1)
    first = None
    for name, dest in list(tolerant(lambda: reader.named_destinations, {}).items())[:20000]:
        number = tolerant(lambda d=dest: reader.get_destination_page_number(d), None)
        if str(name).startswith(("cite.", "bib.", "bib")) and number is not None and 0 <= number < count and (
                first is None or number < first):
            first = number
    if first is not None:
        hints.extend([first + 1, first])
    return [h for h in dict.fromkeys(hints) if 1 <= h <= count]


def pikepdf_hints(data: bytes) -> list[int]:
    with pikepdf.Pdf.open(io.BytesIO(data), inherit_page_attributes=False) as pdf:
        return hint_pages(pdf, len(pdf.pages))


def _document(pages: int = 6) -> tuple[pikepdf.Pdf, list[Dictionary]]:
    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page(page_size=(612, 792))
    return pdf, [page.obj for page in pdf.pages]


def _item(pdf: pikepdf.Pdf, title: str, **entries) -> Dictionary:
    return pdf.make_indirect(Dictionary(Title=String(title), **entries))


def _outline(pdf: pikepdf.Pdf, items: list[Dictionary]) -> None:
    for prev, nxt in zip(items, items[1:]):
        prev.Next = nxt
    pdf.Root.Outlines = pdf.make_indirect(Dictionary(Type=Name.Outlines, First=items[0], Last=items[-1]))


def _names(pdf: pikepdf.Pdf, pairs: list, kids: bool = False) -> None:
    flat = Array([v for pair in pairs for v in pair])
    tree = Dictionary(Kids=Array([pdf.make_indirect(Dictionary(Names=flat))])) if kids else Dictionary(Names=flat)
    pdf.Root.Names = Dictionary(Dests=pdf.make_indirect(tree))


def _saved(pdf: pikepdf.Pdf) -> bytes:
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def _made(case: str) -> bytes:
    pdf, pages = _document()
    fit = Name.Fit
    if case == "nested":  # a References bookmark under a section, by /Dest and by a GoTo action
        child = _item(pdf, "7 References", Dest=Array([pages[4], fit]))
        other = _item(pdf, "Bibliography", A=Dictionary(S=Name.GoTo, D=Array([pages[5], Name.XYZ, 0, 700, 0])))
        child.Next = other
        _outline(pdf, [_item(pdf, "Introduction", Dest=Array([pages[0], fit]), First=child, Count=2)])
    elif case == "named":  # bookmarks to named destinations (a name and a string), anchors, a /D dictionary
        _names(pdf, [(String("sec.refs"), Array([pages[3], fit])), (String("cite.smith"), Array([pages[4], fit])),
                     (String("bib.jones"), Dictionary(D=Array([pages[2], fit]))), (5, String("odd")),
                     (String("cite.short"), Array([pages[1]]))], kids=True)
        _outline(pdf, [_item(pdf, "REFERENCES", Dest=String("sec.refs")),
                       _item(pdf, "References", Dest=Name("/sec.refs"))])
    elif case == "odd-destinations":  # an unknown fit type with arguments (page 1), a number for an object number
        _outline(pdf, [_item(pdf, "References", Dest=Array([pages[3], Name("/Zoom"), 1])),
                       _item(pdf, "Literatur", Dest=Array([0, fit]))])
        pdf = pikepdf.Pdf.open(io.BytesIO(_saved(pdf)))  # object numbers as written
        pdf.Root.Outlines.First.Next.Dest[0] = pdf.pages[5].obj.objgen[0]  # page 6's object number, not index 5
        data = _saved(pdf)
        with pikepdf.Pdf.open(io.BytesIO(data)) as saved:
            assert saved.Root.Outlines.First.Next.Dest[0] == saved.pages[5].obj.objgen[0] != 5
        return data
    elif case == "old-dests":  # a PDF 1.1 /Dests dictionary: its names keep their slash, so no anchor matches
        pdf.Root.Dests = Dictionary({"/cite.a": Array([pages[2], fit]), "/sec.r": Dictionary(D=Array([pages[4], fit]))})
        _outline(pdf, [_item(pdf, "References", Dest=Name("/sec.r"))])
    elif case == "cycle":  # /Next leads back: the outline is cut where it closes
        first = _item(pdf, "Intro", Dest=Array([pages[0], fit]))
        second = _item(pdf, "References", Dest=Array([pages[4], fit]))
        _outline(pdf, [first, second])
        second.Next = first
    elif case == "bad-count":  # an item whose /Count is not a number: the outline is not read at all
        _names(pdf, [(String("cite.x"), Array([pages[2], fit]))])
        _outline(pdf, [_item(pdf, "References", Dest=Array([pages[4], fit]), Count=Name("/Open"))])
    elif case == "bad-tree":  # a name tree kid that is not a dictionary: neither names nor outline are read
        pdf.Root.Names = Dictionary(Dests=Dictionary(Kids=Array([7])))
        _outline(pdf, [_item(pdf, "References", Dest=Array([pages[4], fit]))])
    return _saved(pdf)


CASES = ("nested", "named", "odd-destinations", "old-dests", "cycle", "bad-count", "bad-tree")
EXPECTED = {"nested": [5, 6], "named": [4, 3, 2], "odd-destinations": [1, 6], "old-dests": [5], "cycle": [5],
            "bad-count": [3, 2], "bad-tree": []}


@pytest.mark.parametrize("case", CASES)
def test_hand_made_bookmarks_give_the_hints_pypdf_gave(case):
    data = _made(case)
    assert pikepdf_hints(data) == pypdf_hints(data) == EXPECTED[case]


def test_real_papers_give_the_hints_pypdf_gave():
    files = sorted(need(ACMART).glob("*.pdf")) + sorted(need(AWKWARD).glob("*.pdf"))
    compared = 0
    for path in files:
        data = Path(path).read_bytes()
        try:
            expected = pypdf_hints(data)
        except Exception:  # noqa: BLE001 - a file pypdf cannot open or decrypt gives no hints to compare
            continue
        if tolerant(lambda d=data: pikepdf.Pdf.open(io.BytesIO(d)).close() or True, False):
            assert pikepdf_hints(data) == expected, path.name
            compared += 1
    assert compared >= 50
    assert pikepdf_hints((need(ACMART) / "sample-sigconf.pdf").read_bytes()) == [5, 4]  # the first citation


def test_an_outline_is_read_in_one_pass(monkeypatch: pytest.MonkeyPatch):
    """2,000 items, each with a child: every item is looked at once (a copy of what was visited, made for each
    level of children, once made a hostile outline quadratic), and the one named References gives the hint."""
    from proceedings.checks import bookmarks

    pdf = pikepdf.new()
    for _ in range(3):
        pdf.add_blank_page()
    items = []
    for i in range(2000):
        child = pdf.make_indirect(Dictionary(Title=String("child")))
        title = "References" if i == 10 else f"Section {i}"
        items.append(pdf.make_indirect(Dictionary(Title=String(title), First=child, Last=child,
                                                  Dest=Array([pdf.pages[2].obj, Name.Fit]))))
    for item, after in zip(items, items[1:]):
        item.Next = after
    pdf.Root.Outlines = pdf.make_indirect(Dictionary(Type=Name.Outlines, First=items[0], Last=items[-1]))
    buf = io.BytesIO()
    pdf.save(buf)
    seen = []
    real = bookmarks._Reader._first_visit
    monkeypatch.setattr(bookmarks._Reader, "_first_visit",
                        lambda self, node, visited, *rest: (seen.append(len(visited)), real(self, node, visited, *rest))[1])
    with pikepdf.open(io.BytesIO(buf.getvalue())) as doc:
        assert hint_pages(doc, 3)[:1] == [3]
    assert len(seen) == 4000 and max(seen) == 3999  # one set of what was visited, grown to every item once

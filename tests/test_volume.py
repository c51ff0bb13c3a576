"""The volume, opened as a reader would: pages, labels, numbers, contents, bookmarks, index, fonts."""

from __future__ import annotations

import json
import re
import unicodedata

import pytest
from pypdf import PdfReader

from proceedings.text import match_fold, roman
from tests.conftest import bookmark_labels, link_summary

pytestmark = pytest.mark.usefixtures("repo_build")


def bottom_text(page, limit: float = 45.0) -> str:
    """Text drawn in the bottom band of an unrotated page (where page numbers are stamped)."""
    parts: list[str] = []

    def visit(text, cm, tm, font, size):
        y = tm[5] * cm[3] + tm[4] * cm[1] + cm[5]
        if text.strip() and y < limit:
            parts.append(text)

    page.extract_text(visitor_text=visit)
    return " ".join(parts)


def fonts_of(resources, seen=None):
    """Every font dictionary reachable from a resources dictionary (forms and Type 0 descendants)."""
    seen = set() if seen is None else seen
    resources = resources.get_object() if resources is not None else None
    if not resources or id(resources) in seen:
        return
    seen.add(id(resources))
    for font in (resources.get("/Font") or {}).values():
        font = font.get_object()
        yield font
        for desc in font.get("/DescendantFonts") or []:
            yield desc.get_object()
    for xobj in (resources.get("/XObject") or {}).values():
        xobj = xobj.get_object()
        if xobj.get("/Subtype") == "/Form":
            yield from fonts_of(xobj.get("/Resources"), seen)


@pytest.fixture(scope="module")
def volume(repo_build):
    return PdfReader(repo_build.outputs["volume"])


@pytest.fixture(scope="module")
def meta(repo_build):
    return json.loads(repo_build.outputs["metadata"].read_text(encoding="utf-8"))


def test_page_count_is_front_matter_plus_papers_plus_index(repo_build, volume, meta):
    v = repo_build.volume
    paper_pages = sum(p["last_page"] - p["first_page"] + 1 for p in meta["papers"])
    sources = sum(len(PdfReader(repo_build.gathered.project.pdf_path(p.paper)).pages) for p in repo_build.plan.papers)
    assert paper_pages == sources
    assert len(volume.pages) == v.front_pages + paper_pages + v.index_pages
    assert v.front_pages >= 5 and v.index_pages >= 1
    assert meta["volume"]["pages"]["total"] == len(volume.pages)


def test_page_labels_roman_then_arabic(repo_build, volume):
    front = repo_build.volume.front_pages
    labels = volume.page_labels
    assert labels[:front] == [roman(i + 1) for i in range(front)]
    assert labels[front:] == [str(i + 1) for i in range(len(volume.pages) - front)]


def test_number_printed_on_each_paper_page_equals_its_label(repo_build, volume):
    front = repo_build.volume.front_pages
    labels = volume.page_labels
    for index in range(front, len(volume.pages)):
        numbers = re.findall(r"\b\d+\b", bottom_text(volume.pages[index]))
        assert labels[index] in numbers, f"page index {index}: printed {numbers}, label {labels[index]}"


def test_front_matter_pages_carry_roman_numbers_except_title(repo_build, volume):
    for index in range(1, repo_build.volume.front_pages):
        text = bottom_text(volume.pages[index], limit=60)
        assert roman(index + 1) in text.split(), (index, text)
    assert bottom_text(volume.pages[0], limit=60).strip() == ""


def test_running_footer_names_the_workshop(repo_build, volume):
    first = repo_build.volume.papers[0].first_index
    assert "EReL@MIR '25" in bottom_text(volume.pages[first])


def test_metadata_pages_agree_with_contents_links_and_bookmarks(repo_build, volume, meta):
    labels = volume.page_labels
    front = repo_build.volume.front_pages
    # contents entries: links from front-matter pages to the papers' first pages
    links = {}
    for index in range(front):
        for annot in volume.pages[index].get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") == "/Link" and "/Dest" in annot:
                target = volume.get_page_number(annot["/Dest"][0].get_object())
                links.setdefault(labels[target], []).append(annot["/Rect"])
    bookmarks = bookmark_labels(volume)
    contents_text = " ".join(volume.pages[i].extract_text() for i in range(front))
    flat = re.sub(r"\s+", " ", contents_text)
    assert meta["papers"], "no papers in metadata.json"
    for paper in meta["papers"]:
        first = str(paper["first_page"])
        assert first in links, f"paper {paper['id']}: no contents link to page {first}"
        assert bookmarks.get(paper["title"]) == first, f"paper {paper['id']}: bookmark"
        # the printed contents line: title words, dot leaders, then the page number
        tail = re.escape(paper["title"].split()[-1])
        assert re.search(tail + r"[\s.]*\.{3,}\s*" + first + r"\b", flat), f"contents line of paper {paper['id']}"
    for part in ("Table of Contents", "Preface", "Organizing Committee", "Program Committee", "Author Index"):
        assert part in bookmarks, part


def test_every_contents_entry_is_a_link(repo_build, volume, meta):
    front = repo_build.volume.front_pages
    targets = [volume.get_page_number(a.get_object()["/Dest"][0].get_object())
               for i in range(front) for a in volume.pages[i].get("/Annots") or []
               if a.get_object().get("/Subtype") == "/Link" and "/Dest" in a.get_object()]
    labels = volume.page_labels
    index = repo_build.volume.index_first_index
    to_papers = sorted(labels[t] for t in targets if front <= t < index)
    # each paper twice: its contents line and its line in the programme (the repository's has them all)
    assert to_papers == sorted(str(p["first_page"]) for p in meta["papers"] for _ in range(2))
    assert targets.count(index) == 1 and max(targets) == index  # the author index's line, to its first page
    # the rest are the contents lines of front-matter sections (preface, committees, programme, keynote)
    sections = {labels[t] for t in targets if t < front}
    assert len(sections) >= 5 and sections <= set(bookmark_labels(volume).values())


def test_every_front_matter_font_is_embedded(repo_build):
    front = PdfReader(repo_build.outputs["front_matter"])
    checked = 0
    for page in front.pages:
        for font in fonts_of(page.get("/Resources")):
            if font.get("/Subtype") == "/Type0":
                continue
            desc = font.get("/FontDescriptor")
            assert desc is not None, font.get("/BaseFont")
            desc = desc.get_object()
            assert any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")), font.get("/BaseFont")
            checked += 1
    assert checked > 0


def test_paper_text_still_extractable_in_the_volume(repo_build, volume):
    for placed, pages in zip(repo_build.plan.papers, repo_build.volume.papers):
        source = PdfReader(repo_build.gathered.project.pdf_path(placed.paper))
        for k in (0, pages.count - 1):
            original = re.sub(r"\s+", " ", source.pages[k].extract_text()).strip()
            merged = re.sub(r"\s+", " ", volume.pages[pages.first_index + k].extract_text())
            assert original[:200] in merged


def test_author_index_lists_every_author_with_pages(repo_build, volume, meta):
    v = repo_build.volume
    text = " ".join(volume.pages[v.index_first_index + i].extract_text() for i in range(v.index_pages))
    text = unicodedata.normalize("NFC", re.sub(r"\s+", " ", text))
    expected: dict[str, list[int]] = {}
    for paper in meta["papers"]:
        for author in paper["authors_detail"]:
            label = f"{author['family']}, {author['given']}" if author["given"] else author["family"]
            expected.setdefault(label, []).append(paper["first_page"])
    for label, pages in expected.items():
        pattern = re.escape(label) + r"\s+" + r",\s*".join(str(p) for p in sorted(pages)) + r"\b"
        assert re.search(pattern, text), f"{label} {pages} not in the author index"
    # sorted by family name, accent-insensitive
    positions = [text.index(label) for label in sorted(expected, key=match_fold)]
    assert positions == sorted(positions)


def test_pdf_metadata(repo_build, volume):
    info = volume.metadata
    w = repo_build.gathered.project.workshop
    assert info.title.startswith("Proceedings of the 1st Workshop on Efficient") and w.acronym in info.title
    assert all(e.name in info.author for e in w.editors)
    assert info.subject and info.get("/Keywords")


def page_texts(path) -> list[str]:
    """The text of every page as PDFium (Chrome's reader) extracts it."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        return [page.get_textpage().get_text_range() for page in doc]
    finally:
        doc.close()


def test_papers_files_match_volume_pages(repo_build, volume):
    out = repo_build.outputs["volume"].parent
    whole = page_texts(repo_build.outputs["volume"])
    for pages in repo_build.volume.papers:
        one = PdfReader(out / "papers" / f"{pages.paper_id}.pdf")
        assert len(one.pages) == pages.count
        assert one.page_labels[0] == str(pages.first_page)
        texts = page_texts(out / "papers" / f"{pages.paper_id}.pdf")
        assert all(len(t) > 200 for t in texts)
        assert texts == whole[pages.first_index:pages.first_index + pages.count]


def test_front_matter_names_organizers_and_committee(repo_build):
    front = PdfReader(repo_build.outputs["front_matter"])
    text = unicodedata.normalize("NFC", " ".join(p.extract_text() for p in front.pages))
    project = repo_build.gathered.project
    for person in [*project.organizers, *project.committee, *project.workshop.editors]:
        assert person.name in text
    assert "Telefónica" in text


def test_every_link_of_every_paper_survives(repo_build, volume):
    for placed, pages in zip(repo_build.plan.papers, repo_build.volume.papers):
        source = PdfReader(repo_build.gathered.project.pdf_path(placed.paper))
        src_uris, src_internal = link_summary(source, range(len(source.pages)))
        vol_uris, vol_internal = link_summary(volume, range(pages.first_index, pages.first_index + pages.count))
        assert src_uris and src_internal, "the sample papers carry web and internal links"
        assert (vol_uris, vol_internal) == (src_uris, src_internal), placed.paper.id


def test_author_index_letters_head_their_family_names(repo_build, volume):
    from proceedings.text import ascii_fold

    v = repo_build.volume
    lines = []
    for i in range(v.index_pages):
        lines += [ln.strip() for ln in volume.pages[v.index_first_index + i].extract_text().splitlines()]
    heading, checked = None, 0
    for line in lines:
        if len(line) == 1 and line.isalpha():
            heading = line
        elif "," in line and heading and "·" not in line:
            family = unicodedata.normalize("NFC", line.split(",")[0])
            assert ascii_fold(family)[0].upper() == heading, (heading, line)
            checked += 1
    assert checked >= 20


def test_every_cached_part_layout_is_what_reading_the_part_gives(repo_build):
    """Binding takes each stamped paper's layout from the stamp cache instead of reading the part again: it must be
    exactly what reading the part gives (pages, skipped objects, placeholders, highest object number)."""
    from proceedings.stages.bind import Part, read_part

    v = repo_build.volume
    known = [(path, shared, layout) for path, shared, layout in zip(v.parts, v.shared, v.layouts) if layout]
    assert len(known) == len(v.papers) > 0
    for path, shared, layout in known:
        read = read_part(path, shared, keep_offsets=False)
        assert Part.from_layout(path, shared, layout) == read
        assert read.pages and read.last >= max(read.pages)

"""The sample-paper generator: page layout, fonts, links, determinism and every defect."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from tools.samples import DEFECTS, SUBJECT, SampleAuthor, SamplePaper, write_paper

ROOT = Path(__file__).resolve().parent.parent
BASE14 = {
    "Courier", "Courier-Bold", "Courier-Oblique", "Courier-BoldOblique", "Helvetica", "Helvetica-Bold",
    "Helvetica-Oblique", "Helvetica-BoldOblique", "Times-Roman", "Times-Bold", "Times-Italic",
    "Times-BoldItalic", "Symbol", "ZapfDingbats",
}
AUTHORS = (
    SampleAuthor("Łukasz Kowalczyk", "Warsaw University of Technology", "lukasz@pw.edu.pl"),
    SampleAuthor("Nguyễn Thị Minh Khai", "VNU University of Engineering and Technology", "khai@vnu.edu.vn"),
    SampleAuthor("José María Álvarez Pérez", "Telefónica Research", "jm.alvarez@telefonica.com"),
)
TITLE = "Cross-Modal Hashing with Distilled Vision-Language Teachers"


def spec(**kw) -> SamplePaper:
    kw.setdefault("title", TITLE)
    kw.setdefault("authors", AUTHORS)
    kw.setdefault("body_pages", 4)
    kw.setdefault("ref_pages", 1)
    kw.setdefault("seed", 7)
    kw.setdefault("doi", "10.5555/erelmir25.99")
    return SamplePaper(**kw)


def make(tmp_path: Path, name: str = "paper.pdf", **kw) -> tuple[Path, PdfReader]:
    path = tmp_path / name
    write_paper(path, spec(**kw))
    reader = PdfReader(path)
    if reader.is_encrypted:
        reader.decrypt("")
    return path, reader


def fonts(reader: PdfReader) -> list[tuple[str, bool]]:
    """(BaseFont, embedded) of every font on every page, form XObjects included."""
    out: list[tuple[str, bool]] = []
    seen: set[int] = set()

    def descriptor_embedded(font) -> bool:
        if font.get("/Subtype") == "/Type3":
            return True
        if font.get("/Subtype") == "/Type0":
            font = font["/DescendantFonts"][0].get_object()
        fd = font.get("/FontDescriptor")
        return fd is not None and any(k in fd.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))

    def walk(resources) -> None:
        if resources is None:
            return
        resources = resources.get_object()
        for ref in (resources.get("/Font") or {}).values():
            font = ref.get_object()
            if id(font) in seen:
                continue
            seen.add(id(font))
            out.append((str(font.get("/BaseFont", "?")).lstrip("/"), descriptor_embedded(font)))
        for ref in (resources.get("/XObject") or {}).values():
            xobj = ref.get_object()
            if xobj.get("/Subtype") == "/Form":
                walk(xobj.get("/Resources"))

    for page in reader.pages:
        walk(page.get("/Resources"))
    return out


def positions(page) -> list[tuple[float, float, str]]:
    """(x, y, text) of every piece of text shown on ``page``."""
    out: list[tuple[float, float, str]] = []

    def visit(text, cm, tm, font_dict, font_size) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            out.append((x, y, text.strip()))

    page.extract_text(visitor_text=visit)
    return out


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> tuple[Path, PdfReader]:
    return make(tmp_path_factory.mktemp("plain"))


# --------------------------------------------------------------------------- a clean paper


def test_page_count_size_and_metadata(plain) -> None:
    path, reader = plain
    assert len(reader.pages) == 5
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == (612, 792)
    meta = reader.metadata
    assert meta.title == TITLE
    assert meta.author == ", ".join(a.name for a in AUTHORS)
    assert meta.subject == SUBJECT and "SAMPLE" in meta.subject
    assert path.stat().st_size < 150_000


def test_every_font_is_embedded(plain) -> None:
    found = fonts(plain[1])
    assert found, "no fonts at all"
    assert all(embedded for _, embedded in found), found


def test_text_title_authors_and_references_heading(plain) -> None:
    reader = plain[1]
    texts = [page.extract_text() for page in reader.pages]
    first = texts[0]
    assert TITLE in first
    for author in AUTHORS:  # Latin Extended and Vietnamese survive (ToUnicode)
        assert author.name in first
    for marker in ("ABSTRACT", "CCS CONCEPTS", "KEYWORDS", "ACM Reference Format:", "Permission to make digital",
                   "© 2025 Copyright held by the owner/author(s).", "ACM ISBN 979-8-4007-1331-6/25/04",
                   "https://doi.org/10.5555/erelmir25.99", "EReL@MIR '25", "1 INTRODUCTION"):
        assert marker in first, marker
    refs = [i for i, text in enumerate(texts) if "REFERENCES" in text]
    assert refs == [4]
    assert re.search(r"^\s*REFERENCES\s*$", texts[4], re.M)
    assert "[1]" in texts[4]
    body = " ".join(texts[:4])
    assert re.search(r"\bFigure 1:", body) and re.search(r"\bTable 1:", body)
    words = re.findall(r"[a-z]+", body.lower())
    assert words.count("the") > 100 and "lorem" not in words  # English prose


def test_bottom_forty_points_stay_empty(plain) -> None:
    for page in plain[1].pages:
        assert all(y >= 40 for _, y, _ in positions(page))


def test_links_named_destinations_and_url(plain) -> None:
    reader = plain[1]
    dests = reader.named_destinations
    assert {"section.2", "cite.1"} <= set(dests)
    assert reader.get_destination_page_number(dests["cite.1"]) == 4
    kinds = set()
    for page in reader.pages:
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            if annot.get("/Dest") == "section.2":
                kinds.add("dest")
            action = annot.get("/A") or {}
            if action.get("/S") == "/GoTo" and action.get("/D") == "cite.1":
                kinds.add("goto")
            if action.get("/S") == "/URI" and action.get("/URI") == "https://www.acm.org/":
                kinds.add("uri")
    assert kinds == {"dest", "goto", "uri"}


def test_deterministic(tmp_path) -> None:
    a, _ = make(tmp_path, "a.pdf", body_pages=2)
    b, _ = make(tmp_path, "b.pdf", body_pages=2)
    c, _ = make(tmp_path, "c.pdf", body_pages=2, seed=8)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


@pytest.mark.parametrize(("body", "refs", "size"), [(1, 1, "letter"), (9, 2, "letter"), (3, 0, "a4")])
def test_page_counts(tmp_path, body, refs, size) -> None:
    _, reader = make(tmp_path, body_pages=body, ref_pages=refs, page_size=size)
    assert len(reader.pages) == body + refs
    heading = [i for i, page in enumerate(reader.pages) if "REFERENCES" in page.extract_text()]
    assert heading == ([body] if refs else [])
    want = (612, 792) if size == "letter" else (595, 842)
    assert (round(float(reader.pages[0].mediabox.width)), round(float(reader.pages[0].mediabox.height))) == want


def test_raster_of_about_the_requested_size(tmp_path) -> None:
    path, reader = make(tmp_path, body_pages=3, raster_kb=120)
    plain_path, _ = make(tmp_path, "plain.pdf", body_pages=3)
    grown = (path.stat().st_size - plain_path.stat().st_size) / 1024
    assert 100 <= grown <= 140
    assert len(reader.pages) == 4


def test_bad_arguments(tmp_path) -> None:
    with pytest.raises(ValueError, match="unknown defects"):
        write_paper(tmp_path / "x.pdf", spec(defects=frozenset({"no-such-defect"})))
    with pytest.raises(ValueError, match="page_size"):
        write_paper(tmp_path / "x.pdf", spec(page_size="legal"))


# --------------------------------------------------------------------------- defects


BODY = 2  # body pages of the defect samples (kept short: these tests must be fast)


def _check_defect(defect: str, path: Path, reader: PdfReader, texts: list[str]) -> None:
    body = texts[:BODY]
    if defect == "line-numbers":
        for page in reader.pages[:BODY]:
            numbers = [(x, t) for x, _, t in positions(page) if t.isdigit()]
            assert any(x < 50 for x, _ in numbers) and any(x > 560 for x, _ in numbers)
    elif defect == "anonymous":
        assert "Anonymous Author(s)" in texts[0]
        assert all(a.name not in texts[0] for a in AUTHORS)
    elif defect == "submission-id":
        assert "Submission ID: 1234" in texts[0]
    elif defect == "draft-footer":
        assert all("Unpublished working draft. Not for distribution." in t for t in texts)
    elif defect == "placeholders":
        for marker in ("Conference acronym 'XX, June 03–05, 2018, Woodstock, NY", "ACM ISBN 978-1-4503-XXXX-X/18/06",
                       "https://doi.org/XXXXXXX.XXXXXXX"):
            assert marker in texts[0]
    elif defect == "javascript":
        root = reader.trailer["/Root"]
        assert root["/OpenAction"]["/S"] == "/JavaScript"
        assert "/JavaScript" in root["/Names"]
    elif defect == "launch-action":
        actions = [ref.get_object().get("/A") for ref in reader.pages[0]["/Annots"]]
        assert any(a is not None and a.get("/S") == "/Launch" for a in actions)
    elif defect == "embedded-file":
        assert list(reader.attachments) == ["data.csv"]
    elif defect == "unembedded-font":
        loose = [name for name, embedded in fonts(reader) if not embedded]
        assert loose and set(loose) <= BASE14
    elif defect == "a4":
        assert (round(float(reader.pages[0].mediabox.width)), round(float(reader.pages[0].mediabox.height))) == (595, 842)
    elif defect == "bottom-margin-text":
        for page in reader.pages[:BODY]:
            assert any(y < 40 for _, y, _ in positions(page))
    elif defect == "scanned":
        assert all(not t.strip() for t in texts)
        assert all("/XObject" in page["/Resources"] for page in reader.pages)
        assert fonts(reader) == []
    elif defect == "non-english":
        words = re.findall(r"\w+", " ".join(body).lower())
        assert words.count("der") + words.count("die") + words.count("und") > 3 * words.count("the")
    elif defect == "encrypted":
        assert PdfReader(path).is_encrypted
        assert TITLE in texts[0]
    elif defect == "references-in-body":
        lines = [line.strip() for t in body for line in t.splitlines()]
        assert any(line.startswith("References") for line in lines)
        assert not any("REFERENCES" in t for t in body)
    else:  # pragma: no cover - a new defect needs a check here
        pytest.fail(f"no check for defect {defect!r}")


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_defect_signature(tmp_path, defect) -> None:
    path, reader = make(tmp_path, body_pages=BODY, defects=frozenset({defect}))
    assert len(reader.pages) == BODY + 1
    texts = [page.extract_text() for page in reader.pages]
    _check_defect(defect, path, reader, texts)
    if defect not in {"scanned"}:
        assert [i for i, text in enumerate(texts) if "REFERENCES" in text] == [BODY]
    if defect not in {"unembedded-font", "scanned"}:
        assert all(embedded for _, embedded in fonts(reader))


def test_encrypted_and_javascript_are_deterministic(tmp_path) -> None:
    a, _ = make(tmp_path, "a.pdf", body_pages=1, defects=frozenset({"encrypted", "javascript"}))
    b, _ = make(tmp_path, "b.pdf", body_pages=1, defects=frozenset({"encrypted", "javascript"}))
    assert a.read_bytes() == b.read_bytes()


# --------------------------------------------------------------------------- the repository's samples


def test_repository_samples_are_consistent() -> None:
    papers_file = ROOT / "camera_ready" / "papers.yaml"
    if not papers_file.is_file():
        pytest.skip("camera_ready/papers.yaml not generated")
    text = papers_file.read_text(encoding="utf-8")
    assert "SAMPLE" in text.split("\n- ", 1)[0]
    papers = yaml.safe_load(text)
    assert [p["id"] for p in papers] == [str(i) for i in range(1, 11)]
    assert len({p["session"] for p in papers}) in (2, 3)
    for paper in papers:
        reader = PdfReader(ROOT / "camera_ready" / paper["file"])
        assert reader.metadata.title == paper["title"]
        assert "SAMPLE" in reader.metadata.subject
        assert 5 <= len(reader.pages) <= 10
        body = next(i for i in range(4, 9) if "REFERENCES" in reader.pages[i].extract_text())
        assert 1 <= len(reader.pages) - body <= 2
        assert 2 <= len(paper["authors"]) <= 5

"""A paper stamped in the file as opened (:func:`~proceedings.pdf.pagecopy.keep_pages`): the part holds what a copy of
its pages would, and nothing of the rest of the file."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String

from proceedings.util.fastzlib import zlib
from tests.test_sanitize import ACTIVE

pytestmark = pytest.mark.filterwarnings("ignore::pikepdf.PageCopyWarning")  # qpdf's, on a widget without its form


def _script(text: str = "app.alert(1)") -> Dictionary:
    return Dictionary(S=Name.JavaScript, JS=String(text))


def hostile(back_reference: bool = False) -> bytes:
    """Three pages under two /Pages nodes (what they inherit set on a node: a resources dictionary, a media box,
    a rotation), links of every kind, and active content wherever a PDF can hold it."""
    pdf = pikepdf.new()
    for _ in range(3):
        pdf.add_blank_page(page_size=(612, 792))
    first, second, third = (page.obj for page in pdf.pages)
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
    node = pdf.make_indirect(Dictionary(
        Type=Name.Pages, Kids=Array([second, third]), Count=2, Parent=pdf.Root.Pages,
        Resources=Dictionary(Font=Dictionary(F1=font)), MediaBox=Array([0, 0, 500, 700]), Rotate=90))
    pdf.Root.Pages.Kids = Array([first, node])
    for page in (second, third):
        page.Parent = node
        for key in ("/Resources", "/MediaBox"):
            del page[key]
    for page in (first, second, third):
        page.Contents = pdf.make_stream(b"BT /F1 12 Tf 72 600 Td (Hello) Tj ET")
    first.Resources = Dictionary(Font=Dictionary(F1=font))

    def link(rect: int, **keys) -> Dictionary:
        return pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Link,
                                            Rect=Array([rect, 72, rect + 50, 90]), Border=Array([0, 0, 0]), **keys))

    named = link(10, Dest=String("sec.2"))
    shared = link(70, Dest=Array([first, Name.XYZ, 0, 700, None]), P=first)
    widget = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Widget, Rect=Array([0, 0, 10, 10]),
                                          FT=Name.Sig, V=Dictionary(Type=Name.Sig), A=_script(), AA=Dictionary(K=_script())))
    first.Annots = Array([
        named, shared, widget,
        link(130, A=Dictionary(S=Name.GoTo, D=Name("/sec.3"))),
        link(190, A=Dictionary(S=Name.URI, URI=String("https://example.org/a (1 0 R)"))),
        link(250, A=Dictionary(S=Name.URI, URI=String("file:///etc/passwd"))),
        link(310, A=Dictionary(S=Name.Launch, F=String("calc.exe"))),
        link(370, A=_script()),
        link(430, Dest=String("nowhere")),
        pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.FileAttachment, Rect=Array([0, 0, 9, 9]),
                                     FS=Dictionary(Type=Name.Filespec, F=String("x.exe")))),
        pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Popup, Rect=Array([0, 0, 9, 9]))),
    ])
    second.Annots = Array([shared, link(10, A=Dictionary(S=Name.GoTo, D=Array([2, Name.Fit])))])
    second.AA = Dictionary(O=_script())
    third.Thumb = pdf.make_stream(b"EVIL-THUMBNAIL")
    field = pdf.make_indirect(Dictionary(FT=Name.Sig, T=String("sig"), V=Dictionary(Type=Name.Sig), Kids=Array([widget])))
    widget.Parent = field
    attached = pdf.make_stream(b"EVIL-ATTACHMENT")
    dests = Dictionary(Names=Array([String("sec.2"), Array([second, Name.Fit]), String("sec.3"), Array([third, Name.Fit])]))
    pdf.Root.Names = Dictionary(
        Dests=pdf.make_indirect(dests),
        JavaScript=Dictionary(Names=Array([String("init"), _script("app.launchURL('x')")])),
        EmbeddedFiles=Dictionary(Names=Array([String("x.exe"), Dictionary(Type=Name.Filespec, EF=Dictionary(F=attached))])))
    pdf.Root.OpenAction = _script()
    pdf.Root.AA = Dictionary(WC=_script())
    pdf.Root.AcroForm = Dictionary(Fields=Array([field]), XFA=pdf.make_stream(b"<xdp/>"))
    pdf.Root.Outlines = pdf.make_indirect(Dictionary(Type=Name.Outlines, Count=0))
    pdf.Root.StructTreeRoot = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    pdf.Root.PageMode = Name.UseOutlines
    pdf.Root.Metadata = pdf.make_stream(b"<x:xmpmeta>old</x:xmpmeta>")
    pdf.docinfo["/Producer"] = String("Evil Writer")
    if back_reference:  # a page's private key that leads back to the catalog: a copy took the catalog along
        third["/Extra"] = pdf.Root
    buffer = io.BytesIO()
    pdf.save(buffer, compress_streams=False, fix_metadata_version=False)
    return buffer.getvalue()


def _meta():
    from proceedings.pdf.xmp import DocumentMetadata

    return DocumentMetadata(title="A paper", creators=["A. Author"], description="d",
                            when=dt.datetime(2024, 1, 1, tzinfo=dt.UTC), tool="proceedings")


def _copied(data: bytes) -> tuple[pikepdf.Pdf, Counter]:
    """The pages copied into a new file, as stamping did before it stamped the file as opened."""
    from proceedings.pdf.pagecopy import copy_pages, open_pdf

    copy, removed = pikepdf.new(), Counter()
    copy_pages(copy, open_pdf(io.BytesIO(data)), removed)
    return copy, removed


def _links(pdf: pikepdf.Pdf) -> list[list[tuple]]:
    index = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
    out = []
    for page in pdf.pages:
        found = []
        for annot in page.obj.get("/Annots") or []:
            dest, action = annot.get("/Dest"), annot.get("/A")
            assert annot.P.objgen == page.obj.objgen
            found.append((str(annot.Subtype), int(annot.Rect[0]), index.get(dest[0].objgen) if dest else None,
                          str(action.URI) if action is not None else None))
        out.append(found)
    return out


@pytest.mark.parametrize("opened_by", ["validation", "stamping"])
def test_a_hostile_paper_stamped_as_opened_keeps_its_pages_and_links_alone(tmp_path: Path, opened_by: str):
    """The part holds the pages (with what they inherited), their links as explicit destinations and web links;
    none of the catalog, the trailer or the active content: what the copy of its pages held, removals counted
    alike, whether validation opened the file (not pushing inherited attributes down) or stamping did."""
    from proceedings.checks.opening import open_pdf as open_checked
    from proceedings.stages.parts import stamp_paper

    data = hostile()
    path = tmp_path / "paper.pdf"
    path.write_bytes(data)
    out = tmp_path / "part.pdf"
    opened = open_checked(data).pdf if opened_by == "validation" else None
    pages, removed, shared, _crc, layout = stamp_paper(str(path), 7, str(out), "Footer", _meta(), opened=opened)
    if opened is not None:
        opened.close()
    copy, copy_removed = _copied(data)
    assert pages == 3 and len(layout["pages"]) == 3 and shared
    assert removed == dict(copy_removed) and removed == {
        "attached file": 1, "document JavaScript": 1, "JavaScript action run when the file is opened": 1,
        "document additional action (/AA)": 1, "page additional action (/AA)": 1,
        "digital signature (no longer valid once the paper is stamped)": 1, "JavaScript action": 2,
        "annotation additional action (/AA)": 1, "link to a non-web address (file:///etc/passwd)": 1,
        "Launch action": 1, "FileAttachment annotation": 1}
    raw = re.sub(rb"\s+", b" ", out.read_bytes())
    for marker in [*ACTIVE, b"/Names", b"/Dests", b"/Outlines", b"/StructTreeRoot", b"/AcroForm", b"/PageMode",
                   b"Evil Writer", b"old</x:xmpmeta>", b"EVIL-THUMBNAIL", b"EVIL-ATTACHMENT", b"calc.exe", b"/Thumb", b"/Popup"]:
        assert marker not in raw, marker
    with pikepdf.open(out) as part:
        assert set(part.Root.keys()) == {"/Type", "/Pages", "/PageLabels", "/Metadata"}
        assert set(part.trailer.keys()) == {"/Root", "/Info", "/ID", "/Size"}
        assert part.Root.Pages.Kids[0].Parent.objgen == part.Root.Pages.objgen and part.Root.Pages.Count == 3
        assert [list(page.mediabox) for page in part.pages] == [[0, 0, 612, 792], [0, 0, 500, 700], [0, 0, 500, 700]]
        assert [page.obj.get("/Rotate") for page in part.pages] == [None, 90, 90]
        assert all("/F1" in page.obj.Resources.Font and "/PrNum" in page.obj.Resources.Font for page in part.pages)
        links = _links(part)
        assert links == _links(copy)
    assert links == [
        [("/Link", 10, 1, None), ("/Link", 70, 0, None), ("/Widget", 0, None, None), ("/Link", 130, 2, None),
         ("/Link", 190, None, "https://example.org/a (1 0 R)")],
        [("/Link", 70, 0, None), ("/Link", 10, 2, None)], []]
    if shutil.which("qpdf"):
        check = subprocess.run(["qpdf", "--check", str(out)], capture_output=True, check=False)
        assert check.returncode == 0 and not check.stderr, check.stdout + check.stderr


def test_stamped_as_opened_a_part_is_written_as_its_copy_was(tmp_path: Path):
    """qpdf writes what the trailer reaches, in the order it reaches it: the pages kept in the file as opened are
    written byte for byte as their copy into a new file was."""
    from proceedings.pdf.pagecopy import keep_pages, open_pdf
    from proceedings.stages.parts import save

    data = hostile()
    copy, _ = _copied(data)
    kept = open_pdf(io.BytesIO(data))
    keep_pages(kept, Counter())
    assert save(kept, tmp_path / "kept.pdf", "1.3") == save(copy, tmp_path / "copy.pdf", "1.3")


def test_nothing_reaches_the_old_catalog_from_a_page(tmp_path: Path):
    """A page that refers to the catalog (a private key) finds it empty: the document's scripts, attachments and
    open action never reach the part (a copy of the page took them along, inert)."""
    from proceedings.pdf.pagecopy import keep_pages, open_pdf
    from proceedings.stages.parts import save

    kept = open_pdf(io.BytesIO(hostile(back_reference=True)))
    keep_pages(kept, Counter())
    raw = re.sub(rb"\s+", b" ", save(kept, tmp_path / "kept.pdf"))
    assert not any(marker in raw for marker in ACTIVE) and b"/Names" not in raw
    with pikepdf.open(tmp_path / "kept.pdf") as part:
        assert dict(part.pages[2].obj.Extra.items()) == {}


def test_an_annotation_on_two_pages_stays_on_the_first_and_is_copied_for_the_other():
    """One annotation object on two pages: the first keeps it (its keys a copy leaves behind gone from it), the
    other gets a copy; each points back to its own page, the destination kept."""
    from proceedings.pdf.pagecopy import keep_pages

    source = pikepdf.new()
    for _ in range(3):
        source.add_blank_page(page_size=(612, 792))
    first, second, third = (page.obj for page in source.pages)
    link = source.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=Array([72, 72, 144, 90]),
                                           Dest=Array([third, Name.Fit]), P=first, StructParent=4))
    first.Annots, second.Annots = Array([link]), Array([link])
    keep_pages(source, Counter())
    kept = [page.obj.Annots[0] for page in list(source.pages)[:2]]
    assert kept[0].objgen == link.objgen and kept[1].objgen != link.objgen and "/StructParent" not in link
    for k, annot in enumerate(kept):
        assert annot.P.objgen == source.pages[k].obj.objgen and annot.Dest[0].objgen == third.objgen


def test_links_to_one_named_destination_all_lead_to_its_page(tmp_path: Path):
    """A name many links lead to (a citation cited often) is looked up once: each link, by /Dest or by a GoTo
    action, by string or by name, gets the page and the view the name gives; a name the tree lacks loses its links."""
    from proceedings.pdf.pagecopy import keep_pages

    source = pikepdf.new()
    for _ in range(2):
        source.add_blank_page(page_size=(612, 792))
    first, second = (page.obj for page in source.pages)
    target = source.make_indirect(Dictionary(D=Array([second, Name.XYZ, 72, 700, None])))
    source.Root.Names = Dictionary(Dests=source.make_indirect(Dictionary(Names=Array([String("cite.a"), target]))))

    def link(x: int, **keys) -> Dictionary:
        return source.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=Array([x, 72, x + 9, 90]),
                                               **keys))

    first.Annots = Array([link(10, Dest=String("cite.a")), link(30, A=Dictionary(S=Name.GoTo, D=String("cite.a"))),
                          link(50, Dest=Name("/cite.a")), link(70, Dest=String("cite.b"))])
    second.Annots = Array([link(10, A=Dictionary(S=Name.GoTo, D=String("cite.a")))])
    keep_pages(source, Counter())
    source.save(tmp_path / "kept.pdf")
    with pikepdf.open(tmp_path / "kept.pdf") as kept:
        links = [annot for page in kept.pages for annot in page.obj.Annots]
        assert [int(annot.Rect[0]) for annot in links] == [10, 30, 50, 10]
        for annot in links:
            assert "/A" not in annot and annot.Dest[0].objgen == kept.pages[1].obj.objgen
            assert [str(v) for v in list(annot.Dest)[1:]] == ["/XYZ", "72", "700", "None"]


def test_only_streams_the_part_writes_must_decode(tmp_path: Path):
    """A stream that does not decode, reached only from what the part leaves behind (an attachment, a page's
    thumbnail), does not stop the paper; one a page draws does."""
    from proceedings.pdf.pagecopy import open_pdf
    from proceedings.pdf.streams import DamagedStream
    from proceedings.stages.parts import stamp_paper

    def paper(where: str) -> Path:
        pdf = pikepdf.new()
        pdf.add_blank_page()
        bad = pikepdf.Stream(pdf, zlib.compress(b"0 0 m 10 10 l S")[:-6])
        bad.Filter = Name.FlateDecode
        bad = pdf.make_indirect(bad)
        page = pdf.pages[0].obj
        page.Contents = pdf.make_stream(b"0 0 m 10 10 l S")
        if where == "page":
            page.Resources = Dictionary(XObject=Dictionary(Fm0=bad))
            bad.Type, bad.Subtype, bad.BBox = Name.XObject, Name.Form, Array([0, 0, 10, 10])
        elif where == "thumbnail":
            page.Thumb = bad
        else:
            pdf.Root.Names = Dictionary(EmbeddedFiles=Dictionary(Names=Array([
                String("a"), Dictionary(Type=Name.Filespec, EF=Dictionary(F=bad))])))
        path = tmp_path / f"{where}.pdf"
        pdf.save(path, compress_streams=False)
        return path

    for where in ("attachment", "thumbnail"):
        path = paper(where)
        assert stamp_paper(str(path), 1, str(tmp_path / "out.pdf"), "F", _meta())[0] == 1
        with open_pdf(path) as opened:
            assert stamp_paper(str(path), 1, str(tmp_path / "out.pdf"), "F", _meta(), opened=opened)[0] == 1
    with pytest.raises(DamagedStream, match=r"a stream \(object \d+\) does not decode \(the Flate data ends early\)"):
        stamp_paper(str(paper("page")), 1, str(tmp_path / "out.pdf"), "F", _meta())


def test_the_objects_a_trailer_reaches():
    """What qpdf writes: the trailer's objects and theirs, a reference spelled out in a string being none."""
    from proceedings.pdf.streams import reached

    pdf = pikepdf.new()
    pdf.add_blank_page()
    lone = pdf.make_indirect(Dictionary(A=1))
    form = pdf.make_stream(b"")
    form.Res = pdf.make_indirect(Dictionary(Note=String(f"see {lone.objgen[0]} 0 R (not a reference)")))
    pdf.pages[0].obj.Resources = Dictionary(XObject=Dictionary(Fm0=form))
    found = reached(pdf)
    assert found is not None
    assert {pdf.Root.objgen, pdf.Root.Pages.objgen, pdf.pages[0].obj.objgen, form.objgen, form.Res.objgen} <= found
    assert lone.objgen not in found

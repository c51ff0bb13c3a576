"""Nothing unsafe ships: active content is removed from the volume and each removal is reported."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pypdf import PdfReader

from tests.conftest import ACMART, AWKWARD, build_project, link_summary, make_project, need

ACTIVE = [b"/JavaScript", b"/JS ", b"/JS(", b"/JS<", b"/Launch", b"/EmbeddedFiles", b"/RichMedia", b"/XFA",
          b"/OpenAction", b"/AA ", b"/AA<", b"/FileAttachment", b"/SubmitForm", b"/ImportData", b"/GoToR"]


def raw_objects(path: Path) -> bytes:
    """Every object of the file as written, object streams decoded, white space folded (qpdf-free, via pypdf)."""
    reader = PdfReader(path)
    chunks = [path.read_bytes()]
    for number in sorted({stream for stream, _ in reader.xref_objStm.values()}):
        chunks.append(reader.get_object(number).get_data())
    return re.sub(rb"\s+", b" ", b"\n".join(chunks))


def test_active_content_removed_and_reported(tmp_path: Path):
    need(AWKWARD)
    files = [AWKWARD / n for n in ("pdfjs-js-buttons.pdf", "sf-with-attachment.pdf",
                                   "pdfjs-annotation-fileattachment.pdf", "pypdf-attachment.pdf",
                                   "qpdf-digitally-signed.pdf")]
    project = make_project(tmp_path / "p", files)
    result = build_project(project)
    report = json.loads((project / "build/validation.json").read_text(encoding="utf-8"))
    assert [p["id"] for p in report["papers"]] == ["1", "2", "3", "4", "5"]
    for out in [project / "build/proceedings.pdf", *sorted((project / "build/papers").glob("*.pdf"))]:
        raw = raw_objects(out)
        for marker in ACTIVE:
            assert marker not in raw, f"{out.name} still holds {marker!r}"
    sanitized = {p["id"]: [f for f in p["findings"] if f["rule"] == "sanitized"] for p in report["papers"]}
    assert sanitized["1"], "the JavaScript of the buttons file was removed silently"
    assert any("FileAttachment" in f["message"] for f in sanitized["3"])
    assert [f["message"] for f in sanitized["2"]] == ["removed from the volume: attached file"]  # the document's
    assert [f["message"] for f in sanitized["5"]] == [
        "removed from the volume: digital signature (no longer valid once the paper is stamped)"]
    assert all(f["severity"] == "warning" for fs in sanitized.values() for f in fs)
    assert result.volume.page_count > 0


def test_ordinary_links_survive(tmp_path: Path):
    need(ACMART)
    source = ACMART / "sample-sigconf.pdf"
    project = make_project(tmp_path / "p", [source])
    result = build_project(project)
    volume = PdfReader(project / "build/proceedings.pdf")
    original = PdfReader(source)

    pages = result.volume.papers[0]
    src_uris, src_internal = link_summary(original, range(len(original.pages)))
    vol_uris, vol_internal = link_summary(volume, range(pages.first_index, pages.first_index + pages.count))
    assert src_uris and src_uris == vol_uris
    assert src_internal and vol_internal == src_internal
    # every internal link of the paper lands inside the paper, as an explicit destination
    for i in range(pages.first_index, pages.first_index + pages.count):
        for a in volume.pages[i].get("/Annots") or []:
            a = a.get_object()
            if "/Dest" in a:
                target = volume.get_page_number(a["/Dest"][0].get_object())
                assert pages.first_index <= target < pages.first_index + pages.count
    assert not re.search(rb"/Names\s*<<[^>]*/Dests", raw_objects(project / "build/proceedings.pdf"))


def test_an_annotation_on_two_pages_is_copied_for_each(tmp_path: Path):
    """qpdf copies an annotation once per document: one that two pages share still gets a copy on each, each
    pointing back to its own page, the link's destination kept; the source's keys are left as they were."""
    from collections import Counter

    import pikepdf

    from proceedings.pdf.pagecopy import copy_pages

    source = pikepdf.new()
    for _ in range(3):
        source.add_blank_page(page_size=(612, 792))
    first, second, third = (page.obj for page in source.pages)
    link = source.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=pikepdf.Array([72, 72, 144, 90]),
        Border=pikepdf.Array([0, 0, 0]), Dest=pikepdf.Array([third, pikepdf.Name.Fit]), P=first))
    first.Annots, second.Annots = pikepdf.Array([link]), pikepdf.Array([link])
    copy = pikepdf.new()
    copy_pages(copy, source, Counter())
    copies = [page.obj.Annots[0] for page in list(copy.pages)[:2]]
    assert copies[0].objgen != copies[1].objgen
    for k, page in enumerate(copies):
        assert page.P.objgen == copy.pages[k].obj.objgen
        assert page.Dest[0].objgen == copy.pages[2].obj.objgen and list(page.Rect) == [72, 72, 144, 90]
    assert "/Dest" in link and "/P" in link  # set aside while copying, then put back


def test_an_annotation_the_page_reaches_by_another_key_loses_its_action(tmp_path: Path):
    """qpdf copies a page's private keys with it: an annotation one of them refers to is copied whole, JavaScript
    action and all, before the page's /Annots are; its copy on the page still has no action, and it is counted."""
    from collections import Counter

    import pikepdf
    from pikepdf import Array, Dictionary, Name, String

    source = pikepdf.new()
    source.add_blank_page()
    page = source.pages[0].obj
    script = Dictionary(S=Name.JavaScript, JS=String("app.alert('x')"))
    annot = source.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Widget, Rect=Array([0, 0, 100, 100]),
                                            A=script, AA=Dictionary(E=script)))
    page.Annots = Array([annot])
    page["/Extra"] = annot  # a producer's private key, copied with the page
    from proceedings.pdf.pagecopy import copy_pages

    copy, removed = pikepdf.new(), Counter()
    copy_pages(copy, source, removed)
    copied = copy.pages[0].obj.Annots[0]
    assert "/A" not in copied and "/AA" not in copied
    assert removed == Counter({"JavaScript action": 1, "annotation additional action (/AA)": 1})


def test_actions_chained_to_an_open_action_that_goes_to_a_page_are_reported(tmp_path: Path):
    """Validation says a /GoTo open action with JavaScript in its /Next "contains JavaScript; the merge removes it";
    the removal is reported with the others, as the validation finding promises."""
    from collections import Counter

    import pikepdf

    from proceedings.pdf.pagecopy import copy_pages

    source = pikepdf.new()
    source.add_blank_page()
    source.Root.OpenAction = pikepdf.Dictionary(
        S=pikepdf.Name.GoTo, D=pikepdf.Array([source.pages[0].obj, pikepdf.Name.Fit]),
        Next=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")))
    removed: Counter = Counter()
    copy_pages(pikepdf.new(), source, removed)
    assert removed == Counter({"actions chained to the open action (/Next)": 1})

"""A part's objects read from the bytes qpdf wrote (:mod:`proceedings.pdf.written`): what pikepdf reads there."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, Stream, String

from proceedings.pdf.written import Ref, WrittenPart


def _reference_numbers(data: bytes) -> tuple[int, ...]:
    """The shared stamp objects' numbers as :func:`~proceedings.pdf.stamp.shared_numbers` read them with pikepdf,
    opening the part again."""
    from proceedings.pdf.stamp import FOOTER_NAME, NUMBER_FONT

    with pikepdf.Pdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            res, contents = page.obj.get("/Resources"), page.obj.get("/Contents")
            fonts = res.get("/Font") if isinstance(res, Dictionary) else None
            forms = res.get("/XObject") if isinstance(res, Dictionary) else None
            if isinstance(fonts, Dictionary) and NUMBER_FONT in fonts and isinstance(contents, Array) and forms:
                roots = [contents[0], forms[FOOTER_NAME], fonts[NUMBER_FONT]]
                break
        else:
            return ()
        order: list[int] = []

        def visit(obj, depth: int = 0) -> None:
            if getattr(obj, "is_indirect", False):
                if obj.objgen[0] in order:
                    return
                order.append(obj.objgen[0])
            if depth > 32:
                return
            if isinstance(obj, (Dictionary, Stream)):
                for key in sorted(obj.keys()):
                    visit(obj[key], depth + 1)
            elif isinstance(obj, Array):
                for item in obj:
                    visit(item, depth + 1)

        for root in roots:
            visit(root)
        return tuple(order)


def _written(pdf: pikepdf.Pdf) -> bytes:
    """``pdf`` written as a part is (see :func:`proceedings.stages.parts.save`)."""
    buffer = io.BytesIO()
    pdf.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.disable, compress_streams=False,
             stream_decode_level=pikepdf.StreamDecodeLevel.none, static_id=True)
    return buffer.getvalue()


def test_objects_are_read_as_pikepdf_reads_them():
    """Dictionaries, arrays, references, names with escapes, strings holding what looks like syntax, a stream's
    dictionary (its data never read as objects)."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    target = pdf.make_indirect(Dictionary(A=1))
    stream = pdf.make_stream(b"BT (1 0 R) Tj ET >> << [ endobj")
    stream.Ref = target
    odd = pdf.make_indirect(Dictionary({
        "/Strings": Array([String("a (1 0 R) b"), String(") >> ["), String(b"\x00\xff"), String("")]),
        "/A B": Name("/C#D"), "/Numbers": Array([1, -2, 3.5, Array([]), Array([4, target, 5])]),
        "/Stream": stream, "/Flags": Array([True, False, None]), "/Nested": Dictionary(Deep=Dictionary(Ref=target))}))
    pdf.Root.Odd = odd
    part = WrittenPart(_written(pdf))
    root = part.resolve(part.trailer()["/Root"])
    found = part.get(root["/Odd"])
    assert sorted(found) == ["/A B", "/Flags", "/Nested", "/Numbers", "/Stream", "/Strings"]
    assert found["/A B"] == "/C#D" and len(found["/Strings"]) == 4
    numbers = found["/Numbers"]
    assert numbers[:3] == [b"1", b"-2", b"3.5"] and numbers[3] == [] and isinstance(numbers[4][1], Ref)
    assert part.get(numbers[4][1]) == {"/A": b"1"}
    assert part.get(found["/Nested"]["/Deep"]["/Ref"]) == {"/A": b"1"}
    assert set(part.get(found["/Stream"])) == {"/Length", "/Ref"}
    assert found["/Flags"] == [b"true", b"false", b"null"]
    assert part.get(10_000) is None


def test_a_part_without_a_classic_table_is_refused():
    pdf = pikepdf.new()
    pdf.add_blank_page()
    buffer = io.BytesIO()
    pdf.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    with pytest.raises(ValueError, match="cross-reference table"):
        WrittenPart(buffer.getvalue())


@pytest.mark.filterwarnings("ignore::pikepdf.PageCopyWarning")  # qpdf's, on the paper's widget without its form
def test_shared_numbers_are_those_pikepdf_finds(tmp_path: Path):
    """The shared stamp objects' numbers, read from the bytes, are those the part opened again gives, in the same
    order: a paper whose page has keys and strings that look like a stamp's, and a front matter whose title
    page is not stamped."""
    from proceedings.pdf.stamp import shared_numbers
    from proceedings.pdf.xmp import DocumentMetadata
    from proceedings.stages.parts import front_parts, stamp_paper
    from tests.test_keep_pages import hostile

    path = tmp_path / "paper.pdf"
    path.write_bytes(hostile())
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        page = pdf.pages[0].obj
        page["/Extra"] = Dictionary({"/PrNum": String("/PrNum 1 0 R"), "/Font": Dictionary(PrNum=pdf.Root.Pages)})
        pdf.save()
    meta = DocumentMetadata(title="T", creators=["A"], description="d",
                            when=dt.datetime(2024, 1, 1, tzinfo=dt.UTC), tool="p")
    shared = stamp_paper(str(path), 3, str(tmp_path / "part.pdf"), "Footer", meta)[2]
    data = (tmp_path / "part.pdf").read_bytes()
    assert shared and shared == shared_numbers(data) == _reference_numbers(data)

    from proceedings.typeset.frontdata import FrontMatter

    pages = pikepdf.new()
    for _ in range(3):
        pages.add_blank_page()
    front = FrontMatter(pdf=_written(pages), sections={"title": 0})
    count, numbers = front_parts(front, "Footer", "W", ["E"], "D:20240101", tmp_path / "f.pdf", tmp_path / "fm.pdf")
    data = (tmp_path / "f.pdf").read_bytes()
    assert count == 3 and numbers and numbers == shared_numbers(data) == _reference_numbers(data)
    blank = pikepdf.new()
    blank.add_blank_page()
    assert shared_numbers(_written(blank)) == ()


@pytest.mark.filterwarnings("ignore::pikepdf.PageCopyWarning")  # qpdf's, on the hostile paper's widget
def test_a_stamped_papers_layout_is_what_binding_reads(tmp_path: Path):
    """The layout stamping returns, read with the shared numbers in one pass over the part, is what binding's
    :func:`~proceedings.stages.bind.read_part` gives: for a paper, and for a paper that holds a placeholder's key
    (then read by read_part itself, which looks for placeholders)."""
    from proceedings.pdf.stamp import shared_numbers
    from proceedings.pdf.xmp import DocumentMetadata
    from proceedings.stages.bind import read_part
    from proceedings.stages.parts import stamp_paper, written_facts
    from tests.test_keep_pages import hostile

    meta = DocumentMetadata(title="T", creators=["A"], description="d",
                            when=dt.datetime(2024, 1, 1, tzinfo=dt.UTC), tool="p")
    path = tmp_path / "paper.pdf"
    for placeholder in (False, True):
        path.write_bytes(hostile())
        if placeholder:
            with pikepdf.open(path, allow_overwriting_input=True) as pdf:
                pdf.pages[1].obj["/Extra"] = pdf.make_indirect(Dictionary(ProcTarget=String("p2")))
                pdf.save()
        count, _, shared, _, layout = stamp_paper(str(path), 3, str(tmp_path / "part.pdf"), "Footer", meta)
        data = (tmp_path / "part.pdf").read_bytes()
        part = read_part(tmp_path / "part.pdf", shared, keep_offsets=False)
        assert shared == shared_numbers(data) and layout == part.layout() == written_facts(path, data)[1]
        assert len(layout["pages"]) == count == 3 and bool(layout["targets"]) is placeholder


@pytest.mark.parametrize("made_of", ["", "0123456789abcdef0123456789abcdef99"])
def test_a_saved_part_is_returned_as_written_with_its_id(tmp_path: Path, made_of: str):
    """save gives the part's /ID from the digest in hand (then reading the file once, as changed) or from its bytes,
    and returns the bytes the file holds."""
    import hashlib

    from proceedings.stages.parts import _STATIC_ID, save

    pdf = pikepdf.new()
    pdf.add_blank_page()
    data = save(pdf, tmp_path / "part.pdf", made_of=made_of)
    assert data == (tmp_path / "part.pdf").read_bytes()
    at = data.rindex(b"/ID [")
    static = data[:at] + _STATIC_ID + data[at + len(_STATIC_ID):]
    ident = (made_of or hashlib.sha256(static).hexdigest())[:32].encode()
    assert data.count(b"/ID [<" + ident + b"><" + ident + b">]") == 1

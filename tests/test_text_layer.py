"""The text layer on characters outside the Basic Multilingual Plane (math italic from unicode-math, emoji):
PDFium gives each two UTF-16 units, which must come back as the one character, in spans and in lines."""

from __future__ import annotations

import io

import pikepdf

from proceedings.pdf.textlayer import open_layer

_CMAP = b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Astral def
1 begincodespacerange <00> <FF> endcodespacerange
3 beginbfchar <61> <0061> <20> <0020> <78> <D835DC65> endbfchar
endcmap CMapName currentdict /CMap defineresource pop end end"""


def _pdf(content: bytes) -> bytes:
    """One US Letter page of ``content`` in Helvetica whose ``x`` reads as MATHEMATICAL ITALIC SMALL X."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(612, 792))
    font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica,
                              ToUnicode=pdf.make_stream(_CMAP))
    page = pdf.pages[0].obj
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.Contents = pdf.make_stream(content)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_a_character_beyond_the_basic_plane_reads_as_itself():
    layer = open_layer(_pdf(b"BT /F1 12 Tf 72 700 Td (a x a) Tj ET BT /F1 12 Tf 72 600 Td (xx a) Tj ET"))
    assert layer is not None
    page = layer[1]
    assert [s.text for s in page.spans] == ["a \U0001d465 a", "\U0001d465\U0001d465 a"]
    assert [line.text for line in page.lines] == ["a \U0001d465 a", "\U0001d465\U0001d465 a"]
    assert page.spans[0].y0 > page.spans[1].y0 and page.spans[0].font == "Helvetica"


def _figure_pdf() -> bytes:
    """Three pages: an inline image (no XObject anywhere), an image XObject, and text alone."""
    pdf = pikepdf.new()
    font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
    image = pikepdf.Stream(pdf, b"\xff" * 48, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image, Width=4, Height=4,
                           ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8)
    text = b"BT /F1 12 Tf 72 700 Td (Text) Tj ET "
    contents = [text + b"q 50 0 0 50 300 20 cm BI /W 4 /H 4 /CS /RGB /BPC 8 ID " + b"\xff" * 48 + b" EI Q",
                text + b"q 50 0 0 50 300 20 cm /Im1 Do Q", text]
    for content in contents:
        pdf.add_blank_page(page_size=(612, 792))
        page = pdf.pages[-1].obj
        page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        if b"Do" in content:
            page.Resources.XObject = pikepdf.Dictionary(Im1=image)
        page.Contents = pdf.make_stream(content)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_figures_are_looked_for_only_where_a_page_may_show_one():
    """Validation tells the text layer which pages may show a figure (XObjects in their resources, or content that
    may draw an inline image): those are found as before, the text-only page is not looked through."""
    from proceedings.checks.opening import open_pdf
    from proceedings.stages.validate import _decode_contents, _stream_report

    data = _figure_pdf()
    opened = open_pdf(data)
    report = _stream_report("figures.pdf", opened.pdf, opened.pages)
    assert report is not None
    pages = _decode_contents(opened.pdf, opened.pages, report.held, report.inline)
    assert pages == {1, 2}
    layer = open_layer(data)
    assert layer is not None
    layer.figure_pages = pages
    boxes = [page.figures for page in layer]
    assert [len(b) for b in boxes] == [1, 1, 0]
    assert all(abs(b[0][0] - 300) < 1 and abs(b[0][1] - 20) < 1 for b in boxes[:2])
    whole = open_layer(data)
    assert whole is not None and [page.figures for page in whole] == boxes  # every page looked through: the same

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
